/**
 * A route that keeps refusing with back-off and names its reset (`Retry-After`, `X-RateLimit-Reset`:
 * the adapter's `retryAfterMs`), for a message with a fallback. docs/pipeline.md ("Failover across
 * routes") says such a message fails over once it has waited `failoverAfter` on the route, "the
 * back-off delays are cut so the message comes back in time". Without a named reset they are
 * (src/sender/failover.ts `waitOnRoute`); with one, the account waits the reset whole (the pacer's
 * block), and the message comes back once it has waited failoverAfter (`waitOnRoute` again) and
 * finds the route blocked (`failoverWhenBlocked`): it moves on then, sent once. (Before, it waited
 * the whole reset on the refusing route and failed over late.)
 *
 * The sender over scripted adapters (no HTTP), the in-memory repositories, a queue kept in a list
 * and a virtual clock, as src/sender/failover.test.ts drives it.
 */
import { describe, expect, it } from 'vitest';
import { PipelineConfig } from '../../src/config/pipeline.ts';
import { createSenderDeps } from '../../src/functions/sender.ts';
import { newMessageId } from '../../src/messages/queue-message.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import type { ProviderAdapter } from '../../src/providers/adapter.ts';
import { ProviderError } from '../../src/providers/errors.ts';
import { silentLog } from '../../src/runtime/log.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import { newBatchContext, sendQueuedMessage } from '../../src/sender/sender.ts';
import { listQueue, livetok, origin, SECRETS, T0 } from '../support/failover-world.ts';

const MINUTE = 60_000;
const CONFIG = PipelineConfig.parse({
  // The breaker (five refusals in a row) would move it sooner: this is about the reset alone.
  accounts: [origin(['f1'], { breaker: { after: 1000 } }), livetok('f1')],
  apiKeys: [{ id: 'k', sha256: 'a'.repeat(64), accounts: '*' }],
});

/** One message through the sender while the origin answers 429 naming a reset `resetMs` away and the fallback accepts. */
async function run(resetMs: number) {
  let clock = T0;
  const queued: Array<{ body: string; at: number }> = [];
  const queue = listQueue(queued, () => clock);
  const deps = createSenderDeps(
    {
      config: CONFIG,
      secrets: SECRETS,
      storage: memoryStorage(),
      queueUrl: 'q',
      sqs: undefined as never,
      now: () => new Date(clock),
    },
    { log: silentLog, pauseRecheckMs: MINUTE, claimExpiryMs: MINUTE, sleep: async (ms) => void (clock += ms), random: () => 0.5 },
  );
  deps.queue = queue;
  const calls: Array<{ account: string; at: number }> = [];
  const real = deps.adapterFor;
  deps.adapterFor = (account) => {
    const adapter = real(account);
    const scripted: ProviderAdapter = {
      provider: adapter.provider,
      capabilities: { ...adapter.capabilities, lookup: false },
      check: () => [],
      send: async () => {
        calls.push({ account: account.id, at: clock });
        if (account.id === 'f1') return { outcome: 'accepted', status: 'accepted', providerMessageId: 'lt-1' };
        const error = new ProviderError({
          provider: 'kaleyra',
          retryClass: 'backoff',
          reason: 'rate limited',
          status: 429,
          retryAfterMs: resetMs,
        });
        return { outcome: 'rejected', error };
      },
    };
    return scripted;
  };
  const id = newMessageId(T0);
  const request = SendRequest.parse({
    provider: 'kaleyra',
    account: 'o',
    recipient: '+919812345678',
    content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
  });
  await queue.enqueue([{ message: { v: 1, id, acceptedAt: new Date(T0).toISOString(), request } }]);
  for (let steps = 0; queued.length > 0 && steps < 60; steps++) {
    queued.sort((a, b) => a.at - b.at);
    const [next] = queued.splice(0, 1);
    clock = Math.max(clock, next!.at);
    await sendQueuedMessage(next!.body, deps, newBatchContext());
  }
  const record = await deps.messages.get(id);
  return { calls, record: record! };
}

describe('a route that names its reset, for a message with a fallback (failoverAfter 5m)', () => {
  it('a reset sooner than failoverAfter: retried at each reset, failed over once it waited failoverAfter, sent once', async () => {
    const { calls, record } = await run(MINUTE);
    expect(calls.filter((call) => call.account === 'f1')).toHaveLength(1);
    expect(calls.filter((call) => call.account === 'o').length).toBeGreaterThanOrEqual(5);
    const [origin] = record.routes!;
    const waited = Date.parse(origin!.until) - Date.parse(origin!.since);
    expect(waited).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(waited).toBeLessThan(6 * MINUTE);
  });

  // The account waits the whole 12-minute reset; the message comes back once it waited failoverAfter, and fails over.
  // (12 min: within SQS's 15-minute delay, so the harness's queue would bring it back without the sweeper either way.)
  it('a reset later than failoverAfter: still failed over once it waited failoverAfter (the wait is cut), sent once', async () => {
    const { calls, record } = await run(12 * MINUTE);
    expect(calls.filter((call) => call.account === 'f1')).toHaveLength(1);
    const [origin] = record.routes!;
    const waited = Date.parse(origin!.until) - Date.parse(origin!.since);
    expect(waited).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(waited).toBeLessThan(6 * MINUTE);
  });
});
