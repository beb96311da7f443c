/**
 * Test fixtures, one set per provider (src/providers/<name>/fixtures.ts): an account of the
 * provider as it is configured, a credential, and a message it can send on that account. The
 * suite loops over the list of providers with these (test/support/providers.ts), so a provider
 * without fixtures fails to compile there. Tests only: not built into the package.
 */
import type { ProviderName } from './names.ts';

export interface ProviderFixtures<N extends ProviderName = ProviderName> {
  name: N;
  /** The account's configuration, as written in pipeline.json (`id` is `acme-<name>`). */
  account: { id: string; provider: N } & Record<string, unknown>;
  /** What its credential secret holds (any value the mock accepts). */
  credential: string;
  /** A message content it can send on `account` (templates registered there where the provider needs them). */
  content: Record<string, unknown>;
}

export function defineFixtures<const N extends ProviderName>(fixtures: ProviderFixtures<N>): ProviderFixtures<N> {
  return fixtures;
}
