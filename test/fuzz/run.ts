/**
 * `npm run fuzz`: the property-based fuzz of the accept, status and webhook routes through the
 * real handlers behind the local HTTP server (loopback, ephemeral port, dynalite, local SQS).
 * Prints per endpoint: 5xx, hangs (no answer within the timeout), 2xx for invalid input, 4xx for
 * valid input, records written by refused requests, metadata not kept as sent, and the
 * cross-account callback test; writes a JSON summary; exits 1 if any figure is not 0.
 *
 *   npm run fuzz -- [--count 10000] [--seed N] [--concurrency 8] [--timeout-ms 10000]
 *                   [--workers 2] [--only text] [--cross 20] [--out fuzz-results.json]
 *                   [--no-shrink] [--no-oversize]
 *
 * Everything runs in one Node process per worker (client, handlers, dynalite, SQS), so a worker
 * uses about one core: `--workers` (default: the machine's cores, at most 4) splits the endpoints
 * between processes, each with its own stack. Endpoint i always gets seed + 7919·i, whatever the
 * split, so a run is replayed with `--seed`.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OVERSIZE_BYTES } from './support/accept.ts';
import { ENDPOINTS } from './support/endpoints.ts';
import { failures, runCrossAccount, runEndpoint, table, type CrossResult, type EndpointResult } from './support/runner.ts';
import { startFuzzStack } from './support/stack.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'timeout-ms': { type: 'string', default: '10000' },
    workers: { type: 'string', default: String(Math.min(4, availableParallelism())) },
    only: { type: 'string' },
    cross: { type: 'string', default: '20' },
    out: { type: 'string', default: 'fuzz-results.json' },
    'no-shrink': { type: 'boolean', default: false },
    'no-oversize': { type: 'boolean', default: false },
    /** Internal: run these endpoint indexes (comma-separated) in this process and write their results to --out. */
    worker: { type: 'string' },
  },
});
const count = Number(values.count);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const concurrency = Number(values.concurrency);
const cross = Number(values.cross);
const timeoutMs = Number(values['timeout-ms']);
const log = (line: string) => process.stderr.write(`[fuzz${values.worker !== undefined ? ` ${values.worker}` : ''}] ${line}\n`);

interface WorkerOutput {
  results: EndpointResult[];
  cross?: CrossResult;
  handlerErrors: { count: number; first: string[] };
  error?: string;
}

/** Runs endpoints `indexes` (and the cross-account test, last, if asked) on a stack of its own. */
async function runHere(indexes: number[], withCross: boolean): Promise<WorkerOutput> {
  const started = Date.now();
  const stack = await startFuzzStack({
    quiet: true,
    concurrency,
    requestTimeoutMs: timeoutMs,
    // Enough queued messages that every valid cancel finds one (about a third of cancel cases).
    cancellable: indexes.some((i) => ENDPOINTS[i]!.name.includes('cancel')) ? Math.ceil(count * 0.07) + 5 : 3,
    crossTargets: Math.max(1, cross),
    callbackTargets: 6,
    callbackVictims: 4,
  });
  log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const output: WorkerOutput = { results: [], handlerErrors: stack.errors };
  try {
    for (const i of indexes) {
      const endpoint = ENDPOINTS[i]!;
      log(`${endpoint.name}…`);
      const result = await runEndpoint(endpoint, stack, {
        count,
        seed: seed + i * 7919,
        concurrency,
        caseOptions: { oversize: values['no-oversize'] ? [] : [OVERSIZE_BYTES, 20 * 1024 * 1024, 50 * 1024 * 1024] },
        shrink: !values['no-shrink'],
        shrinkMs: 15_000,
        log,
      });
      output.results.push(result);
      const found = Object.entries(result.figures).filter(([, n]) => n > 0);
      log(
        `  ${result.requests} requests in ${result.seconds.toFixed(1)} s (${(result.requests / result.seconds).toFixed(0)}/s); ` +
          (found.map(([f, n]) => `${f}: ${n}`).join(', ') || 'all figures 0'),
      );
    }
    if (withCross) {
      // Last: on code that loops on such a callback, each one leaves a handler running in this process.
      log('cross-account callbacks…');
      output.cross = await runCrossAccount(stack, { perProvider: cross, concurrency });
    }
  } catch (error) {
    output.error = (error as Error).stack ?? String(error);
  }
  // The stack is not closed: the process exits once the results are out (vitest's file closes its stack).
  return output;
}

function runChild(indexes: number[], withCross: boolean, n: number): Promise<WorkerOutput> {
  const out = join(tmpdir(), `fuzz-worker-${process.pid}-${n}.json`);
  const args = [
    process.argv[1]!,
    '--worker',
    indexes.join(','),
    '--out',
    out,
    '--seed',
    String(seed),
    '--count',
    String(count),
    '--concurrency',
    String(concurrency),
    '--timeout-ms',
    String(timeoutMs),
    '--cross',
    withCross ? String(cross) : '0',
  ];
  if (values['no-shrink']) args.push('--no-shrink');
  if (values['no-oversize']) args.push('--no-oversize');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')) as WorkerOutput);
      } catch {
        resolve({ results: [], handlerErrors: { count: 0, first: [] }, error: `worker ${n} exited with ${code} and wrote no results` });
      } finally {
        rmSync(out, { force: true });
      }
    });
  });
}

if (values.worker !== undefined) {
  const indexes = values.worker.split(',').filter(Boolean).map(Number);
  const output = await runHere(indexes, cross > 0);
  writeFileSync(values.out, JSON.stringify(output));
  process.exit(0); // a handler looping on unfixed code would keep the process alive
}

const selected = ENDPOINTS.map((e, i) => ({ e, i })).filter(({ e }) => !values.only || e.name.includes(values.only));
const withCross = cross > 0 && !values.only;
const workers = Math.max(1, Math.min(Number(values.workers), selected.length));
log(
  `seed ${seed} (replay with --seed ${seed}), ${count} cases per endpoint, ${concurrency} in flight per worker, ` +
    `timeout ${timeoutMs} ms, ${workers} worker(s)`,
);
const started = Date.now();
let outputs: WorkerOutput[];
if (workers === 1) {
  outputs = [
    await runHere(
      selected.map(({ i }) => i),
      withCross,
    ),
  ];
} else {
  // Round-robin in table order spreads the heavy accept endpoints; the cross-account test runs last in worker 0.
  const shares = Array.from({ length: workers }, (_, w) => selected.filter((_, k) => k % workers === w).map(({ i }) => i));
  outputs = await Promise.all(shares.map((share, w) => runChild(share, withCross && w === 0, w)));
}

const results = outputs
  .flatMap((o) => o.results)
  .sort((a, b) => ENDPOINTS.findIndex((e) => e.name === a.name) - ENDPOINTS.findIndex((e) => e.name === b.name));
const crossResult = outputs.find((o) => o.cross)?.cross;
const rows = [...results, ...(crossResult ? [crossResult] : [])];
const errors = outputs.flatMap((o) => (o.error ? [o.error] : []));
const summary = {
  seed,
  countPerEndpoint: count,
  concurrency,
  workers,
  timeoutMs,
  seconds: (Date.now() - started) / 1000,
  handlerErrorsLogged: outputs.reduce((n, o) => n + o.handlerErrors.count, 0),
  firstHandlerErrors: outputs.flatMap((o) => o.handlerErrors.first).slice(0, 20),
  ...(errors.length ? { errors } : {}),
  endpoints: rows,
};
writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`\n${table(rows)}\n\nseed ${seed}; ${summary.seconds.toFixed(0)} s; summary in ${values.out}\n`);
const failed = failures(rows);
if (failed) process.stdout.write(`\n${failed}\n`);
for (const error of errors) process.stdout.write(`\nthe run stopped early: ${error}\n`);
process.exitCode = errors.length ? 2 : rows.some((r) => Object.values(r.figures).some((n) => n > 0)) ? 1 : 0;
process.exit(process.exitCode); // with one worker, a handler looping on unfixed code would keep this process alive
