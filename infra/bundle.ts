/**
 * Bundling a Lambda function with esbuild: minified ES modules per handler, for Node 24 on arm64.
 * The AWS SDK v3 is bundled too: the function runs the SDK version the tests ran, not whichever
 * copy the Lambda runtime ships that month.
 *
 * Code split at dynamic imports: `index.mjs` and the chunks it imports are what a cold start loads;
 * what is imported only on first use (a provider's sending part, src/providers/lazy-adapter.ts; the
 * Secrets Manager client; the SDK's rarer credential providers) sits in `chunks/`, read from disk
 * and compiled only when first used.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type Metafile } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = join(REPO_ROOT, '.build', 'functions');

export interface Bundle {
  /** Folder holding `index.mjs` and its `chunks/`, the function's code (with `meta.json`, not deployed). */
  dir: string;
  /** The entry module, `<dir>/index.mjs`. */
  file: string;
  /** The code's files, relative to `dir`: `index.mjs` and its chunks. */
  files: string[];
  /** Bytes of all the code's files. */
  bytes: number;
  /** Bytes a cold start loads: `index.mjs` and the chunks it imports statically (not those imported on first use). */
  loadBytes: number;
  /** The npm packages inside the bundle (from esbuild's metafile), e.g. `@aws-sdk/client-dynamodb`. */
  packages: string[];
  /** Every file esbuild read for the bundle (its metafile inputs), relative to the repository. */
  inputs: string[];
  /** Imports left for the runtime to resolve: only Node's own modules. */
  externalImports: string[];
  /** esbuild's metafile: each input's imports, and what each contributed to the output (bench/coldstart.ts reads it). */
  metafile: Metafile;
}

/**
 * An input's path as the repository sees it: a `node_modules` reached through a symbolic link
 * (a git worktree sharing another checkout's install) resolves outside the repository
 * (`../main/node_modules/zod/…`); it is the repository's `node_modules/zod/…` all the same.
 */
function repositoryInput(input: string): string {
  const at = input.startsWith('../') ? input.indexOf('/node_modules/') : -1;
  return at < 0 ? input : input.slice(at + 1);
}

/** The package a bundled input file belongs to (`node_modules/@scope/name/…` → `@scope/name`). */
function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** `entry` and every output it imports statically, transitively (what importing it loads), by their metafile paths. */
export function loadedOutputs(outputs: Metafile['outputs'], entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !outputs[path]) return;
    seen.add(path);
    for (const i of outputs[path].imports) if (!i.external && i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return seen;
}

/** Bytes of what importing `entry` loads. */
function loadedBytes(outputs: Metafile['outputs'], entry: string): number {
  return [...loadedOutputs(outputs, entry)].reduce((sum, path) => sum + outputs[path]!.bytes, 0);
}

/** Bundles built by this process: the sources do not change while it runs. */
const built = new Map<string, Bundle>();

/** Bundles `entry` (relative to the repository) as `<BUILD_DIR>/<folder>/<name>/index.mjs`, once per process. */
export function bundleFunction(name: string, entry: string, folder = 'default'): Bundle {
  const dir = join(BUILD_DIR, folder, name);
  const cached = built.get(`${dir}\n${entry}`);
  if (cached) return cached;
  // A clean folder: chunk names carry hashes, so an earlier build's would stay behind.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  // From a checkout the handlers are TypeScript; from the installed package, compiled JavaScript.
  const source = existsSync(join(REPO_ROOT, entry)) ? join(REPO_ROOT, entry) : join(REPO_ROOT, entry.replace(/\.ts$/, '.js'));
  const result = buildSync({
    entryPoints: { index: source },
    outdir: dir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // ES module builds first (the AWS SDK's `module` entry points), so unused code is shaken out.
    mainFields: ['module', 'main'],
    metafile: true,
    // Metafile paths relative to the repository, wherever the process runs.
    absWorkingDir: REPO_ROOT,
    // CommonJS dependencies inside an ES module bundle still need `require`.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).map(repositoryInput);
  const packages = [...new Set(inputs.flatMap((input) => packageOf(input) ?? []))].sort();
  const outputs = result.metafile.outputs;
  const externalImports = [
    ...new Set(Object.values(outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path))),
  ].sort();
  const files = Object.keys(outputs)
    .map((path) => relative(dir, join(REPO_ROOT, path)))
    .sort();
  const bytes = Object.values(outputs).reduce((sum, output) => sum + output.bytes, 0);
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ packages, externalImports, files }, null, 2));
  const bundle = {
    dir,
    file,
    files,
    bytes,
    loadBytes: loadedBytes(outputs, relative(REPO_ROOT, file)),
    packages,
    inputs,
    externalImports,
    metafile: result.metafile,
  };
  built.set(`${dir}\n${entry}`, bundle);
  return bundle;
}
