/**
 * The campaign benchmark (issue #19): a large send over four sender numbers at Meta's 80/s each,
 * against providers that take their time. What it shows: how much of the providers' limit the
 * sender uses (utilisation), that it never oversteps it (429s), sends every message exactly once,
 * and what the sender's time costs per message.
 *
 * - Providers: an in-process `fetch` (bench/support/provider-stub.ts) answering the send endpoints
 *   of LiveChat (two numbers), Gupshup and Kaleyra after a lognormal latency (p50 300 ms, p99
 *   1.5 s), each number limited to 80 per fixed 1 s window aligned at a random offset the pacer
 *   does not know; 429 beyond it.
 * - AWS: in-memory storage (src/store/memory, the same contract as DynamoDB's) and an in-memory
 *   SQS (bench/support/sqs-fake.ts), so no emulator sets the pace.
 * - The real path: the messages are accepted through `acceptMessages` (100 per request), then
 *   drained by the real sender handler through the local event source mapping, with the sender's
 *   deployed settings (infra/components/pipeline.ts `SENDER_DEFAULTS`: batch size, batching
 *   window, maximum concurrency, timeout, memory; the queue's visibility timeout six times the
 *   timeout plus the window, the claim expiry the timeout + 30 s, as deployed). The mapping
 *   gathers batches within the window and ramps up as Lambda's does (five batches at first, then
 *   one more every 200 ms: src/local/event-source-mapping.ts `rampUp`).
 * - Time: real by default (this machine's timers and CPU: on a loaded machine waits end late);
 *   with `virtualSeed`, a virtual clock drives the sender, the stub, the SQS fake and the mapping
 *   (bench/support/virtual-clock.ts): every wait ends when due, CPU takes no time, and each
 *   request reaches the stub 0–2δ after its call — the settings' own figures, on any machine.
 *
 * Utilisation is the rate of accepted sends from the first to the last, over 4 × 80/s. The
 * sender's GB-s per message comes from each handler invocation's wall (or virtual) time measured
 * here, in-process, times the deployed memory — not Lambda's billed duration, which also counts a
 * cold start's init, rounds to the millisecond, and runs on a share of a vCPU (docs/operations.md,
 * "Sizing the sender", for the CPU at 256 MB).
 */
import { acceptMessages } from '../src/api/accept.ts';
import { AccountConfig } from '../src/config/accounts.ts';
import { PipelineConfig, PipelineSecrets } from '../src/config/pipeline.ts';
import { createApiDeps, type RuntimeEnvironment } from '../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../src/functions/sender.ts';
import { startEventSourceMapping } from '../src/local/event-source-mapping.ts';
import { DEFAULT_ARRIVAL_JITTER_MS } from '../src/pacing/budget.ts';
import { silentLog } from '../src/runtime/log.ts';
import { memoryStorage } from '../src/store/memory/index.ts';
import { SENDER_DEFAULTS } from '../infra/components/pipeline.ts';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { FIXTURES } from '../test/support/providers.ts';
import { testConfig, testSecrets } from '../test/support/local-aws.ts';
import { percentile, providerStub } from './support/provider-stub.ts';
import { SqsFake } from './support/sqs-fake.ts';
import { seeded, VirtualClock } from './support/virtual-clock.ts';
import { adapterFor } from '../src/providers/index.ts';

/** A real timer that can be called off. */
function timerOf(ms: number): { done: Promise<void>; cancel(): void } {
  let handle: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(handle) };
}

export interface SenderSettings {
  batchSize: number;
  /** Seconds the event source mapping gathers a batch (0: none; at least 1 for a batch over 10). */
  maximumBatchingWindowSeconds: number;
  maximumConcurrency: number;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface CampaignResult {
  messages: number;
  settings: SenderSettings;
  utilisationPct: number;
  achievedPerS: number;
  count429: number;
  sentTwice: number;
  unsent: number;
  senderGbSecondsPerMessage: number;
  invocations: number;
  invocationMsP50: number;
  invocationMsP99: number;
  /** SendMessageBatch requests the sender made (messages put back with a delay: their slot was too far ahead). */
  requeueRequests: number;
  /** When those were made: how many in each second from the first accepted send. */
  requeuesPerSecond: number[];
  latencyMsP50: number;
  latencyMsP99: number;
  seconds: number;
  /** The run ended at its time limit with messages still queued. */
  timedOut: boolean;
  /**
   * The sender's waits (its `sleep`: for a claim's turn, for a slot) that ended more than δ (10 ms)
   * late (δ: the accounts' default `arrivalJitterMs`): a send that leaves late may share the provider's window with the next slots' sends.
   * On a loaded machine, timers fire late.
   */
  lateWakeUps: number;
  /**
   * The most requests that reached one number in any 1 s span (sliding, not the provider's fixed
   * windows). Over 80, some send arrived more than δ off its slot (the pacing's guarantee holds for
   * any alignment only within ±δ); whether the provider then answers 429 depends on its alignment.
   */
  maxPerSlidingSecond: number;
  /** Accepted sends in each second from the first (where a run loses its rate: the start, the tail). */
  sendsPerSecond: number[];
  /**
   * The process's CPU (user + system) while draining, per message: the sender's, with the stub's,
   * the in-memory SQS's and storage's (an upper bound for the sender; no TLS, no SDK signing).
   */
  cpuMsPerMessage: number;
  /** The most invocations in flight at once. */
  maxInFlight: number;
}

/** Meta's limit per sender number (src/providers/meta-limits.ts), as the stub enforces it. */
const LIMIT_PER_S = 80;

/** The four sender numbers: two LiveChat numbers, one Gupshup, one Kaleyra (their fixtures' accounts). */
const ACCOUNTS = [
  { ...FIXTURES.livechat.account },
  { ...FIXTURES.livechat.account, id: 'acme-livechat-2', numberId: '5678' },
  { ...FIXTURES.gupshup.account },
  { ...FIXTURES.kaleyra.account },
];
const CREDENTIALS: Record<string, string> = {
  'acme-livechat': FIXTURES.livechat.credential,
  'acme-livechat-2': FIXTURES.livechat.credential,
  'acme-gupshup': FIXTURES.gupshup.credential,
  'acme-kaleyra': FIXTURES.kaleyra.credential,
};
const CONTENT: Record<string, unknown> = {
  'acme-livechat': FIXTURES.livechat.content,
  'acme-livechat-2': FIXTURES.livechat.content,
  'acme-gupshup': FIXTURES.gupshup.content,
  'acme-kaleyra': FIXTURES.kaleyra.content,
};

export const DEPLOYED_SENDER: SenderSettings = { ...SENDER_DEFAULTS };

export async function runCampaign(options: {
  messages: number;
  settings?: SenderSettings;
  /** The providers' latency; default p50 300 ms, p99 1.5 s (issue #19's). */
  latency?: { p50Ms: number; p99Ms: number };
  /** Give up after this long draining (the figures then count what was left as unsent). Default 1 h. */
  timeLimitMs?: number;
  /**
   * Run on a virtual clock (bench/support/virtual-clock.ts) with this seed: every wait ends when it
   * is due and the CPU takes no time, so the figures are what the settings give on an idle machine
   * — the same on any machine — and arrivals spread over 0–2δ after the call, as on a network.
   */
  virtualSeed?: number;
  /** The sender's `maxInlineWaitMs` (default its own): how far ahead it reserves slots and waits for them in the invocation. */
  maxInlineWaitMs?: number;
  log?: (line: string) => void;
}): Promise<CampaignResult> {
  const settings = options.settings ?? DEPLOYED_SENDER;
  const log = options.log ?? (() => {});
  const virtual = options.virtualSeed === undefined ? undefined : new VirtualClock(Date.parse('2026-01-05T00:00:00.000Z'));
  const seed = options.virtualSeed ?? 0;
  const now = virtual ? virtual.now : Date.now;
  const elapsed = virtual ? virtual.now : () => performance.now();
  const base = testConfig();
  // Nothing leaves the process (the stub is the sender's fetch); a leak would reach a closed loopback port.
  const config = PipelineConfig.parse({
    ...base,
    accounts: ACCOUNTS.map((account) => AccountConfig.parse({ ...account, baseUrl: 'http://127.0.0.1:9' })),
  });
  const secrets = PipelineSecrets.parse({ ...testSecrets(), credentials: CREDENTIALS });
  const sqs = new SqsFake({ now });
  const deadLetterUrl = sqs.createQueue('campaign-dlq');
  // As deployed (infra/components/paced-queue.ts): six times the timeout, plus the batching window.
  const visibilityTimeoutS = 6 * settings.timeoutSeconds + settings.maximumBatchingWindowSeconds;
  const queueUrl = sqs.createQueue('campaign', {
    visibilityTimeoutS,
    deadLetter: { queueUrl: deadLetterUrl, maxReceiveCount: 5 },
  });
  const env: RuntimeEnvironment = {
    config,
    secrets,
    storage: memoryStorage(),
    queueUrl,
    sqs: sqs.client,
    claimExpiryMs: (settings.timeoutSeconds + 30) * 1000,
    ...(virtual ? { now: () => new Date(virtual.now()) } : {}),
  };
  const stubRandom = virtual ? seeded(seed * 7919 + 1) : Math.random;
  const stub = providerStub({
    limit: LIMIT_PER_S,
    windowMs: 1000,
    ...(options.latency ?? { p50Ms: 300, p99Ms: 1500 }),
    ...(virtual
      ? {
          random: stubRandom,
          now: virtual.now,
          sleep: virtual.sleep,
          transitMs: () => stubRandom() * (2 * DEFAULT_ARRIVAL_JITTER_MS - 1),
        }
      : {}),
  });
  if (virtual) {
    // Each adapter's module loads on its first send: real I/O the virtual clock would not wait for.
    for (const account of config.accounts) {
      await adapterFor(account).send({ messageId: 'warm-up', recipient: '+14155550100', content: CONTENT[account.id] } as never, account, {
        credential: '',
        fetch: async () => {
          throw new TypeError('warm-up: no call');
        },
      });
    }
  }

  // Accept: 100 messages a request, the accounts in turn, one recipient per message.
  const api = createApiDeps(env, { log: silentLog });
  for (let i = 0; i < options.messages; i += 100) {
    const messages = Array.from({ length: Math.min(100, options.messages - i) }, (_, j) => {
      const account = ACCOUNTS[(i + j) % ACCOUNTS.length]!.id;
      const recipient = `+1415${String(6_000_000 + i + j).padStart(7, '0')}`;
      return { provider: ACCOUNTS[(i + j) % ACCOUNTS.length]!.provider, account, recipient, content: CONTENT[account] };
    });
    const answer = await acceptMessages({ principal: { keyId: 'bench', accounts: '*' }, body: { messages } }, api);
    if (answer.statusCode !== 202) throw new Error(`accept answered ${answer.statusCode}: ${answer.body.slice(0, 500)}`);
  }
  const acceptBatches = sqs.requests.SendMessageBatchCommand ?? 0;
  // From here on, a SendMessageBatch is the sender putting a message back (with its delay).
  const requeuedAt: number[] = [];
  const send = sqs.send.bind(sqs);
  sqs.send = (command: unknown) => {
    if (command instanceof SendMessageBatchCommand) requeuedAt.push(now());
    return send(command);
  };
  log(`accepted ${options.messages} messages; draining with ${JSON.stringify(settings)}…`);

  // Drain: the real handler; each invocation's wall time measured around it.
  const durations: number[] = [];
  let lateWakeUps = 0;
  const sleep = async (ms: number) => {
    const due = Date.now() + ms;
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (Date.now() > due + DEFAULT_ARRIVAL_JITTER_MS) lateWakeUps += 1;
  };
  const handler = senderHandler(() =>
    createSenderDeps(env, {
      log: silentLog,
      fetch: stub.fetch,
      ...(options.maxInlineWaitMs === undefined ? {} : { maxInlineWaitMs: options.maxInlineWaitMs }),
      ...(virtual ? { sleep: virtual.sleep, random: seeded(seed * 104_729 + 2) } : { sleep }),
    }),
  );
  const started = now();
  const cpuBefore = process.cpuUsage();
  let inFlight = 0;
  let maxInFlight = 0;
  const esm = startEventSourceMapping({
    sqs: sqs.client,
    queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:campaign',
    handler: async (event, context) => {
      const t0 = elapsed();
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await handler(event, context);
      } finally {
        inFlight -= 1;
        durations.push(elapsed() - t0);
      }
    },
    batchSize: settings.batchSize,
    maximumBatchingWindowS: settings.maximumBatchingWindowSeconds,
    maximumConcurrency: settings.maximumConcurrency,
    // Lambda's scaling: five batches at first, then up to 300 more concurrent a minute.
    rampUp: true,
    visibilityTimeoutS,
    functionTimeoutMs: settings.timeoutSeconds * 1000,
    ...(virtual ? { clock: virtual } : {}),
    onError: (error) => log(`event source mapping: ${String(error)}`),
  });
  const progress = setInterval(() => {
    const sent = stub.sends.filter((s) => s.status >= 200 && s.status < 300).length;
    log(`  ${Math.round((now() - started) / 1000)} s: ${sent} sent, ${esm.invocations} invocations`);
  }, 15_000);
  let timedOut = false;
  const limit = (virtual ?? { timer: (ms: number) => timerOf(ms) }).timer(options.timeLimitMs ?? 3_600_000);
  let finished = false;
  const done = Promise.race([
    esm.idle(),
    limit.done.then(() => {
      timedOut = true;
    }),
  ]).finally(() => {
    finished = true;
  });
  try {
    if (virtual) await virtual.run({ stop: () => finished });
    await done;
  } finally {
    limit.cancel();
    clearInterval(progress);
    const stopping = esm.stop().catch(() => {});
    // Pollers waiting on the virtual clock end once it moves on.
    if (virtual) await virtual.run({ stop: () => false });
    await stopping;
  }
  const seconds = (now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);

  const ok = stub.sends.filter((s) => s.status >= 200 && s.status < 300);
  const times = ok.map((s) => s.at).sort((a, b) => a - b);
  const span = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : Number.NaN;
  const achievedPerS = (times.length - 1) / span;
  const perRecipient = new Map<string, number>();
  for (const send of ok) perRecipient.set(send.recipient, (perRecipient.get(send.recipient) ?? 0) + 1);
  const sentTwice = [...perRecipient.values()].filter((n) => n > 1).length;
  const senderMs = durations.reduce((a, b) => a + b, 0);
  const perSecond = (instants: number[]) => {
    const counts: number[] = [];
    for (const t of instants) {
      const second = Math.max(0, Math.floor((t - (times[0] ?? t)) / 1000));
      while (counts.length <= second) counts.push(0);
      counts[second]! += 1;
    }
    return counts;
  };
  const sendsPerSecond = perSecond(times);
  let maxPerSlidingSecond = 0;
  for (const number of new Set(stub.sends.map((s) => s.number))) {
    const arrivals = stub.sends
      .filter((s) => s.number === number)
      .map((s) => s.at)
      .sort((a, b) => a - b);
    let from = 0;
    for (let to = 0; to < arrivals.length; to++) {
      while (arrivals[to]! - arrivals[from]! >= 1000) from += 1;
      maxPerSlidingSecond = Math.max(maxPerSlidingSecond, to - from + 1);
    }
  }
  return {
    messages: options.messages,
    settings,
    utilisationPct: (achievedPerS / (ACCOUNTS.length * LIMIT_PER_S)) * 100,
    achievedPerS,
    count429: stub.sends.filter((s) => s.status === 429).length,
    sentTwice,
    unsent: options.messages - perRecipient.size,
    senderGbSecondsPerMessage: ((senderMs / 1000) * settings.memoryMb) / 1024 / options.messages,
    invocations: durations.length,
    invocationMsP50: percentile(durations, 50),
    invocationMsP99: percentile(durations, 99),
    requeueRequests: (sqs.requests.SendMessageBatchCommand ?? 0) - acceptBatches,
    requeuesPerSecond: perSecond(requeuedAt),
    latencyMsP50: percentile(
      ok.map((s) => s.latencyMs),
      50,
    ),
    latencyMsP99: percentile(
      ok.map((s) => s.latencyMs),
      99,
    ),
    seconds,
    timedOut,
    lateWakeUps,
    maxPerSlidingSecond,
    sendsPerSecond,
    cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / options.messages,
    maxInFlight,
  };
}

/**
 * The figures bench/run.ts reports (BENCHMARKS.md). A run on the virtual clock reports what the
 * settings give on an idle machine under `campaign_virtual_…` names (see `virtualCampaignMetrics`).
 */
export function campaignMetrics(result: CampaignResult): Record<string, number> {
  return {
    campaign_utilisation_pct: result.utilisationPct,
    campaign_429_count: result.count429,
    campaign_sent_twice: result.sentTwice,
    campaign_unsent: result.unsent,
    sender_gb_s_per_message: result.senderGbSecondsPerMessage,
    campaign_max_requests_per_number_in_any_second: result.maxPerSlidingSecond,
    campaign_provider_latency_p50_ms: result.latencyMsP50,
    campaign_provider_latency_p99_ms: result.latencyMsP99,
  };
}

/** The virtual-clock run's figures (BENCHMARKS.md): the same on any machine, next to the real-time run's. */
export function virtualCampaignMetrics(result: CampaignResult): Record<string, number> {
  return {
    campaign_virtual_utilisation_pct: result.utilisationPct,
    campaign_virtual_429_count: result.count429,
    campaign_virtual_sender_gb_s_per_message: result.senderGbSecondsPerMessage,
  };
}
