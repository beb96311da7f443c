/**
 * Regenerates the typed clients: `node scripts/generate.ts [outputRoot] [provider…]`.
 * Defaults: every provider into ./generated.
 */
import { createClient } from '@hey-api/openapi-ts';
import { isProviderName } from '../src/providers/names.ts';
import { generationJobs, PROVIDERS, type ProviderName } from './generation-jobs.ts';

export async function generate(outputRoot = 'generated', providers: readonly ProviderName[] = PROVIDERS): Promise<void> {
  await createClient(generationJobs(outputRoot, providers));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outputRoot = 'generated', ...names] = process.argv.slice(2);
  const unknown = names.filter((name) => !isProviderName(name));
  if (unknown.length > 0) {
    console.error(`unknown provider(s): ${unknown.join(', ')}; expected one of ${PROVIDERS.join(', ')}`);
    process.exit(2);
  }
  await generate(outputRoot, names.length > 0 ? (names as ProviderName[]) : PROVIDERS);
}
