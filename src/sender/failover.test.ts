/**
 * The sender's failover over random sequences of provider answers: scripted adapters (no HTTP), the
 * in-memory repositories, a queue kept in a list and a virtual clock. Three routes: Kaleyra (the
 * origin), then LiveTok, then LiveChat. The property: no message is sent through two routes unless
 * every earlier route's outcome was a proven refusal; no call follows one that may have sent; routes
 * are only ever left forwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineConfig } from '../config/pipeline.ts';
import { createSenderDeps } from '../functions/sender.ts';
import { newMessageId, type QueueMessage } from '../messages/queue-message.ts';
import { SendRequest } from '../messages/send-request.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import type { StatusChange } from '../push/push.ts';
import { type LogEntry, memoryLog, silentLog } from '../runtime/log.ts';
import { METRIC_NAMESPACE } from '../runtime/metrics.ts';
import { memoryStorage } from '../store/memory/index.ts';
import { newBatchContext, type SenderDeps, sendQueuedMessage } from './sender.ts';
import { type Answer, listQueue, livetok, origin, REMINDER, resultOf, SECRETS, T0 } from '../../test/support/failover-world.ts';

const PHONE = '+919812345678';
const SHA = 'a'.repeat(64);
/** The three routes; `breaker`: each account's breaker settings (the default: opens after 5 refusals). */
const configWith = (breaker?: { after?: number; coolDown?: string }) =>
  PipelineConfig.parse({
    accounts: [
      origin(['f1', 'f2'], breaker ? { breaker } : {}),
      livetok('f1', breaker ? { breaker } : {}),
      { id: 'f2', provider: 'livechat', numberId: '1234', templates: [REMINDER], limits: { recipientGapMs: 0 } },
    ],
    apiKeys: [{ id: 'k', sha256: SHA, accounts: '*' }],
  });
const CONFIG = configWith();
const ROUTE_OF: Record<string, number> = { o: 0, f1: 1, f2: 2 };

const ANSWERS: Answer[] = [
  'accepted',
  'unknown',
  'pause_account',
  'pause_template',
  'sender_permanent',
  'recipient_permanent',
  'opted_out',
  'backoff',
  'unavailable',
  'per_recipient',
];
/** Answers that prove the route did not send. */
const PROVEN_REFUSAL = new Set<Answer>([
  'pause_account',
  'pause_template',
  'sender_permanent',
  'recipient_permanent',
  'opted_out',
  'backoff',
  'unavailable',
  'per_recipient',
]);

/** Answers that refuse the sender: the message moves on at once. */
const SENDER_REFUSAL = new Set<Answer>(['pause_account', 'pause_template', 'sender_permanent']);

interface Call {
  route: number;
  answer: Answer;
}

/** Runs one message through the sender until nothing is left to do; the provider calls made, in order. */
async function run(
  answers: readonly Answer[],
  copies: number,
  prepare?: (deps: SenderDeps) => void,
  config = CONFIG,
): Promise<{ calls: Call[]; deps: SenderDeps; id: string; body: string }> {
  let clock = T0;
  const storage = memoryStorage();
  const queued: Array<{ body: string; at: number }> = [];
  const queue = listQueue(queued, () => clock);
  const deps = createSenderDeps(
    {
      config,
      secrets: SECRETS,
      storage,
      queueUrl: 'q',
      sqs: undefined as never,
      now: () => new Date(clock),
    },
    { log: silentLog, pauseRecheckMs: 60_000, claimExpiryMs: 60_000, sleep: async (ms) => void (clock += ms), random: () => 0.5 },
  );
  deps.queue = queue;
  const calls: Call[] = [];
  let next = 0;
  const real = deps.adapterFor;
  deps.adapterFor = (account) => {
    const adapter = real(account);
    const scripted: ProviderAdapter = {
      provider: adapter.provider,
      capabilities: { ...adapter.capabilities, lookup: false },
      check: () => [],
      send: async () => {
        const answer = answers[next++ % answers.length]!;
        calls.push({ route: ROUTE_OF[account.id]!, answer });
        return resultOf(answer, account.provider);
      },
    };
    return scripted;
  };
  const id = newMessageId(T0);
  const request = SendRequest.parse({
    provider: 'kaleyra',
    account: 'o',
    recipient: PHONE,
    content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
  });
  const message: QueueMessage = { v: 1, id, acceptedAt: new Date(T0).toISOString(), request };
  for (let i = 0; i < copies; i++) await queue.enqueue([{ message }]);
  prepare?.(deps);
  for (let steps = 0; queued.length > 0 && steps < 60; steps++) {
    queued.sort((a, b) => a.at - b.at);
    // Copies due together go side by side, as two invocations would.
    const due = queued.filter((entry) => entry.at <= queued[0]!.at);
    queued.splice(0, due.length);
    clock = Math.max(clock, due[0]!.at);
    await Promise.all(due.map((entry) => sendQueuedMessage(entry.body, deps, newBatchContext())));
  }
  return { calls, deps, id, body: JSON.stringify(message) };
}

describe('failover over random provider answers', () => {
  it('never sends through two routes unless every earlier route’s outcome was a proven refusal', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...ANSWERS), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 2 }),
        async (answers, copies) => {
          const { calls, deps, id } = await run(answers, copies);
          // No call after one that may have sent (accepted or unknown).
          const open = calls.findIndex((call) => !PROVEN_REFUSAL.has(call.answer));
          if (open >= 0) expect(calls.slice(open + 1)).toEqual([]);
          // Routes are left forwards only, and a later route is called only after proven refusals on every earlier one.
          for (let i = 1; i < calls.length; i++) expect(calls[i]!.route).toBeGreaterThanOrEqual(calls[i - 1]!.route);
          for (const [i, call] of calls.entries()) {
            if (call.route > 0) expect(calls.slice(0, i).every((earlier) => PROVEN_REFUSAL.has(earlier.answer))).toBe(true);
          }
          // And a refusal of the sender does move it on: the next call is on the next route.
          for (const [i, call] of calls.entries()) {
            if (SENDER_REFUSAL.has(call.answer) && call.route < 2) expect(calls[i + 1]?.route).toBe(call.route + 1);
          }
          // A route is left only on a refusal of the sender, or a pause that lasted failoverAfter.
          const record = await deps.messages.get(id);
          for (const left of record?.routes ?? []) {
            expect(['pause_sender', 'permanent', 'backoff']).toContain(left.error.class);
            // A route that only asked to wait is left once the message waited there failoverAfter (5 min),
            // or once its breaker opened: after 5 such refusals in a row there (nothing accepted in between).
            const askedToWait = calls.filter((call) => call.route === left.index && ['backoff', 'unavailable'].includes(call.answer));
            if (left.error.class === 'backoff' && left.trigger === 'breaker') expect(askedToWait.length).toBeGreaterThanOrEqual(5);
            else if (left.error.class === 'backoff')
              expect(Date.parse(left.until) - Date.parse(left.since)).toBeGreaterThanOrEqual(5 * 60_000);
          }
          expect(calls.filter((call) => call.answer === 'accepted').length).toBeLessThanOrEqual(1);
          // The record follows the route that sent it.
          const accepted = calls.find((call) => call.answer === 'accepted');
          if (accepted) expect(record).toMatchObject({ status: 'accepted' });
          if (accepted) expect(record?.route?.index ?? 0).toBe(accepted.route);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fails over past every refusing route of the sender to the last, and no further', async () => {
    const { calls, deps, id } = await run(['pause_account', 'sender_permanent', 'pause_account'], 1);
    expect(calls.map((call) => call.route)).toEqual([0, 1, 2]);
    const record = await deps.messages.get(id);
    expect(record?.route).toMatchObject({ index: 2, account: 'f2' });
    expect(record?.routes?.map((route) => [route.account, route.error.class])).toEqual([
      ['o', 'pause_sender'],
      ['f1', 'permanent'],
    ]);
    // The last route is paused: the message waits there.
    expect(record?.status).toBe('queued');
  });

  it('fails over from a route that keeps asking to wait once the message waited there failoverAfter, not before', async () => {
    // Without a breaker that opens first (the next test has it).
    const { calls, deps, id } = await run(
      [...Array<Answer>(12).fill('unavailable'), 'accepted'],
      1,
      undefined,
      configWith({ after: 1000 }),
    );
    const onOrigin = calls.filter((call) => call.route === 0);
    expect(onOrigin.length).toBeGreaterThan(1);
    expect(onOrigin.every((call) => call.answer === 'unavailable')).toBe(true);
    const record = await deps.messages.get(id);
    // The origin is left after failoverAfter (and the first fallback too, if its answers keep asking to wait).
    const [left] = record!.routes!;
    expect(left).toMatchObject({ index: 0, outcome: 'refused', error: { class: 'backoff', status: 503 } });
    const waited = Date.parse(left!.until) - Date.parse(left!.since);
    // At least failoverAfter, and not much more: the back-off delays were cut to come back in time.
    expect(waited).toBeGreaterThanOrEqual(5 * 60_000);
    expect(waited).toBeLessThan(5 * 60_000 + 60_000);
    expect(calls.some((call) => call.route === 1)).toBe(true);
    expect(calls.filter((call) => call.answer === 'accepted')).toHaveLength(calls.at(-1)?.answer === 'accepted' ? 1 : 0);
  });

  it('leaves a message sent through a fallback as it is when that route is removed from the configuration; fails a waiting one', async () => {
    const sent = await run(['pause_account', 'accepted'], 1);
    const withoutFallbacks = new Map(sent.deps.accounts);
    withoutFallbacks.set('o', { ...withoutFallbacks.get('o')!, fallbacks: [] });
    sent.deps.accounts = withoutFallbacks;
    expect(await sendQueuedMessage(sent.body, sent.deps, newBatchContext())).toMatchObject({ kind: 'skipped' });
    expect(await sent.deps.messages.get(sent.id)).toMatchObject({ status: 'accepted', route: { account: 'f1' } });

    // Refused on the origin and on f1's pause, it waits on f2 (paused there too), then f2 is removed.
    const waiting = await run(['pause_account', 'pause_account', 'pause_account'], 1);
    expect(await waiting.deps.messages.get(waiting.id)).toMatchObject({ status: 'queued', route: { account: 'f2' } });
    const onlyF1 = new Map(waiting.deps.accounts);
    onlyF1.set('o', { ...onlyF1.get('o')!, fallbacks: onlyF1.get('o')!.fallbacks!.slice(0, 1) });
    waiting.deps.accounts = onlyF1;
    expect(await sendQueuedMessage(waiting.body, waiting.deps, newBatchContext())).toMatchObject({ kind: 'failed' });
    expect(await waiting.deps.messages.get(waiting.id)).toMatchObject({
      status: 'failed',
      error: { reason: 'route 2 (account f2) is no longer configured as a fallback of o' },
    });
  });

  it('ends a message `unknown`, not stuck in `sending`, when its route is removed while a claim on it was left by a crash', async () => {
    const stuck = await run(['pause_account', 'pause_account', 'pause_account'], 1);
    expect(await stuck.deps.messages.get(stuck.id)).toMatchObject({ status: 'queued', route: { account: 'f2' } });
    // A send on f2 claimed it, and its invocation died before recording the outcome.
    const at = stuck.deps.now();
    const until = new Date(at + 60_000).toISOString();
    expect(await stuck.deps.claims.claim(stuck.id, 'crashed', new Date(at).toISOString(), { until, route: 2 })).toBe(true);
    const onlyF1 = new Map(stuck.deps.accounts);
    onlyF1.set('o', { ...onlyF1.get('o')!, fallbacks: onlyF1.get('o')!.fallbacks!.slice(0, 1) });
    stuck.deps.accounts = onlyF1;
    // While the claim may still be calling: looked at again once it is stale, not failed (it may have gone out).
    expect(await sendQueuedMessage(stuck.body, stuck.deps, newBatchContext())).toMatchObject({
      kind: 'delayed',
      reason: 'a send attempt is under way',
    });
    expect(await stuck.deps.messages.get(stuck.id)).toMatchObject({ status: 'sending' });
    const later = { ...stuck.deps, now: () => at + 61_000 };
    expect(await sendQueuedMessage(stuck.body, later, newBatchContext())).toMatchObject({ kind: 'unknown' });
    expect(await stuck.deps.messages.get(stuck.id)).toMatchObject({
      status: 'unknown',
      error: { reason: expect.stringContaining('route 2 (account f2) is no longer configured as a fallback of o') },
    });
  });

  it('pushes the origin’s account and provider, and names the fallback route that sent it and why (only then)', async () => {
    const pushesOf = async (answers: Answer[]) => {
      const pushes: StatusChange[] = [];
      await run(answers, 1, (deps) => {
        deps.notifier = { notify: async (change) => void pushes.push(change) };
      });
      return pushes.map(({ account, provider, status, route }) => ({ account, provider, status, ...(route ? { route } : {}) }));
    };
    // With the trigger that moved it there.
    expect(await pushesOf(['pause_account', 'accepted'])).toEqual([
      { account: 'o', provider: 'kaleyra', status: 'accepted', route: { account: 'f1', provider: 'livetok', trigger: 'pause_sender' } },
    ]);
    expect(await pushesOf(['sender_permanent', 'recipient_permanent'])).toEqual([
      { account: 'o', provider: 'kaleyra', status: 'failed', route: { account: 'f1', provider: 'livetok', trigger: 'sender_refused' } },
    ]);
    expect(await pushesOf(['pause_account', 'unknown'])).toEqual([
      { account: 'o', provider: 'kaleyra', status: 'unknown', route: { account: 'f1', provider: 'livetok', trigger: 'pause_sender' } },
    ]);
    // Sent by the origin: no route named.
    expect(await pushesOf(['accepted'])).toEqual([{ account: 'o', provider: 'kaleyra', status: 'accepted' }]);
    expect(await pushesOf(['recipient_permanent'])).toEqual([{ account: 'o', provider: 'kaleyra', status: 'failed' }]);
  });

  it('counts each failover as the EMF metric `failover` on its WARN line, by the refused route’s provider and the trigger', async () => {
    const log = memoryLog();
    await run(['pause_account', 'sender_permanent', 'accepted'], 1, (deps) => {
      deps.log = log;
    });
    const lines = log.entries.filter((entry) => entry.message === 'failed over');
    expect(lines).toHaveLength(2);
    const [first, second] = lines as [LogEntry, LogEntry];
    expect(first).toMatchObject({ level: 'warn', provider: 'kaleyra', reason: 'pause_sender', failover: 1, from: 'o', to: 'f1' });
    expect(second).toMatchObject({ level: 'warn', provider: 'livetok', reason: 'sender_refused', failover: 1, from: 'f1', to: 'f2' });
    for (const line of lines) {
      expect(line._aws).toEqual({
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          { Namespace: METRIC_NAMESPACE, Dimensions: [['provider', 'reason']], Metrics: [{ Name: 'failover', Unit: 'Count' }] },
        ],
      });
      // The line never carries the recipient's number in full.
      expect(JSON.stringify(line)).not.toContain(PHONE);
    }
    // No failover, no metric.
    const quiet = memoryLog();
    await run(['unavailable', 'accepted'], 1, (deps) => {
      deps.log = quiet;
    });
    expect(quiet.entries.filter((entry) => 'failover' in entry)).toEqual([]);
  });

  it('refuses a claim on the old route after a switch: two deliveries racing it make one send in all', async () => {
    // Both deliveries read the message waiting on the origin; the second claims only once the first
    // has been refused and switched the route. Its claim on the origin must fail (no second call there).
    let switched!: () => void;
    const afterSwitch = new Promise<void>((resolve) => {
      switched = resolve;
    });
    const { calls, deps, id } = await run(['pause_account', 'accepted'], 2, (deps) => {
      const claims = deps.claims;
      let claimsMade = 0;
      deps.claims = {
        ...claims,
        claim: async (...args) => {
          if (claimsMade++ === 1) await afterSwitch;
          return claims.claim(...args);
        },
        switchRoute: async (...args) => {
          const done = await claims.switchRoute(...args);
          switched();
          return done;
        },
        unclaim: claims.unclaim.bind(claims),
        release: claims.release.bind(claims),
        markUnknown: claims.markUnknown.bind(claims),
        claimOf: claims.claimOf.bind(claims),
      };
    });
    expect(calls).toEqual([
      { route: 0, answer: 'pause_account' },
      { route: 1, answer: 'accepted' },
    ]);
    expect(await deps.messages.get(id)).toMatchObject({ status: 'accepted', route: { index: 1 } });
  });
});
