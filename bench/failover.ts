import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { acceptMessages } from '../src/api/accept.ts';
import { AccountConfig } from '../src/config/accounts.ts';
import { PipelineConfig, PipelineSecrets } from '../src/config/pipeline.ts';
import { failoverAfterMs } from '../src/config/routes.ts';
import { requeueDeps } from '../src/functions/requeue.ts';
import { createApiDeps, type RuntimeEnvironment } from '../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../src/functions/sender.ts';
import { requestSchemas } from '../src/messages/request-schemas.ts';
import { adapterFor } from '../src/providers/index.ts';
import { silentLog, sinkLog } from '../src/runtime/log.ts';
import { BREAKER_CLOSE_METRIC, BREAKER_OPEN_METRIC, FAILOVER_METRIC } from '../src/runtime/metrics.ts';
import { requeueDue } from '../src/scheduler/requeue.ts';
import { memoryStorage } from '../src/store/memory/index.ts';
import { SENDER_DEFAULTS } from '../infra/components/pipeline.ts';
import { FIXTURES } from '../test/support/providers.ts';
import { testConfig, testSecrets } from '../test/support/local-aws.ts';
import { percentile, providerStub } from './support/provider-stub.ts';
import { SqsFake } from './support/sqs-fake.ts';
import { virtualConsumer, type VirtualConsumer } from './support/virtual-consumer.ts';
import { seeded, VirtualClock } from './support/virtual-clock.ts';
import { cpuMs } from './support/cpu-time.ts';

const START = Date.parse('2026-01-05T00:00:00.000Z');
export const FAILOVER_AFTER = '30s';
/** When the outage begins, after the run's start. */
export const OUTAGE_START_MS = 30_000;
export const OUTAGE_MS = 60_000;
/** Messages accepted a second, from the start until a while after the outage. */
export const RATE = 10;
const TRAFFIC_MS = OUTAGE_START_MS + OUTAGE_MS + 30_000;
const MAX_RUN_MS = 15 * 60_000;
const VISIBILITY_S = 6 * SENDER_DEFAULTS.timeoutSeconds + SENDER_DEFAULTS.maximumBatchingWindowSeconds;
const BATCH = 10;
const POLLERS = 10;
const SWEEP_EVERY_MS = 60_000;
const KALEYRA_SEND = /^\/v2\/[^/]+\/whatsapp\/[^/]+\/messages$/;
const LOW_BALANCE = { code: 'E110', message: 'Please check your balance, You have a low balance!', data: {}, error: {} };
const THROTTLED = { code: 'E429', message: 'Too many requests', data: {}, error: {} };

/**
 * What the origin's provider answers during the outage: `paused`, its pausing refusal (the account
 * is paused: the breaker counts nothing, messages move after `failoverAfter` of pause); `throttled`,
 * 429 without a reset (back-off refusals: the breaker opens after 5, then probes and fails back).
 */
export type OutageKind = 'paused' | 'throttled';

export interface FailoverRun {
  seed: number;
  outage: OutageKind;
  failoverAfterMs: number;
  outageMs: number;
  accepted: number;
  /** Accepted during the outage. */
  duringOutage: number;
  /** Of those: accept to the fallback's 2xx, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Of those: sent by the origin (before its first refusal) rather than the fallback. */
  sentByOrigin: number;
  /** Messages a provider accepted twice (any route). */
  sentTwice: number;
  /** Messages no provider accepted by the run's end. */
  neverSent: number;
  /** Refusals the origin answered, and failovers counted (the `failover` metric's lines) by reason. */
  originRefusals: number;
  failovers: Record<string, number>;
  /** The origin's breaker: how often it opened (or reopened) and closed. */
  breakerOpens: number;
  breakerCloses: number;
  /** From the outage's end to the first send the origin accepted after it (failback), ms. */
  failbackMs: number;
  virtualEvents: number;
  cpuMs: number;
}

const digits = (recipient: string) => recipient.replace(/\D/g, '');

export async function runFailover(options: { seed: number; outage?: OutageKind; breakerAfter?: number }): Promise<FailoverRun> {
  const outage = options.outage ?? 'paused';
  const clock = new VirtualClock(START);
  const stubRandom = seeded(options.seed * 7919 + 1);
  const senderRandom = seeded(options.seed * 104_729 + 2);
  const refusalRandom = seeded(options.seed * 31 + 3);

  const origin = AccountConfig.parse({
    ...FIXTURES.kaleyra.account,
    baseUrl: 'http://127.0.0.1:9',
    templates: [{ name: 'lto_template', language: 'en_US', bodyParameters: 2 }],
    failoverAfter: FAILOVER_AFTER,
    // For comparison: a breaker that opens later (1,000: about the pipeline before it), else the default (5).
    ...(options.breakerAfter !== undefined ? { breaker: { after: options.breakerAfter } } : {}),
    fallbacks: [
      {
        account: FIXTURES.livechat.account.id,
        templates: [{ name: 'lto_template', language: 'en_US', to: { name: 'appointment_reminder', language: 'en_US' } }],
      },
    ],
  });
  const fallback = AccountConfig.parse({
    ...FIXTURES.livechat.account,
    baseUrl: 'http://127.0.0.1:9',
    templates: [{ name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 }],
  });
  const base = testConfig();
  const config = PipelineConfig.parse({
    ...base,
    accounts: [origin, fallback],
    apiKeys: base.apiKeys.filter((key) => key.accounts === '*'),
  });
  const secrets = PipelineSecrets.parse({
    ...testSecrets(),
    credentials: { [origin.id]: FIXTURES.kaleyra.credential, [fallback.id]: FIXTURES.livechat.credential },
  });
  const sqs = new SqsFake({ now: clock.now });
  const deadLetterUrl = sqs.createQueue('failover-dlq');
  const queueUrl = sqs.createQueue('failover', {
    visibilityTimeoutS: VISIBILITY_S,
    deadLetter: { queueUrl: deadLetterUrl, maxReceiveCount: 5 },
  });
  const env: RuntimeEnvironment = {
    config,
    secrets,
    storage: memoryStorage(),
    queueUrl,
    sqs: sqs.client,
    now: () => new Date(clock.now()),
    claimExpiryMs: (SENDER_DEFAULTS.timeoutSeconds + 30) * 1000,
  };
  const stub = providerStub({ limit: 80, windowMs: 1000, p50Ms: 300, p99Ms: 1500, random: stubRandom, now: clock.now, sleep: clock.sleep });
  const outageFrom = START + OUTAGE_START_MS;
  const outageTo = outageFrom + OUTAGE_MS;
  let originRefusals = 0;
  // The outage: the origin's provider refuses every send with its pausing refusal, or a 429.
  const refusal = outage === 'paused' ? { status: 400, body: LOW_BALANCE } : { status: 429, body: THROTTLED };
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const now = clock.now();
    if (KALEYRA_SEND.test(url.pathname) && now >= outageFrom && now < outageTo) {
      originRefusals += 1;
      await clock.sleep(50 + refusalRandom() * 200);
      return new Response(JSON.stringify(refusal.body), { status: refusal.status, headers: { 'content-type': 'application/json' } });
    }
    return stub.fetch(input, init);
  }) as typeof globalThis.fetch;

  let consumer: VirtualConsumer | undefined;
  const wakeAll = () => consumer?.wakeAll();
  const waking = {
    send: async (command: unknown) => {
      const answer = await sqs.send(command);
      if (command instanceof SendMessageBatchCommand) wakeAll();
      return answer;
    },
  } as unknown as SQSClient;
  const wakingEnv: RuntimeEnvironment = { ...env, sqs: waking };

  const failovers: Record<string, number> = {};
  let breakerOpens = 0;
  let breakerCloses = 0;
  const senderLog = sinkLog((entry) => {
    if (entry[BREAKER_OPEN_METRIC] === 1) breakerOpens += 1;
    if (entry[BREAKER_CLOSE_METRIC] === 1) breakerCloses += 1;
    if (entry.message === 'failed over' && entry[FAILOVER_METRIC] === 1) {
      const reason = String(entry.reason);
      failovers[reason] = (failovers[reason] ?? 0) + 1;
    }
  });
  const api = createApiDeps(wakingEnv, { log: silentLog });
  const acceptedAt = new Map<string, number>();
  const accept = async (count: number) => {
    const messages = Array.from({ length: count }, () => {
      const recipient = `+1415${String(6_000_000 + acceptedAt.size).padStart(7, '0')}`;
      acceptedAt.set(digits(recipient), clock.now());
      return { provider: 'kaleyra', account: origin.id, recipient, content: FIXTURES.kaleyra.content };
    });
    const answer = await acceptMessages({ principal: { keyId: 'bench', accounts: '*' }, body: { messages } }, api);
    if (answer.statusCode !== 202) throw new Error(`accept answered ${answer.statusCode}: ${answer.body.slice(0, 500)}`);
  };
  const okSends = () => stub.sends.filter((s) => s.status >= 200 && s.status < 300);

  const handler = senderHandler(() => createSenderDeps(wakingEnv, { log: senderLog, fetch, sleep: clock.sleep, random: senderRandom }));
  let stopped = false;
  consumer = virtualConsumer({
    sqs,
    clock,
    queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:failover',
    batchSize: BATCH,
    visibilityTimeoutS: VISIBILITY_S,
    timeoutS: SENDER_DEFAULTS.timeoutSeconds,
    handler,
  });
  const poller = consumer.poll;
  const feeder = async () => {
    while (clock.now() < START + TRAFFIC_MS) {
      await accept(RATE);
      await clock.sleep(1000);
    }
  };
  const sweepDeps = requeueDeps(wakingEnv);
  const sweeper = async () => {
    while (!stopped) {
      await clock.sleep(SWEEP_EVERY_MS);
      await requeueDue(sweepDeps);
    }
  };

  // Loaded before time starts: a dynamic import is real I/O the virtual clock would not wait for.
  for (const account of [origin, fallback]) {
    await adapterFor(account).send(
      { messageId: 'warm-up', recipient: '+14155550100', content: FIXTURES.kaleyra.content } as never,
      account,
      {
        credential: '',
        fetch: async () => {
          throw new TypeError('warm-up: no call');
        },
      },
    );
  }
  await requestSchemas();

  const started = cpuMs();
  let finished = false;
  let failure: unknown;
  void Promise.all([feeder(), sweeper(), ...Array.from({ length: POLLERS }, poller)]).then(
    () => {
      finished = true;
    },
    (error: unknown) => {
      failure = error;
      finished = true;
    },
  );
  const stop = () => {
    stopped = true;
    consumer?.stop();
    wakeAll();
  };
  void clock.sleep(MAX_RUN_MS).then(stop);
  await clock.run({
    stop: () => {
      // Every message accepted by a provider once the traffic is over: stop the loops.
      if (!stopped && clock.now() >= START + TRAFFIC_MS && new Set(okSends().map((s) => digits(s.recipient))).size >= acceptedAt.size)
        stop();
      return finished;
    },
  });
  if (failure) throw failure;
  const spentMs = cpuMs() - started;

  const byRecipient = new Map<string, Array<{ provider: string; answeredAt: number }>>();
  for (const s of okSends()) {
    const list = byRecipient.get(digits(s.recipient)) ?? [];
    list.push({ provider: s.number.split(':')[0]!, answeredAt: s.at + s.latencyMs });
    byRecipient.set(digits(s.recipient), list);
  }
  const latencies: number[] = [];
  let sentByOrigin = 0;
  for (const [recipient, at] of acceptedAt) {
    if (at < outageFrom || at >= outageTo) continue;
    const sends = byRecipient.get(recipient) ?? [];
    const viaFallback = sends.find((s) => s.provider === 'livechat');
    if (viaFallback) latencies.push(viaFallback.answeredAt - at);
    else if (sends.length > 0) sentByOrigin += 1;
  }
  const failbackAt = Math.min(
    ...[...byRecipient.values()].flat().flatMap((s) => (s.provider === 'kaleyra' && s.answeredAt >= outageTo ? [s.answeredAt] : [])),
  );
  return {
    seed: options.seed,
    outage,
    failoverAfterMs: failoverAfterMs(origin),
    outageMs: OUTAGE_MS,
    accepted: acceptedAt.size,
    duringOutage: [...acceptedAt.values()].filter((at) => at >= outageFrom && at < outageTo).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length > 0 ? Math.max(...latencies) : Number.NaN,
    sentByOrigin,
    sentTwice: [...byRecipient.values()].filter((sends) => sends.length > 1).length,
    neverSent: [...acceptedAt.keys()].filter((recipient) => !byRecipient.has(recipient)).length,
    originRefusals,
    failovers,
    breakerOpens,
    breakerCloses,
    failbackMs: Number.isFinite(failbackAt) ? failbackAt - outageTo : Number.NaN,
    virtualEvents: clock.fired,
    cpuMs: spentMs,
  };
}

export const FAILOVER_SEEDS = [1, 2, 3];

/** The figures bench/run.ts reports: the worst seed's (`prefix` names the outage's kind, none for the paused one). */
export function failoverMetrics(runs: readonly FailoverRun[], prefix = 'failover'): Record<string, number> {
  return {
    [`${prefix}_p50_ms`]: Math.max(...runs.map((r) => r.p50Ms)),
    [`${prefix}_p99_ms`]: Math.max(...runs.map((r) => r.p99Ms)),
    [`${prefix}_sent_twice`]: runs.reduce((sum, r) => sum + r.sentTwice, 0),
    [`${prefix}_never_sent`]: runs.reduce((sum, r) => sum + r.neverSent, 0),
    ...(runs.some((r) => r.outage === 'throttled')
      ? {
          [`${prefix}_origin_calls`]: Math.max(...runs.map((r) => r.originRefusals)),
          [`${prefix}_failback_ms`]: Math.max(...runs.map((r) => r.failbackMs)),
        }
      : {}),
  };
}

export function describeFailoverRun(r: FailoverRun): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return (
    `seed ${r.seed}: ${r.duringOutage} of ${r.accepted} messages accepted during the ${s(r.outageMs)} s ${r.outage} outage ` +
    `(failoverAfter ${s(r.failoverAfterMs)} s): accept → fallback p50 ${s(r.p50Ms)} s, p99 ${s(r.p99Ms)} s, max ${s(r.maxMs)} s; ` +
    `${r.sentByOrigin} sent by the origin, ${r.sentTwice} sent twice, ${r.neverSent} never sent; ` +
    `${r.originRefusals} refusals, failovers ${JSON.stringify(r.failovers)}; ` +
    `breaker opened ${r.breakerOpens}×, closed ${r.breakerCloses}×, ` +
    `${Number.isNaN(r.failbackMs) ? 'no send accepted by the origin after the outage' : `failback ${s(r.failbackMs)} s after the outage`}; ` +
    `${r.virtualEvents} events, ${s(r.cpuMs)} s CPU`
  );
}
