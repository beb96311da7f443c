/**
 * Carried slots (src/sender/sender.ts): on a sparse limit, a record whose slot is out of reach
 * reserves it and goes back on the queue carrying it, sealed; it comes back and sends at it with no
 * other reservation, and nobody else can take it. A slot that does not open, or names another
 * message, is ignored; a provider's block since voids it; dense limits carry none. The real sender
 * over in-memory storage, a virtual clock, and a queue and a provider that only record.
 */
import { describe, expect, it } from 'vitest';
import { newMessageId, QueueMessage } from '../../src/messages/queue-message.ts';
import type { QueueEntry } from '../../src/queue/send-queue.ts';
import { newBatchContext, sendQueuedMessage } from '../../src/sender/sender.ts';
import { FIXTURES } from '../support/providers.ts';
import { configWithLimits, scriptedSender } from '../support/scripted-sender.ts';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');
const ACCOUNT = 'acme-kaleyra';

function world(limits: Record<string, unknown>) {
  let clock = T0;
  const queued: Array<QueueEntry & { at: number }> = [];
  const sends: Array<{ id: string; at: number }> = [];
  const deps = scriptedSender({
    config: configWithLimits(ACCOUNT, limits),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    enqueued: (entries) => queued.push(...entries.map((entry) => ({ ...entry, at: clock }))),
    answer: (message) => {
      sends.push({ id: message.messageId, at: clock });
      return { outcome: 'accepted', status: 'accepted', providerMessageId: `p-${message.messageId}` };
    },
  });
  const message = (n: number): QueueMessage =>
    QueueMessage.parse({
      v: 1,
      id: newMessageId(clock + n),
      request: {
        account: ACCOUNT,
        provider: 'kaleyra',
        recipient: `+9198123456${String(n).padStart(2, '0')}`,
        content: FIXTURES.kaleyra.content,
      },
      acceptedAt: new Date(clock).toISOString(),
    });
  return {
    deps,
    queued,
    sends,
    message,
    send: (body: QueueMessage | string) =>
      sendQueuedMessage(typeof body === 'string' ? body : JSON.stringify(body), deps, newBatchContext()),
    /** Moves the clock to when `entry`'s copy becomes visible. */
    deliver(entry: QueueEntry & { at: number }) {
      clock = Math.max(clock, entry.at + (entry.delaySeconds ?? 0) * 1000);
      return entry.message;
    },
    at: (ms: number) => {
      clock = T0 + ms;
    },
  };
}

describe('carried slots', () => {
  it('on a sparse limit, a record out of reach reserves its slot, comes back once and sends at it; nobody else takes it', async () => {
    // Two a minute: slots about 30 s apart.
    const w = world({ perMinute: 2 });
    const [a, b, c] = [w.message(1), w.message(2), w.message(3)];
    expect(await w.send(a)).toMatchObject({ kind: 'sent' });
    expect(await w.send(b)).toMatchObject({ kind: 'delayed', reason: 'account rate limit (its slot reserved ahead)' });
    expect(w.queued).toHaveLength(1);
    const copy = w.queued[0]!;
    expect(copy.message.slot).toEqual(expect.any(String));
    // The sealed slot says nothing readable (no id, no time).
    expect(copy.message.slot).not.toContain(b.id);
    // C, a moment later, finds B's slot taken: its own is the one after.
    w.at(1000);
    expect(await w.send(c)).toMatchObject({ kind: 'delayed' });
    expect(w.queued[1]!.at + w.queued[1]!.delaySeconds! * 1000).toBeGreaterThan(copy.at + copy.delaySeconds! * 1000 + 25_000);

    // B comes back before its slot, within reach of it, and sends there: no look at the queue again.
    expect(await w.send(w.deliver(copy))).toMatchObject({ kind: 'sent' });
    expect(w.queued).toHaveLength(2);
    const [first, second] = w.sends;
    expect(second!.id).toBe(b.id);
    // Slots 60 s + 2δ over 2 apart (the any-window arithmetic), and B sent at its slot.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(30_010);
    expect(second!.at - first!.at).toBeLessThan(30_100);
  });

  it('ignores a slot that does not open or names another message: that record is paced like any other', async () => {
    const w = world({ perMinute: 2 });
    const [a, b, c] = [w.message(1), w.message(2), w.message(3)];
    await w.send(a);
    await w.send(b);
    const carried = w.queued[0]!.message.slot!;
    // C with B's slot, and D with a made-up one, 29 s later (B's slot within reach): neither sends.
    w.at(29_500);
    expect(await w.send({ ...c, slot: carried })).toMatchObject({ kind: 'delayed' });
    expect(await w.send({ ...w.message(4), slot: Buffer.from('{"id":"x","at":0}').toString('base64') })).toMatchObject({ kind: 'delayed' });
    expect(await w.send({ ...w.message(5), slot: 'not sealed at all' })).toMatchObject({ kind: 'delayed' });
    // Sealed properly, for this message, but another account's slot (a message that failed over since).
    const e = w.message(6);
    const elsewhere = w.deps.cipher.seal(
      JSON.stringify({ id: e.id, account: 'acme-livechat', at: Date.parse('2026-11-30T12:00:29.600Z') }),
    );
    expect(await w.send({ ...e, slot: elsewhere })).toMatchObject({ kind: 'delayed' });
    expect(w.sends.map((s) => s.id)).toEqual([a.id]);
    // And B still has its slot.
    expect(await w.send(w.deliver(w.queued[0]!))).toMatchObject({ kind: 'sent' });
    expect(w.sends.map((s) => s.id)).toEqual([a.id, b.id]);
  });

  it('a provider’s block since voids the slots it covers: the record reserves again, after the block', async () => {
    const w = world({ perMinute: 2 });
    const [a, b] = [w.message(1), w.message(2)];
    await w.send(a);
    await w.send(b);
    const copy = w.queued[0]!;
    // A 429 met by another invocation: nothing before T0 + 90 s.
    const budget = (await import('../../src/pacing/budget.ts')).pacingFor(w.deps.accounts.get(ACCOUNT)!).account;
    await w.deps.pacer.block(`acct#${ACCOUNT}`, budget, T0 + 90_000, T0 + 5000);
    expect(await w.send(w.deliver(copy))).toMatchObject({ kind: 'delayed' });
    expect(w.sends).toHaveLength(1);
    const again = w.queued[1]!;
    // Back within reach of the first slot after the block (reach: the lead and `maxInlineWaitMs`).
    expect(again.at + again.delaySeconds! * 1000).toBeGreaterThanOrEqual(T0 + 90_000 - w.deps.maxInlineWaitMs - w.deps.slotLeadMs);
    expect(await w.send(w.deliver(again))).toMatchObject({ kind: 'sent' });
    expect(w.sends[1]!.at).toBeGreaterThanOrEqual(T0 + 90_000);
  });

  it('a copy that comes back more than δ after its slot does not send at it: it takes a slot now', async () => {
    const w = world({ perMinute: 2 });
    const [a, b] = [w.message(1), w.message(2)];
    await w.send(a);
    await w.send(b);
    const copy = w.queued[0]!;
    // Back 40 s after it went: its slot (≈ 30 s) passed; nobody took it, and it is lost to everyone.
    w.at(40_000);
    const outcome = await w.send(copy.message);
    expect(outcome).toMatchObject({ kind: 'delayed' });
    expect(w.sends).toHaveLength(1);
  });

  it('carries no slot on a dense limit (80/s): the records in flight take the slots as they come', async () => {
    const w = world({ perSecond: 80 });
    // 90 records at once: 80 within the second's reach, the rest go back without a slot.
    const outcomes = await Promise.all(Array.from({ length: 90 }, (_, n) => w.send(w.message(n))));
    expect(outcomes.filter((o) => o.kind === 'delayed').length).toBeGreaterThan(0);
    expect(w.queued.every((entry) => entry.message.slot === undefined)).toBe(true);
  });
});
