import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { acceptMessages } from '../src/api/accept.ts';
import { AccountConfig } from '../src/config/accounts.ts';
import { PipelineConfig, PipelineSecrets } from '../src/config/pipeline.ts';
import { requeueDeps } from '../src/functions/requeue.ts';
import { createApiDeps, type RuntimeEnvironment } from '../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../src/functions/sender.ts';
import { DEFAULT_ARRIVAL_JITTER_MS, pacingFor } from '../src/pacing/budget.ts';
import { requestSchemas } from '../src/messages/request-schemas.ts';
import { adapterFor } from '../src/providers/index.ts';
import { spacingOf, utilisationOf } from '../src/pacing/slots.ts';
import { silentLog } from '../src/runtime/log.ts';
import { requeueDue } from '../src/scheduler/requeue.ts';
import { memoryStorage } from '../src/store/memory/index.ts';
import { SENDER_DEFAULTS } from '../infra/components/pipeline.ts';
import { FIXTURES } from '../test/support/providers.ts';
import { testConfig, testSecrets } from '../test/support/local-aws.ts';
import { providerStub } from './support/provider-stub.ts';
import { SqsFake } from './support/sqs-fake.ts';
import { virtualConsumer, type VirtualConsumer } from './support/virtual-consumer.ts';
import { seeded, VirtualClock } from './support/virtual-clock.ts';
import { cpuMs } from './support/cpu-time.ts';

export interface WindowsCase {
  /** `second` and `hour` are the bench's (WINDOWS_CASES); a test may run others. */
  name: string;
  provider: 'livechat' | 'livetok';
  /** The account as configured: the project's run paces it by its `limits`, or by the provider's documented ones. */
  account: Record<string, unknown>;
  /** What the provider enforces: L per fixed window of W. */
  limit: number;
  windowMs: number;
  /** Virtual time the pollers take batches for. */
  durationMs: number;
  /** The pollers (the event source mapping's maximum concurrency). */
  concurrency: number;
  /** Messages kept accepted and not yet sent. */
  backlog: number;
}

const SECOND = 1000;
const HOUR = 3_600_000;

export const WINDOWS_CASES = {
  // 80/s, an invocation holding its 10 messages ~2–3 s (their slots up to 1 s ahead, then the slowest answer):
  // 20 pollers leave slots unused, 30 do not; the backlog covers what they hold and a second of sends.
  second: {
    name: 'second',
    provider: 'livechat',
    account: { ...FIXTURES.livechat.account },
    limit: 80,
    windowMs: SECOND,
    durationMs: 120 * SECOND,
    concurrency: 30,
    backlog: 400,
  },
  // One send every 3.6 s: two pollers (Lambda's minimum) are plenty; the backlog is their two batches (every
  // message out of reach goes back on the queue and comes back before its slot: a larger backlog only churns more).
  hour: {
    name: 'hour',
    provider: 'livetok',
    account: { ...FIXTURES.livetok.account, plan: 'free' },
    limit: 1000,
    windowMs: HOUR,
    durationMs: 4 * HOUR,
    concurrency: 2,
    backlog: 2 * 10,
  },
} satisfies Record<'second' | 'hour', WindowsCase>;

export interface WindowsRun {
  case: string;
  /** The provider's limit: L per W. */
  limit: number;
  windowMs: number;
  naive: boolean;
  seed: number;
  /** Where the provider's windows start, ms into each window (drawn from the seed). */
  offsetMs: number;
  /** Accepted sends in the whole windows, the windows, and their share of L × windows. */
  acceptedInWindows: number;
  wholeWindows: number;
  utilisationPct: number;
  /** The fullest and emptiest whole window. */
  maxWindow: number;
  minWindow: number;
  count429: number;
  /** The most requests in any span of W (sliding): the any-window guarantee says ≤ L. */
  maxAnyWindow: number;
  /** Calls (every request made) and accepted sends over the run. */
  calls: number;
  accepted: number;
  /** Calls the sender's deadline cut off (expected 0: the latency's tail is far below it). */
  aborted: number;
  /** The pacer's interval T (ms) and the expected utilisation L_eff / L = W / (L·T). */
  intervalMs: number;
  expectedPct: number;
  /** Over the whole windows: time between consecutive calls beyond T (slots nobody took at once), as a share of the windows' time. */
  idlePct: number;
  /** The longest of those gaps, ms. */
  maxIdleMs: number;
  invocations: number;
  /** SendMessageBatch requests the sender made (messages put back on the queue with a delay). */
  requeueRequests: number;
  virtualEvents: number;
  cpuMs: number;
}

const START = Date.parse('2026-01-05T00:00:00.000Z');
const VISIBILITY_S = 6 * SENDER_DEFAULTS.timeoutSeconds + SENDER_DEFAULTS.maximumBatchingWindowSeconds;
/** These pollers take one receive's worth (SQS's 10) and gather no larger batch: the pacing, not the batching, is measured here. */
const BATCH = 10;
const SWEEP_EVERY_MS = 60_000;
const FEED_EVERY_MS = 1000;

/** One run of a case: the sender, virtual time, the provider's windows at the seed's offset. */
export async function runWindows(options: {
  case: WindowsCase;
  naive: boolean;
  seed: number;
  /** Default the case's. */
  durationMs?: number;
  /** The providers' latency; default p50 300 ms, p99 1.5 s. */
  latency?: { p50Ms: number; p99Ms: number };
}): Promise<WindowsRun> {
  const c = options.case;
  const durationMs = options.durationMs ?? c.durationMs;
  const draw = seeded(options.seed);
  const offsetMs = Math.floor(draw() * c.windowMs);
  const stubRandom = seeded(options.seed * 7919 + 1);
  const senderRandom = seeded(options.seed * 104_729 + 2);
  const clock = new VirtualClock(START);
  const delta = DEFAULT_ARRIVAL_JITTER_MS;

  // Naive: a limit far above the provider's, so the sender meets its 429s and their Retry-After.
  const project = AccountConfig.parse({ ...c.account, baseUrl: 'http://127.0.0.1:9' });
  const account = options.naive ? AccountConfig.parse({ ...c.account, baseUrl: project.baseUrl, limits: { perSecond: 100_000 } }) : project;
  const base = testConfig();
  const config = PipelineConfig.parse({ ...base, accounts: [account], apiKeys: base.apiKeys.filter((key) => key.accounts === '*') });
  const secrets = PipelineSecrets.parse({ ...testSecrets(), credentials: { [account.id]: FIXTURES[c.provider].credential } });
  const sqs = new SqsFake({ now: clock.now });
  const deadLetterUrl = sqs.createQueue('windows-dlq');
  const queueUrl = sqs.createQueue('windows', {
    visibilityTimeoutS: VISIBILITY_S,
    deadLetter: { queueUrl: deadLetterUrl, maxReceiveCount: 5 },
  });
  const queueArn = 'arn:aws:sqs:us-east-1:000000000000:windows';
  const env: RuntimeEnvironment = {
    config,
    secrets,
    storage: memoryStorage(),
    queueUrl,
    sqs: sqs.client,
    now: () => new Date(clock.now()),
    claimExpiryMs: (SENDER_DEFAULTS.timeoutSeconds + 30) * 1000,
  };
  const latency = options.latency ?? { p50Ms: 300, p99Ms: 1500 };
  const stub = providerStub({
    limit: c.limit,
    windowMs: c.windowMs,
    ...latency,
    random: stubRandom,
    now: clock.now,
    sleep: clock.sleep,
    transitMs: () => stubRandom() * (2 * delta - 1),
    offsetMs: () => offsetMs,
  });

  // Wake the idle pollers when something is put on the queue (a long poll returns when a message
  // comes); count the sender's own SendMessageBatch requests (messages put back with a delay).
  let consumer: VirtualConsumer | undefined;
  const wakeAll = () => consumer?.wakeAll();
  let requeueRequests = 0;
  const waking = (count: boolean) =>
    ({
      send: async (command: unknown) => {
        const batch = command instanceof SendMessageBatchCommand;
        if (batch && count) requeueRequests += 1;
        const answer = await sqs.send(command);
        if (batch) wakeAll();
        return answer;
      },
    }) as unknown as SQSClient;
  const senderEnv: RuntimeEnvironment = { ...env, sqs: waking(true) };
  const otherEnv: RuntimeEnvironment = { ...env, sqs: waking(false) };

  const api = createApiDeps(otherEnv, { log: silentLog });
  const content = FIXTURES[c.provider].content;
  let acceptedMessages = 0;
  const accept = async (count: number) => {
    for (let i = 0; i < count; i += 100) {
      const messages = Array.from({ length: Math.min(100, count - i) }, () => {
        const recipient = `+1415${String(6_000_000 + acceptedMessages++).padStart(7, '0')}`;
        return { provider: c.provider, account: account.id, recipient, content };
      });
      const answer = await acceptMessages({ principal: { keyId: 'bench', accounts: '*' }, body: { messages } }, api);
      if (answer.statusCode !== 202) throw new Error(`accept answered ${answer.statusCode}: ${answer.body.slice(0, 500)}`);
    }
  };
  const sent = () => stub.sends.filter((s) => s.status >= 200 && s.status < 300).length;

  const handler = senderHandler(() =>
    createSenderDeps(senderEnv, { log: silentLog, fetch: stub.fetch, sleep: clock.sleep, random: senderRandom }),
  );
  const endAt = START + durationMs;
  let stopped = false;
  let invocations = 0;

  consumer = virtualConsumer({
    sqs,
    clock,
    queueUrl,
    queueArn,
    batchSize: BATCH,
    visibilityTimeoutS: VISIBILITY_S,
    timeoutS: SENDER_DEFAULTS.timeoutSeconds,
    handler,
    onInvocation: () => {
      invocations += 1;
    },
  });
  const poller = consumer.poll;
  const feeder = async () => {
    while (!stopped) {
      const outstanding = acceptedMessages - sent();
      if (outstanding < c.backlog) await accept(c.backlog - outstanding);
      await clock.sleep(FEED_EVERY_MS);
    }
  };
  const sweepDeps = requeueDeps(otherEnv);
  const sweeper = async () => {
    while (!stopped) {
      await clock.sleep(SWEEP_EVERY_MS);
      await requeueDue(sweepDeps);
    }
  };

  // The adapter's module loads on its first send (src/providers/lazy-adapter.ts): a dynamic import
  // reads files, real work the virtual clock would not wait for. Loaded here, before time starts.
  await adapterFor(account).send({ messageId: 'warm-up', recipient: '+14155550100', content } as never, account, {
    credential: '',
    fetch: async () => {
      throw new TypeError('warm-up: no call');
    },
  });
  // Likewise the request's schemas, which the sender and the sweeper load on the first queue body they read.
  await requestSchemas();

  const started = cpuMs();
  const loops = [feeder(), sweeper(), ...Array.from({ length: c.concurrency }, poller)];
  let finished = false;
  let failure: unknown;
  void Promise.all(loops).then(
    () => {
      finished = true;
    },
    (error: unknown) => {
      failure = error;
      finished = true;
    },
  );
  void clock.sleep(durationMs).then(() => {
    stopped = true;
    consumer?.stop();
    wakeAll();
  });
  await clock.run({ stop: () => finished });
  if (failure) throw failure;
  const spentMs = cpuMs() - started;

  // The provider's whole windows between the first accepted send and the run's end.
  const ok = stub.sends.filter((s) => s.status >= 200 && s.status < 300);
  const firstAt = Math.min(...ok.map((s) => s.at));
  const first = Math.ceil((firstAt - offsetMs) / c.windowMs);
  const last = Math.floor((endAt - offsetMs) / c.windowMs); // the window starting here is not whole
  const counts = new Map<number, number>();
  for (const s of ok) {
    const index = Math.floor((s.at - offsetMs) / c.windowMs);
    if (index >= first && index < last) counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  const wholeWindows = Math.max(0, last - first);
  const perWindow = Array.from({ length: wholeWindows }, (_, k) => counts.get(first + k) ?? 0);
  const acceptedInWindows = perWindow.reduce((a, b) => a + b, 0);

  // Any span of W: every request the provider saw, accepted or not.
  const arrivals = stub.sends.map((s) => s.at).sort((a, b) => a - b);
  let maxAnyWindow = 0;
  for (let from = 0, to = 0; to < arrivals.length; to++) {
    while (arrivals[to]! - arrivals[from]! >= c.windowMs) from += 1;
    maxAnyWindow = Math.max(maxAnyWindow, to - from + 1);
  }

  // The slots' idle time inside the whole windows: gaps between consecutive calls beyond T.
  const budget = pacingFor(project).account;
  const window = budget.windows.find((w) => w.windowMs === c.windowMs) ?? { limit: c.limit, windowMs: c.windowMs };
  const intervalMs = spacingOf(window, budget).intervalUs / 1000;
  const windowsFrom = first * c.windowMs + offsetMs;
  const windowsTo = last * c.windowMs + offsetMs;
  const calls = stub.sends.map((s) => s.calledAt).sort((a, b) => a - b);
  let idleMs = 0;
  let maxIdleMs = 0;
  for (let i = 1; i < calls.length; i++) {
    const from = Math.max(calls[i - 1]!, windowsFrom);
    const to = Math.min(calls[i]!, windowsTo);
    if (to <= from) continue;
    // Beyond T and the clock's resolution: the sender reads time in whole ms (Date), so a call starts up to 1 ms after its slot.
    const gap = calls[i]! - calls[i - 1]! - intervalMs - 1;
    if (gap > 0) {
      idleMs += Math.min(gap, to - from);
      maxIdleMs = Math.max(maxIdleMs, gap);
    }
  }

  return {
    case: c.name,
    limit: c.limit,
    windowMs: c.windowMs,
    naive: options.naive,
    seed: options.seed,
    offsetMs,
    acceptedInWindows,
    wholeWindows,
    utilisationPct: wholeWindows > 0 ? (acceptedInWindows / (c.limit * wholeWindows)) * 100 : Number.NaN,
    maxWindow: Math.max(...perWindow),
    minWindow: Math.min(...perWindow),
    count429: stub.sends.filter((s) => s.status === 429).length,
    maxAnyWindow,
    calls: stub.sends.length,
    accepted: ok.length,
    aborted: stub.sends.filter((s) => s.status === 0).length,
    intervalMs,
    expectedPct: utilisationOf(window, budget) * 100,
    idlePct: wholeWindows > 0 ? (idleMs / (windowsTo - windowsFrom)) * 100 : Number.NaN,
    maxIdleMs,
    invocations,
    requeueRequests,
    virtualEvents: clock.fired,
    cpuMs: spentMs,
  };
}

/** The seeds each case runs with (one provider offset each); the worst is reported. */
export const WINDOWS_SEEDS: Record<keyof typeof WINDOWS_CASES, number[]> = { second: [1, 2, 3, 4, 5], hour: [1, 2, 3] };

export interface WindowsResult {
  runs: WindowsRun[];
  cpuMs: number;
}

/** Every case at every seed, for the project's pacer or naive. */
export async function measureWindows(options: { naive: boolean; log?: (line: string) => void }): Promise<WindowsResult> {
  const runs: WindowsRun[] = [];
  const started = cpuMs();
  for (const name of ['second', 'hour'] as const) {
    const c = WINDOWS_CASES[name];
    for (const seed of WINDOWS_SEEDS[name]) {
      const run = await runWindows({ case: c, naive: options.naive, seed });
      options.log?.(describeRun(run));
      runs.push(run);
    }
  }
  return { runs, cpuMs: cpuMs() - started };
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

export function describeRun(r: WindowsRun): string {
  // The naive sender's slots are not the provider's limit: no expected figure, no idle slots.
  const pacer = r.naive
    ? ''
    : ` (expected ${fixed(r.expectedPct, 3)}%, slots idle ${fixed(r.idlePct, 3)}%, the longest ${fixed(r.maxIdleMs, 1)} ms)`;
  return (
    `${r.naive ? 'naive' : 'project'} per-${r.case} seed ${r.seed} offset ${r.offsetMs} ms: ` +
    `${fixed(r.utilisationPct, 3)}% of ${r.limit} × ${r.wholeWindows} windows${pacer}, windows ${r.minWindow}–${r.maxWindow}, ` +
    `${r.count429} × 429, any ${r.windowMs / 1000} s span ≤ ${r.maxAnyWindow}, ${r.calls} calls, ${r.aborted} aborted, ` +
    `${r.invocations} invocations, ${r.requeueRequests} requeues, ${r.virtualEvents} events, ${fixed(r.cpuMs / 1000, 1)} s CPU`
  );
}

/** The figures bench/run.ts reports: each case's worst offset. */
export function windowsMetrics(result: WindowsResult): Record<string, number> {
  const of = (name: string) => result.runs.filter((r) => r.case === name);
  const worst = (name: string) => Math.min(...of(name).map((r) => r.utilisationPct));
  const most = (name: string) => Math.max(...of(name).map((r) => r.maxAnyWindow));
  return {
    pacing_windows_second_utilisation_pct: worst('second'),
    pacing_windows_hour_utilisation_pct: worst('hour'),
    pacing_windows_429_count: result.runs.reduce((sum, r) => sum + r.count429, 0),
    pacing_windows_second_max_any_window: most('second'),
    pacing_windows_hour_max_any_window: most('hour'),
  };
}
