import { describe, expect, it } from 'vitest';
import { QueueMessage, newMessageId } from './queue-message.ts';
import { SendRequest, violationsOf } from './send-request.ts';

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
    buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }, { type: 'quick_reply', index: 1, payload: 'STOP' }],
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
    ['provider', { ...valid, provider: 'twilio' }, 'must be one of livetok, livechat, gupshup, loopwave, kaleyra'],
    ['content.buttons.0.code', { ...valid, content: { ...valid.content, buttons: [{ type: 'copy_code', index: 0, code: 'X'.repeat(16) }] } }, 'must be at most 15 characters (Meta’s limit)'],
    ['content.buttons.1.index', { ...valid, content: { ...valid.content, buttons: [{ type: 'url', index: 1, text: 'a' }, { type: 'url', index: 1, text: 'b' }] } }, 'must be unique among the buttons'],
    ['content.header.media', { ...valid, content: { ...valid.content, header: { type: 'image', media: {} } } }, 'must have exactly one of `id` (uploaded media) or `link` (public URL)'],
    ['scheduleAt', { ...valid, scheduleAt: 'tomorrow' }, 'must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T09:00:00+01:00'],
    ['content.text', { ...valid, content: { kind: 'text', text: '' } }, 'must not be empty'],
    ['(body)', { ...valid, templat: 'x' }, 'unknown field(s): templat'],
    ['metadata', { ...valid, metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }, 'must have at most 10 keys'],
  ])('%s: rejects with a rule naming the problem', (field, input, rule) => {
    expect(rules(input)).toContainEqual({ field, rule });
  });

  it('lists every violation of a request, not only the first', () => {
    const fields = rules({ ...valid, provider: 'x', recipient: '1', content: { ...valid.content, name: 'Bad Name' } }).map((v) => v.field);
    expect(fields).toEqual(['provider', 'recipient', 'content.name']);
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
