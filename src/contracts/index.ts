/**
 * `whatsapp-provider-kit/contracts`: check your own pacts against our specs, statically, in your
 * tests and CI — the other half of replaying them against our provider mocks
 * (`whatsapp-provider-kit/mock`). The recipe: docs/consumer-contracts.md.
 *
 * Install the optional peer dependencies next to the package: `@pactflow/openapi-pact-comparator`,
 * `ajv`, `ajv-formats` and `yaml` (package.json `peerDependencies`). Prism is not needed here.
 *
 * @example
 * ```ts
 * import { checkPactAgainstSpec } from 'whatsapp-provider-kit/contracts';
 * const findings = await checkPactAgainstSpec('pacts/my-app-livetok.json', 'livetok');
 * const errors = findings.filter((finding) => finding.type === 'error'); // [] when the pact agrees with the spec
 * ```
 * @module
 */
export {
  checkPactAgainstSpec,
  SPEC_NAMES,
  type PactCheckOptions,
  type PactDocument,
  type PactFinding,
  type SpecName,
} from './pact-check.ts';
