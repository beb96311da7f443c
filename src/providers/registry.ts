/**
 * The providers as data: each one's adapter, what its credential is, and its documented default
 * rate limits. Adding a provider is a folder under src/providers/ and a line here.
 */
import type { AccountConfig } from '../config/accounts.ts';
import type { ProviderAdapter } from './adapter.ts';
import { gupshupAdapter } from './gupshup/adapter.ts';
import { kaleyraAdapter } from './kaleyra/adapter.ts';
import { livechatAdapter } from './livechat/adapter.ts';
import { livetokAdapter } from './livetok/adapter.ts';
import { loopwaveAdapter } from './loopwave/adapter.ts';
import type { ProviderName } from './names.ts';

/** A request budget: at most `limit` sends per `windowS` seconds. */
export interface RateLimit {
  limit: number;
  windowS: number;
}

export interface ProviderEntry {
  adapter: ProviderAdapter;
  /** What the account's credential secret holds. */
  credential: string;
  /** Documented limits per account / sender number, before any account configuration. */
  defaultLimits: readonly RateLimit[];
}

/** Meta's default throughput per business number (80/s), for the providers that wrap it. */
const META_NUMBER_LIMIT: RateLimit = { limit: 80, windowS: 1 };

export const PROVIDER_REGISTRY: Readonly<Record<ProviderName, ProviderEntry>> = {
  livetok: { adapter: livetokAdapter as ProviderAdapter, credential: 'API key (Bearer)', defaultLimits: [{ limit: 1000, windowS: 3600 }] },
  livechat: { adapter: livechatAdapter as ProviderAdapter, credential: '<account id>:<personal access token>', defaultLimits: [META_NUMBER_LIMIT] },
  gupshup: { adapter: gupshupAdapter as ProviderAdapter, credential: 'apikey', defaultLimits: [META_NUMBER_LIMIT] },
  loopwave: { adapter: loopwaveAdapter as ProviderAdapter, credential: 'lw_live_… API key with messages:write', defaultLimits: [{ limit: 120, windowS: 60 }] },
  kaleyra: { adapter: kaleyraAdapter as ProviderAdapter, credential: 'api-key', defaultLimits: [META_NUMBER_LIMIT] },
};

export function adapterFor(account: AccountConfig): ProviderAdapter {
  return PROVIDER_REGISTRY[account.provider].adapter;
}
