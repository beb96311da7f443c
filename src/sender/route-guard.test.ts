/**
 * The breaker and the failover switch through the real sender (sendQueuedMessage): scripted
 * adapters (no HTTP), the in-memory repositories, a queue kept in a list and a virtual clock — no
 * sleeps. The origin `o` (Kaleyra) falls back to `f1` (LiveTok); `solo` (LiveTok) has no fallbacks.
 */
import { describe, expect, it } from 'vitest';
import { PipelineConfig } from '../config/pipeline.ts';
import { createSenderDeps } from '../functions/sender.ts';
import { newMessageId, type QueueMessage } from '../messages/queue-message.ts';
import { SendRequest } from '../messages/send-request.ts';
import type { ProviderAdapter, SendResult } from '../providers/adapter.ts';
import type { StatusChange } from '../push/push.ts';
import { memoryLog } from '../runtime/log.ts';
import { METRIC_NAMESPACE } from '../runtime/metrics.ts';
import { ACCOUNT_SCOPE } from '../store/model.ts';
import { memoryStorage } from '../store/memory/index.ts';
import { newBatchContext, sendQueuedMessage } from './sender.ts';
import { type Answer, listQueue, livetok, origin, resultOf, SECRETS, T0 } from '../../test/support/failover-world.ts';

const CONFIG = PipelineConfig.parse({
  accounts: [origin(['f1']), livetok('f1'), livetok('solo')],
  apiKeys: [{ id: 'k', sha256: 'a'.repeat(64), accounts: '*' }],
});

/** A sender over a virtual clock; each account answers as `answers[account]` says (by default: accepted). */
function world() {
  let clock = T0;
  const storage = memoryStorage();
  const queued: Array<{ body: string; at: number }> = [];
  const log = memoryLog();
  const deps = createSenderDeps(
    {
      config: CONFIG,
      secrets: SECRETS,
      storage,
      queueUrl: 'q',
      sqs: undefined as never,
      now: () => new Date(clock),
    },
    {
      log,
      pauseRecheckMs: 60_000,
      claimExpiryMs: 60_000,
      callTimeoutMs: 10_000,
      sleep: async (ms) => void (clock += Math.ceil(ms)),
      random: () => 0.5,
    },
  );
  deps.queue = listQueue(queued, () => clock);
  const answers: Record<string, Answer[]> = { o: [], f1: [], solo: [] };
  const calls: Array<{ account: string; id: string; answer: Answer }> = [];
  /** Held back until released: a call whose answer a test decides later. */
  const real = deps.adapterFor;
  deps.adapterFor = (account) => {
    const adapter = real(account);
    return {
      provider: adapter.provider,
      capabilities: { ...adapter.capabilities, lookup: false },
      check: () => [],
      send: async (message) => {
        const answer = answers[account.id]!.shift() ?? 'accepted';
        calls.push({ account: account.id, id: message.messageId, answer });
        return resultOf(answer, account.provider);
      },
    } satisfies ProviderAdapter;
  };
  const bodyOf = (account: 'o' | 'solo') => {
    const id = newMessageId(clock);
    const request = SendRequest.parse({
      provider: account === 'o' ? 'kaleyra' : 'livetok',
      account,
      recipient: `+9198123${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`,
      content:
        account === 'o'
          ? { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] }
          : { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
    });
    return { id, body: JSON.stringify({ v: 1, id, acceptedAt: new Date(clock).toISOString(), request } satisfies QueueMessage) };
  };
  return {
    deps,
    storage,
    log,
    answers,
    calls,
    queued,
    now: () => clock,
    advance: (ms: number) => void (clock += ms),
    /** Sends new messages side by side (as many invocations would); their ids. */
    async send(count: number, account: 'o' | 'solo' = 'o'): Promise<string[]> {
      const made = Array.from({ length: count }, () => bodyOf(account));
      await Promise.all(made.map(({ body }) => sendQueuedMessage(body, deps, newBatchContext())));
      return made.map(({ id }) => id);
    },
    /** Delivers the queue's copies that are due within `ms` (the clock moves to each), one at a time. */
    async drain(ms: number): Promise<void> {
      const end = clock + ms;
      for (let steps = 0; steps < 500; steps++) {
        queued.sort((a, b) => a.at - b.at);
        const next = queued[0];
        if (!next || next.at > end) break;
        queued.shift();
        clock = Math.max(clock, next.at);
        await sendQueuedMessage(next.body, deps, newBatchContext());
      }
      clock = Math.max(clock, end);
    },
    breaker: async (account = 'o') => (await storage.routeHealth.get(account)).breaker,
    callsOn: (account: string) => calls.filter((call) => call.account === account),
  };
}

/** Opens `o`'s breaker: five messages, each refused with a 503. */
async function opened() {
  const w = world();
  w.answers.o!.push(...Array<Answer>(5).fill('unavailable'));
  await w.send(5);
  return w;
}

describe('the breaker, through the sender', () => {
  it('opens after 5 consecutive proven refusals of the sender; the refusal that opens it moves its message on at once', async () => {
    const w = world();
    w.answers.o!.push('unavailable', 'unavailable', 'sender_permanent', 'unavailable');
    await w.send(4);
    expect(await w.breaker()).toEqual({ state: 'closed', refusals: 4 });
    w.answers.o!.push('unavailable');
    const [fifth] = await w.send(1);
    expect(await w.breaker()).toMatchObject({
      state: 'open',
      refusals: 5,
      until: new Date(w.now() + 60_000).toISOString(),
      coolDownMs: 60_000,
    });
    // The fifth message was refused and the breaker opened: it left for f1 at once, the trigger kept.
    expect(await w.storage.messages.get(fifth!)).toMatchObject({
      status: 'queued',
      route: { index: 1, account: 'f1' },
      routes: [{ index: 0, account: 'o', outcome: 'refused', trigger: 'breaker', error: { class: 'backoff', status: 503 } }],
    });
    const lines = w.log.entries.filter((entry) => entry.message === 'breaker opened');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', provider: 'kaleyra', routeAccount: 'o', breaker_open: 1, refusals: 5 });
    expect(lines[0]!._aws).toEqual({
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [['provider']], Metrics: [{ Name: 'breaker_open', Unit: 'Count' }] }],
    });
    const failovers = w.log.entries.filter((entry) => entry.message === 'failed over');
    expect(failovers.map((line) => line.reason)).toEqual(['sender_refused', 'breaker']);
  });

  it('an accepted send in between starts the count again', async () => {
    const w = world();
    w.answers.o!.push('unavailable', 'unavailable', 'unavailable', 'unavailable', 'accepted', 'unavailable');
    for (let i = 0; i < 6; i++) await w.send(1);
    expect(await w.breaker()).toEqual({ state: 'closed', refusals: 1 });
  });

  it('while open, sends a message with a next route straight to it: no call on the origin, trigger `breaker` in its history', async () => {
    const w = await opened();
    const pushes: StatusChange[] = [];
    w.deps.notifier = { notify: async (change) => void pushes.push(change) };
    const before = w.callsOn('o').length;
    w.advance(30_000);
    const ids = await w.send(3);
    await w.drain(10_000);
    expect(w.callsOn('o')).toHaveLength(before);
    for (const id of ids) {
      expect(await w.storage.messages.get(id)).toMatchObject({
        status: 'accepted',
        route: { index: 1, account: 'f1' },
        routes: [{ index: 0, account: 'o', outcome: 'blocked', trigger: 'breaker', error: { class: 'breaker' } }],
      });
    }
    expect(w.callsOn('f1').filter((call) => ids.includes(call.id))).toHaveLength(3);
    // The push names the route that sent it, and the trigger.
    for (const id of ids)
      expect(pushes.find((push) => push.id === id)).toMatchObject({
        account: 'o',
        status: 'accepted',
        route: { account: 'f1', provider: 'livetok', trigger: 'breaker' },
      });
    // The four messages that were waiting on the origin's back-off came back and went straight on, too.
    await w.drain(60_000);
    expect(w.callsOn('o')).toHaveLength(before);
    expect(w.callsOn('f1')).toHaveLength(8);
  });

  it('leaves a message without a next route alone while open: it is sent on its account as before', async () => {
    const w = world();
    // `solo` has no fallbacks: its refusals are never counted, nothing is read or written for it.
    w.answers.solo!.push(...Array<Answer>(6).fill('unavailable'));
    for (let i = 0; i < 6; i++) {
      await w.send(1, 'solo');
      w.advance(1000);
    }
    expect(await w.storage.routeHealth.get('solo')).toEqual({ version: 0 });
    expect(w.callsOn('solo')).toHaveLength(6);
  });

  it('after the cool-down, two workers racing: one probe call on the origin, the other goes to the fallback', async () => {
    const w = await opened();
    w.advance(60_000);
    const origin = w.callsOn('o').length;
    // Both workers read the open breaker before either writes: both find the cool-down over and try to take the probe.
    const health = w.deps.routeHealth;
    let reads = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const writes: boolean[] = [];
    w.deps.routeHealth = {
      get: async (account) => {
        const read = await health.get(account);
        if (++reads === 2) bothRead();
        await barrier;
        return read;
      },
      writeBreaker: async (...args) => {
        const written = await health.writeBreaker(...args);
        writes.push(written);
        return written;
      },
      setSwitch: (...args) => health.setSwitch(...args),
    };
    const [a, b] = await w.send(2);
    // One took the probe; the other's write was refused (the version had moved), it read again and skipped.
    expect(writes.slice(0, 2).sort()).toEqual([false, true]);
    expect(w.callsOn('o')).toHaveLength(origin + 1);
    const records = [await w.storage.messages.get(a!), await w.storage.messages.get(b!)];
    expect(records.filter((r) => r?.route === undefined && r?.status === 'accepted')).toHaveLength(1);
    expect(records.filter((r) => r?.route?.account === 'f1')).toHaveLength(1);
    // The probe was accepted: closed, and logged and counted.
    expect(await w.breaker()).toEqual({ state: 'closed', refusals: 0 });
    expect(w.log.entries.filter((e) => e.message === 'breaker closed')).toMatchObject([
      { provider: 'kaleyra', probe: true, breaker_close: 1 },
    ]);
  });

  it('holds the probe while its call is under way: others keep failing over until its answer', async () => {
    const w = await opened();
    w.advance(60_000);
    const origin = w.callsOn('o').length;
    // The probe's call waits; meanwhile another message reaches the account.
    let answer: ((result: SendResult) => void) | undefined;
    let calling!: () => void;
    const called = new Promise<void>((resolve) => {
      calling = resolve;
    });
    const realAdapter = w.deps.adapterFor;
    w.deps.adapterFor = (account) => {
      const adapter = realAdapter(account);
      if (account.id !== 'o') return adapter;
      return {
        ...adapter,
        send: () =>
          new Promise<SendResult>((resolve) => {
            answer = resolve;
            calling();
          }),
      };
    };
    const probe = w.send(1);
    await called;
    expect(await w.breaker()).toMatchObject({ state: 'half_open' });
    const [during] = await w.send(1);
    expect(await w.storage.messages.get(during!)).toMatchObject({ route: { account: 'f1' }, routes: [{ trigger: 'breaker' }] });
    answer!({ outcome: 'accepted', status: 'accepted', providerMessageId: 'p' });
    await probe;
    expect(w.callsOn('o')).toHaveLength(origin);
    expect(await w.breaker()).toEqual({ state: 'closed', refusals: 0 });
  });

  it('closes on the probe’s acceptance: new messages use the origin again, messages already moved stay on their route', async () => {
    const w = await opened();
    const [moved] = await w.send(1);
    w.advance(60_000);
    await w.send(1); // the probe, accepted
    const f1Before = w.callsOn('f1').length;
    const later = await w.send(3);
    expect(w.callsOn('o').filter((call) => later.includes(call.id))).toHaveLength(3);
    expect(w.callsOn('f1')).toHaveLength(f1Before);
    await w.drain(10_000);
    expect(await w.storage.messages.get(moved!)).toMatchObject({ status: 'accepted', route: { account: 'f1' } });
  });

  it('reopens with the cool-down doubled when the probe is refused, and the probe’s message moves on', async () => {
    const w = await opened();
    w.advance(60_000);
    w.answers.o!.push('unavailable');
    const [probe] = await w.send(1);
    const reopened = await w.breaker();
    expect(reopened).toMatchObject({ state: 'open', coolDownMs: 120_000, until: new Date(w.now() + 120_000).toISOString() });
    expect(reopened?.probe).toBeUndefined();
    expect(await w.storage.messages.get(probe!)).toMatchObject({ route: { account: 'f1' }, routes: [{ trigger: 'breaker' }] });
    expect(w.log.entries.filter((e) => e.message === 'breaker opened').map((e) => e.reopened)).toEqual([false, true]);
    // Still open after the first cool-down's length: no call on the origin.
    w.advance(60_000);
    const origin = w.callsOn('o').length;
    await w.send(1);
    expect(w.callsOn('o')).toHaveLength(origin);
    w.advance(60_000);
    await w.send(1);
    expect(w.callsOn('o')).toHaveLength(origin + 1);
  });

  it('lets a later message probe once the lease of a probe whose outcome was lost has ended', async () => {
    const w = await opened();
    w.advance(60_000);
    w.answers.o!.push('unknown');
    const [lost] = await w.send(1);
    expect(await w.storage.messages.get(lost!)).toMatchObject({ status: 'unknown' });
    expect(await w.breaker()).toMatchObject({ state: 'half_open' });
    const origin = w.callsOn('o').length;
    await w.send(1);
    expect(w.callsOn('o')).toHaveLength(origin);
    // The lease: the call's deadline (10 s) + the inline wait (3 s) + the slot lead + 5 s.
    w.advance(18_100);
    await w.send(1);
    expect(w.callsOn('o')).toHaveLength(origin + 1);
    expect(await w.breaker()).toEqual({ state: 'closed', refusals: 0 });
  });

  it('never probes a paused account: its messages wait out the pause (failoverAfter), and lifting it is the failback', async () => {
    const w = await opened();
    await w.storage.pauses.set('o', ACCOUNT_SCOPE, { reason: 'credential revoked', since: new Date(w.now()).toISOString() });
    w.advance(10 * 60_000);
    const origin = w.callsOn('o').length;
    const [id] = await w.send(1);
    expect(w.callsOn('o')).toHaveLength(origin);
    // Not a probe: the breaker stays as it was; the message leaves by the pause's own rule (blocked, failoverAfter).
    expect(await w.breaker()).toMatchObject({ state: 'open' });
    expect(await w.storage.messages.get(id!)).toMatchObject({ status: 'queued' });
    await w.drain(5 * 60_000);
    expect(w.callsOn('o')).toHaveLength(origin);
    expect(await w.storage.messages.get(id!)).toMatchObject({ route: { account: 'f1' }, routes: [{ trigger: 'blocked' }] });
  });
});

describe('the failover switch, through the sender', () => {
  it('off: a refusal of the sender leaves the message on its route, the breaker counts nothing; on again: it fails over', async () => {
    const w = world();
    await w.storage.routeHealth.setSwitch('o', { since: new Date(T0).toISOString(), reason: 'incident 42' });
    w.answers.o!.push('sender_permanent', ...Array<Answer>(6).fill('unavailable'));
    const [failed] = await w.send(1);
    expect(await w.storage.messages.get(failed!)).toMatchObject({ status: 'failed' });
    expect((await w.storage.messages.get(failed!))?.route).toBeUndefined();
    const waiting = await w.send(6);
    expect(w.callsOn('f1')).toHaveLength(0);
    expect(await w.breaker()).toBeUndefined();
    for (const id of waiting) expect((await w.storage.messages.get(id))?.status).toBe('queued');
    // Waiting longer than failoverAfter does not move them either.
    w.answers.o!.push(...Array<Answer>(40).fill('unavailable'));
    await w.drain(6 * 60_000);
    expect(w.callsOn('f1')).toHaveLength(0);

    await w.storage.routeHealth.setSwitch('o', undefined);
    w.answers.o!.push('sender_permanent');
    const [moved] = await w.send(1);
    expect(await w.storage.messages.get(moved!)).toMatchObject({ route: { account: 'f1' } });
  });

  it('off on the origin also keeps an open breaker from moving its messages: they are sent on their route', async () => {
    const w = await opened();
    await w.storage.routeHealth.setSwitch('o', { since: new Date(w.now()).toISOString(), reason: 'B is down too' });
    const origin = w.callsOn('o').length;
    const [id] = await w.send(1);
    expect(w.callsOn('o')).toHaveLength(origin + 1);
    expect(await w.storage.messages.get(id!)).toMatchObject({ status: 'accepted' });
    expect((await w.storage.messages.get(id!))?.route).toBeUndefined();
  });
});
