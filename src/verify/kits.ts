/**
 * The live drift check's kit of every provider (src/providers/<name>/dev/live.ts): a provider
 * without one fails to compile. Development code, like the dev kits (src/providers/dev.ts).
 */
import { gupshupLive } from '../providers/gupshup/dev/live.ts';
import { kaleyraLive } from '../providers/kaleyra/dev/live.ts';
import { livechatLive } from '../providers/livechat/dev/live.ts';
import { livetokLive } from '../providers/livetok/dev/live.ts';
import { loopwaveLive } from '../providers/loopwave/dev/live.ts';
import type { ProviderName } from '../providers/names.ts';
import type { LiveKit } from './kit.ts';

export const LIVE_KITS: { readonly [K in ProviderName]: LiveKit<K> } = {
  livetok: livetokLive,
  livechat: livechatLive,
  gupshup: gupshupLive,
  loopwave: loopwaveLive,
  kaleyra: kaleyraLive,
};
