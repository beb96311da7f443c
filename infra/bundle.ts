/**
 * Bundling a Lambda function with esbuild: one minified ES module per handler, for Node 24 on
 * arm64. The AWS SDK v3 is bundled too: the function runs the SDK version the tests ran, not
 * whichever copy the Lambda runtime ships that month.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type Metafile } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = join(REPO_ROOT, '.build', 'functions');

export interface Bundle {
  /** Folder holding `index.mjs`, to zip as the function's code. */
  dir: string;
  file: string;
  bytes: number;
  /** The npm packages inside the bundle (from esbuild's metafile), e.g. `@aws-sdk/client-dynamodb`. */
  packages: string[];
  /** Every file esbuild read for the bundle (its metafile inputs), relative to the repository. */
  inputs: string[];
  /** Imports left for the runtime to resolve: only Node's own modules. */
  externalImports: string[];
  /** esbuild's metafile: each input's imports, and what each contributed to the output (bench/coldstart.ts reads it). */
  metafile: Metafile;
}

/** The package a bundled input file belongs to (`node_modules/@scope/name/…` → `@scope/name`). */
function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Bundles built by this process: the sources do not change while it runs. */
const built = new Map<string, Bundle>();

/** Bundles `entry` (relative to the repository) as `<BUILD_DIR>/<folder>/<name>/index.mjs`, once per process. */
export function bundleFunction(name: string, entry: string, folder = 'default'): Bundle {
  const dir = join(BUILD_DIR, folder, name);
  const cached = built.get(`${dir}\n${entry}`);
  if (cached) return cached;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  // From a checkout the handlers are TypeScript; from the installed package, compiled JavaScript.
  const source = existsSync(join(REPO_ROOT, entry)) ? join(REPO_ROOT, entry) : join(REPO_ROOT, entry.replace(/\.ts$/, '.js'));
  const result = buildSync({
    entryPoints: [source],
    outfile: file,
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
  const inputs = Object.keys(result.metafile.inputs);
  const packages = [...new Set(inputs.flatMap((input) => packageOf(input) ?? []))].sort();
  const externalImports = [
    ...new Set(Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path))),
  ].sort();
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ packages, externalImports }, null, 2));
  const bundle = { dir, file, bytes: statSync(file).size, packages, inputs, externalImports, metafile: result.metafile };
  built.set(`${dir}\n${entry}`, bundle);
  return bundle;
}
