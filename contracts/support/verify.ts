/**
 * The two verifications of a committed pact: dynamic (Pact's Verifier replays it against a Prism
 * mock of the spec) and static (openapi-pact-comparator checks it against the spec itself, through
 * `checkPactAgainstSpec` of src/contracts/, which the package exports to other repositories).
 */
import { readFileSync } from 'node:fs';
import { Verifier } from '@pact-foundation/pact';
import { checkPactAgainstSpec, type PactFinding } from '../../src/contracts/index.ts';
import { startProviderMock } from '../../src/mock/provider-mock.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { preferFor } from './states.ts';
import type { API_SPEC } from '../../scripts/generation-jobs.ts';

/** One finding of the static check (openapi-pact-comparator's, and ours for JSON fields in form bodies). */
export type Result = PactFinding;

/** specs/<name>.yaml: a provider's, or `api` (our own API's). */
const specPathOf = (name: string) => new URL(`../../specs/${name}.yaml`, import.meta.url).pathname;

/** The Verifier's proxy hands filters an Express request (Express's types are not installed here). */
interface ProxiedRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  is(type: string): string | false | null;
}

interface PactJson {
  interactions: Array<{ providerStates?: Array<{ name: string }> }>;
}

/** Replays the pact against a Prism mock of `specPath` (default: the provider's spec); rejects on any mismatch. */
export async function verifyAgainstMock(provider: ProviderName, pactPath: string, specPath = specPathOf(provider)): Promise<void> {
  const pact = JSON.parse(readFileSync(pactPath, 'utf8')) as PactJson;
  const states = new Set(pact.interactions.flatMap((interaction) => (interaction.providerStates ?? []).map((state) => state.name)));
  let prefer: string | undefined;
  const setPrefer = async (params?: unknown) => {
    prefer = preferFor(params);
  };
  const mock = await startProviderMock(provider, { specPath });
  try {
    await new Verifier({
      provider,
      providerBaseUrl: mock.url,
      pactUrls: [pactPath],
      logLevel: 'error',
      stateHandlers: Object.fromEntries([...states].map((name) => [name, setPrefer])),
      requestFilter: (request: ProxiedRequest, _response: unknown, next: () => void) => {
        if (prefer) request.headers.prefer = prefer;
        // The Verifier's proxy parses form bodies into an object and then forwards them as JSON
        // text under the form content type (with the original length, so the provider waits for
        // bytes that never come). Put the form back as the consumer sent it.
        if (request.is('application/x-www-form-urlencoded') && request.body && !Buffer.isBuffer(request.body)) {
          const form = Buffer.from(new URLSearchParams(request.body as Record<string, string>).toString());
          request.body = form;
          request.headers['content-length'] = String(form.length);
        }
        next();
      },
    }).verifyProvider();
  } finally {
    await mock.close();
  }
}

/**
 * What the static check finds when it checks the pact against `specPath` (default: the spec of
 * `provider`): `checkPactAgainstSpec`, the one that `whatsapp-provider-kit/contracts` exports.
 */
export async function compareWithSpec(
  provider: ProviderName | typeof API_SPEC,
  pactPath: string,
  specPath = specPathOf(provider),
): Promise<Result[]> {
  return checkPactAgainstSpec(pactPath, provider, { specPath });
}
