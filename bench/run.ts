/**
 * `npm run bench`: every benchmark, for the project's configuration and a naive one measured in the
 * same run; writes bench/results.json and regenerates the table in BENCHMARKS.md.
 *
 * `BENCH_MESSAGES` (default 10000) sets the cost run's size; `BENCH_PACING_MESSAGES` (default 700)
 * the pacing run's (at 20/s that is 35 s). `BENCH_ONLY=cost` runs the cost run alone, for both
 * configurations, and prints its figures and where the units go without writing anything (a quick
 * look: the table in BENCHMARKS.md comes only from a whole run).
 */
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../infra/bundle.ts';
import { runColdStart } from './coldstart.ts';
import { runCpu } from './cpu.ts';
import { runPacing } from './pacing.ts';
import { runPipeline, type PipelineRun } from './pipeline.ts';
import { ROUTES, routesServedBy } from '../src/api/routes.ts';
import { purposeRows } from './instrument.ts';
import { costPerMillion, PRICES, type PerMessage } from './prices.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PACING_MESSAGES = Number(process.env.BENCH_PACING_MESSAGES ?? 700);
const LAMBDA_MEMORY_GB = 0.5;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * The functions whose requests are HTTP API requests: the project's, by the route table (provider
 * callbacks come by the webhook function's URL, no API request); the naive configuration's, every
 * HTTP function — the design without function URLs, where each callback is an API request too.
 */
const apiFunctions = (naive: boolean): Set<string> => new Set((naive ? ROUTES : routesServedBy('httpApi')).map((route) => route.function));

function costMetrics(run: PipelineRun, naive: boolean): Record<string, number> {
  const c = run.counters;
  const invocations = Object.values(c.invocations).reduce((a, b) => a + b, 0);
  const handlerMs = Object.values(c.handlerMs).reduce((a, b) => a + b, 0);
  const throughApi = apiFunctions(naive);
  const per: PerMessage = {
    lambdaInvocations: invocations / run.messages,
    lambdaGbSeconds: ((handlerMs / 1000) * LAMBDA_MEMORY_GB) / run.messages,
    apiRequests: Object.entries(c.invocations).reduce((sum, [fn, n]) => sum + (throughApi.has(fn) ? n : 0), 0) / run.messages,
    sqsRequests: c.sqsRequests / run.messages,
    wru: c.wru / run.messages,
    rru: c.rru / run.messages,
  };
  return {
    sqs_requests_per_message: per.sqsRequests,
    dynamodb_wru_per_message: per.wru,
    dynamodb_index_wru_per_message: c.indexWru / run.messages,
    dynamodb_rru_per_message: per.rru,
    lambda_invocations_per_message: per.lambdaInvocations,
    api_requests_per_message: per.apiRequests,
    lambda_gb_seconds_per_message: per.lambdaGbSeconds,
    aws_cost_usd_per_million_messages: costPerMillion(per),
    aws_cost_usd_per_million_messages_provisioned: costPerMillion(per, true),
    local_e2e_messages_per_s: run.messages / run.sendSeconds,
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

/** Bundles, cold imports and handler CPU: measured first, for both configurations, in a fresh process. */
async function measureLight(naive: boolean): Promise<Record<string, number>> {
  const label = naive ? 'naive' : 'project';
  log(`${label}: bundles and cold imports…`);
  const cold = runColdStart(naive);
  log(`${label}: handler CPU…`);
  const cpu = await runCpu({ naive, messages: 2000 });
  return { ...cold, sender_cpu_ms_per_message: cpu.senderCpuMsPerMessage, webhook_cpu_ms_per_event: cpu.webhookCpuMsPerEvent };
}

const runs: Record<string, PipelineRun> = {};

/** Pacing and the end-to-end cost run. */
async function measureHeavy(naive: boolean): Promise<Record<string, number>> {
  const label = naive ? 'naive' : 'project';
  log(`${label}: pacing run, ${PACING_MESSAGES} messages against a mock limited to 20/s…`);
  const pacing = await runPacing({ naive, limitPerS: 20, messages: PACING_MESSAGES });
  log(`${label}: cost run, ${MESSAGES} messages with their callbacks…`);
  const pipeline = await runPipeline({ messages: MESSAGES, naive });
  runs[label] = pipeline;
  return {
    ...costMetrics(pipeline, naive),
    pacing_error_pct: pacing.errorPct,
    pacing_429_count: pacing.count429,
    pacing_utilisation_pct: pacing.utilisationPct,
    pacing_recipient_min_gap_ms: pacing.recipientMinGapMs,
    pacing_recipient_gap_violations: pacing.recipientGapViolations,
  };
}

const rounded = (metrics: Record<string, number>) => Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, round(v)]));

if (process.env.BENCH_ONLY === 'cost') {
  for (const naive of [false, true]) {
    const label = naive ? 'naive' : 'project';
    log(`${label}: cost run, ${MESSAGES} messages with their callbacks…`);
    const run = await runPipeline({ messages: MESSAGES, naive });
    process.stdout.write(`\n## ${label}, ${MESSAGES} messages\n\n${JSON.stringify(rounded(costMetrics(run, naive)), null, 2)}\n\n`);
    process.stdout.write(`${attributionTable(attribution(run))}\n\nsender: ${JSON.stringify(run.counters.outcomes)}\n`);
  }
  process.exit(0);
}

const started = Date.now();
const light = { project: await measureLight(false), naive: await measureLight(true) };
const heavy = { project: await measureHeavy(false), naive: await measureHeavy(true) };
const { project: projectRun, naive: naiveRun } = runs;
const project = rounded({ ...heavy.project, ...light.project });
const naive = rounded({ ...heavy.naive, ...light.naive });
const results = {
  project,
  naive,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  node: process.version,
  date: new Date().toISOString(),
  messages: MESSAGES,
  prices: PRICES,
  // Where each configuration's DynamoDB units go, per message (BENCHMARKS.md, "Where the units go").
  attribution: { project: attribution(projectRun!), naive: attribution(naiveRun!) },
};
writeFileSync(join(REPO_ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);

const rows = Object.keys(project).map((metric) => {
  const p = project[metric]!;
  const n = naive[metric]!;
  const ratio = p === 0 ? (n === 0 ? '1' : '—') : (n / p).toFixed(2);
  return `| \`${metric}\` | ${p} | ${n} | ${ratio} |`;
});
const table = [
  `Measured ${results.date.slice(0, 10)} on ${results.machine}, Node ${results.node}, ${MESSAGES} messages per cost run (\`npm run bench\`, ${Math.round((Date.now() - started) / 1000)} s).`,
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
