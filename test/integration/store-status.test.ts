/**
 * The store's conditional writes implement the status table: whatever the order and repetition of
 * reports, a message ends at the same status with the earliest time of each, as the reference
 * semantics (applyReport) say. Against dynalite.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMessagesTable, startDynamo } from '../../src/local/aws.ts';
import { newMessageId } from '../../src/messages/queue-message.ts';
import { applyReport, type MessageStatus, type StatusTimes } from '../../src/messages/status.ts';
import { MessageStore, type NewMessage } from '../../src/store/message-store.ts';

const REPORTED = ['sending', 'unknown', 'accepted', 'sent', 'failed', 'delivered', 'read'] as const;
const at = (second: number) => `2026-11-22T10:00:${String(second).padStart(2, '0')}.000Z`;

function newMessage(): NewMessage {
  return { id: newMessageId(), provider: 'kaleyra', account: 'acme', recipient: { hash: 'h', last4: '5678' }, kind: 'template', template: 't', status: 'queued', createdAt: at(0) };
}

describe('store: forward-only status writes', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  let store: MessageStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    await ensureMessagesTable(dynamo.client, 'messages');
    store = new MessageStore(dynamo.client, 'messages');
  });
  afterAll(() => dynamo.close());

  it('reaches the reference result for any order and repetition of reports', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ status: fc.constantFrom(...REPORTED), second: fc.integer({ min: 1, max: 59 }) }), { minLength: 1, maxLength: 8 }), async (reports) => {
        const message = newMessage();
        await store.createMany([message]);
        const withRepeats = [...reports, ...reports.slice(0, 2)];
        for (const r of withRepeats) await store.applyStatus(message.id, r.status, at(r.second));
        const start: { status?: MessageStatus; times: StatusTimes } = { status: 'queued', times: { queued: at(0) } };
        const expected = withRepeats.reduce((state, r) => applyReport(state, r.status, at(r.second)), start);
        const record = await store.get(message.id);
        expect({ status: record?.status, times: record?.times }).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('absorbs a duplicate without a change and keeps the first failure’s error', async () => {
    const message = newMessage();
    await store.createMany([message]);
    expect(await store.applyStatus(message.id, 'failed', at(5), { error: { code: 131026, reason: 'undeliverable' } })).toBe('advanced');
    expect(await store.applyStatus(message.id, 'failed', at(5), { error: { code: 1, reason: 'other' } })).toBe('unchanged');
    expect(await store.applyStatus(message.id, 'sent', at(3))).toBe('recorded');
    expect(await store.applyStatus(message.id, 'delivered', at(7))).toBe('advanced');
    const record = await store.get(message.id);
    expect(record).toMatchObject({ status: 'delivered', error: { code: 131026, reason: 'undeliverable' }, times: { queued: at(0), sent: at(3), failed: at(5), delivered: at(7) } });
  });

  it('never moves a cancelled message, and cancels only a waiting one', async () => {
    const waiting = newMessage();
    const sending = newMessage();
    await store.createMany([waiting, sending]);
    expect(await store.cancel(waiting.id, at(2))).toEqual({ cancelled: true });
    expect(await store.applyStatus(waiting.id, 'sent', at(3))).toBe('unchanged');
    expect((await store.get(waiting.id))?.status).toBe('cancelled');
    await store.applyStatus(sending.id, 'sending', at(2));
    expect(await store.cancel(sending.id, at(3))).toEqual({ cancelled: false, current: 'sending' });
    expect(await store.cancel(newMessageId(), at(3))).toEqual({ cancelled: false });
  });

  it('records the provider message id once, where a callback can find it', async () => {
    const message = newMessage();
    await store.createMany([message]);
    await store.applyStatus(message.id, 'accepted', at(2), { provider: 'kaleyra', providerMessageId: 'K-1' });
    await store.applyStatus(message.id, 'sent', at(3), { provider: 'kaleyra', providerMessageId: 'K-2' });
    expect((await store.get(message.id))?.providerMessageId).toBe('K-1');
  });

  it('claims an idempotency key once, and reports the first claim to a second', async () => {
    const now = new Date(at(1));
    expect(await store.claimIdempotencyKey('acme', 'k1', 'hash-a', ['A'], now)).toEqual({ claimed: true });
    expect(await store.claimIdempotencyKey('acme', 'k1', 'hash-b', ['B'], now)).toEqual({ claimed: false, requestHash: 'hash-a', messageIds: ['A'], complete: false });
    await store.completeIdempotencyKey('acme', 'k1');
    expect(await store.claimIdempotencyKey('acme', 'k1', 'hash-a', ['C'], now)).toMatchObject({ claimed: false, complete: true });
    expect(await store.claimIdempotencyKey('other', 'k1', 'hash-a', ['D'], now)).toEqual({ claimed: true });
    // An expired key (TTL deletes lazily) is free again.
    expect(await store.claimIdempotencyKey('acme', 'k1', 'hash-z', ['E'], new Date(now.getTime() + 49 * 3600_000))).toEqual({ claimed: true });
  });
});
