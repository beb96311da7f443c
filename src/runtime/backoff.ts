/**
 * How long to wait before the next try: exponential backoff with full jitter (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"). The wait is drawn uniformly between a floor and
 * `min(capMs, baseMs · 2^attempt)`, so that many clients failing together do not retry together.
 * The floor keeps a lower bound where one is owed (a provider's recipient gap, one second before
 * asking a provider again); without one it is 0 — full jitter proper.
 *
 * One function for every retry of the project: the sender's refusals, the caller pushes, the
 * CLI's CSV batches and the store's retried writes. `random` is injectable so tests pin the draw.
 */

export interface BackoffPolicy {
  /** The ceiling of the first retry's wait (attempt 0); it doubles with each attempt. */
  baseMs: number;
  /** The largest wait, whatever the attempt. */
  capMs: number;
  /** The smallest wait (≤ the ceiling, which wins if lower). @default 0 */
  minMs?: number;
}

/**
 * The wait in whole milliseconds before retry number `attempt` (0 for the first retry): uniform
 * in [min(minMs, ceiling), ceiling] with ceiling = min(capMs, baseMs · 2^attempt).
 *
 * @param random a draw in [0, 1), `Math.random` by default
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  // A count from outside (a receive count) that is not a whole number ≥ 0 counts as the first retry;
  // 2^attempt beyond 2^40 only matters as "more than any cap": the arithmetic stays finite.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)) || 0, 40);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const floor = Math.min(policy.minMs ?? 0, ceiling);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.min(ceiling, Math.floor(floor + draw * (ceiling - floor + 1)));
}
