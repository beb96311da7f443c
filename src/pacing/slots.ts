/**
 * The pacing arithmetic, pure and clock-free (callers pass `now`, ms): slot scheduling, GCRA's
 * virtual scheduling. Each window (L sends per W) has an emission interval T and a theoretical
 * arrival time (TAT, the earliest moment its next send conforms). A reservation hands out the next
 * free slots in order, each at max(now, block, TATs less their tolerance), and moves every
 * window's TAT one interval past it — so many slots are reserved with one state change (one
 * conditional write in the store).
 *
 * The guarantee: at most L sends reach the provider in ANY window of length W, whatever the
 * provider's window alignment, when each send arrives within ±δ of its slot (δ: `arrivalJitterMs`,
 * the safety margin for the network). A window of length W at the provider holds the sends whose
 * slots lie in a span of X = W + 2δ; a burst of B at once, then one per T, puts B − 1 + ⌈X / T⌉
 * slots in a half-open span of X, so T = X / (L − B + 1) keeps that ≤ L. Without a burst (B = 1,
 * the default) the slots are X / L apart and the steady rate is L·W / X: 98% of a per-second limit
 * at δ = 10 ms, all but 0.0006% of a per-hour one.
 */
import type { Budget, Window } from './budget.ts';

export interface SlotState {
  /** Per window (keyed by windowMs), the theoretical arrival time of its next send, in whole µs (exact arithmetic). */
  tatUs: Record<string, number>;
  /** Nothing goes out before this (a 429's reset, a jitter gap). */
  notBeforeMs?: number;
  /**
   * The end of the last block a provider asked for (a 429's reset), apart from jitter gaps: a slot
   * reserved before the block and falling inside it is void (src/sender/sender.ts, carried slots).
   */
  blockedUntilMs?: number;
}

/** A token-bucket state written by an earlier version of the pacer (read once after an upgrade). */
interface LegacyBucketState {
  tokens: Record<string, number>;
  updatedMs: number;
  notBeforeMs?: number;
}

export interface Spacing {
  /** The emission interval T, whole µs, rounded up (the safe side) past X / (L − B + 1). */
  intervalUs: number;
  /** How far ahead of its TAT a send still conforms: (B − 1)·T, µs. */
  toleranceUs: number;
}

/** How many sends may go at once (B ≥ 1): the burst fraction of the limit, at least one. */
export function burstOf(window: Window, budget: Pick<Budget, 'burstFraction'>): number {
  return Math.max(1, Math.min(window.limit, Math.floor(window.limit * budget.burstFraction)));
}

/** A window's interval and tolerance under the budget's burst and arrival jitter (see above). */
export function spacingOf(window: Window, budget: Pick<Budget, 'burstFraction' | 'arrivalJitterMs'>): Spacing {
  const burst = burstOf(window, budget);
  const spanUs = Math.ceil((window.windowMs + 2 * (budget.arrivalJitterMs ?? 0)) * 1000);
  // Strictly more than the exact interval: L slots always span more than X, even at a boundary.
  const intervalUs = Math.floor(spanUs / (window.limit - burst + 1)) + 1;
  return { intervalUs, toleranceUs: (burst - 1) * intervalUs };
}

/** The long-run share of a window's limit the slots use (no 429s, no idle time): L·W / X for B = 1. */
export function utilisationOf(window: Window, budget: Pick<Budget, 'burstFraction' | 'arrivalJitterMs'>): number {
  return (window.windowMs * 1000) / spacingOf(window, budget).intervalUs / window.limit;
}

function isLegacy(state: SlotState | LegacyBucketState): state is LegacyBucketState {
  return !('tatUs' in state) && 'tokens' in state;
}

/**
 * A state as stored. A legacy token bucket (before slots) becomes slots that start where its spent
 * tokens would have been sent one interval apart after its last change: the sends it let out just
 * before keep counting against the first new ones.
 */
export function normalise(stored: unknown, budget: Budget): SlotState | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const state = stored as SlotState | LegacyBucketState;
  if (!isLegacy(state)) return state;
  const tatUs: Record<string, number> = {};
  for (const window of budget.windows) {
    const key = String(window.windowMs);
    const spent = Math.max(0, burstOf(window, { burstFraction: 0.1 }) - (state.tokens[key] ?? 0));
    tatUs[key] = Math.ceil(state.updatedMs * 1000) + Math.ceil(spent) * spacingOf(window, budget).intervalUs;
  }
  return { tatUs, ...(state.notBeforeMs !== undefined ? { notBeforeMs: state.notBeforeMs } : {}) };
}

export interface Reservation {
  /** The reserved slots, earliest first (ms); empty when the next one is past the horizon. */
  slots: number[];
  /** With no slot reserved: how long until the next one. */
  waitMs: number;
  state: SlotState;
}

const toUs = (ms: number) => Math.ceil(ms * 1000);

/** The earliest moment (µs) the next send conforms to every window and the block. */
function nextSlotUs(state: SlotState, budget: Budget, nowUs: number): number {
  let at = Math.max(nowUs, toUs(state.notBeforeMs ?? 0));
  for (const window of budget.windows) {
    const tat = state.tatUs[String(window.windowMs)];
    if (tat !== undefined) at = Math.max(at, tat - spacingOf(window, budget).toleranceUs);
  }
  return at;
}

/**
 * Reserves up to `want` slots of the budget, each no later than `now + horizonMs` (a slot further
 * off would have to be kept across invocations; its message waits on the queue instead). With
 * jitter, each slot is followed by a random gap (`random` in [0, 1) picks it).
 */
export function reserve(
  previous: SlotState | undefined,
  budget: Budget,
  want: number,
  now: number,
  horizonMs: number,
  random: () => number = Math.random,
): Reservation {
  let state: SlotState = previous ? { ...previous, tatUs: { ...previous.tatUs } } : { tatUs: {} };
  const nowUs = toUs(now);
  const slots: number[] = [];
  while (slots.length < want) {
    const at = nextSlotUs(state, budget, nowUs);
    if (at > nowUs + horizonMs * 1000) break;
    slots.push(at / 1000);
    const tatUs = { ...state.tatUs };
    for (const window of budget.windows) {
      const key = String(window.windowMs);
      tatUs[key] = Math.max(tatUs[key] ?? at, at) + spacingOf(window, budget).intervalUs;
    }
    state = { ...state, tatUs };
    if (budget.jitterMs) {
      const [min, max] = budget.jitterMs;
      state.notBeforeMs = at / 1000 + min + Math.floor(random() * (max - min + 1));
    }
  }
  if (slots.length > 0) return { slots, waitMs: 0, state };
  return { slots, waitMs: Math.max(1, Math.ceil((nextSlotUs(state, budget, nowUs) - nowUs) / 1000)), state };
}

/** The state after a provider said to wait until `untilMs` (a 429's reset): nobody sends before. */
export function block(state: SlotState | undefined, untilMs: number): SlotState {
  return {
    tatUs: { ...state?.tatUs },
    notBeforeMs: Math.max(state?.notBeforeMs ?? 0, untilMs),
    blockedUntilMs: Math.max(state?.blockedUntilMs ?? 0, untilMs),
  };
}
