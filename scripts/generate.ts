/**
 * Regenerates the typed clients: `node scripts/generate.ts [outputRoot] [spec…]`.
 * Defaults: every spec (each provider's, and the API's) into ./generated.
 */
import { createClient } from '@hey-api/openapi-ts';
import { generationJobs, isSpecName, SPECS, type SpecName } from './generation-jobs.ts';

export async function generate(outputRoot = 'generated', specs: readonly SpecName[] = SPECS): Promise<void> {
  await createClient(generationJobs(outputRoot, specs));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outputRoot = 'generated', ...names] = process.argv.slice(2);
  const unknown = names.filter((name) => !isSpecName(name));
  if (unknown.length > 0) {
    console.error(`unknown spec(s): ${unknown.join(', ')}; expected one of ${SPECS.join(', ')}`);
    process.exit(2);
  }
  await generate(outputRoot, names.length > 0 ? (names as SpecName[]) : SPECS);
}
