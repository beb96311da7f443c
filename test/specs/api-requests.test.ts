/**
 * The API's own request validation (zod, src/messages/send-request.ts and src/api/) against
 * specs/api.yaml, both ways, through the real request handler (src/api/app.ts, in-process, over
 * the in-memory store):
 * - a request the spec's schema accepts is accepted, or refused only by the rules the spec says
 *   it cannot state — and then exactly as those rules predict;
 * - a request breaking one rule the spec states is refused with 400, naming the field.
 *
 * Values come from the spec's schemas (test/support/schema-arbitrary.ts). What no schema can say
 * is given here, each with its reason (OVERRIDES): a valid phone number, an existing account of
 * the request's provider, a schedule within a year, button indexes used once.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../src/api/app.ts';
import { handleApiRequest } from '../../src/api/app.ts';
import type { HttpRequest } from '../../src/api/http.ts';
import { createApiDeps } from '../../src/functions/runtime.ts';
import { MessageContent, Recipient, type Violation } from '../../src/messages/send-request.ts';
import { adapterFor } from '../../src/providers/index.ts';
import type { SendQueue } from '../../src/queue/send-queue.ts';
import { silentLog } from '../../src/runtime/log.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import { API_KEY, API_NOW, API_SECRETS, ID, seedWorld } from '../support/api-server.ts';
import { testConfig } from '../support/local-aws.ts';
import { errorsOf, loadApiSpec, type SpecPath, schemaValidator } from '../support/api-spec.ts';
import { arbitraryFor, dateTime, type Mutation, mutationsOf, type Overrides } from '../support/schema-arbitrary.ts';

const spec = loadApiSpec();
const validator = schemaValidator(spec);
const valid = (path: SpecPath, value: unknown) => validator(path)(value) as boolean;
const config = testConfig();
const SCHEMA = (name: string): SpecPath => ['components', 'schemas', name];

/** Phone numbers of several countries, written the ways the API takes them (E.164, digits only, spaced, punctuated). */
const PHONES = [
  '+919812345678',
  '919812345678',
  '+1 (415) 555-0123',
  '+44 20 7946 0958',
  '+49 30 901820',
  '+55 11 91234-5678',
  '+81.3.1234.5678',
];

/** What the spec cannot state, given here. */
const OVERRIDES: Overrides = {
  // "a valid phone number with its country code" is libphonenumber-js's judgement, not a pattern.
  Recipient: () => fc.constantFrom(...PHONES),
  // "at most a year ahead" is relative to now; a time in the past sends at once.
  ScheduleAt: () => dateTime(new Date(API_NOW.getTime() - 86_400_000), new Date(API_NOW.getTime() + 300 * 86_400_000)),
  // Button indexes are unique per message: JSON Schema's uniqueItems compares whole items, not one field.
  TemplateContent: (base) =>
    base.map((content) => {
      const template = content as { buttons?: Array<{ index: number }> };
      if (!template.buttons) return content;
      const seen = new Set<number>();
      return { ...template, buttons: template.buttons.filter((button) => !seen.has(button.index) && seen.add(button.index)) };
    }),
  // The account must exist, be usable by the key, and be of the request's provider: one of the deployment's.
  // A `failoverAfter` needs an account with fallbacks (none here): kept in one request of four, to be refused.
  SendRequest: (base) =>
    fc.tuple(base, fc.constantFrom(...config.accounts), fc.nat(3)).map(([request, account, draw]) => {
      const { failoverAfter: _failoverAfter, ...rest } = request as Record<string, unknown>;
      return { ...(draw === 0 || account.fallbacks?.length ? (request as object) : rest), provider: account.provider, account: account.id };
    }),
};

let deps: ApiDeps;
beforeAll(async () => {
  const storage = memoryStorage();
  await seedWorld(storage);
  // Accepted messages go nowhere: what is tested is what the handler answers.
  const queue = { enqueue: async () => [] } as unknown as SendQueue;
  deps = {
    ...createApiDeps(
      { config, secrets: API_SECRETS, storage, queueUrl: 'unused', sqs: undefined as never, now: () => API_NOW },
      { log: silentLog },
    ),
    queue,
  };
});

async function post(path: string, body: unknown): Promise<{ status: number; body: { error?: { violations?: Violation[] } } }> {
  const request: HttpRequest = {
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    query: {},
    rawBody: Buffer.from(JSON.stringify(body)),
  };
  const response = await handleApiRequest(request, deps);
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

/**
 * What the rules beyond the schema refuse in one message (a `failoverAfter` for an account without
 * fallbacks, the provider's capabilities, the account's registry), by field.
 */
function predictedRefusals(message: Record<string, unknown>, prefix: string): Violation[] {
  const account = config.accounts.find((a) => a.id === message.account)!;
  const content = MessageContent.parse(message.content);
  const failover =
    message.failoverAfter !== undefined && !account.fallbacks?.length
      ? [{ field: `${prefix}failoverAfter`, rule: `account ${account.id} has no fallbacks: there is no route to fail over to` }]
      : [];
  return [
    ...failover,
    ...adapterFor(account)
      .check(content, account)
      .map((violation) => ({ ...violation, field: `${prefix}${violation.field}` })),
  ];
}

describe('the overrides give what the API takes', () => {
  it('every phone number is one', () => {
    for (const phone of PHONES) expect(Recipient.safeParse(phone).success, phone).toBe(true);
  });
});

describe('a request the spec accepts is accepted, or refused only by the rules the spec cannot state', () => {
  const accepted = { count: 0 };
  const check = async (path: string, schema: SpecPath, body: unknown, messages: Array<Record<string, unknown>>, batch: boolean) => {
    const validate = validator(schema);
    expect(validate(body) ? [] : errorsOf(validate), 'the generated body against the spec').toEqual([]);
    const answer = await post(path, body);
    const predicted = messages.flatMap((message, i) => predictedRefusals(message, batch ? `messages.${i}.` : ''));
    if (predicted.length === 0) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      accepted.count++;
    } else {
      expect(answer.status).toBe(400);
      expect(answer.body.error?.violations).toEqual(predicted);
    }
  };

  it('one send request', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFor(spec, SCHEMA('SendRequest'), OVERRIDES), async (request) => {
        await check('/v1/messages', SCHEMA('SendRequest'), request, [request as Record<string, unknown>], false);
      }),
      { numRuns: 150 },
    );
    // Not every generated request may be refused by a provider rule: enough get through to mean something.
    expect(accepted.count).toBeGreaterThan(20);
  });

  it('a batch', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFor(spec, SCHEMA('SendBatch'), OVERRIDES), async (batch) => {
        const { messages } = batch as { messages: Array<Record<string, unknown>> };
        await check('/v1/messages', SCHEMA('SendBatch'), batch, messages, true);
      }),
      { numRuns: 60 },
    );
  });

  it('a resolution (answered 404 for a message that does not exist, after the body was taken)', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFor(spec, SCHEMA('Resolution')), async (resolution) => {
        expect(valid(SCHEMA('Resolution'), resolution)).toBe(true);
        const answer = await post(`/v1/messages/${ID.missing}/resolve`, resolution);
        expect(answer.status, JSON.stringify(answer.body)).toBe(404);
      }),
      { numRuns: 50 },
    );
  });
});

describe('a request that breaks one rule the spec states is refused with 400 naming the field', () => {
  /** A valid value and one of its mutations, with the mutation's label for the counterexample. */
  const broken = (schema: SpecPath, overrides: Overrides, skip: (m: Mutation) => boolean = () => false) =>
    arbitraryFor(spec, schema, overrides).chain((value) => {
      const mutations = mutationsOf(spec, schema, value, valid).filter((m) => !skip(m));
      return fc
        .constantFrom(...mutations)
        .map((mutation) => ({ label: mutation.label, fields: mutation.fields, body: mutation.apply(value) }));
    });

  const refused = async (schema: SpecPath, path: string, { label, fields, body }: { label: string; fields: string[]; body: unknown }) => {
    expect(valid(schema, body), `${label}: the spec must refuse it too`).toBe(false);
    const answer = await post(path, body);
    expect(answer.status, label).toBe(400);
    const named = (answer.body.error?.violations ?? []).map((v) => v.field);
    expect(
      named.some((field) => fields.includes(field)),
      `${label}: expected a violation of ${fields.join(' or ')}, got ${named.join(', ')}`,
    ).toBe(true);
  };

  it('one send request', async () => {
    await fc.assert(
      fc.asyncProperty(broken(SCHEMA('SendRequest'), OVERRIDES), (mutated) => refused(SCHEMA('SendRequest'), '/v1/messages', mutated)),
      { numRuns: 300 },
    );
  });

  it('a batch', async () => {
    // Without `messages` a body is read as one send request (the API tells a batch by that key), refused by that schema's fields.
    const withoutMessages = (m: Mutation) => m.label === '(body): without messages';
    await fc.assert(
      fc.asyncProperty(broken(SCHEMA('SendBatch'), OVERRIDES, withoutMessages), (mutated) =>
        refused(SCHEMA('SendBatch'), '/v1/messages', mutated),
      ),
      { numRuns: 150 },
    );
  });

  it('a resolution', async () => {
    await fc.assert(
      fc.asyncProperty(broken(SCHEMA('Resolution'), {}), (mutated) =>
        refused(SCHEMA('Resolution'), `/v1/messages/${ID.unknown}/resolve`, mutated),
      ),
      { numRuns: 60 },
    );
  });

  it('the mutations cover every kind of rule the send request schema states', () => {
    const value = {
      provider: 'kaleyra',
      account: 'acme-kaleyra',
      recipient: '+919812345678',
      content: {
        kind: 'template',
        name: 'lto_template',
        language: 'en_US',
        header: { type: 'image', media: { id: '1' } },
        body: { first: 'Pablo' },
        buttons: [{ type: 'copy_code', index: 0, code: 'C' }],
        limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
      },
      scheduleAt: '2026-12-01T09:00:00+01:00',
      metadata: { order: 'A-17' },
    };
    expect(valid(SCHEMA('SendRequest'), value)).toBe(true);
    const labels = mutationsOf(spec, SCHEMA('SendRequest'), value, valid).map((m) => m.label);
    for (const expected of [
      '(body): without provider',
      '(body): with zzUnknownField',
      'provider: not one of the values',
      'account: against its pattern',
      'recipient: longer than 64',
      'content: of none of the kinds',
      'content.kind: not one of the values',
      'content.header.media: of none of the kinds',
      'content.header.media: without id',
      'content.body: more than 100 properties',
      'content.body: a property name against the pattern',
      'content.body: a reserved property name',
      'content.buttons: more than 10 items',
      'content.buttons.0.index: above 9',
      'content.buttons.0.code: longer than 15',
      'content.limitedTimeOffer.expiresAt: against its pattern',
      'scheduleAt: against its pattern',
      'metadata: more than 10 properties',
      'metadata: a property name too long',
    ])
      expect(labels).toContain(expected);
  });
});
