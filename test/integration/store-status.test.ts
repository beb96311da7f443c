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

  it('records the provider message id once, where a callback of the same account can find it', async () => {
    const message = newMessage();
    await store.createMany([message]);
    await store.applyStatus(message.id, 'accepted', at(2), { provider: 'kaleyra', account: 'acme', providerMessageId: 'K-1' });
    await store.applyStatus(message.id, 'sent', at(3), { provider: 'kaleyra', account: 'acme', providerMessageId: 'K-2' });
    expect((await store.get(message.id))?.providerMessageId).toBe('K-1');
    expect(await store.findByProviderMessageId('acme', 'kaleyra', 'K-1')).toBe(message.id);
    expect(await store.findByProviderMessageId('other', 'kaleyra', 'K-1')).toBeUndefined();
    await expect(store.applyStatus(message.id, 'read', at(4), { provider: 'kaleyra', providerMessageId: 'K-3' })).rejects.toThrow(/account/);
  });

  it('scopes provider-id aliases to their account: another account neither finds nor replaces them, only learns one is taken', async () => {
    const [mine, theirs] = [newMessage(), newMessage()];
    await store.createMany([mine, theirs]);
    const now = new Date(at(1));
    await store.addAliases('acme', 'gupshup', ['G-1'], mine.id, now);
    await store.addAliases('other', 'gupshup', ['G-1'], theirs.id, now);
    expect(await store.findByProviderMessageId('acme', 'gupshup', 'G-1')).toBe(mine.id);
    expect(await store.findByProviderMessageId('other', 'gupshup', 'G-1')).toBe(theirs.id);
    expect(await store.findByProviderMessageId('third', 'gupshup', 'G-1')).toBeUndefined();
    expect(await store.findByProviderMessageId('acme', 'kaleyra', 'G-1')).toBeUndefined();
    expect(await store.providerIdTakenElsewhere('third', 'gupshup', ['nope', 'G-1'])).toBe(true);
    await store.addAliases('acme', 'gupshup', ['G-2'], mine.id, now);
    expect(await store.providerIdTakenElsewhere('acme', 'gupshup', ['G-2'])).toBe(false);
    expect(await store.providerIdTakenElsewhere('other', 'gupshup', ['G-2'])).toBe(true);
  });

  it('takes any provider id as a key: over the key size limit, non-ASCII, lone surrogates, the hashed form itself', async () => {
    const message = newMessage();
    await store.createMany([message]);
    const now = new Date(at(1));
    const ids = ['x'.repeat(3000), 'é'.repeat(1500), 'id with spaces', '~', `~${'A'.repeat(43)}`, 'a\ud800b', '\u{1F600}'.repeat(600)];
    await store.addAliases('acme', 'gupshup', ids, message.id, now);
    for (const id of ids) expect(await store.findByProviderMessageId('acme', 'gupshup', id)).toBe(message.id);
    expect(await store.findByProviderMessageId('acme', 'gupshup', 'x'.repeat(2999))).toBeUndefined();
    await store.keepPending('acme', 'gupshup', ids[0]!, { status: 'delivered' }, now);
    expect(await store.takePending('acme', 'gupshup', ids[0]!)).toEqual([{ status: 'delivered' }]);
    await store.applyStatus(message.id, 'accepted', at(2), { provider: 'gupshup', account: 'acme', providerMessageId: ids[1]! });
    expect(await store.findByProviderMessageId('acme', 'gupshup', ids[1]!)).toBe(message.id);
  });

  it('keeps early callbacks per account and status: repeats do not grow the item, one taker gets them once', async () => {
    const now = new Date(at(1));
    const event = (status: string, n: number) => ({ status, n });
    for (let i = 0; i < 30; i++) await store.keepPending('acme', 'gupshup', 'G-early', event('delivered', i), now);
    await store.keepPending('acme', 'gupshup', 'G-early', event('read', 0), now);
    await store.keepPending('other', 'gupshup', 'G-early', event('sent', 0), now);
    const taken = await Promise.all([store.takePending('acme', 'gupshup', 'G-early'), store.takePending('acme', 'gupshup', 'G-early')]);
    const events = taken.flat() as Array<{ status: string; n: number }>;
    expect(events.sort((a, b) => a.status.localeCompare(b.status))).toEqual([{ status: 'delivered', n: 0 }, { status: 'read', n: 0 }]);
    expect(await store.takePending('acme', 'gupshup', 'G-early')).toEqual([]);
    expect(await store.takePending('other', 'gupshup', 'G-early')).toEqual([{ status: 'sent', n: 0 }]);
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
