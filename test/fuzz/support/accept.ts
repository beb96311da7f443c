/**
 * `POST /v1/messages`, one request or a batch: the cases and how each becomes HTTP requests.
 */
import fc from 'fast-check';
import type { RawResponse } from './client.ts';
import type { CaseOptions, Endpoint, RunContext } from './endpoint.ts';
import { edgeMessage, invalidMessage, validMessage, type Labelled, type Message } from './messages.ts';
import { ACCOUNT_IDS, ALL_KEY, LIMITED_ACCOUNTS, LIMITED_KEY } from './model.ts';
import type { Case, Expect, Figure, Step } from './oracle.ts';

/** API Gateway's payload limit is 10 MB (Lambda's 6 MB): a body over it is refused, whatever it holds. */
export const OVERSIZE_BYTES = 11 * 1024 * 1024;

export type Auth = { kind: 'key'; key: 'all' | 'limited' } | { kind: 'header'; value: string } | { kind: 'none' };

export type Body =
  | { json: unknown }
  | { text: string }
  /** A send request whose named body has `params` values of `length` characters: schema-valid, large. */
  | { bigNamed: { message: Message; params: number; length: number } }
  /** `messages` copies of such a request in one batch. */
  | { bigBatch: { message: Message; messages: number; params: number; length: number } }
  /** A JSON value followed by spaces up to `bytes` (still valid JSON). */
  | { padded: { json: unknown; bytes: number } };

export interface AcceptInput {
  auth: Auth;
  contentType: string | null;
  /** `unique`: a suffix per request makes it fresh (a valid key must not collide with another case's). */
  idempotencyKey?: { value: string; unique: boolean };
  body: Body;
  /** Send again with the same key: the same body (must be replayed) or another one (must be 409). */
  replay?: { kind: 'same' } | { kind: 'different'; body: unknown };
}

const validAuth = fc.oneof(
  { arbitrary: fc.constant<Auth>({ kind: 'key', key: 'all' }), weight: 5 },
  { arbitrary: fc.constant<Auth>({ kind: 'key', key: 'limited' }), weight: 1 },
);
const accountsOf = (auth: Auth) => (auth.kind === 'key' && auth.key === 'limited' ? LIMITED_ACCOUNTS : ACCOUNT_IDS);
const forbiddenOf = (auth: Auth) => ACCOUNT_IDS.filter((a) => !accountsOf(auth).includes(a));
const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8');
const validKey = fc.stringMatching(/^[\x21-\x7e]{1,200}$/);
const invalidKey = fc.constantFrom('', 'has space', 'x'.repeat(256), 'caf\u00e9', 'tab\there');

const case_ = (label: string, expect: Expect, input: AcceptInput): Case<AcceptInput> => ({ label, expect, input });

/** Rules of the HTTP request itself, the same for one message and a batch. */
function requestBreakers(body: fc.Arbitrary<unknown>): Array<fc.Arbitrary<Case<AcceptInput>>> {
  return [
    fc
      .tuple(
        fc.constantFrom<Auth>(
          { kind: 'none' },
          { kind: 'header', value: 'Bearer not-a-key' },
          { kind: 'header', value: `Basic ${Buffer.from('a:b').toString('base64')}` },
          { kind: 'header', value: 'Bearer' },
        ),
        body,
      )
      .map(([auth, json]) => case_('Authorization: no valid API key', 'refuse', { auth, contentType: 'application/json', body: { json } })),
    fc
      .tuple(fc.constantFrom<string | null>(null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'), body)
      .map(([contentType, json]) =>
        case_('Content-Type: not JSON', 'refuse', { auth: { kind: 'key', key: 'all' }, contentType, body: { json } }),
      ),
    fc
      .oneof(
        fc.constant(''),
        fc.constantFrom('{', '{"provider":', 'null,', "{'a':1}", '[1,]'),
        fc.string({ maxLength: 30 }).filter((s) => !isJson(s)),
      )
      .map((text) =>
        case_('body: empty or not JSON', 'refuse', { auth: { kind: 'key', key: 'all' }, contentType: 'application/json', body: { text } }),
      ),
    fc.constantFrom<unknown>(null, true, 42, 'text', []).map((json) =>
      case_('body: JSON but not an object', 'refuse', {
        auth: { kind: 'key', key: 'all' },
        contentType: 'application/json',
        body: { json },
      }),
    ),
    fc.tuple(invalidKey, body).map(([value, json]) =>
      case_('Idempotency-Key: not 1–255 visible ASCII characters', 'refuse', {
        auth: { kind: 'key', key: 'all' },
        contentType: 'application/json',
        idempotencyKey: { value, unique: false },
        body: { json },
      }),
    ),
  ];
}

/** The single-message endpoint's cases. */
export function singleCases(): fc.Arbitrary<Case<AcceptInput>> {
  const valid = validAuth.chain((auth) => validMessage(accountsOf(auth)).map((json) => ({ auth, json })));
  const anyValid = validMessage(ACCOUNT_IDS);
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(valid, jsonType)
        .map(([{ auth, json }, contentType]) => case_('valid: one send request', 'accept', { auth, contentType, body: { json } })),
      weight: 40,
    },
    {
      arbitrary: fc.tuple(valid, validKey, fc.boolean()).map(([{ auth, json }, key, again]) =>
        case_(again ? 'valid: the same request twice with one Idempotency-Key' : 'valid: with an Idempotency-Key', 'accept', {
          auth,
          contentType: 'application/json',
          idempotencyKey: { value: key, unique: true },
          body: { json },
          ...(again ? { replay: { kind: 'same' as const } } : {}),
        }),
      ),
      weight: 8,
    },
    {
      arbitrary: fc.tuple(valid, anyValid, validKey).map(([{ auth, json }, other, key]) =>
        case_('Idempotency-Key: reused for a different request', 'refuse', {
          auth,
          contentType: 'application/json',
          idempotencyKey: { value: key, unique: true },
          body: { json },
          replay: {
            kind: 'different',
            body: {
              ...(json as Message),
              recipient: other.recipient === (json as Message).recipient ? '+14155550123' : other.recipient,
              metadata: { changed: 'yes' },
            },
          },
        }),
      ),
      weight: 4,
    },
    { arbitrary: validAuth.chain((auth) => invalidMessage(accountsOf(auth)).map((broken) => fromLabelled(auth, broken))), weight: 64 },
    {
      arbitrary: fc
        .constant<Auth>({ kind: 'key', key: 'limited' })
        .chain((auth) =>
          validMessage(forbiddenOf(auth)).map((json) =>
            case_('account: not available to this API key', 'refuse', { auth, contentType: 'application/json', body: { json } }),
          ),
        ),
      weight: 4,
    },
    { arbitrary: validAuth.chain((auth) => edgeMessage(accountsOf(auth)).map((edge) => fromLabelled(auth, edge))), weight: 8 },
    { arbitrary: fc.oneof(...requestBreakers(anyValid)), weight: 16 },
    {
      // Schema-valid but big: named values (no count limit) past SQS's 1 MiB and DynamoDB's 400 KB item.
      arbitrary: fc
        .tuple(validMessage(['fz-kaleyra-a', 'fz-livechat-a']), fc.integer({ min: 250, max: 1300 }), fc.integer({ min: 900, max: 1024 }))
        .map(([message, params, length]) =>
          case_('large but schema-valid: many long named values', 'either', {
            auth: { kind: 'key', key: 'all' },
            contentType: 'application/json',
            body: { bigNamed: { message, params, length } },
          }),
        ),
      weight: 1,
    },
  );
}

/** The batch endpoint's cases. */
export function batchCases(): fc.Arbitrary<Case<AcceptInput>> {
  const list = (accounts: readonly string[]) =>
    fc.oneof(
      { arbitrary: fc.array(validMessage(accounts), { minLength: 1, maxLength: 5 }), weight: 8 },
      { arbitrary: fc.array(validMessage(accounts), { minLength: 6, maxLength: 100 }), weight: 1 },
    );
  const valid = validAuth.chain((auth) => list(accountsOf(auth)).map((messages) => ({ auth, messages })));
  const batch = (label: string, expect: Expect, auth: Auth, json: unknown, extra: Partial<AcceptInput> = {}) =>
    case_(label, expect, { auth, contentType: 'application/json', body: { json }, ...extra });
  const oneAccount = fc.constantFrom(...ACCOUNT_IDS).chain((account) => fc.array(validMessage([account]), { minLength: 1, maxLength: 5 }));
  return fc.oneof(
    { arbitrary: valid.map(({ auth, messages }) => batch('valid: a batch', 'accept', auth, { messages })), weight: 40 },
    {
      arbitrary: fc
        .tuple(oneAccount, validKey)
        .map(([messages, key]) =>
          batch(
            'valid: a batch of one account with an Idempotency-Key',
            'accept',
            { kind: 'key', key: 'all' },
            { messages },
            { idempotencyKey: { value: key, unique: true } },
          ),
        ),
      weight: 8,
    },
    {
      arbitrary: fc.tuple(valid, invalidMessage(ACCOUNT_IDS), fc.nat()).map(([{ messages }, broken, at]) => {
        const all = [...messages];
        all.splice(at % (all.length + 1), 0, broken.value);
        return batch(`one message breaks a rule: ${broken.label}`, 'refuse', { kind: 'key', key: 'all' }, { messages: all });
      }),
      weight: 40,
    },
    {
      arbitrary: fc
        .tuple(
          valid,
          fc
            .oneof(
              fc.constantFrom('scheduleAt', 'metadata', 'provider', 'account', 'idempotencyKey'),
              fc.stringMatching(/^[a-zA-Z_]{1,16}$/),
            )
            .filter((k) => k !== 'messages'),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([{ auth, messages }, field, value]) =>
          batch('batch: unknown field next to "messages"', 'refuse', auth, {
            messages,
            [field]: field === 'scheduleAt' ? '2030-01-01T00:00:00Z' : value,
          }),
        ),
      weight: 16,
    },
    {
      arbitrary: fc
        .oneof(
          fc
            .constantFrom<unknown>(null, 'all', 3, {}, { provider: 'kaleyra' })
            .map((messages) => ({ label: 'messages: not a list', messages })),
          fc.constant({ label: 'messages: an empty list', messages: [] as unknown[] }),
          fc
            .tuple(validMessage(['fz-kaleyra-a']), fc.integer({ min: 101, max: 130 }))
            .map(([m, n]) => ({ label: 'messages: more than 100', messages: Array.from({ length: n }, () => m) })),
        )
        .map(({ label, messages }) => batch(label, 'refuse', { kind: 'key', key: 'all' }, { messages })),
      weight: 16,
    },
    {
      arbitrary: fc
        .tuple(fc.uniqueArray(fc.constantFrom(...ACCOUNT_IDS), { minLength: 2, maxLength: 4 }), validKey)
        .chain(([accounts, key]) =>
          fc
            .tuple(...accounts.map((a) => validMessage([a])))
            .map((messages) =>
              batch(
                'Idempotency-Key with messages of several accounts',
                'refuse',
                { kind: 'key', key: 'all' },
                { messages },
                { idempotencyKey: { value: key, unique: true } },
              ),
            ),
        ),
      weight: 8,
    },
    {
      arbitrary: fc
        .tuple(validMessage(LIMITED_ACCOUNTS), validMessage(ACCOUNT_IDS.filter((a) => !LIMITED_ACCOUNTS.includes(a))))
        .map(([ok, forbidden]) =>
          batch('account: not available to this API key', 'refuse', { kind: 'key', key: 'limited' }, { messages: [ok, forbidden] }),
        ),
      weight: 4,
    },
    { arbitrary: fc.oneof(...requestBreakers(valid.map(({ messages }) => ({ messages })))), weight: 12 },
    {
      // Ten messages of ~300 KB: each under SQS's 1 MiB, together over one SendMessageBatch; held, each near DynamoDB's 400 KB.
      arbitrary: fc
        .tuple(validMessage(['fz-kaleyra-a', 'fz-livechat-a']), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 240, max: 420 }))
        .map(([message, messages, params]) =>
          case_('large but schema-valid: a batch of ~300 KB messages', 'either', {
            auth: { kind: 'key', key: 'all' },
            contentType: 'application/json',
            body: { bigBatch: { message, messages, params, length: 1000 } },
          }),
        ),
      weight: 1,
    },
  );
}

/** A valid request padded with spaces past the API's size limit, once per size asked for. */
function oversize(options: CaseOptions, json: unknown): Array<Case<AcceptInput>> {
  return options.oversize.map((bytes) =>
    case_('body: larger than the API takes (> 10 MB)', 'refuse', {
      auth: { kind: 'key', key: 'all' },
      contentType: 'application/json',
      body: { padded: { json, bytes } },
    }),
  );
}

function fromLabelled(auth: Auth, labelled: Labelled<Message>): Case<AcceptInput> {
  return case_(labelled.label, labelled.expect, { auth, contentType: 'application/json', body: { json: labelled.value } });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- to HTTP

function bodyBytes(body: Body): Buffer {
  if ('json' in body) return Buffer.from(JSON.stringify(body.json) ?? '');
  if ('text' in body) return Buffer.from(body.text);
  if ('padded' in body) {
    const json = Buffer.from(JSON.stringify(body.padded.json));
    return Buffer.concat([json, Buffer.alloc(Math.max(0, body.padded.bytes - json.length), 0x20)]);
  }
  const big = (message: Message, params: number, length: number) => {
    const named = Object.fromEntries(Array.from({ length: params }, (_, i) => [`p${i}`, 'x'.repeat(length)]));
    return { ...message, content: { kind: 'template', name: 'order_update', language: 'en_US', body: named } };
  };
  if ('bigNamed' in body) return Buffer.from(JSON.stringify(big(body.bigNamed.message, body.bigNamed.params, body.bigNamed.length)));
  const one = big(body.bigBatch.message, body.bigBatch.params, body.bigBatch.length);
  return Buffer.from(JSON.stringify({ messages: Array.from({ length: body.bigBatch.messages }, () => one) }));
}

export function authHeader(auth: Auth): Record<string, string> {
  if (auth.kind === 'none') return {};
  if (auth.kind === 'header') return { authorization: auth.value };
  return { authorization: `Bearer ${auth.key === 'all' ? ALL_KEY : LIMITED_KEY}` };
}

/** Ids a 2xx answer of the accept API names. */
export function answeredIds(response: RawResponse): string[] {
  try {
    const json = JSON.parse(response.body) as { id?: string; messages?: Array<{ id?: string }> };
    return [json.id, ...(json.messages ?? []).map((m) => m.id)].filter((id): id is string => typeof id === 'string');
  } catch {
    return [];
  }
}

function steps(c: Case<AcceptInput>, ctx: RunContext): Step[] {
  const input = c.input;
  const key = input.idempotencyKey
    ? input.idempotencyKey.unique
      ? `${input.idempotencyKey.value}.${ctx.unique()}`
      : input.idempotencyKey.value
    : undefined;
  const headers = {
    ...authHeader(input.auth),
    ...(input.contentType ? { 'content-type': input.contentType } : {}),
    ...(key !== undefined ? { 'idempotency-key': key } : {}),
  };
  const request = { method: 'POST', path: '/v1/messages', headers, body: bodyBytes(input.body) };
  const accounts = accountsNamed(input.body);
  const touches = { accounts, ...(key !== undefined ? { idempotency: accounts.map((account) => ({ account, key })) } : {}) };
  const sentMetadata =
    'json' in input.body ? ((input.body.json as Message | null)?.metadata as Record<string, unknown> | undefined) : undefined;
  const check =
    sentMetadata && typeof sentMetadata === 'object' && !Array.isArray(sentMetadata)
      ? (response: RawResponse) => metadataKept(response, sentMetadata, ctx)
      : undefined;
  if (!input.replay) return [{ request, expect: c.expect, label: c.label, touches, ...(check ? { check } : {}) }];
  if (input.replay.kind === 'same')
    return [
      { request, expect: 'accept', label: c.label },
      { request, expect: 'accept', label: `${c.label} (the replay)` },
    ];
  return [
    { request, expect: 'accept', label: `${c.label} (the first request)` },
    // The key is the first request's: the second must not change it (checked through the first's answer, not as a write).
    {
      request: { ...request, body: Buffer.from(JSON.stringify(input.replay.body)) },
      expect: c.expect,
      label: c.label,
      touches: { accounts },
    },
  ];
}

/** The account ids a request's body names (one request or a batch). */
function accountsNamed(body: Body): string[] {
  const json =
    'json' in body
      ? body.json
      : 'padded' in body
        ? body.padded.json
        : 'bigNamed' in body
          ? body.bigNamed.message
          : 'bigBatch' in body
            ? body.bigBatch.message
            : undefined;
  const messages = json && typeof json === 'object' && 'messages' in json && Array.isArray(json.messages) ? json.messages : [json];
  return [
    ...new Set(
      messages
        .map((m) => (m && typeof m === 'object' ? (m as Message).account : undefined))
        .filter((a): a is string => typeof a === 'string'),
    ),
  ];
}

/** A 2xx answer to a request with metadata: the message must show that metadata, key for key. */
async function metadataKept(response: RawResponse, sent: Record<string, unknown>, ctx: RunContext): Promise<Figure[]> {
  if (typeof response.status !== 'number' || response.status < 200 || response.status >= 300) return [];
  const [id] = answeredIds(response);
  if (!id) return [];
  const read = await ctx.call('GET', `/v1/messages/${id}`);
  const stored = (JSON.parse(read.body) as { metadata?: Record<string, unknown> }).metadata ?? {};
  const entries = (value: Record<string, unknown>) => JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
  return entries(stored) === entries(sent) ? [] : ['accepted but stored differently'];
}

/** A request every account of Kaleyra takes, for the regressions. */
const KALEYRA: Message = {
  provider: 'kaleyra',
  account: 'fz-kaleyra-a',
  recipient: '+918123456789',
  content: { kind: 'template', name: 'order_update', language: 'en_US', body: ['A-17'] },
};
const ALL: Auth = { kind: 'key', key: 'all' };

export const acceptSingle: Endpoint<AcceptInput> = {
  name: 'POST /v1/messages (one)',
  kind: 'accept',
  cases: () => singleCases(),
  regressions: (options) => [
    // The README reserves it: refused by name (it once broke the store's marshalling: a 503).
    case_('metadata key "constructor": a name the README reserves', 'refuse', {
      auth: ALL,
      contentType: 'application/json',
      body: { json: { ...KALEYRA, metadata: { constructor: 'x' } } },
    }),
    case_('metadata key "__proto__"', 'either', {
      auth: ALL,
      contentType: 'application/json',
      body: { json: { ...KALEYRA, metadata: JSON.parse('{"__proto__":"x"}') as Message } },
    }),
    // 1,100 named values of 1,000 characters: over SQS's 1 MiB, and no DynamoDB item can hold it either.
    case_('large but schema-valid: many long named values', 'either', {
      auth: ALL,
      contentType: 'application/json',
      body: { bigNamed: { message: KALEYRA, params: 1100, length: 1000 } },
    }),
    ...oversize(options, KALEYRA),
  ],
  steps,
};

export const acceptBatch: Endpoint<AcceptInput> = {
  name: 'POST /v1/messages (batch)',
  kind: 'accept',
  cases: () => batchCases(),
  regressions: (options) => [
    case_('batch: unknown field next to "messages"', 'refuse', {
      auth: ALL,
      contentType: 'application/json',
      body: { json: { messages: [KALEYRA], scheduleAt: '2030-01-01T00:00:00Z' } },
    }),
    // Ten messages of ~350 KB: one SendMessageBatch cannot take them, and each sealed is over DynamoDB's 400 KB.
    case_('large but schema-valid: a batch of ~300 KB messages', 'either', {
      auth: ALL,
      contentType: 'application/json',
      body: { bigBatch: { message: KALEYRA, messages: 10, params: 350, length: 1000 } },
    }),
    ...oversize(options, { messages: [KALEYRA, { ...KALEYRA, recipient: '+14155550123' }] }),
  ],
  steps,
};
