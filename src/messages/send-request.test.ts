import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../providers/names.ts';
import { FIELD } from './limits.ts';
import { QueueMessage, newMessageId } from './queue-message.ts';
import { RESERVED_KEYS, SendRequest, violationsOf } from './send-request.ts';

const valid = {
  provider: 'kaleyra',
  account: 'acme-kaleyra',
  recipient: '+91 98123-45678',
  content: {
    kind: 'template',
    name: 'lto_template',
    language: 'en_US',
    header: { type: 'image', media: { link: 'https://example.com/offer.jpg' } },
    body: { first_name: 'Pablo' },
    buttons: [
      { type: 'copy_code', index: 0, code: 'CARIBE25' },
      { type: 'quick_reply', index: 1, payload: 'STOP' },
    ],
    limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59+01:00' },
  },
  scheduleAt: '2026-12-01T09:00:00+01:00',
  metadata: { order: 'A-17' },
};

function rules(input: unknown) {
  const result = SendRequest.safeParse(input);
  return result.success ? [] : violationsOf(result.error);
}

describe('send request', () => {
  it('accepts a full template request and normalises the recipient to E.164', () => {
    expect(SendRequest.parse(valid).recipient).toBe('+919812345678');
    expect(SendRequest.parse({ ...valid, recipient: '919812345678' }).recipient).toBe('+919812345678');
  });

  it.each([
    ['recipient', { ...valid, recipient: '+1 555' }, 'must be a valid phone number with its country code (E.164), e.g. +14155550123'],
    ['provider', { ...valid, provider: 'twilio' }, `must be one of ${PROVIDERS.join(', ')}`],
    [
      'content.buttons.0.code',
      { ...valid, content: { ...valid.content, buttons: [{ type: 'copy_code', index: 0, code: 'X'.repeat(16) }] } },
      'must be at most 15 characters (Meta’s limit)',
    ],
    [
      'content.buttons.1.index',
      {
        ...valid,
        content: {
          ...valid.content,
          buttons: [
            { type: 'url', index: 1, text: 'a' },
            { type: 'url', index: 1, text: 'b' },
          ],
        },
      },
      'must be unique among the buttons',
    ],
    [
      'content.header.media',
      { ...valid, content: { ...valid.content, header: { type: 'image', media: {} } } },
      'must have exactly one of `id` (uploaded media) or `link` (public URL)',
    ],
    ['scheduleAt', { ...valid, scheduleAt: 'tomorrow' }, 'must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T09:00:00+01:00'],
    ['content.text', { ...valid, content: { kind: 'text', text: '' } }, 'must not be empty'],
    ['(body)', { ...valid, templat: 'x' }, 'unknown field(s): templat'],
    [
      'metadata',
      { ...valid, metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) },
      'must have at most 10 keys',
    ],
  ])('%s: rejects with a rule naming the problem', (field, input, rule) => {
    expect(rules(input)).toContainEqual({ field, rule });
  });

  it('lists every violation of a request, not only the first', () => {
    const fields = rules({ ...valid, provider: 'x', recipient: '1', content: { ...valid.content, name: 'Bad Name' } }).map((v) => v.field);
    expect(fields).toEqual(['provider', 'recipient', 'content.name']);
  });
});

describe('send request: keys and text the store and providers cannot hold', () => {
  const reserved = `must not be ${RESERVED_KEYS.join(', ')} (names JavaScript reserves; they would be dropped or break the store)`;
  // JSON.parse makes "__proto__" an own key, as a request body does.
  const metadata = (json: string) => ({ ...valid, metadata: JSON.parse(json) });

  it.each([
    ['metadata.constructor', metadata('{"constructor": "x"}')],
    ['metadata.__proto__', metadata('{"__proto__": {"polluted": "yes"}}')],
    ['metadata.prototype', metadata('{"prototype": "x", "order": "A-17"}')],
    ['content.body.__proto__', { ...valid, content: { ...valid.content, body: JSON.parse('{"first_name": "Ana", "__proto__": "x"}') } }],
  ])('%s: refused, naming the key (never dropped, never a store error)', (field, input) => {
    expect(rules(input)).toContainEqual({ field, rule: reserved });
  });

  it('lists a reserved key together with the record’s other problems', () => {
    const found = rules(metadata(`{"constructor": "x", "long": "${'v'.repeat(FIELD.metadataValueChars + 1)}", "n": 5}`));
    expect(found).toEqual([
      { field: 'metadata.constructor', rule: reserved },
      { field: 'metadata.long', rule: 'must be at most 256 characters' },
      { field: 'metadata.n', rule: 'must be a string' },
    ]);
  });

  it('refuses text with a lone surrogate (no UTF-8 form), wherever it is', () => {
    const lone = '\ud800';
    const rule = 'must be well-formed Unicode text (no lone surrogate code units)';
    expect(rules(metadata(`{"k": "a${lone}"}`))).toContainEqual({ field: 'metadata.k', rule });
    expect(rules({ ...valid, content: { kind: 'text', text: `hi ${lone}` } })).toContainEqual({ field: 'content.text', rule });
    expect(rules({ ...valid, content: { ...valid.content, body: ['ok', `x${lone}`] } })).toContainEqual({ field: 'content.body.1', rule });
    // A pair is one character, and fine.
    expect(rules({ ...valid, content: { kind: 'text', text: 'hi 😀' } })).toEqual([]);
  });

  it('bounds named body values like positional ones (at most 100), and reports a bad name by its rule', () => {
    const named = Object.fromEntries(Array.from({ length: FIELD.bodyValues + 1 }, (_, i) => [`p${i}`, 'v']));
    const tooMany = rules({ ...valid, content: { ...valid.content, body: named } });
    expect(tooMany).toEqual([{ field: 'content.body', rule: 'must have at most 100 named values' }]);
    expect(rules({ ...valid, content: { ...valid.content, body: { 'First Name': 'Ana' } } })).toEqual([
      { field: 'content.body.First Name', rule: 'named parameters are lower-case letters, digits and "_"' },
    ]);
  });

  it('bounds every free-text field', () => {
    const long = (n: number) => 'x'.repeat(n + 1);
    const found = rules({
      ...valid,
      recipient: `+91${' '.repeat(FIELD.recipientChars)}9812345678`,
      content: {
        ...valid.content,
        header: { type: 'document', media: { id: long(FIELD.mediaIdChars) }, filename: long(FIELD.filenameChars) },
        buttons: [{ type: 'url', index: 0, text: long(FIELD.urlSuffixChars) }],
      },
    }).map((v) => v.field);
    expect(found).toEqual(['recipient', 'content.header.media.id', 'content.header.filename', 'content.buttons.0.text']);
  });

  it('any metadata the schema accepts is stored by DynamoDB as it was sent (property)', () => {
    const unusual = fc.constantFrom(...RESERVED_KEYS, 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__');
    const key = fc.oneof(unusual, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }));
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ unit: 'grapheme', maxLength: 40 }), { maxKeys: 10 }), (raw) => {
        // As a request body would carry it: parsed from JSON, so "__proto__" is an own key.
        const sent = JSON.parse(JSON.stringify(raw)) as Record<string, string>;
        const result = SendRequest.safeParse({ ...valid, metadata: sent });
        // Refused only for a reserved key; accepted, it must come back exactly.
        if (!result.success) return Object.keys(sent).some((k) => RESERVED_KEYS.includes(k));
        const item = marshall({ meta: result.data.metadata! }, { removeUndefinedValues: true });
        const stored = unmarshall(item).meta as Record<string, string>;
        expect(stored).toEqual(sent);
        return true;
      }),
      { numRuns: 200 },
    );
  });
});

describe('queue message', () => {
  it('carries the validated request with our ULID and a version, and reads back', () => {
    const id = newMessageId();
    const body = JSON.parse(JSON.stringify({ v: 1, id, request: SendRequest.parse(valid), acceptedAt: '2026-11-22T10:00:00.000Z' }));
    expect(QueueMessage.parse(body).request.recipient).toBe('+919812345678');
    expect(QueueMessage.safeParse({ ...body, v: 2 }).success).toBe(false);
  });

  it('makes ids that sort in creation order within one millisecond', () => {
    const ids = Array.from({ length: 50 }, () => newMessageId(1_795_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });
});
