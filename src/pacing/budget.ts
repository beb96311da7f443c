/**
 * Send budgets: how fast one provider account (its sender number) may send, and how close two
 * messages to the same recipient may be. Defaults come from what each provider documents; each
 * account may set its own in configuration.
 *
 * Each window is enforced as a token bucket that can never exceed the window's limit in ANY
 * window of that length, whatever the provider's window alignment: a bucket of capacity C
 * refilling at (L − C)/W admits at most C + (L − C) = L sends in any W. C is a fraction of L (10%
 * by default), so bursts stay small and the steady rate is 90% of the limit.
 */
import type { AccountConfig } from '../config/accounts.ts';
import { ConfigError } from '../errors.ts';
import { providerModule, type RateLimit } from '../providers/index.ts';

/** One limit: at most `limit` sends per `windowMs` (a provider module's RateLimit). */
export type Window = RateLimit;

export interface Budget {
  windows: readonly Window[];
  /** Share of each limit that may go out at once (the bucket capacity); the rest is paced. */
  burstFraction: number;
  /** Random gap between consecutive sends, Loopwave-style, for broadcast-like bulk sends. */
  jitterMs?: readonly [number, number];
}

export interface PacingConfig {
  account: Budget;
  /** Minimum time between two messages to the same recipient (Meta's pair limit: about 6 s). */
  recipientGapMs: number;
}

export const DEFAULT_BURST_FRACTION = 0.1;
export const DEFAULT_RECIPIENT_GAP_MS = 6_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The documented defaults, from the provider modules: LiveTok per plan, Loopwave per key, Meta's 80/s per number. */
export function defaultWindows(account: AccountConfig): Window[] {
  return [...providerModule(account.provider).defaultLimits(account)];
}

/** The account's budget: its configured limits where given, the provider's documented ones otherwise. */
export function pacingFor(account: AccountConfig): PacingConfig {
  const limits = account.limits;
  const configured: Window[] = [];
  if (limits?.perSecond) configured.push({ limit: limits.perSecond, windowMs: SECOND });
  if (limits?.perMinute) configured.push({ limit: limits.perMinute, windowMs: MINUTE });
  if (limits?.perHour) configured.push({ limit: limits.perHour, windowMs: HOUR });
  if (limits?.perDay) configured.push({ limit: limits.perDay, windowMs: DAY });
  const windows = configured.length > 0 ? configured : defaultWindows(account);
  // LiveTok's Enterprise plan: its limits are custom, so the account must say them.
  if (windows.length === 0) {
    const title = providerModule(account.provider).title;
    throw new ConfigError(
      `account ${account.id}: ${title} documents no default limits for this account (its plan's are custom): set limits`,
    );
  }
  return {
    account: {
      windows,
      burstFraction: limits?.burstFraction ?? DEFAULT_BURST_FRACTION,
      ...(limits?.jitterMs ? { jitterMs: limits.jitterMs } : {}),
    },
    recipientGapMs: limits?.recipientGapMs ?? DEFAULT_RECIPIENT_GAP_MS,
  };
}
