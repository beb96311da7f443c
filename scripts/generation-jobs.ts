import type { UserConfig } from '@hey-api/openapi-ts';
import { PROVIDERS, type ProviderName } from '../src/providers/names.ts';

export { PROVIDERS, type ProviderName };

/**
 * The generation job for each provider: a fetch client, TypeScript types, zod schemas, and an
 * SDK whose every operation validates its request and its 2xx JSON response with those schemas.
 */
export function generationJobs(outputRoot: string, providers: readonly ProviderName[] = PROVIDERS): UserConfig[] {
  return providers.map((provider) => ({
    // './' matters: a bare 'specs/x.yaml' is read as a registry shorthand.
    input: `./specs/${provider}.yaml`,
    output: { path: `${outputRoot}/${provider}`, importFileExtension: '.ts' },
    logs: { level: 'silent', file: false },
    plugins: [
      '@hey-api/typescript',
      '@hey-api/client-fetch',
      // Accept RFC 3339 offsets (LiveChat's `schedule`), not only `Z`.
      { name: 'zod', dates: { offset: true } },
      { name: '@hey-api/sdk', validator: true },
    ],
  }));
}
