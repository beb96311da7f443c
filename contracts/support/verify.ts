/**
 * The two verifications of a committed pact: dynamic (Pact's Verifier replays it against a Prism
 * mock of the spec) and static (openapi-pact-comparator checks it against the spec itself, through
 * `checkPactAgainstSpec` of src/contracts/, which the package exports to other repositories).
 */
import { readFileSync } from 'node:fs';
import { Verifier } from '@pact-foundation/pact';
import { checkPactAgainstSpec, type PactFinding } from '../../src/contracts/index.ts';
import { pactVerifierOptions, type PactWithStates } from '../../src/mock/pact-verifier.ts';
import { startProviderMock } from '../../src/mock/provider-mock.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import type { API_SPEC } from '../../scripts/generation-jobs.ts';

/** One finding of the static check (openapi-pact-comparator's, and ours for JSON fields in form bodies). */
export type Result = PactFinding;

/** specs/<name>.yaml: a provider's, or `api` (our own API's). */
const specPathOf = (name: string) => new URL(`../../specs/${name}.yaml`, import.meta.url).pathname;

/** Replays the pact against a Prism mock of `specPath` (default: the provider's spec); rejects on any mismatch. */
export async function verifyAgainstMock(provider: ProviderName, pactPath: string, specPath = specPathOf(provider)): Promise<void> {
  const pact = JSON.parse(readFileSync(pactPath, 'utf8')) as PactWithStates;
  const mock = await startProviderMock(provider, { specPath });
  try {
    // The options the package exports: provider states as `Prefer` headers, form bodies put back.
    await new Verifier({ ...pactVerifierOptions(mock, pact), pactUrls: [pactPath], logLevel: 'error' }).verifyProvider();
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
