/**
 * Callback drift, classified per provider on the spec's documented callbacks: a documented body
 * departs from nothing; an unknown status word, an added field and a changed type are each named
 * by kind, path and rule — and never by a value from the body. A drifting body that still parses
 * is read exactly as without its drift (the telemetry is on the side).
 */
import fc from 'fast-check';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import type { ProviderName } from '../providers/names.ts';
import { loadSpec, requestExamples } from '../../test/support/spec.ts';
import { safePath, UNKNOWN_FIELD_RULE, UNKNOWN_WORD_RULE, unknownFields, WITHHELD, type Drift } from './drift.ts';
import { normaliseWebhook, readCallback } from './normalise.ts';

const RECEIVED_AT = new Date('2026-03-01T12:00:00.000Z');
type Body = Record<string, any>;

function example(provider: ProviderName, webhook: string, name: string): Body {
  const found = requestExamples(loadSpec(provider), webhook, 'post', 'application/json', 'webhooks').find((e) => e.name === name);
  if (!found) throw new Error(`${provider} ${webhook}: no example ${name}`);
  return structuredClone(found.value) as Body;
}

const read = (provider: ProviderName, body: unknown) => readCallback(provider, 'acct-main', body, RECEIVED_AT);
const word = (path: string): Drift => ({ kind: 'unknown_status_word', path, rule: UNKNOWN_WORD_RULE });
const field = (path: string): Drift => ({ kind: 'unknown_field', path, rule: UNKNOWN_FIELD_RULE });
const violation = (path: string) => ({ kind: 'schema_violation', path, rule: expect.stringMatching(/\S/) });

interface Case {
  name: string;
  provider: ProviderName;
  body: () => Body;
  /** Where a status word sits, a new one put there, and what is reported. */
  unknownWord: (body: Body) => void;
  wordDrift: Drift[];
  /** Whether the body with the unknown word still yields events (a second word beside it, known). */
  wordStillApplied: boolean;
  /** A field the spec does not declare, added, and its path. */
  addField: (body: Body) => void;
  fieldPath: string;
  /** A field of the wrong type, and its path. */
  breakType: (body: Body) => void;
  typePath: string;
}

const CASES: Case[] = [
  {
    name: 'livechat',
    provider: 'livechat',
    body: () => example('livechat', 'messageStatus', 'sent'),
    unknownWord: (b) => void (b.data.status = 'warning'),
    wordDrift: [word('data.status')],
    wordStillApplied: false,
    addField: (b) => void (b.data.pricing.tier = 'gold'),
    fieldPath: 'data.pricing.tier',
    breakType: (b) => void (b.data.timestamp = true),
    typePath: 'data.timestamp',
  },
  {
    name: 'kaleyra (its own word)',
    provider: 'kaleyra',
    body: () => example('kaleyra', 'messageStatus', 'delivered'),
    unknownWord: (b) => void (b.status = 'QUEUED'),
    wordDrift: [word('status')],
    wordStillApplied: false,
    addField: (b) => void (b.extra_info.ref3 = 'x'),
    fieldPath: 'extra_info.ref3',
    breakType: (b) => void (b.message_id = 42),
    typePath: 'message_id',
  },
  {
    name: 'kaleyra (Meta’s word beside its own)',
    provider: 'kaleyra',
    body: () => example('kaleyra', 'messageStatus', 'delivered'),
    unknownWord: (b) => void (b.meta_object.value.statuses[0].status = 'warning'),
    wordDrift: [word('meta_object.value.statuses.0.status')],
    wordStillApplied: true,
    addField: (b) => void (b.meta_object.value.statuses[0].conversation.origin.channel = 'ctwa'),
    fieldPath: 'meta_object.value.statuses.0.conversation.origin.channel',
    breakType: (b) => void (b.meta_object.value.statuses[0].pricing.billable = 'yes'),
    typePath: 'meta_object.value.statuses.0.pricing.billable',
  },
  {
    name: 'gupshup v2',
    provider: 'gupshup',
    body: () => example('gupshup', 'messageEventV2', 'sent'),
    unknownWord: (b) => void (b.payload.type = 'mystery'),
    wordDrift: [word('payload.type')],
    wordStillApplied: false,
    addField: (b) => void (b.payload.payload.channel = 'wa'),
    fieldPath: 'payload.payload.channel',
    breakType: (b) => void (b.payload.payload.ts = 'soon'),
    typePath: 'payload.payload.ts',
  },
  {
    name: 'gupshup v3',
    provider: 'gupshup',
    body: () => {
      const body = example('gupshup', 'messageEventV3', 'sent');
      // A second status beside the first, so an unknown word leaves a known one to apply.
      const statuses = body.entry[0].changes[0].value.statuses;
      statuses.push({ ...structuredClone(statuses[0]), status: 'delivered' });
      return body;
    },
    unknownWord: (b) => void (b.entry[0].changes[0].value.statuses[0].status = 'pending'),
    wordDrift: [word('entry.0.changes.0.value.statuses.0.status')],
    wordStillApplied: true,
    addField: (b) => void (b.entry[0].changes[0].value.statuses[1].gs_app_tag = 'x'),
    fieldPath: 'entry.0.changes.0.value.statuses.1.gs_app_tag',
    breakType: (b) => void (b.entry[0].changes[0].value.statuses[1].timestamp = {}),
    typePath: 'entry.0.changes.0.value.statuses.1.timestamp',
  },
  {
    name: 'loopwave',
    provider: 'loopwave',
    body: () => {
      const body = example('loopwave', 'message.created', 'messageCreated');
      body.data.fromMe = true;
      return body;
    },
    unknownWord: (b) => void (b.event = 'message.revoked'),
    wordDrift: [word('event')],
    wordStillApplied: false,
    addField: (b) => void (b.deliveryId = 'd-1'),
    fieldPath: 'deliveryId',
    breakType: (b) => void (b.timestamp = 1751193300),
    typePath: 'timestamp',
  },
];

describe('callback drift, per provider', () => {
  it.each(CASES)('$name: a documented callback departs from nothing', ({ provider, body }) => {
    const reading = read(provider, body());
    expect(reading.drift).toEqual([]);
    expect('normalised' in reading && reading.normalised.events.length).toBeGreaterThan(0);
  });

  it.each(CASES)('$name: an unknown status word is named by its path, and read as before', (c) => {
    const body = c.body();
    c.unknownWord(body);
    const reading = read(c.provider, body);
    expect(reading.drift).toEqual(c.wordDrift);
    // Not refused: what the normaliser does with it is unchanged (ignored, the known ones applied).
    expect('normalised' in reading && reading.normalised).toEqual(normaliseWebhook(c.provider, 'acct-main', body, RECEIVED_AT));
    expect('normalised' in reading && reading.normalised.events.length > 0).toBe(c.wordStillApplied);
    expect(JSON.stringify(reading.drift)).not.toMatch(/warning|QUEUED|mystery|pending|revoked/);
  });

  it.each(CASES)('$name: an added field is named by its path, and the callback read as without it', (c) => {
    const body = c.body();
    c.addField(body);
    const reading = read(c.provider, body);
    expect(reading.drift).toEqual([field(c.fieldPath)]);
    expect('normalised' in reading && reading.normalised).toEqual(normaliseWebhook(c.provider, 'acct-main', c.body(), RECEIVED_AT));
  });

  it.each(CASES)('$name: a changed type is a schema violation, named by its path and rule, and refused as before', (c) => {
    const body = c.body();
    c.breakType(body);
    const reading = read(c.provider, body);
    expect(reading.drift).toEqual([violation(c.typePath)]);
    expect('error' in reading && reading.error.issues.map((issue) => issue.field)).toEqual([c.typePath]);
  });

  it('reports every kind at once, in one reading: what was found before the body was refused, too', () => {
    const body = CASES[4]!.body();
    const statuses = body.entry[0].changes[0].value.statuses;
    statuses[0].status = 'pending';
    statuses[0].tier = 'gold';
    // A time by the spec's pattern, but past the year 9999: refused when the second status is read.
    statuses[1].timestamp = '99999999999999999';
    const reading = read('gupshup', body);
    expect('error' in reading).toBe(true);
    const at = 'entry.0.changes.0.value.statuses';
    expect(reading.drift).toEqual([violation(`${at}.1.timestamp`), word(`${at}.0.status`), field(`${at}.0.tier`)]);
  });

  it('takes any key where the spec leaves an object open (Gupshup’s deleted payload, Loopwave’s message data)', () => {
    const deleted = example('gupshup', 'messageEventV2', 'deleted');
    deleted.payload.payload = { anything: 1, nested: { deeper: true } };
    expect(read('gupshup', deleted).drift).toEqual([]);
    const created = example('loopwave', 'message.created', 'messageCreated');
    created.data.reactions = [{ emoji: 'x' }];
    expect(read('loopwave', created).drift).toEqual([]);
  });

  it('does not look inside what an unknown word leaves undefined (an unlisted Gupshup type’s inner payload, an unlisted Loopwave event’s data)', () => {
    const gupshup = example('gupshup', 'messageEventV2', 'sent');
    gupshup.payload.type = 'mystery';
    gupshup.payload.payload = { whatever: 1 };
    expect(read('gupshup', gupshup).drift).toEqual([word('payload.type')]);
    const loopwave = example('loopwave', 'broadcast.progress', 'broadcastProgress');
    loopwave.event = 'session.status';
    loopwave.data = { status: 'ready', battery: 80 };
    expect(read('loopwave', loopwave).drift).toEqual([word('event')]);
  });

  it('never logs a value: a phone number, a token or a dotted name used as a key is withheld, a body that is not an object is one violation', () => {
    const body = example('kaleyra', 'messageStatus', 'delivered');
    body.extra_info['919812345678'] = 'x';
    body.extra_info.whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw = 'x'; // 38 characters
    body.extra_info['a.b'] = 'x';
    const reading = read('kaleyra', body);
    // A dotted key is withheld too: its path would read as two fields.
    expect(reading.drift).toEqual([field(`extra_info.${WITHHELD}`), field(`extra_info.${WITHHELD}`), field(`extra_info.${WITHHELD}`)]);
    expect(JSON.stringify(reading.drift)).not.toMatch(/98123|whsec/);
    expect(read('kaleyra', ['919812345678']).drift).toEqual([violation('(body)')]);
  });

  it('makes issue paths safe too (a record’s key can be anything)', () => {
    expect(safePath('error.919812345678')).toBe(`error.${WITHHELD}`);
    expect(safePath('entry.0.changes.12.value')).toBe('entry.0.changes.12.value');
    expect(safePath('(body)')).toBe('(body)');
  });
});

describe('unknownFields (the walk over a generated schema)', () => {
  const Status = z.object({ id: z.string(), meta: z.record(z.string(), z.unknown()).optional() });
  const Schema = z.object({
    statuses: z.array(Status),
    open: z.looseObject({ known: z.string() }),
    strict: z.strictObject({ a: z.int() }),
    either: z.union([z.object({ kind: z.literal('a'), a: z.int() }), z.object({ kind: z.literal('b'), b: z.int() })]).optional(),
    both: z.intersection(z.object({ x: z.int() }), z.object({ y: z.int() })).optional(),
    later: z.lazy(() => z.object({ deep: z.string() })).optional(),
  });

  it('names undeclared keys at any depth, through arrays, wrappers, lazies, unions and intersections', () => {
    const value = {
      statuses: [
        { id: '1', meta: { free: 1 } },
        { id: '2', extra: true },
      ],
      open: { known: 'k', more: 1 },
      strict: { a: 1, b: 2 },
      either: { kind: 'b', b: 1, c: 3 },
      both: { x: 1, y: 2, z: 3 },
      later: { deep: 'd', deeper: 1 },
      top: 0,
    };
    expect(unknownFields(Schema, value)).toEqual(['statuses.1.extra', 'strict.b', 'either.c', 'both.z', 'later.deeper', 'top']);
  });

  it('picks the union option that explains the body, even when no option parses', () => {
    expect(unknownFields(Schema, { statuses: [], open: { known: '' }, strict: { a: 1 }, either: { kind: 'c', b: 1 } })).toEqual([]);
    expect(unknownFields(Schema, { statuses: [], open: { known: '' }, strict: { a: 1 }, either: { kind: 'c', q: 1 } })).toEqual([
      'either.q',
    ]);
  });

  it('never throws, and stops at a depth no callback reaches', () => {
    let deep: unknown = { bottom: true };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const Recursive: z.ZodType = z.lazy(() => z.object({ next: Recursive.optional() }));
    expect(() => unknownFields(Recursive, deep)).not.toThrow();
    expect(unknownFields(Recursive, deep)).toEqual([]);
  });

  it('reads any JSON body of any provider without throwing, and every path it names is safe to log', () => {
    const safe = /^(\(body\)|\(withheld\)|[A-Za-z0-9_$-]{1,32})(\.(\(withheld\)|[A-Za-z0-9_$-]{1,32}))*$/;
    const shaped = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(...CASES).chain((c) => fc.constant(c.body())),
      fc.record({ object: fc.constant('whatsapp_business_account'), entry: fc.jsonValue() }),
      fc.record({ event: fc.constantFrom('message.created', 'broadcast.progress', 'x'), data: fc.jsonValue(), timestamp: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(fc.constantFrom<ProviderName>('livechat', 'gupshup', 'loopwave', 'kaleyra'), shaped, (provider, body) => {
        const reading = read(provider, JSON.parse(JSON.stringify(body)));
        for (const item of reading.drift) expect(item.path).toMatch(safe);
        expect('error' in reading || 'normalised' in reading).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random extra field names never make the classifier throw, and are always reported, by name when plain', () => {
    const plain = (key: string) => /^[A-Za-z0-9_$-]{1,32}$/.test(key) && !/\d{5}/.test(key);
    const bodies: Array<{ provider: ProviderName; body: () => Body; at: (body: Body) => Body; prefix: string }> = [
      { provider: 'livechat', body: CASES[0]!.body, at: (b) => b.data, prefix: 'data.' },
      { provider: 'kaleyra', body: CASES[1]!.body, at: (b) => b, prefix: '' },
      { provider: 'gupshup', body: CASES[3]!.body, at: (b) => b.payload, prefix: 'payload.' },
      {
        provider: 'gupshup',
        body: CASES[4]!.body,
        at: (b) => b.entry[0].changes[0].value.statuses[0],
        prefix: 'entry.0.changes.0.value.statuses.0.',
      },
      { provider: 'loopwave', body: CASES[5]!.body, at: (b) => b, prefix: '' },
    ];
    const keys = fc.uniqueArray(
      fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), fc.constantFrom('__proto__', 'constructor', 'toString', '919812345678', 'x.y')),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...bodies), keys, fc.jsonValue(), ({ provider, body, at, prefix }, extra, value) => {
        const edited = body();
        const target = at(edited);
        const added = extra.filter((key) => !Object.hasOwn(target, key));
        fc.pre(added.length > 0);
        for (const key of added) Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
        // As the webhook reads it: through JSON.
        const reading = read(provider, JSON.parse(JSON.stringify(edited)));
        const fields = reading.drift.filter((d) => d.kind === 'unknown_field').map((d) => d.path);
        expect(fields).toHaveLength(added.length);
        for (const key of added.filter((k) => plain(k))) expect(fields).toContain(`${prefix}${key}`);
        for (const path of fields) expect(path.startsWith(prefix)).toBe(true);
        expect(reading.drift.filter((d) => d.kind !== 'unknown_field')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
