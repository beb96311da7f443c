/**
 * Re-derives every limit of src/messages/limits.ts from the limits it depends on, so a change to
 * one number that breaks a derivation fails here (and the README's numbers are pinned).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heldItemBytes } from '../store/dynamodb/items.ts';
import { templateScope, type NewMessage } from '../store/model.ts';
import { createdSortKey, idempotencyKey, INDEX, pauseKey, recipientIndexValue } from '../store/table.ts';
import {
  ACCOUNT_ID_CHARS,
  API_GATEWAY_HEADER_BYTES,
  API_GATEWAY_PAYLOAD_BYTES,
  DYNAMODB_ITEM_BYTES,
  DYNAMODB_PARTITION_KEY_BYTES,
  DYNAMODB_SORT_KEY_BYTES,
  EVENT_ENVELOPE_BYTES,
  FIELD,
  HELD_ITEM_MAX_BYTES,
  IDEMPOTENCY_KEY_CHARS,
  LAMBDA_SYNC_PAYLOAD_BYTES,
  MAX_BATCH,
  MAX_BODY_BYTES,
  MAX_MESSAGE_BYTES,
  SQS_MESSAGE_BYTES,
} from './limits.ts';

const base64Length = (n: number) => 4 * Math.ceil(n / 3);

describe('limits', () => {
  it('pins the numbers the README documents', () => {
    expect({ MAX_BATCH, MAX_MESSAGE_BYTES, MAX_BODY_BYTES, HELD_ITEM_MAX_BYTES }).toEqual({
      MAX_BATCH: 100,
      MAX_MESSAGE_BYTES: 40_960,
      MAX_BODY_BYTES: 4_100_096,
      HELD_ITEM_MAX_BYTES: 344_064,
    });
  });

  it('a full batch at its largest fits the body cap, and the body cap fits a Lambda event even base64-encoded', () => {
    expect(MAX_BATCH * MAX_MESSAGE_BYTES).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(EVENT_ENVELOPE_BYTES).toBeGreaterThan(2 * API_GATEWAY_HEADER_BYTES);
    expect(base64Length(MAX_BODY_BYTES) + EVENT_ENVELOPE_BYTES).toBeLessThanOrEqual(LAMBDA_SYNC_PAYLOAD_BYTES);
    // Ours answers before API Gateway's does.
    expect(MAX_BODY_BYTES).toBeLessThan(API_GATEWAY_PAYLOAD_BYTES);
  });

  it('a message at its largest fits one SQS message', () => {
    expect(MAX_MESSAGE_BYTES).toBeLessThanOrEqual(SQS_MESSAGE_BYTES);
  });

  it('a message at its largest, held with its sealed body and the largest record, fits one DynamoDB item with headroom', () => {
    const wide = (n: number) => '語'.repeat(n); // 3 bytes in UTF-8 per character
    const largest: NewMessage = {
      id: '01KAKXQ0000000000000000000',
      provider: 'livechat',
      account: 'a'.repeat(ACCOUNT_ID_CHARS),
      recipient: { hash: 'h'.repeat(22), last4: '5678' },
      kind: 'template',
      template: 't'.repeat(FIELD.templateNameChars),
      status: 'scheduled',
      createdAt: '2026-11-22T10:00:00.000Z',
      scheduleAt: '2027-11-22T10:00:00.000Z',
      metadata: Object.fromEntries(
        Array.from({ length: FIELD.metadataKeys }, (_, i) => [`${i}${wide(FIELD.metadataKeyChars - 1)}`, wide(FIELD.metadataValueChars)]),
      ),
      idempotencyKey: '~'.repeat(IDEMPOTENCY_KEY_CHARS),
      indexRecipient: true,
    };
    expect(heldItemBytes(largest, MAX_MESSAGE_BYTES)).toBeLessThanOrEqual(HELD_ITEM_MAX_BYTES);
    expect(HELD_ITEM_MAX_BYTES).toBeLessThan(DYNAMODB_ITEM_BYTES);
  });

  it('any record within the field limits, held with a body within the message limit, fits (property)', () => {
    const text = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max });
    fc.assert(
      fc.property(
        fc.dictionary(text(FIELD.metadataKeyChars), text(FIELD.metadataValueChars), { maxKeys: FIELD.metadataKeys }),
        fc.integer({ min: 0, max: MAX_MESSAGE_BYTES }),
        (metadata, bodyBytes) => {
          const message: NewMessage = {
            id: '01KAKXQ0000000000000000000',
            provider: 'kaleyra',
            account: 'acme',
            recipient: { hash: 'h'.repeat(22), last4: '5678' },
            kind: 'text',
            status: 'queued',
            createdAt: '2026-11-22T10:00:00.000Z',
            metadata,
          };
          return heldItemBytes(message, bodyBytes) <= HELD_ITEM_MAX_BYTES;
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keys built from request fields stay within DynamoDB key limits', () => {
    const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
    const account = 'a'.repeat(ACCOUNT_ID_CHARS);
    expect(utf8(idempotencyKey(account, '~'.repeat(IDEMPOTENCY_KEY_CHARS)).pk!)).toBeLessThanOrEqual(DYNAMODB_PARTITION_KEY_BYTES);
    // A pause on one template (its sort key), and on the account (its partition).
    const pause = pauseKey(account, templateScope('t'.repeat(FIELD.templateNameChars)));
    expect(utf8(pause.sk!)).toBeLessThanOrEqual(DYNAMODB_SORT_KEY_BYTES);
    expect(utf8(pause.pk!)).toBeLessThanOrEqual(DYNAMODB_PARTITION_KEY_BYTES);
    // The byAccount and byRecipient indexes: `<ISO time>#<ULID>` and `<account>#<recipient hash>`.
    expect(utf8(createdSortKey('2026-11-22T10:00:00.000Z', '0'.repeat(26)))).toBeLessThanOrEqual(DYNAMODB_SORT_KEY_BYTES);
    expect(utf8(recipientIndexValue(account, 'h'.repeat(22)))).toBeLessThanOrEqual(DYNAMODB_PARTITION_KEY_BYTES);
    expect(INDEX.byAccount.sort).toBe('created');
  });
});
