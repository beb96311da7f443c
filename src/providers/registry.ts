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

/** A request budget: at most `limit` sends per `windowMs` milliseconds. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface ProviderEntry {
  adapter: ProviderAdapter;
  /** What the account's credential secret holds. */
  credential: string;
  /** Documented limits per account / sender number, before any account configuration (src/pacing/budget.ts applies them). */
  defaultLimits(account: AccountConfig): readonly RateLimit[];
}

const SECOND = 1000;
/** Meta's default throughput per business number (80/s), for the providers that wrap it. */
const META_NUMBER_LIMIT: RateLimit[] = [{ limit: 80, windowMs: SECOND }];

export const PROVIDER_REGISTRY: Readonly<Record<ProviderName, ProviderEntry>> = {
  // LiveTok: 1,000 requests/hour (Free), 10,000 (Pro); Enterprise limits are custom (configure them).
  livetok: {
    adapter: livetokAdapter as ProviderAdapter,
    credential: 'API key (Bearer)',
    defaultLimits: (account) => (account.provider !== 'livetok' || account.plan === 'enterprise' ? [] : [{ limit: account.plan === 'pro' ? 10_000 : 1_000, windowMs: 3600 * SECOND }]),
  },
  livechat: { adapter: livechatAdapter as ProviderAdapter, credential: '<account id>:<personal access token>', defaultLimits: () => META_NUMBER_LIMIT },
  gupshup: { adapter: gupshupAdapter as ProviderAdapter, credential: 'apikey', defaultLimits: () => META_NUMBER_LIMIT },
  // Loopwave: 120 requests per minute per key (a fixed 60 s window).
  loopwave: { adapter: loopwaveAdapter as ProviderAdapter, credential: 'lw_live_… API key with messages:write', defaultLimits: () => [{ limit: 120, windowMs: 60 * SECOND }] },
  kaleyra: { adapter: kaleyraAdapter as ProviderAdapter, credential: 'api-key', defaultLimits: () => META_NUMBER_LIMIT },
};

export function adapterFor(account: AccountConfig): ProviderAdapter {
  return PROVIDER_REGISTRY[account.provider].adapter;
}
