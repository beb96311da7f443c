/**
 * Bundle size and cold import: each function bundled (project: minified, the AWS SDK left to the
 * runtime; naive: unminified, the SDK bundled in), then imported by a fresh Node process, minus a
 * process that imports nothing; the median of repeated runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { REPO_ROOT } from '../infra/bundle.ts';

export const FUNCTIONS = ['accept', 'status', 'sender', 'requeue', 'webhook', 'push'] as const;

function bundle(name: string, naive: boolean): string {
  const dir = join(REPO_ROOT, '.build', naive ? 'bench-naive' : 'bench', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  buildSync({
    entryPoints: [join(REPO_ROOT, `src/functions/${name}.ts`)],
    outfile: file,
    bundle: true,
    minify: !naive,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: naive ? [] : ['@aws-sdk/*'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return file;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall time of a fresh `node` running `script`, ms, median of `runs`. */
function processMs(script: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, [script], { cwd: REPO_ROOT, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

export function runColdStart(naive: boolean, runs = 9): Record<string, number> {
  const dir = join(REPO_ROOT, '.build', 'bench-import');
  mkdirSync(dir, { recursive: true });
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, '');
  const baseline = processMs(empty, runs);
  const metrics: Record<string, number> = {};
  for (const name of FUNCTIONS) {
    const file = bundle(name, naive);
    const importer = join(dir, `${naive ? 'naive' : 'project'}-${name}.mjs`);
    writeFileSync(importer, `await import(${JSON.stringify(file)});\n`);
    metrics[`bundle_kb_${name}`] = Math.round(statSync(file).size / 1024);
    metrics[`cold_import_ms_${name}`] = Math.max(0, Math.round((processMs(importer, runs) - baseline) * 10) / 10);
  }
  return metrics;
}
