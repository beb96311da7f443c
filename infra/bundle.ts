/**
 * Bundling a Lambda function with esbuild: one minified ES module per handler, for Node 24 on
 * arm64. The AWS SDK v3 stays external: the nodejs24.x runtime ships it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = join(REPO_ROOT, '.build', 'functions');

export interface Bundle {
  /** Folder holding `index.mjs`, to zip as the function's code. */
  dir: string;
  file: string;
  bytes: number;
}

/** Bundles `entry` (relative to the repository) as `<BUILD_DIR>/<name>/index.mjs`. */
export function bundleFunction(name: string, entry: string): Bundle {
  const dir = join(BUILD_DIR, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  // From a checkout the handlers are TypeScript; from the installed package, compiled JavaScript.
  const source = existsSync(join(REPO_ROOT, entry)) ? join(REPO_ROOT, entry) : join(REPO_ROOT, entry.replace(/\.ts$/, '.js'));
  buildSync({
    entryPoints: [source],
    outfile: file,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: ['@aws-sdk/*'],
    // CommonJS dependencies inside an ES module bundle still need `require`.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'silent',
  });
  return { dir, file, bytes: statSync(file).size };
}
