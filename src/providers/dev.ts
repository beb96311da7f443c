/**
 * The local-only kits of the providers (src/providers/<name>/dev/): mocks, callback simulation,
 * scenario numbers. Local development tools only: no Lambda function imports this file (checked
 * by infra/bundle.test.ts).
 */
import type { ProviderDevKit } from './dev-kit.ts';
import { gupshupDev } from './gupshup/dev/index.ts';
import { kaleyraDev } from './kaleyra/dev/index.ts';
import { livechatDev } from './livechat/dev/index.ts';
import { livetokDev } from './livetok/dev/index.ts';
import { loopwaveDev } from './loopwave/dev/index.ts';
import type { ProviderName } from './names.ts';

export type { Callback, CallbackFacts, MockedProvider, ProviderDevKit, ScenarioError, SimulatedCallbacks } from './dev-kit.ts';
export { META_OPTED_OUT, META_UNDELIVERABLE } from './dev-kit.ts';

/** One kit per provider: a provider without one fails to compile. */
export const DEV_KITS: { readonly [K in ProviderName]: ProviderDevKit<K> } = {
  livetok: livetokDev,
  livechat: livechatDev,
  gupshup: gupshupDev,
  loopwave: loopwaveDev,
  kaleyra: kaleyraDev,
};
