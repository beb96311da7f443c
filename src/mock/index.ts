/**
 * `whatsapp-provider-kit/mock`: our provider mocks, for your own tests and CI. Each one is Prism
 * (in-process) serving the provider's spec from this package's `specs/` — routing, request
 * validation, security and the documented answers, `Prefer: code=…` picking one — plus what
 * Prism lacks: a distinct message id per send, Gupshup's JSON form fields checked, an optional
 * rate limit, and `GET /__mock/received`.
 *
 * Install the optional peer dependencies next to the package: `@stoplight/prism-core`,
 * `@stoplight/prism-http`, `ajv`, `ajv-formats` and `yaml` (package.json `peerDependencies`).
 *
 * @example
 * ```ts
 * import { startProviderMock } from 'whatsapp-provider-kit/mock';
 * const mock = await startProviderMock('kaleyra'); // 127.0.0.1, a free port
 * // … point your client at mock.url, send, assert on the answers or on mock.received …
 * await mock.close();
 * ```
 *
 * To replay a pact of yours against a mock with Pact's `Verifier`, `pactVerifierOptions(mock, pact)`
 * turns the pact's provider states into the mock's answers (`{ code: 429 }` → `Prefer: code=429`);
 * the recipe, with the static check (`whatsapp-provider-kit/contracts`): docs/consumer-contracts.md.
 * @module
 */
import { MOCKED_PROVIDERS, type ProviderName } from './providers.ts';

export {
  startProviderMock,
  type MockAnswer,
  type MockScenario,
  type ProviderMock,
  type ProviderMockOptions,
} from './provider-mock.ts';
export {
  pactVerifierOptions,
  preferFor,
  type PactVerifierOptions,
  type PactWithStates,
  type ProxiedRequest,
} from './pact-verifier.ts';
export type { ProviderName };

/** The providers there is a mock of. */
export const MOCK_PROVIDERS: readonly ProviderName[] = Object.keys(MOCKED_PROVIDERS) as ProviderName[];

/**
 * Each provider's fixed port under `npm run mock` (4010–4014). `startProviderMock` picks a free
 * port unless given `port`: pass one of these to run a mock where a configuration expects it.
 */
export const DEFAULT_MOCK_PORTS: Readonly<Record<ProviderName, number>> = Object.fromEntries(
  MOCK_PROVIDERS.map((provider) => [provider, MOCKED_PROVIDERS[provider].port]),
) as Record<ProviderName, number>;
