/**
 * Regenerates the typed clients: `node scripts/generate.ts [outputRoot] [spec…]`.
 * Defaults: every spec (each provider's, and the API's) into ./generated.
 *
 * The clients are generated into a staging folder beside `outputRoot` and moved into place only
 * when every spec generated: a spec that does not parse leaves the committed clients as they were
 * (the generator empties each output folder before it writes) and is named in the error.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createClient } from '@hey-api/openapi-ts';
import { generationJobs, isSpecName, SPECS, type SpecName } from './generation-jobs.ts';

/** Why a spec could not be generated, with the spec's file when the generator says which. */
export class GenerationError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'GenerationError';
  }
}

function describeFailure(error: unknown, specs: readonly SpecName[]): string {
  const original = (error as { originalError?: { error?: unknown; jobIndex?: number } }).originalError;
  const inner = original?.error ?? error;
  const source = (inner as { source?: unknown }).source;
  const spec =
    typeof source === 'string' ? source : original?.jobIndex !== undefined ? `specs/${specs[original.jobIndex]}.yaml` : undefined;
  const message = inner instanceof Error ? inner.message : String(inner);
  return `${spec ? `${spec}: ` : ''}${message}`;
}

export async function generate(outputRoot = 'generated', specs: readonly SpecName[] = SPECS): Promise<void> {
  const target = resolve(outputRoot);
  mkdirSync(target, { recursive: true });
  const staging = mkdtempSync(join(dirname(target), '.generating-'));
  try {
    try {
      await createClient(generationJobs(staging, specs));
    } catch (error) {
      throw new GenerationError(`could not generate the clients (${outputRoot} is unchanged): ${describeFailure(error, specs)}`, {
        cause: error,
      });
    }
    for (const name of specs) {
      const into = join(target, name);
      if (existsSync(into)) rmSync(into, { recursive: true, force: true });
      renameSync(join(staging, name), into);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outputRoot = 'generated', ...names] = process.argv.slice(2);
  const unknown = names.filter((name) => !isSpecName(name));
  if (unknown.length > 0) {
    console.error(`unknown spec(s): ${unknown.join(', ')}; expected one of ${SPECS.join(', ')}`);
    process.exit(2);
  }
  try {
    await generate(outputRoot, names.length > 0 ? (names as SpecName[]) : SPECS);
  } catch (error) {
    if (!(error instanceof GenerationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
