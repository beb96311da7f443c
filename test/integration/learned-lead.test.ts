/**
 * The learned slot lead (src/pacing/lead.ts in src/sender/sender.ts): when the claim's write takes
 * longer than the configured lead, a fixed lead makes every record come to its call after its
 * slot, take another (a reservation each time) and, after a few misses, go back on the queue. The
 * container learns the lead its writes need instead: after a few records, each one reserves once
 * and calls within δ of its slot. The real sender over in-memory storage on a virtual clock, the
 * claim's write made 80 ms slow and a reservation 40 ms.
 */
import { describe, expect, it } from 'vitest';
import { newMessageId, QueueMessage } from '../../src/messages/queue-message.ts';
import type { QueueEntry } from '../../src/queue/send-queue.ts';
import { newBatchContext, sendQueuedMessage, type SenderDeps } from '../../src/sender/sender.ts';
import { FIXTURES } from '../support/providers.ts';
import { configWithLimits, scriptedSender } from '../support/scripted-sender.ts';

const ACCOUNT = 'acme-kaleyra';
const CLAIM_MS = 80;
const RESERVE_MS = 40;

function world(learn: boolean) {
  let clock = Date.parse('2026-11-30T12:00:00.000Z');
  const sends: Array<{ id: string; at: number }> = [];
  const queued: QueueEntry[] = [];
  const built = scriptedSender({
    config: configWithLimits(ACCOUNT, { perSecond: 50 }),
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    enqueued: (entries) => queued.push(...entries),
    answer: (message) => {
      sends.push({ id: message.messageId, at: clock });
      return { outcome: 'accepted', status: 'accepted', providerMessageId: `p-${message.messageId}` };
    },
  });
  const { lead, ...fixed } = built;
  const deps: SenderDeps = learn ? built : fixed;
  // The claim's write takes 80 ms (a throttled table, a busy container): more than the 25 ms lead.
  const claim = deps.claims.claim.bind(deps.claims);
  deps.claims.claim = async (...args) => {
    clock += CLAIM_MS;
    return claim(...args);
  };
  const slots: number[] = [];
  const reserve = deps.pacer.reserve.bind(deps.pacer);
  // A reservation (a read and a conditional write) takes 40 ms: more than the lead, too.
  deps.pacer.reserve = async (...args) => {
    const reserved = await reserve(...args);
    clock += RESERVE_MS;
    slots.push(...reserved.slots);
    return reserved;
  };
  let n = 0;
  const send = () => {
    const message = QueueMessage.parse({
      v: 1,
      id: newMessageId(Math.floor(clock) + n),
      request: {
        account: ACCOUNT,
        provider: 'kaleyra',
        recipient: `+9198123${String(n++).padStart(5, '0')}`,
        content: FIXTURES.kaleyra.content,
      },
      acceptedAt: new Date(clock).toISOString(),
    });
    return sendQueuedMessage(JSON.stringify(message), deps, newBatchContext());
  };
  return { send, sends, slots, queued, lead };
}

describe('the learned slot lead', () => {
  it('with claims slower than the lead, records soon reserve once and call at their slot instead of missing it', async () => {
    const w = world(true);
    const outcomes = [];
    for (let i = 0; i < 40; i++) outcomes.push((await w.send()).kind);
    // The first record misses its slot (the lead is still 25 ms) and learns; the others do not.
    expect(outcomes.filter((kind) => kind === 'sent').length).toBeGreaterThanOrEqual(39);
    expect(w.queued.length).toBeLessThanOrEqual(1);
    expect(w.slots.length).toBeLessThanOrEqual(40 + 3);
    expect(w.lead!.ms).toBeGreaterThanOrEqual(2 * CLAIM_MS);
    expect(w.lead!.ms).toBeLessThanOrEqual(4 * CLAIM_MS);
    // Every call within δ (10 ms) after a slot reserved for it.
    for (const send of w.sends) {
      const slot = w.slots.filter((s) => s <= send.at).at(-1)!;
      expect(send.at - slot).toBeLessThanOrEqual(10);
    }
  });

  it('a fixed lead misses every slot under the same writes, retakes and goes back on the queue (what the learning saves)', async () => {
    const w = world(false);
    const outcomes = [];
    for (let i = 0; i < 40; i++) outcomes.push((await w.send()).kind);
    expect(outcomes.filter((kind) => kind === 'delayed')).toHaveLength(40);
    expect(w.sends).toHaveLength(0);
    // Its slot, then three retakes, each a reservation: four per record, none used.
    expect(w.slots).toHaveLength(4 * 40);
  });
});
