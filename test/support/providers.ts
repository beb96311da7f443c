/**
 * Every provider's test fixtures (src/providers/<name>/fixtures.ts), for tests that loop over the
 * list of providers: a provider without fixtures fails to compile here.
 */
import { gupshupFixtures } from '../../src/providers/gupshup/fixtures.ts';
import { kaleyraFixtures } from '../../src/providers/kaleyra/fixtures.ts';
import { livechatFixtures } from '../../src/providers/livechat/fixtures.ts';
import { livetokFixtures } from '../../src/providers/livetok/fixtures.ts';
import { loopwaveFixtures } from '../../src/providers/loopwave/fixtures.ts';
import type { ProviderFixtures } from '../../src/providers/fixtures.ts';
import type { ProviderName } from '../../src/providers/names.ts';

export const FIXTURES: { readonly [K in ProviderName]: ProviderFixtures<K> } = {
  livetok: livetokFixtures,
  livechat: livechatFixtures,
  gupshup: gupshupFixtures,
  loopwave: loopwaveFixtures,
  kaleyra: kaleyraFixtures,
};
