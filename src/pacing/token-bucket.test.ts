import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Budget } from './budget.ts';
import { block, take, type BucketState } from './token-bucket.ts';

/** Sends as fast as the budget lets, polling at random moments, for `durationMs`; returns send times. */
function greedy(budget: Budget, durationMs: number, steps: number[], random: () => number = () => 0.5): number[] {
  const sent: number[] = [];
  let state: BucketState | undefined;
  let now = 0;
  let i = 0;
  while (now < durationMs) {
    const grant = take(state, budget, 5, now, random);
    state = grant.state;
    for (let k = 0; k < grant.granted; k++) sent.push(now);
    now += grant.granted > 0 ? steps[i++ % steps.length]! : Math.max(grant.waitMs, 1);
  }
  return sent;
}

/** The most sends in any window of `windowMs` (sliding, half-open). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('token buckets', () => {
  it('never exceed a limit in any window, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }),
        (limit, steps) => {
          const budget: Budget = { windows: [{ limit, windowMs: 1000 }], burstFraction: 0.1 };
          const sent = greedy(budget, 5000, steps);
          expect(maxInWindow(sent, 1000)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('use about 90% of a limit over time', () => {
    const sent = greedy({ windows: [{ limit: 80, windowMs: 1000 }], burstFraction: 0.1 }, 60_000, [0]);
    expect(sent.length / 60).toBeGreaterThan(80 * 0.88);
    expect(sent.length / 60).toBeLessThanOrEqual(80);
  });

  it('honour every window at once (per minute and per hour)', () => {
    const budget: Budget = {
      windows: [
        { limit: 120, windowMs: 60_000 },
        { limit: 1000, windowMs: 3_600_000 },
      ],
      burstFraction: 0.1,
    };
    const sent = greedy(budget, 3_600_000, [0]);
    expect(maxInWindow(sent, 60_000)).toBeLessThanOrEqual(120);
    expect(maxInWindow(sent, 3_600_000)).toBeLessThanOrEqual(1000);
    expect(sent.length).toBeGreaterThan(900);
  });

  it('say how long to wait when empty', () => {
    const budget: Budget = { windows: [{ limit: 10, windowMs: 1000 }], burstFraction: 0.1 };
    const first = take(undefined, budget, 5, 0);
    expect(first.granted).toBe(1);
    const second = take(first.state, budget, 1, 0);
    expect(second).toMatchObject({ granted: 0, waitMs: 112 }); // 1 token at 9 per 1000 ms
    expect(take(second.state, budget, 1, 112).granted).toBe(1);
  });

  it('space jittered sends by a random gap within the bounds', () => {
    const budget: Budget = { windows: [{ limit: 1000, windowMs: 1000 }], burstFraction: 0.5, jitterMs: [2000, 5000] };
    let random = 0;
    const sent = greedy(budget, 60_000, [0], () => (random = (random + 0.37) % 1));
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5000);
    expect(new Set(gaps).size).toBeGreaterThan(3);
  });

  it('hold everything back until a block ends', () => {
    const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0.1 };
    const blocked = block(take(undefined, budget, 1, 0).state, 30_000);
    expect(take(blocked, budget, 1, 10_000)).toMatchObject({ granted: 0, waitMs: 20_000 });
    expect(take(blocked, budget, 1, 30_000).granted).toBe(1);
  });
});
