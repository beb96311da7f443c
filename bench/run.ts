/**
 * `npm run bench`: every benchmark, for the project's configuration and a naive one measured in the
 * same run; writes bench/results.json and regenerates the table in BENCHMARKS.md.
 *
 * `BENCH_MESSAGES` (default 10000) sets the cost run's size; `BENCH_PACING_MESSAGES` (default 700)
 * the pacing run's (at 20/s that is 35 s). `BENCH_ONLY=cost` runs the cost run alone, for both
 * configurations, and prints its figures and where the units go without writing anything (a quick
 * look: the table in BENCHMARKS.md comes only from a whole run). `BENCH_ONLY=coldstart` likewise
 * prints the bundles, cold imports and their floors (bench/coldstart.ts) and writes nothing;
 * `BENCH_CONFIG=project` (or `naive`) limits it to one configuration.
 *
 * `BENCH_LOCAL_MESSAGES` (default 3000) sets the size of the run through `npm start`'s stack that
 * gives `local_e2e_messages_per_s` (bench/local-e2e.ts: scripts/start.ts in its own process, its
 * own configuration); `BENCH_ONLY=local-e2e` runs it alone and prints it, with the machine's load
 * and the CPU per message of each of the stack's threads, without writing anything.
 *
 * `BENCH_CAMPAIGN_MESSAGES` (default 20000) sets the campaign run's size (bench/campaign.ts: four
 * sender numbers at 80/s, providers answering in 300 ms at the median). It runs for the project's
 * configuration only: the naive sender (bench/naive.ts) differs in its queue and webhooks, not in
 * how it sends, so its column stays empty there. `BENCH_ONLY=campaign` runs it alone and prints its
 * figures without writing anything; there, and only there, `BENCH_CAMPAIGN_BATCH_SIZE`,
 * `BENCH_CAMPAIGN_WINDOW_S` (the batching window), `BENCH_CAMPAIGN_CONCURRENCY`,
 * `BENCH_CAMPAIGN_TIMEOUT_S` and `BENCH_CAMPAIGN_MEMORY_MB` try other
 * sender settings than the deployed ones (docs/operations.md, "Sizing the sender"), and
 * `BENCH_CAMPAIGN_VIRTUAL_SEED=<n>` runs it on a virtual clock (every wait ends when due, the CPU
 * takes no time: what the settings give on an idle machine, the same on any machine).
 *
 * The pacing-windows run (bench/pacing-windows.ts) drives the real sender on a virtual clock
 * against a provider that enforces its limit per fixed window at an offset the pacer does not
 * know: per second (80/s over 120 s, five offsets) and per hour (1,000/h over 4 h, three offsets),
 * for both configurations; each figure is the worst offset's. Its figures depend on the seeds, not
 * on this machine. `BENCH_ONLY=pacing-windows` runs it alone and prints every run and the figures
 * (and the CPU it took) without writing anything.
 *
 * `BENCH_ONLY=failover` (bench/failover.ts, issue 22) runs the sender on a virtual clock through a
 * 60 s outage of one provider (pausing refusals, then 429s: the breaker's case) with a fallback
 * configured, and prints accept-to-fallback p50/p99, the messages sent twice, the origin's calls
 * during the outage and the failback time. The whole run writes the paused and throttled outages'
 * figures (the worst seed's; virtual time, so the same on any machine) in the project's column.
 */
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../infra/bundle.ts';
import { runColdStart } from './coldstart.ts';
import { runCpu } from './cpu.ts';
import { campaignMetrics, DEPLOYED_SENDER, runCampaign, virtualCampaignMetrics, type SenderSettings } from './campaign.ts';
import { runPacing } from './pacing.ts';
import { describeRun, measureWindows, windowsMetrics, type WindowsResult } from './pacing-windows.ts';
import { runPipeline, type PipelineRun } from './pipeline.ts';
import { runLocalE2e, type LocalE2eRun } from './local-e2e.ts';
import { ROUTES, routesServedBy } from '../src/api/routes.ts';
import { purposeRows } from './instrument.ts';
import { ACCESS_LOG_FORMAT } from '../infra/components/http-api.ts';
import { costParts, costPerMillion, DURATION_MODEL, LOG_EVENT_OVERHEAD_BYTES, modelDuration, PRICES, sequentialWaitMs } from './prices.ts';
import type { PerMessage } from './prices.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PACING_MESSAGES = Number(process.env.BENCH_PACING_MESSAGES ?? 700);
const CAMPAIGN_MESSAGES = Number(process.env.BENCH_CAMPAIGN_MESSAGES ?? 20_000);
const LOCAL_MESSAGES = Number(process.env.BENCH_LOCAL_MESSAGES ?? 3000);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * The functions whose requests are HTTP API requests: the project's, by the route table (provider
 * callbacks come by the webhook function's URL, no API request); the naive configuration's, every
 * HTTP function — the design without function URLs, where each callback is an API request too.
 */
const apiFunctions = (naive: boolean): Set<string> => new Set((naive ? ROUTES : routesServedBy('httpApi')).map((route) => route.function));

/** One line of the HTTP API's access log (its format, with values of typical length): what each API request adds to CloudWatch Logs. */
const API_ACCESS_LINE_BYTES =
  Buffer.byteLength(
    JSON.stringify(
      Object.fromEntries(
        Object.keys(ACCESS_LOG_FORMAT).map((key) => [
          key,
          {
            requestId: 'Ab1CdEfGhIjKlMn=',
            time: '30/Nov/2026:03:29:33 +0000',
            routeKey: 'POST /v1/messages',
            status: '202',
            integrationStatus: '202',
            latencyMs: '48',
            integrationLatencyMs: '45',
            responseLength: '2890',
            sourceIp: '203.0.113.7',
            error: '-',
            integrationError: '-',
          }[key] ?? '-',
        ]),
      ),
    ),
  ) +
  1 +
  LOG_EVENT_OVERHEAD_BYTES;

/** CPU this machine spent per unit of each function's work (bench/cpu.ts: the real handlers, I/O answered in-process). */
export interface HandlerCpu {
  senderCpuMsPerMessage: number;
  webhookCpuMsPerEvent: number;
  acceptCpuMsPerMessage: number;
}

/** Requests the sender makes once per batch (and account), before its records: the pauses, the batch's tokens. */
const SENDER_BATCH_OPS = new Set(['pauses.list', 'pacing.readSlots', 'pacing.writeSlots']);

/**
 * Each function's modelled duration in the run (prices.ts `modelDuration`): its CPU, then its
 * waits at the stated latencies. Every function waits for its requests one after another, but the
 * sender: its once-per-batch requests come first, then its records in two waves — each account's
 * first record alone, then the others side by side (src/functions/sender.ts) — each wave as long
 * as one record's requests and provider call. The naive sender has one record per invocation: one wave.
 */
function durations(run: PipelineRun, cpu: HandlerCpu) {
  const c = run.counters;
  const calls = (fn: string) => ({ dynamo: c.awsCalls[fn]?.dynamodb ?? 0, sqs: c.awsCalls[fn]?.sqs ?? 0, provider: 0 });
  const cpuMs: Record<string, number> = {
    accept: cpu.acceptCpuMsPerMessage * run.messages,
    sender: cpu.senderCpuMsPerMessage * run.messages,
    webhook: cpu.webhookCpuMsPerEvent * (c.invocations.webhook ?? 0),
  };
  const senderWaitMs = () => {
    const invocations = c.invocations.sender ?? 0;
    if (invocations === 0) return 0;
    const requests = (op: (name: string) => boolean) =>
      Object.entries(c.purposes)
        .filter(([purpose]) => purpose.startsWith('sender ') && op(purpose.slice('sender '.length)))
        .reduce((sum, [, share]) => sum + share.requests, 0);
    const perBatch = requests((op) => SENDER_BATCH_OPS.has(op));
    const perRecord = requests((op) => !SENDER_BATCH_OPS.has(op));
    const recordsPerInvocation = run.messages / invocations;
    const waves = Math.min(2, recordsPerInvocation);
    const oneRecord = sequentialWaitMs({ dynamo: perRecord / run.messages, sqs: 0, provider: c.providerCalls / run.messages });
    return sequentialWaitMs({ dynamo: perBatch, sqs: calls('sender').sqs, provider: 0 }) + invocations * waves * oneRecord;
  };
  const fns = new Set([...Object.keys(c.invocations), ...Object.keys(c.awsCalls)].filter((fn) => fn !== 'other'));
  return Object.fromEntries(
    [...fns].map((fn) => {
      // The sweeper's runs are once a minute whatever the traffic (not counted per message); its requests are.
      const invocations = fn === 'requeue' ? 1 : (c.invocations[fn] ?? 0);
      const waitMs = fn === 'sender' ? senderWaitMs() : sequentialWaitMs(calls(fn));
      return [fn, modelDuration(invocations, cpuMs[fn] ?? 0, waitMs)];
    }),
  );
}

function costMetrics(run: PipelineRun, naive: boolean, cpu: HandlerCpu): Record<string, number> {
  const c = run.counters;
  const invocations = Object.values(c.invocations).reduce((a, b) => a + b, 0);
  const throughApi = apiFunctions(naive);
  const apiRequests = Object.entries(c.invocations).reduce((sum, [fn, n]) => sum + (throughApi.has(fn) ? n : 0), 0) / run.messages;
  const gbSeconds = Object.values(durations(run, cpu)).reduce((sum, d) => sum + d.gbSeconds, 0);
  const handlerLogBytes = Object.values(c.logBytes).reduce((a, b) => a + b, 0) / run.messages;
  const logBytes = handlerLogBytes + apiRequests * API_ACCESS_LINE_BYTES;
  const per: PerMessage = {
    lambdaInvocations: invocations / run.messages,
    lambdaGbSeconds: gbSeconds / run.messages,
    apiRequests,
    sqsRequests: c.sqsRequests / run.messages,
    wru: c.wru / run.messages,
    rru: c.rru / run.messages,
    logGb: logBytes / 1e9,
  };
  return {
    sqs_requests_per_message: per.sqsRequests,
    dynamodb_wru_per_message: per.wru,
    dynamodb_index_wru_per_message: c.indexWru / run.messages,
    dynamodb_rru_per_message: per.rru,
    lambda_invocations_per_message: per.lambdaInvocations,
    api_requests_per_message: per.apiRequests,
    lambda_gb_seconds_per_message: per.lambdaGbSeconds,
    log_bytes_per_message: logBytes,
    aws_cost_usd_per_million_messages: costPerMillion(per),
    aws_cost_usd_per_million_messages_provisioned: costPerMillion(per, true),
    // The cost run's own rate (its configuration, not `npm start`'s: see local_e2e_messages_per_s).
    cost_run_messages_per_s: run.messages / run.sendSeconds,
  };
}

/** The cost per million messages by service, on demand and provisioned (what the totals are made of). */
function costBreakdown(run: PipelineRun, naive: boolean, cpu: HandlerCpu) {
  const m = costMetrics(run, naive, cpu);
  const per: PerMessage = {
    lambdaInvocations: m.lambda_invocations_per_message!,
    lambdaGbSeconds: m.lambda_gb_seconds_per_message!,
    apiRequests: m.api_requests_per_message!,
    sqsRequests: m.sqs_requests_per_message!,
    wru: m.dynamodb_wru_per_message!,
    rru: m.dynamodb_rru_per_message!,
    logGb: m.log_bytes_per_message! / 1e9,
  };
  const rounded = (parts: Record<string, number>) => Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)]));
  const c = run.counters;
  return {
    onDemand: rounded(costParts(per)),
    provisioned: rounded(costParts(per, true)),
    durationMsPerInvocation: Object.fromEntries(Object.entries(durations(run, cpu)).map(([fn, d]) => [fn, d.msPerInvocation])),
    logBytesPerMessage: {
      ...Object.fromEntries(Object.entries(c.logBytes).map(([fn, bytes]) => [fn, round(bytes / run.messages)])),
      httpApiAccessLog: round(per.apiRequests * API_ACCESS_LINE_BYTES),
    },
    logLinesPerMessage: Object.fromEntries(Object.entries(c.logLines).map(([fn, n]) => [fn, round(n / run.messages)])),
    cpu,
  };
}

/** Where the DynamoDB units of a run go, per message: one row per function and repository method. */
function attribution(run: PipelineRun) {
  return purposeRows(run.counters, run.messages).map((row) => ({
    ...row,
    requests: round(row.requests),
    wru: round(row.wru),
    rru: round(row.rru),
    conditionFailed: round(row.conditionFailed),
    indexWru: Object.fromEntries(Object.entries(row.indexWru).map(([k, v]) => [k, round(v)])),
  }));
}

function attributionTable(rows: ReturnType<typeof attribution>): string {
  const lines = rows.map((r) => {
    const index = Object.entries(r.indexWru)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return `| ${r.purpose} | ${r.requests} | ${r.wru} | ${index || '—'} | ${r.rru} | ${r.conditionFailed || '—'} |`;
  });
  return ['| function, method | requests | WRU | of which index | RRU | refused conditions |', '|---|---|---|---|---|---|', ...lines].join(
    '\n',
  );
}

const round = (value: number) => (Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000);

const cpus_: Record<string, HandlerCpu> = {};

/** Bundles, cold imports and handler CPU: measured first, for both configurations, in a fresh process. */
async function measureLight(naive: boolean): Promise<Record<string, number>> {
  const label = naive ? 'naive' : 'project';
  log(`${label}: bundles and cold imports…`);
  const cold = await runColdStart({ naive });
  log(`${label}: handler CPU…`);
  const cpu = await runCpu({ naive, messages: 2000 });
  cpus_[label] = cpu;
  return {
    ...cold,
    sender_cpu_ms_per_message: cpu.senderCpuMsPerMessage,
    webhook_cpu_ms_per_event: cpu.webhookCpuMsPerEvent,
    accept_cpu_ms_per_message: cpu.acceptCpuMsPerMessage,
  };
}

const runs: Record<string, PipelineRun> = {};

/** Pacing and the end-to-end cost run (after measureLight: the duration model needs the handlers' CPU). */
async function measureHeavy(naive: boolean): Promise<Record<string, number>> {
  const label = naive ? 'naive' : 'project';
  log(`${label}: pacing run, ${PACING_MESSAGES} messages against a mock limited to 20/s…`);
  const pacing = await runPacing({ naive, limitPerS: 20, messages: PACING_MESSAGES });
  log(`${label}: cost run, ${MESSAGES} messages with their callbacks…`);
  const pipeline = await runPipeline({ messages: MESSAGES, naive });
  runs[label] = pipeline;
  return {
    ...costMetrics(pipeline, naive, cpus_[label]!),
    pacing_error_pct: pacing.errorPct,
    pacing_429_count: pacing.count429,
    pacing_utilisation_pct: pacing.utilisationPct,
    pacing_recipient_min_gap_ms: pacing.recipientMinGapMs,
    pacing_recipient_gap_violations: pacing.recipientGapViolations,
  };
}

const rounded = (metrics: Record<string, number>) => Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, round(v)]));
/** A record's numbers rounded, its other fields as they are. */
const roundedRun = (run: object) => Object.fromEntries(Object.entries(run).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));

/** The campaign run (bench/campaign.ts), with the deployed sender settings unless given others. */
async function measureCampaign(settings: SenderSettings = DEPLOYED_SENDER, virtualSeed?: number): Promise<Record<string, number>> {
  const clock = virtualSeed === undefined ? '' : ` (virtual time, seed ${virtualSeed})`;
  log(`project: campaign run${clock}, ${CAMPAIGN_MESSAGES} messages over 4 numbers at 80/s, sender ${JSON.stringify(settings)}…`);
  const result = await runCampaign({
    messages: CAMPAIGN_MESSAGES,
    settings,
    log: (line) => log(`  ${line}`),
    ...(virtualSeed === undefined ? {} : { virtualSeed }),
    ...(process.env.BENCH_CAMPAIGN_INLINE_WAIT_MS ? { maxInlineWaitMs: Number(process.env.BENCH_CAMPAIGN_INLINE_WAIT_MS) } : {}),
  });
  if (result.timedOut) log('campaign run: stopped at its time limit, messages left unsent');
  log(
    `campaign run: ${round(result.achievedPerS)}/s over ${round(result.seconds)} s, ${result.invocations} invocations ` +
      `(p50 ${round(result.invocationMsP50)} ms, p99 ${round(result.invocationMsP99)} ms), ${result.requeueRequests} requeue requests, ` +
      `${result.lateWakeUps} sender waits that ended over 10 ms late, ` +
      `at most ${result.maxPerSlidingSecond} requests to one number in any 1 s, at most ${result.maxInFlight} invocations at once, ` +
      `${round(result.cpuMsPerMessage)} ms of this process's CPU per message`,
  );
  log(`campaign run: accepted sends per second, from the first: ${result.sendsPerSecond.join(' ')}`);
  log(`campaign run: messages put back per second, from the first send: ${result.requeuesPerSecond.join(' ')}`);
  return virtualSeed === undefined ? campaignMetrics(result) : { ...campaignMetrics(result), ...virtualCampaignMetrics(result) };
}

/** Of a virtual-clock campaign run's figures, the ones named for it. */
function virtualOnly(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([key]) => key.startsWith('campaign_virtual_')));
}

/** The pacing-windows run (bench/pacing-windows.ts) for one configuration: its figures, and every run's. */
async function measurePacingWindows(naive: boolean): Promise<{ metrics: Record<string, number>; result: WindowsResult }> {
  const label = naive ? 'naive' : 'project';
  log(`${label}: pacing against the provider's fixed windows (virtual time: 80/s over 120 s, 1,000/h over 4 h)…`);
  const result = await measureWindows({ naive, log: (line) => log(`  ${line}`) });
  log(`${label}: pacing windows took ${round(result.cpuMs / 1000)} s of CPU`);
  return { metrics: windowsMetrics(result), result };
}

/** `local_e2e_messages_per_s`: through the stack `npm start` runs, in its own process (bench/local-e2e.ts). */
async function measureLocalE2e(): Promise<{ metrics: Record<string, number>; run: LocalE2eRun }> {
  log(`project: ${LOCAL_MESSAGES} messages through \`npm start\`'s stack (scripts/start.ts, its own process and configuration)…`);
  const run = await runLocalE2e({ messages: LOCAL_MESSAGES });
  const perSecond = run.messages / run.sendSeconds;
  log(
    `local e2e: ${round(perSecond)} messages/s (${run.messages} in ${round(run.sendSeconds)} s, accepted in ${round(run.acceptSeconds)} s); ` +
      `load average ${run.loadAverage.map(round).join(' → ')}; CPU ms per message by thread: ${JSON.stringify(run.cpuMsPerMessage)}`,
  );
  return { metrics: { local_e2e_messages_per_s: perSecond }, run };
}

if (process.env.BENCH_ONLY === 'local-e2e') {
  const { metrics, run } = await measureLocalE2e();
  process.stdout.write(
    `\n## npm start's stack, ${LOCAL_MESSAGES} messages\n\n${JSON.stringify({ ...rounded(metrics), ...roundedRun(run) }, null, 2)}\n`,
  );
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'pacing-windows') {
  for (const naive of [false, true]) {
    const { metrics, result } = await measurePacingWindows(naive);
    const label = naive ? 'naive (a limit far above the provider’s: 429s and Retry-After)' : 'project';
    process.stdout.write(`\n## pacing windows, ${label}\n\n${result.runs.map(describeRun).join('\n')}\n\n`);
    process.stdout.write(`${JSON.stringify(rounded(metrics), null, 2)}\nCPU: ${round(result.cpuMs / 1000)} s\n`);
  }
  process.exit(0);
}

/** Issue 22's outages, for the whole run: the paused one and the throttled one (the breaker), each over every seed. */
async function measureFailover(): Promise<Record<string, number>> {
  const { describeFailoverRun, FAILOVER_SEEDS, failoverMetrics, runFailover } = await import('./failover.ts');
  const paused = [];
  const throttled = [];
  for (const seed of FAILOVER_SEEDS) {
    paused.push(await runFailover({ seed }));
    throttled.push(await runFailover({ seed, outage: 'throttled' }));
    log(`failover: ${describeFailoverRun(paused.at(-1)!)}; ${describeFailoverRun(throttled.at(-1)!)}`);
  }
  return { ...failoverMetrics(paused), ...failoverMetrics(throttled, 'failover_throttled') };
}

if (process.env.BENCH_ONLY === 'failover') {
  // Issue 22: a 60 s outage of one provider (pausing refusals), in virtual time (bench/failover.ts).
  const { describeFailoverRun, FAILOVER_SEEDS, failoverMetrics, runFailover } = await import('./failover.ts');
  const runsDone = [];
  for (const seed of FAILOVER_SEEDS) {
    const run = await runFailover({ seed });
    log(describeFailoverRun(run));
    runsDone.push(run);
  }
  process.stdout.write(`\n## failover during an outage\n\n${runsDone.map(describeFailoverRun).join('\n')}\n\n`);
  process.stdout.write(`${JSON.stringify(rounded(failoverMetrics(runsDone)), null, 2)}\n`);
  // The same outage answered with 429s: the breaker opens, the rest go straight to the fallback, one probe fails back.
  const throttled = [];
  for (const seed of FAILOVER_SEEDS) {
    const run = await runFailover({ seed, outage: 'throttled' });
    log(describeFailoverRun(run));
    throttled.push(run);
  }
  process.stdout.write(`\n## failover during a throttling outage (the breaker)\n\n${throttled.map(describeFailoverRun).join('\n')}\n\n`);
  process.stdout.write(`${JSON.stringify(rounded(failoverMetrics(throttled, 'failover_throttled')), null, 2)}\n`);
  // For comparison, a breaker that opens only after 1,000 refusals (about the pipeline before it): each message waits on the origin.
  const late = [];
  for (const seed of FAILOVER_SEEDS) late.push(await runFailover({ seed, outage: 'throttled', breakerAfter: 1000 }));
  process.stdout.write(`\n## the same, the breaker opening after 1,000 refusals\n\n${late.map(describeFailoverRun).join('\n')}\n\n`);
  process.stdout.write(`${JSON.stringify(rounded(failoverMetrics(late, 'failover_throttled_late_breaker')), null, 2)}\n`);
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'campaign') {
  const fromEnv = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  const settings: SenderSettings = {
    batchSize: fromEnv('BENCH_CAMPAIGN_BATCH_SIZE', DEPLOYED_SENDER.batchSize),
    maximumBatchingWindowSeconds: fromEnv('BENCH_CAMPAIGN_WINDOW_S', DEPLOYED_SENDER.maximumBatchingWindowSeconds),
    maximumConcurrency: fromEnv('BENCH_CAMPAIGN_CONCURRENCY', DEPLOYED_SENDER.maximumConcurrency),
    timeoutSeconds: fromEnv('BENCH_CAMPAIGN_TIMEOUT_S', DEPLOYED_SENDER.timeoutSeconds),
    memoryMb: fromEnv('BENCH_CAMPAIGN_MEMORY_MB', DEPLOYED_SENDER.memoryMb),
  };
  const deployed = Object.entries(settings).every(([key, value]) => DEPLOYED_SENDER[key as keyof SenderSettings] === value);
  const seed = process.env.BENCH_CAMPAIGN_VIRTUAL_SEED;
  const metrics = rounded(await measureCampaign(settings, seed === undefined ? undefined : Number(seed)));
  const label = deployed ? 'deployed sender settings' : `sender settings ${JSON.stringify(settings)}, not the deployed ones`;
  process.stdout.write(`\n## campaign, ${CAMPAIGN_MESSAGES} messages, ${label}\n\n${JSON.stringify(metrics, null, 2)}\n`);
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'cost') {
  for (const naive of [false, true]) {
    const label = naive ? 'naive' : 'project';
    log(`${label}: handler CPU…`);
    const cpu = await runCpu({ naive, messages: 2000 });
    log(`${label}: cost run, ${MESSAGES} messages with their callbacks…`);
    const run = await runPipeline({ messages: MESSAGES, naive });
    const metrics = rounded(costMetrics(run, naive, cpu));
    process.stdout.write(`\n## ${label}, ${MESSAGES} messages\n\n${JSON.stringify(metrics, null, 2)}\n\n`);
    process.stdout.write(`${JSON.stringify(costBreakdown(run, naive, cpu), null, 2)}\n\n`);
    process.stdout.write(`${attributionTable(attribution(run))}\n\nsender: ${JSON.stringify(run.counters.outcomes)}\n`);
  }
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'coldstart') {
  for (const naive of [false, true]) {
    const label = naive ? 'naive' : 'project';
    if (process.env.BENCH_CONFIG && process.env.BENCH_CONFIG !== label) continue;
    log(`${label}: bundles, cold imports and their floors…`);
    process.stdout.write(`\n## ${label}\n\n${JSON.stringify(rounded(await runColdStart({ naive })), null, 2)}\n`);
  }
  process.exit(0);
}

const started = Date.now();
const light = { project: await measureLight(false), naive: await measureLight(true) };
const heavy = { project: await measureHeavy(false), naive: await measureHeavy(true) };
const localE2e = await measureLocalE2e();
const windows = { project: await measurePacingWindows(false), naive: await measurePacingWindows(true) };
// In real time (this machine's timers and CPU), then on a virtual clock (the settings alone).
const campaign = await measureCampaign();
const campaignVirtual = virtualOnly(await measureCampaign(DEPLOYED_SENDER, 1));
const failover = await measureFailover();
const { project: projectRun, naive: naiveRun } = runs;
// `npm start`'s stack is one configuration: the naive column has no local_e2e_messages_per_s (its row follows the cost run's rate).
const projectHeavy = Object.fromEntries(
  Object.entries(heavy.project).flatMap(([key, value]) =>
    key === 'cost_run_messages_per_s' ? [[key, value], ...Object.entries(localE2e.metrics)] : [[key, value]],
  ),
);
const project = rounded({ ...projectHeavy, ...windows.project.metrics, ...campaign, ...campaignVirtual, ...failover, ...light.project });
const naive = rounded({ ...heavy.naive, ...windows.naive.metrics, ...light.naive });
const results = {
  project,
  naive,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  node: process.version,
  date: new Date().toISOString(),
  messages: MESSAGES,
  campaignMessages: CAMPAIGN_MESSAGES,
  campaignSender: DEPLOYED_SENDER,
  // The run behind local_e2e_messages_per_s: its times, the machine's load, the CPU by thread.
  localE2e: roundedRun(localE2e.run),
  prices: PRICES,
  // Where each configuration's DynamoDB units go, per message (BENCHMARKS.md, "Write budget").
  attribution: { project: attribution(projectRun!), naive: attribution(naiveRun!) },
  // What the costs are made of: by service, each function's modelled duration, the bytes each logs.
  costs: { project: costBreakdown(projectRun!, false, cpus_.project!), naive: costBreakdown(naiveRun!, true, cpus_.naive!) },
  durationModel: DURATION_MODEL,
  // Every pacing-windows run (each case at each offset): the table shows the worst.
  pacingWindows: {
    project: windows.project.result.runs.map(roundedRun),
    naive: windows.naive.result.runs.map(roundedRun),
  },
};
writeFileSync(join(REPO_ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);

const rows = Object.keys(project).map((metric) => {
  const p = project[metric]!;
  const n = naive[metric];
  // The campaign's figures, and npm start's stack's rate, are the project's alone.
  if (n === undefined) return `| \`${metric}\` | ${p} | — | — |`;
  const ratio = p === 0 ? (n === 0 ? '1' : '—') : (n / p).toFixed(2);
  return `| \`${metric}\` | ${p} | ${n} | ${ratio} |`;
});
const table = [
  `Measured ${results.date.slice(0, 10)} on ${results.machine}, Node ${results.node}, ${MESSAGES} messages per cost run, ${CAMPAIGN_MESSAGES} in the campaign run (\`npm run bench\`, ${Math.round((Date.now() - started) / 1000)} s).`,
  '',
  '| metric | project | naive | naive ÷ project |',
  '|---|---|---|---|',
  ...rows,
].join('\n');
const file = join(REPO_ROOT, 'BENCHMARKS.md');
const current = readFileSync(file, 'utf8');
const updated = current.replace(
  /<!-- results:start -->[\s\S]*<!-- results:end -->/,
  `<!-- results:start -->\n${table}\n<!-- results:end -->`,
);
writeFileSync(file, updated);
log(`done in ${Math.round((Date.now() - started) / 1000)} s: bench/results.json, BENCHMARKS.md`);
