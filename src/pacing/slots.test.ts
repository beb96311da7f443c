import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Budget } from './budget.ts';
import { block, normalise, reserve, spacingOf, utilisationOf, type SlotState } from './slots.ts';

interface Run {
  /** Reservation sizes, cycled. */
  wants?: number[];
  /** Idle time after each reservation (ms), cycled: how late the sender comes back. */
  pauses?: number[];
  horizonMs?: number;
  random?: () => number;
}

/** A sender that keeps asking for slots for `durationMs`; returns every slot handed out. */
function greedy(budget: Budget, durationMs: number, run: Run = {}): number[] {
  const { wants = [10], pauses = [0], horizonMs = 1000, random = () => 0.5 } = run;
  const sent: number[] = [];
  let state: SlotState | undefined;
  let now = 0;
  for (let i = 0; now < durationMs; i++) {
    const r = reserve(state, budget, wants[i % wants.length]!, now, horizonMs, random);
    state = r.state;
    sent.push(...r.slots);
    now = (r.slots.length > 0 ? r.slots.at(-1)! : now + r.waitMs) + pauses[i % pauses.length]!;
  }
  return sent.filter((t) => t < durationMs);
}

/** The most sends in any half-open window of `windowMs`, at any alignment. */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('slot pacing', () => {
  it('never lets more than L arrive in any window, whatever the alignment, burst, jitter within δ and timing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom(1000, 60_000),
        fc.integer({ min: 0, max: 50 }),
        fc.constantFrom(0, 0.1, 0.5),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 16 }),
        (limit, windowMs, delta, burstFraction, wants, pauses, jitters) => {
          const budget: Budget = { windows: [{ limit, windowMs }], burstFraction, arrivalJitterMs: delta };
          const slots = greedy(budget, windowMs * 5, { wants, pauses, horizonMs: 500 });
          // Each send reaches the provider anywhere within ±δ of its slot.
          const arrivals = slots.map((t, i) => t + jitters[i % jitters.length]! * delta);
          expect(maxInWindow(arrivals, windowMs)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('use at least 97% of a limit when kept busy: 98% of 80/s at δ = 10 ms, nearly all of 1,000/h', () => {
    const perSecond: Budget = { windows: [{ limit: 80, windowMs: 1000 }], burstFraction: 0, arrivalJitterMs: 10 };
    const seconds = greedy(perSecond, 60_000);
    expect(seconds.length / 60 / 80).toBeCloseTo(utilisationOf(perSecond.windows[0]!, perSecond), 2);
    expect(seconds.length / 60 / 80).toBeGreaterThanOrEqual(0.97);
    expect(maxInWindow(seconds, 1000)).toBe(79);

    const perHour: Budget = { windows: [{ limit: 1000, windowMs: 3_600_000 }], burstFraction: 0, arrivalJitterMs: 10 };
    const hours = greedy(perHour, 10 * 3_600_000, { horizonMs: 5000 });
    expect(hours.length / 10 / 1000).toBeGreaterThanOrEqual(0.999);
    expect(maxInWindow(hours, 3_600_000)).toBeLessThanOrEqual(1000);
  });

  it('reserve a batch in one step, an interval apart, and nothing past the horizon', () => {
    const budget: Budget = { windows: [{ limit: 80, windowMs: 1000 }], burstFraction: 0, arrivalJitterMs: 10 };
    // X / L = 1020 ms / 80 = 12.75 ms, and 1 µs more.
    expect(spacingOf(budget.windows[0]!, budget)).toEqual({ intervalUs: 12_751, toleranceUs: 0 });
    const batch = reserve(undefined, budget, 10, 5000, 1000);
    expect(batch.slots).toEqual(Array.from({ length: 10 }, (_, i) => (5_000_000 + i * 12_751) / 1000));
    // The next reservation continues where the batch ended, however soon it comes.
    expect(reserve(batch.state, budget, 1, 5001, 1000).slots).toEqual([(5_000_000 + 10 * 12_751) / 1000]);
    // Only what fits the horizon: 50 ms holds slots 0, 12.751, 25.502 and 38.253 ms in.
    expect(reserve(batch.state, budget, 10, 5127.51, 50).slots).toHaveLength(4);
    // A slot that passed unused is not handed out late: the next is now.
    expect(reserve(batch.state, budget, 1, 9000, 0).slots).toEqual([9000]);
  });

  it('say how long to wait when the next slot is past the horizon', () => {
    const budget: Budget = { windows: [{ limit: 10, windowMs: 1000 }], burstFraction: 0, arrivalJitterMs: 0 };
    const first = reserve(undefined, budget, 5, 0, 0);
    expect(first.slots).toEqual([0]);
    // The next slot is 100.001 ms off: a wait rounded up to the ms.
    expect(reserve(first.state, budget, 1, 0, 0)).toMatchObject({ slots: [], waitMs: 101 });
    expect(reserve(first.state, budget, 1, 100, 0).slots).toEqual([]);
    expect(reserve(first.state, budget, 1, 101, 0).slots).toEqual([101]);
  });

  it('let a burst of B go at once, then pace the rest so that no window sees more than L', () => {
    const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0.1, arrivalJitterMs: 0 };
    const r = reserve(undefined, budget, 20, 0, 100);
    expect(r.slots.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(r.slots[10]).toBe(10.99); // 1000 ms / 91 = 10.989… ms, rounded up to the µs and 1 µs more
    expect(maxInWindow(greedy(budget, 10_000), 1000)).toBeLessThanOrEqual(100);
  });

  it('honour every window at once (per minute and per hour)', () => {
    const budget: Budget = {
      windows: [
        { limit: 120, windowMs: 60_000 },
        { limit: 1000, windowMs: 3_600_000 },
      ],
      burstFraction: 0,
      arrivalJitterMs: 10,
    };
    const sent = greedy(budget, 3_600_000, { horizonMs: 5000 });
    expect(maxInWindow(sent, 60_000)).toBeLessThanOrEqual(120);
    expect(maxInWindow(sent, 3_600_000)).toBeLessThanOrEqual(1000);
    expect(sent.length).toBeGreaterThanOrEqual(999);
  });

  it('space jittered sends by a random gap within the bounds', () => {
    const budget: Budget = { windows: [{ limit: 1000, windowMs: 1000 }], burstFraction: 0.5, jitterMs: [2000, 5000] };
    let random = 0;
    const sent = greedy(budget, 60_000, { horizonMs: 10_000, random: () => (random = (random + 0.37) % 1) });
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5000);
    expect(new Set(gaps).size).toBeGreaterThan(3);
  });

  it('hold everything back until a block ends', () => {
    const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0 };
    const blocked = block(reserve(undefined, budget, 1, 0, 0).state, 30_000);
    expect(reserve(blocked, budget, 1, 10_000, 1000)).toMatchObject({ slots: [], waitMs: 20_000 });
    expect(reserve(blocked, budget, 2, 30_000, 11).slots).toEqual([30_000, 30_010.001]);
    expect(block(undefined, 5).notBeforeMs).toBe(5);
  });

  it('remember the last block apart from jitter gaps, through later reservations (what voids a slot reserved before it)', () => {
    const budget: Budget = { windows: [{ limit: 10, windowMs: 1000 }], burstFraction: 0, jitterMs: [500, 500] };
    const blocked = block(undefined, 30_000);
    expect(blocked.blockedUntilMs).toBe(30_000);
    const after = reserve(blocked, budget, 2, 31_000, 10_000, () => 0).state;
    // A jitter gap moves notBefore; the block stays what it was.
    expect(after.notBeforeMs).toBeGreaterThan(31_000);
    expect(after.blockedUntilMs).toBe(30_000);
    expect(block(after, 20_000).blockedUntilMs).toBe(30_000);
    expect(reserve(undefined, budget, 1, 0, 1000, () => 0).state.blockedUntilMs).toBeUndefined();
  });

  it('carry a token bucket written before slots into slots that count its recent sends', () => {
    const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0, arrivalJitterMs: 0 };
    // The old bucket (capacity 10) had spent 6 tokens at t = 1000 and was blocked until 2000.
    const legacy = { tokens: { '1000': 4 }, updatedMs: 1000, notBeforeMs: 2000 };
    expect(normalise(legacy, budget)).toEqual({ tatUs: { '1000': 1_060_006 }, notBeforeMs: 2000 });
    expect(normalise(undefined, budget)).toBeUndefined();
    const current: SlotState = { tatUs: { '1000': 5 } };
    expect(normalise(current, budget)).toBe(current);
  });
});
