/**
 * A provider's 429 stops the whole account, in every invocation: a 429 that names no reset blocks
 * the account for its shortest window (src/sender/sender.ts `accountResetMs`), and an invocation
 * holding slots reserved before another one met the 429 holds back the slots inside the block
 * once its view of the account's state is a second old (src/pacing/pacer.ts `blockedUntil`),
 * instead of spending them all into more 429s. Likewise a refusal that pauses the account stops
 * the batch's records already holding their slots. Senders over one in-memory storage, on a
 * virtual clock, with providers that only record.
 */
import { describe, expect, it } from 'vitest';
import { newMessageId, QueueMessage } from '../../src/messages/queue-message.ts';
import type { SendResult } from '../../src/providers/adapter.ts';
import { ProviderError } from '../../src/providers/errors.ts';
import type { QueueEntry } from '../../src/queue/send-queue.ts';
import { newBatchContext, planBatch, sendQueuedMessage, type SenderDeps } from '../../src/sender/sender.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import { pacingFor } from '../../src/pacing/budget.ts';
import { FIXTURES } from '../support/providers.ts';
import { configWithLimits, scriptedSender } from '../support/scripted-sender.ts';
import { VirtualClock } from '../../bench/support/virtual-clock.ts';

const ACCOUNT = 'acme-kaleyra';
const T0 = Date.parse('2026-11-30T12:00:00.000Z');

function world(limits: Record<string, unknown>, answers: Array<'ok' | '429' | 'pause'> = [], virtual?: VirtualClock) {
  const clock = {
    get now() {
      return virtual ? virtual.now() : plain;
    },
    set now(ms: number) {
      plain = ms;
    },
  };
  let plain = T0;
  const config = configWithLimits(ACCOUNT, limits);
  const storage = memoryStorage();
  const calls: Array<{ id: string; at: number; by: string }> = [];
  const queued: QueueEntry[] = [];
  const sender = (name: string): SenderDeps =>
    scriptedSender({
      config,
      storage,
      now: () => clock.now,
      sleep: virtual ? virtual.sleep : async (ms) => void (clock.now += ms),
      enqueued: (entries) => queued.push(...entries),
      answer: (message): SendResult => {
        calls.push({ id: message.messageId, at: clock.now, by: name });
        const next = answers.shift();
        if (next === 'pause')
          return {
            outcome: 'rejected',
            error: new ProviderError({ provider: 'kaleyra', retryClass: 'pause_sender', status: 400, code: 'E110', reason: 'low balance' }),
          };
        if (next === '429')
          return {
            outcome: 'rejected',
            error: new ProviderError({ provider: 'kaleyra', retryClass: 'backoff', status: 429, reason: 'rate limited' }),
          };
        return { outcome: 'accepted', status: 'accepted', providerMessageId: `p-${message.messageId}` };
      },
    });
  let n = 0;
  const body = () =>
    JSON.stringify(
      QueueMessage.parse({
        v: 1,
        id: newMessageId(T0 + n),
        request: {
          account: ACCOUNT,
          provider: 'kaleyra',
          recipient: `+9198123456${String(n++).padStart(2, '0')}`,
          content: FIXTURES.kaleyra.content,
        },
        acceptedAt: new Date(T0).toISOString(),
      }),
    );
  return { clock, storage, calls, queued, sender, body, config };
}

describe('a 429 stops the whole account', () => {
  it('a 429 that names no reset blocks the account for its shortest window: the batch and later reservations wait', async () => {
    const w = world({ perSecond: 10 }, ['ok', '429']);
    const deps = w.sender('a');
    const bodies = [w.body(), w.body(), w.body(), w.body()];
    const batch = newBatchContext();
    planBatch(bodies, batch);
    expect(await sendQueuedMessage(bodies[0]!, deps, batch)).toMatchObject({ kind: 'sent' });
    expect(await sendQueuedMessage(bodies[1]!, deps, batch)).toMatchObject({ kind: 'delayed' });
    const refusedAt = w.clock.now;
    // The batch's others hold back, with no call.
    expect(await sendQueuedMessage(bodies[2]!, deps, batch)).toMatchObject({
      kind: 'delayed',
      reason: expect.stringContaining('asked to wait'),
    });
    expect(w.calls).toHaveLength(2);
    // The account's state says so to every sender: blocked a second (per-second limit), not longer.
    const { state } = await w.storage.pacing.readSlots(`acct#${ACCOUNT}`);
    expect(state?.blockedUntilMs).toBe(refusedAt + 1000);
    // A fresh batch reserves after the block.
    expect(await sendQueuedMessage(bodies[3]!, w.sender('b'), newBatchContext())).toMatchObject({ kind: 'sent' });
    expect(w.calls.at(-1)!.at).toBeGreaterThanOrEqual(refusedAt + 1000);
  });

  it('a longer window blocks longer, up to a minute', async () => {
    const w = world({ perMinute: 600 }, ['429']);
    const deps = w.sender('a');
    const refusedAt = w.clock.now;
    await sendQueuedMessage(w.body(), deps, newBatchContext());
    const { state } = await w.storage.pacing.readSlots(`acct#${ACCOUNT}`);
    expect(state!.blockedUntilMs! - refusedAt).toBeGreaterThanOrEqual(60_000);
    expect(state!.blockedUntilMs! - refusedAt).toBeLessThan(61_000);
  });

  it('another invocation’s slots inside the block are not spent once its view is a second old', async () => {
    // One a second: a batch of three holds slots about 0, 1 and 2 s ahead.
    const w = world({ perSecond: 1 });
    const b = w.sender('b');
    const bodies = [w.body(), w.body(), w.body()];
    const batch = newBatchContext();
    planBatch(bodies, batch);
    expect(await sendQueuedMessage(bodies[0]!, b, batch)).toMatchObject({ kind: 'sent' });
    expect(await sendQueuedMessage(bodies[1]!, b, batch)).toMatchObject({ kind: 'sent' });
    expect(batch.slots.get(ACCOUNT)).toHaveLength(1);
    // Invocation A meets a 429 now: the account is blocked for 1.5 s (its reset).
    const a = w.sender('a');
    const until = w.clock.now + 1500;
    await a.pacer.block(`acct#${ACCOUNT}`, pacingFor(w.config.accounts.find((x) => x.id === ACCOUNT)!).account, until, w.clock.now);
    // B's third record comes to its slot (inside the block) with B's view over a second old: no call.
    expect(await sendQueuedMessage(bodies[2]!, b, batch)).toMatchObject({
      kind: 'delayed',
      reason: 'the provider asked to wait (another invocation met its limit)',
    });
    expect(w.calls.map((call) => call.by)).toEqual(['b', 'b']);
    expect(batch.slots.get(ACCOUNT)).toBeUndefined();
    // Its copy comes back after the block.
    expect(w.queued.at(-1)!.delaySeconds! * 1000).toBeGreaterThanOrEqual(until - w.clock.now);
  });

  it('reads the account’s state for its block at most once a second per account in a container', async () => {
    const w = world({ perSecond: 1000 });
    const deps = w.sender('a');
    let reads = 0;
    const read = w.storage.pacing.readSlots.bind(w.storage.pacing);
    w.storage.pacing.readSlots = async (scope) => {
      reads += 1;
      return read(scope);
    };
    const scope = `acct#${ACCOUNT}`;
    for (let i = 0; i < 10; i++) {
      await deps.pacer.blockedUntil(scope);
      w.clock.now += 250;
    }
    // 2.5 s of looks: the first, then one a second.
    expect(reads).toBe(3);
    // A reservation's read counts as a look.
    await deps.pacer.reserve(scope, pacingFor(w.config.accounts.find((x) => x.id === ACCOUNT)!).account, 1, w.clock.now, 3000);
    const afterReserve = reads;
    await deps.pacer.blockedUntil(scope);
    expect(reads).toBe(afterReserve);
  });

  it('a refusal that pauses the account stops the batch’s records already past their pause check', async () => {
    const virtual = new VirtualClock(T0);
    // Two a second: the records after the first hold slots half a second apart.
    const w = world({ perSecond: 2 }, ['ok', 'pause', 'ok', 'ok'], virtual);
    const deps = w.sender('a');
    const bodies = [w.body(), w.body(), w.body(), w.body()];
    const batch = newBatchContext();
    planBatch(bodies, batch);
    const drive = async <T>(work: Promise<T>) => {
      let done = false;
      const settled = work.finally(() => {
        done = true;
      });
      await virtual.run({ stop: () => done });
      return settled;
    };
    // The first alone, then the others side by side: all three take their slots before the second's call.
    expect(await drive(sendQueuedMessage(bodies[0]!, deps, batch))).toMatchObject({ kind: 'sent' });
    const rest = await drive(Promise.all(bodies.slice(1).map((body) => sendQueuedMessage(body, deps, batch))));
    expect(rest[0]).toMatchObject({ kind: 'delayed' });
    for (const outcome of rest.slice(1))
      expect(outcome).toMatchObject({ kind: 'delayed', reason: 'the account was paused meanwhile (another record of this batch)' });
    expect(w.calls).toHaveLength(2);
    expect(await w.storage.pauses.list(ACCOUNT)).toEqual([expect.objectContaining({ code: 'E110' })]);
  });
});
