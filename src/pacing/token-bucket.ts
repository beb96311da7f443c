/**
 * The pacing arithmetic, pure and clock-free: callers pass `now` (ms). One state per budget
 * (account): a bucket per window, a shared block (a provider's 429 reset) and, for jittered bulk
 * sends, the earliest time of the next send.
 */
import type { Budget, Window } from './budget.ts';

export interface BucketState {
  /** Tokens per window, keyed by windowMs. */
  tokens: Record<string, number>;
  updatedMs: number;
  /** Nothing goes out before this (a 429's reset, a jitter gap). */
  notBeforeMs?: number;
}

const capacity = (window: Window, burst: number) => Math.max(1, Math.floor(window.limit * burst));
/** Tokens per ms: (L − C) / W, so no window of length W ever sees more than L sends. */
const rate = (window: Window, burst: number) => {
  const cap = capacity(window, burst);
  // A limit too small to keep a burst back (1 per W) refills at L/W: one send per window.
  return (window.limit > cap ? window.limit - cap : window.limit) / window.windowMs;
};

export function initialState(budget: Budget, now: number): BucketState {
  return { tokens: Object.fromEntries(budget.windows.map((w) => [String(w.windowMs), capacity(w, budget.burstFraction)])), updatedMs: now };
}

/** The state refilled up to `now`. */
export function refill(state: BucketState, budget: Budget, now: number): BucketState {
  const elapsed = Math.max(0, now - state.updatedMs);
  const tokens: Record<string, number> = {};
  for (const window of budget.windows) {
    const key = String(window.windowMs);
    const cap = capacity(window, budget.burstFraction);
    tokens[key] = Math.min(cap, (state.tokens[key] ?? cap) + elapsed * rate(window, budget.burstFraction));
  }
  return {
    tokens,
    updatedMs: Math.max(now, state.updatedMs),
    ...(state.notBeforeMs !== undefined ? { notBeforeMs: state.notBeforeMs } : {}),
  };
}

export interface Grant {
  granted: number;
  /** When nothing was granted: how long until one send may go. */
  waitMs: number;
  state: BucketState;
}

/**
 * Takes up to `want` sends from the budget at `now`. With jitter, one send at a time, each
 * followed by a random gap (`random` in [0, 1) picks it).
 */
export function take(
  previous: BucketState | undefined,
  budget: Budget,
  want: number,
  now: number,
  random: () => number = Math.random,
): Grant {
  const state = refill(previous ?? initialState(budget, now), budget, now);
  if (state.notBeforeMs !== undefined && state.notBeforeMs > now) return { granted: 0, waitMs: state.notBeforeMs - now, state };
  let granted = Math.min(want, budget.jitterMs ? 1 : want);
  for (const window of budget.windows) granted = Math.min(granted, Math.floor(state.tokens[String(window.windowMs)]! + 1e-9));
  if (granted <= 0) {
    const waitMs = Math.max(
      ...budget.windows.map((window) => {
        const missing = 1 - state.tokens[String(window.windowMs)]!;
        const r = rate(window, budget.burstFraction);
        return missing <= 0 ? 0 : r > 0 ? Math.ceil(missing / r) : window.windowMs;
      }),
    );
    return { granted: 0, waitMs: Math.max(1, waitMs), state };
  }
  const tokens = { ...state.tokens };
  for (const window of budget.windows) tokens[String(window.windowMs)]! -= granted;
  const next: BucketState = { tokens, updatedMs: state.updatedMs };
  if (budget.jitterMs) {
    const [min, max] = budget.jitterMs;
    next.notBeforeMs = now + min + Math.floor(random() * (max - min + 1));
  }
  return { granted, waitMs: 0, state: next };
}

/** The state after a provider said to wait until `untilMs` (a 429's reset): nobody sends before. */
export function block(state: BucketState, untilMs: number): BucketState {
  return { ...state, notBeforeMs: Math.max(state.notBeforeMs ?? 0, untilMs) };
}
