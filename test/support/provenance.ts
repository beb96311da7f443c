/**
 * Provenance of what an adapter sends: each configured value (the credential, the account's
 * sender number, SID, app name, number or session id, a template's provider id), the recipient
 * and our message id must land exactly where the provider's document says — and nowhere else.
 * A well-formed but wrong request (the SID in the `api-key` header, the app name in `source`)
 * passes the Pact mock and Prism, which check shapes; this checks where each value came from.
 *
 * The request is taken apart into places (`header:api-key`, `path:1`, `query:limit`,
 * `body:messaging_object.to`, `form:template.id`); an auth header is read as its credential
 * (`Bearer <x>` → x, `Basic <base64>` → decoded). A value is found in a place when the place
 * holds it exactly (phone numbers compared by their digits). Values are generated so that no two
 * are equal, so a value found in a place it was not put in is the adapter's doing.
 */
import fc from 'fast-check';
import { AccountConfig, type AccountOf } from '../../src/config/accounts.ts';
import type { OutgoingMessage, ProviderAdapter } from '../../src/providers/adapter.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { loadSpec, responseExamples } from './spec.ts';

export interface ProvenanceSample {
  account: Record<string, unknown> & { id: string; provider: ProviderName };
  credential: string;
  message: OutgoingMessage;
}

/** A value of the sample and the places the provider's document puts it (empty: nowhere on the wire). */
export interface Placement {
  what: string;
  value: (sample: ProvenanceSample) => string | undefined;
  places: readonly string[] | ((sample: ProvenanceSample) => readonly string[]);
}

export interface ProvenanceCase {
  /** The send operation, for its documented success answer. */
  operation: { path: string; method: string; status: string };
  sample: fc.Arbitrary<ProvenanceSample>;
  placements: readonly Placement[];
}

// ----------------------------------------------------------------------------- values

const token = (prefix: string, min = 8) => fc.stringMatching(new RegExp(`^[a-z0-9]{${min},16}$`)).map((tail) => `${prefix}${tail}`);
/** E.164 digits of 11–13 digits (a country code that does not start with 0). */
const e164Digits = fc.stringMatching(/^[1-9][0-9]{10,12}$/);
const messageId = fc.stringMatching(/^01[0-9A-HJKMNP-TV-Z]{24}$/);
const accountId = token('acct-', 4);
const templateName = token('tpl_', 4);
const bodyValues = fc.array(token('val-', 4), { maxLength: 3 });

/** Distinct values: a value equal to another would make "where did it land" ambiguous. */
function allDistinct(values: ReadonlyArray<string | undefined>): boolean {
  const present = values.filter((v): v is string => v !== undefined).map((v) => v.replace(/^\+/, ''));
  return new Set(present).size === present.length;
}

/** A template message; a template without variables has no `body` (a body has at least one value). */
function template(name: string, body: string[]) {
  return { kind: 'template' as const, name, language: 'en_US', ...(body.length > 0 ? { body } : {}) };
}

const BASE_URL = 'http://127.0.0.1:9';

// ----------------------------------------------------------------------------- per provider

export const PROVENANCE: Record<ProviderName, ProvenanceCase> = {
  livetok: {
    operation: { path: '/v1/messages/templates', method: 'post', status: '200' },
    sample: fc
      .record({ id: accountId, credential: token('lt-key-'), messageId, recipient: e164Digits, name: templateName, body: bodyValues })
      .map(({ id, credential, messageId, recipient, name, body }) => ({
        account: { id, provider: 'livetok' as const, baseUrl: BASE_URL },
        credential,
        message: { messageId, recipient: `+${recipient}`, content: template(name, body) },
      })),
    placements: [
      { what: 'credential', value: (s) => s.credential, places: ['header:authorization'] },
      { what: 'recipient', value: (s) => s.message.recipient, places: ['body:to'] },
      // LiveTok echoes nothing of ours: our id stays with us.
      { what: 'our message id', value: (s) => s.message.messageId, places: [] },
    ],
  },
  livechat: {
    operation: { path: '/whatsapp-numbers/{id}/template-messages', method: 'post', status: '200' },
    sample: fc
      .record({
        id: accountId,
        numberId: token('num-'),
        credential: fc.tuple(token('lcacct-'), token('pat-')).map(([a, p]) => `${a}:${p}`),
        messageId,
        recipient: e164Digits,
        name: templateName,
        body: bodyValues,
      })
      .map(({ id, numberId, credential, messageId, recipient, name, body }) => ({
        account: { id, provider: 'livechat' as const, numberId, baseUrl: BASE_URL },
        credential,
        message: { messageId, recipient: `+${recipient}`, content: template(name, body) },
      })),
    placements: [
      { what: 'credential (account id:PAT)', value: (s) => s.credential, places: ['header:authorization'] },
      { what: 'WhatsApp number id', value: (s) => String(s.account.numberId), places: ['path:1'] },
      { what: 'recipient', value: (s) => s.message.recipient, places: ['body:to'] },
      { what: 'our message id', value: (s) => s.message.messageId, places: [] },
    ],
  },
  gupshup: {
    operation: { path: '/wa/api/v1/template/msg', method: 'post', status: '202' },
    sample: fc
      .record({
        id: accountId,
        source: e164Digits,
        appName: token('App'),
        templateId: fc.uuid(),
        credential: token('gs-key-'),
        messageId,
        recipient: e164Digits,
        name: templateName,
        body: bodyValues,
      })
      .filter((v) => allDistinct([v.source, v.recipient]))
      .map(({ id, source, appName, templateId, credential, messageId, recipient, name, body }) => ({
        account: {
          id,
          provider: 'gupshup' as const,
          source,
          appName,
          baseUrl: BASE_URL,
          templates: [{ name, language: 'en_US', providerTemplateId: templateId, bodyParameters: body.length }],
        },
        credential,
        message: { messageId, recipient: `+${recipient}`, content: template(name, body) },
      })),
    placements: [
      { what: 'credential', value: (s) => s.credential, places: ['header:apikey'] },
      { what: 'sender number (source)', value: (s) => String(s.account.source), places: ['form:source'] },
      { what: 'app name', value: (s) => String(s.account.appName), places: ['form:src.name'] },
      {
        what: 'template id',
        value: (s) => (s.account.templates as Array<{ providerTemplateId: string }>)[0]!.providerTemplateId,
        places: ['form:template.id'],
      },
      { what: 'recipient', value: (s) => s.message.recipient, places: ['form:destination'] },
      { what: 'our message id', value: (s) => s.message.messageId, places: [] },
    ],
  },
  loopwave: {
    operation: { path: '/api/v1/messages', method: 'post', status: '202' },
    sample: fc
      .record({
        id: accountId,
        sessionId: fc.option(token('sess-'), { nil: undefined }),
        credential: token('lw_live_'),
        messageId,
        recipient: e164Digits,
        text: token('hello-'),
      })
      .map(({ id, sessionId, credential, messageId, recipient, text }) => ({
        account: { id, provider: 'loopwave' as const, baseUrl: BASE_URL, ...(sessionId ? { sessionId } : {}) },
        credential,
        message: { messageId, recipient: `+${recipient}`, content: { kind: 'text' as const, text } },
      })),
    placements: [
      { what: 'credential', value: (s) => s.credential, places: ['header:authorization'] },
      {
        what: 'session id (from)',
        value: (s) => s.account.sessionId as string | undefined,
        places: ['body:from'],
      },
      { what: 'recipient', value: (s) => s.message.recipient, places: ['body:to'] },
      { what: 'our message id', value: (s) => s.message.messageId, places: [] },
    ],
  },
  kaleyra: {
    operation: { path: '/v2/{sid}/whatsapp/{phone_number}/messages', method: 'post', status: '202' },
    sample: fc
      .record({
        id: accountId,
        sid: fc.stringMatching(/^[A-Z]{4}[0-9]{10}[A-Z]{2}$/),
        senderNumber: e164Digits,
        credential: token('A'),
        messageId,
        recipient: e164Digits,
        name: templateName,
        body: bodyValues,
      })
      .filter((v) => allDistinct([v.senderNumber, v.recipient]))
      .map(({ id, sid, senderNumber, credential, messageId, recipient, name, body }) => ({
        account: { id, provider: 'kaleyra' as const, sid, senderNumber: `+${senderNumber}`, baseUrl: BASE_URL },
        credential,
        message: { messageId, recipient: `+${recipient}`, content: template(name, body) },
      })),
    placements: [
      { what: 'credential (API key)', value: (s) => s.credential, places: ['header:api-key'] },
      { what: 'SID', value: (s) => String(s.account.sid), places: ['path:1'] },
      { what: 'sender number', value: (s) => String(s.account.senderNumber), places: ['path:3'] },
      { what: 'recipient', value: (s) => s.message.recipient, places: ['body:messaging_object.to'] },
      {
        what: 'our message id',
        value: (s) => s.message.messageId,
        places: ['body:extra_info.ref', 'body:messaging_object.biz_opaque_callback_data'],
      },
    ],
  },
};

// ----------------------------------------------------------------------------- the request, taken apart

/** Each place of a request and what it holds. */
export async function placesOf(request: Request): Promise<Array<[place: string, value: string]>> {
  const places: Array<[string, string]> = [];
  request.headers.forEach((value, name) => {
    const auth = /^(Bearer|Basic) (.+)$/i.exec(value);
    if (name === 'authorization' && auth)
      places.push([`header:${name}`, auth[1]!.toLowerCase() === 'basic' ? Buffer.from(auth[2]!, 'base64').toString('utf8') : auth[2]!]);
    else places.push([`header:${name}`, value]);
  });
  const url = new URL(request.url);
  url.pathname
    .split('/')
    .filter(Boolean)
    .forEach((segment, index) => {
      places.push([`path:${index}`, decodeURIComponent(segment)]);
    });
  for (const [name, value] of url.searchParams) places.push([`query:${name}`, value]);
  const text = await request.text();
  const type = request.headers.get('content-type') ?? '';
  const walk = (prefix: string, value: unknown): void => {
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) walk(prefix.endsWith(':') ? `${prefix}${key}` : `${prefix}.${key}`, inner);
    } else if (value !== undefined && value !== null) places.push([prefix, String(value)]);
  };
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(text)) {
      let parsed: unknown = value;
      if (/^[[{]/.test(value)) parsed = JSON.parse(value);
      walk(`form:${name}`, parsed);
    }
  } else if (text) walk('body:', JSON.parse(text));
  return places;
}

const same = (a: string, b: string) =>
  a === b || (/^\+?[0-9]+$/.test(a) && /^\+?[0-9]+$/.test(b) && a.replace('+', '') === b.replace('+', ''));

/** The success answer the spec documents for the send, for a fetch that never touches the network. */
function documentedSuccess(provider: ProviderName, operation: ProvenanceCase['operation']): unknown {
  const [example] = responseExamples(loadSpec(provider), operation.path, operation.method, operation.status);
  return example?.value ?? {};
}

/**
 * Sends `sample` through `adapter` and answers the places where each placement's value landed
 * that differ from where the document puts it (empty: every value exactly where it belongs).
 */
export async function provenanceViolations(
  provider: ProviderName,
  adapter: ProviderAdapter<any>,
  sample: ProvenanceSample,
): Promise<string[]> {
  const { operation, placements } = PROVENANCE[provider];
  const answer = documentedSuccess(provider, operation);
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(new Request(input, init));
    return new Response(JSON.stringify(answer), { status: Number(operation.status), headers: { 'content-type': 'application/json' } });
  };
  const account = AccountConfig.parse(sample.account) as AccountOf<typeof provider>;
  const result = await adapter.send(sample.message, account, { credential: sample.credential, fetch });
  if (result.outcome !== 'accepted') return [`the send was not accepted: ${JSON.stringify(result)}`];
  if (requests.length !== 1) return [`expected one request, got ${requests.length}`];
  const places = await placesOf(requests[0]!);
  const violations: string[] = [];
  for (const placement of placements) {
    const value = placement.value(sample);
    if (value === undefined) continue;
    const expected = [...(typeof placement.places === 'function' ? placement.places(sample) : placement.places)].sort();
    const found = places.filter(([, held]) => same(held, value)).map(([place]) => place);
    const actual = [...new Set(found)].sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      violations.push(`${placement.what}: expected in [${expected.join(', ')}], found in [${actual.join(', ')}]`);
  }
  return violations;
}
