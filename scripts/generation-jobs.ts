import type { UserConfig } from '@hey-api/openapi-ts';
import { PROVIDERS, type ProviderName } from '../src/providers/names.ts';

export { PROVIDERS, type ProviderName };

/** Our own HTTP API's spec (specs/api.yaml → generated/api/, the CLI's client): a spec that is not a provider's. */
export const API_SPEC = 'api';
export type SpecName = ProviderName | typeof API_SPEC;
/** Every spec in specs/ that is generated: each provider's, and the API's. */
export const SPECS: readonly SpecName[] = [...PROVIDERS, API_SPEC];

export function isSpecName(name: string): name is SpecName {
  return (SPECS as readonly string[]).includes(name);
}

/** The job of one spec: './' matters, a bare 'specs/x.yaml' is read as a registry shorthand. */
const job = (outputRoot: string, name: SpecName, plugins: UserConfig['plugins']): UserConfig => ({
  input: `./specs/${name}.yaml`,
  output: { path: `${outputRoot}/${name}`, importFileExtension: '.ts' },
  logs: { level: 'silent', file: false },
  plugins,
});

/**
 * The generation job for each spec. A provider's: a fetch client, TypeScript types, zod schemas,
 * and an SDK whose every operation validates its request and its 2xx JSON response with those
 * schemas. The API's: the client, types and SDK without validation — the API validates every
 * request itself and answers each problem by field (the CLI prints those answers), so a client
 * that refused first would only hide them.
 */
export function generationJobs(outputRoot: string, specs: readonly SpecName[] = SPECS): UserConfig[] {
  return specs.map((name) =>
    name === API_SPEC
      ? job(outputRoot, name, ['@hey-api/typescript', '@hey-api/client-fetch', '@hey-api/sdk'])
      : job(outputRoot, name, [
          '@hey-api/typescript',
          '@hey-api/client-fetch',
          // Accept RFC 3339 offsets (LiveChat's `schedule`), not only `Z`.
          { name: 'zod', dates: { offset: true } },
          { name: '@hey-api/sdk', validator: true },
        ]),
  );
}
