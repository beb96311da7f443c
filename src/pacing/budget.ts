/**
 * Send budgets: how fast one provider account (its sender number) may send, and how close two
 * messages to the same recipient may be. Defaults come from what each provider documents; each
 * account may set its own in configuration.
 *
 * Each window is enforced by slot scheduling (src/pacing/slots.ts): every send gets the next free
 * slot, so no window of that length ever sees more than its limit, whatever the provider's window
 * alignment, with a margin for the network's arrival jitter. By default there is no burst and the
 * slots use 98% of a per-second limit and nearly all of a longer one.
 */
import type { AccountConfig } from '../config/accounts.ts';
import { ConfigError } from '../errors.ts';
import { providerModule, type RateLimit } from '../providers/index.ts';

/** One limit: at most `limit` sends per `windowMs` (a provider module's RateLimit). */
export type Window = RateLimit;

export interface Budget {
  windows: readonly Window[];
  /** Share of each limit that may go out at once (0: none, one slot after another); the rest is paced. */
  burstFraction: number;
  /**
   * δ, ms: how far a send's arrival at the provider may stray from its slot (timers, connection
   * set-up, the network). The slots leave room for it: W + 2δ per L sends.
   */
  arrivalJitterMs?: number;
  /** Random gap between consecutive sends, Loopwave-style, for broadcast-like bulk sends. */
  jitterMs?: readonly [number, number];
}

export interface PacingConfig {
  account: Budget;
  /** Minimum time between two messages to the same recipient (Meta's pair limit: about 6 s). */
  recipientGapMs: number;
}

/**
 * The spacing taken between two sends' slots to one recipient: the gap, plus the room for each
 * send's arrival to stray δ from its slot (as the account's windows leave it), so that the
 * provider sees them at least the gap apart — W + 2δ, like a window. 0 when there is no gap.
 */
export function recipientSpacingMs(pacing: PacingConfig): number {
  return pacing.recipientGapMs > 0 ? pacing.recipientGapMs + 2 * (pacing.account.arrivalJitterMs ?? 0) : 0;
}

export const DEFAULT_BURST_FRACTION = 0;
export const DEFAULT_ARRIVAL_JITTER_MS = 10;
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
      arrivalJitterMs: limits?.arrivalJitterMs ?? DEFAULT_ARRIVAL_JITTER_MS,
      ...(limits?.jitterMs ? { jitterMs: limits.jitterMs } : {}),
    },
    recipientGapMs: limits?.recipientGapMs ?? DEFAULT_RECIPIENT_GAP_MS,
  };
}

/**
 * How long an account waits after a 429 that names no reset: its shortest window (a per-second
 * limit's second), between 1 s and 1 min. The provider said the account is over its limit; the
 * window it counts in is the least it takes to come back under.
 */
export function defaultResetMs(budget: Pick<Budget, 'windows'>): number {
  const shortest = Math.min(...budget.windows.map((window) => window.windowMs));
  return Math.min(60_000, Math.max(1000, Number.isFinite(shortest) ? shortest : 1000));
}
