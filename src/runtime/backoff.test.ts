import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.ts';

const policy = { baseMs: 1000, capMs: 60_000 };
const draws = (...values: number[]) => {
  const queue = [...values];
  return () => queue.shift()!;
};

describe('backoffMs (exponential, full jitter)', () => {
  it('draws between 0 and base·2^attempt: the lowest draw waits 0, the highest the ceiling', () => {
    expect(backoffMs(0, policy, () => 0)).toBe(0);
    expect(backoffMs(0, policy, () => 0.999_999_9)).toBe(1000);
    expect(backoffMs(3, policy, () => 0.999_999_9)).toBe(8000);
    expect(backoffMs(3, policy, () => 0.5)).toBe(4000);
  });

  it('never exceeds the cap, however many attempts (and stays finite)', () => {
    expect(backoffMs(6, policy, () => 0.999_999_9)).toBe(60_000);
    expect(backoffMs(1e6, policy, () => 0.999_999_9)).toBe(60_000);
    expect(backoffMs(Number.MAX_SAFE_INTEGER, policy, () => 0.25)).toBe(15_000);
  });

  it('keeps the floor, unless the ceiling is lower', () => {
    const floored = { ...policy, minMs: 1500 };
    expect(backoffMs(2, floored, () => 0)).toBe(1500);
    expect(backoffMs(2, floored, () => 0.999_999_9)).toBe(4000);
    // Attempt 0: the ceiling (1 s) is below the floor, so it is the wait.
    expect(backoffMs(0, floored, () => 0)).toBe(1000);
    expect(backoffMs(0, floored, () => 0.7)).toBe(1000);
  });

  it('jitters: different draws give different waits for the same attempt', () => {
    const random = draws(0.1, 0.6, 0.9);
    expect([backoffMs(4, policy, random), backoffMs(4, policy, random), backoffMs(4, policy, random)]).toEqual([1600, 9600, 14400]);
  });

  it('treats a count that is not a whole number ≥ 0 as the first retry', () => {
    for (const attempt of [-1, Number.NaN, 0.5]) expect(backoffMs(attempt, policy, () => 0.999_999_9)).toBe(1000);
  });

  it('for any policy, attempt and draw: a whole number of ms within [min(floor, ceiling), ceiling]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (baseMs, capMs, minMs, attempt, draw) => {
          const wait = backoffMs(attempt, { baseMs, capMs, minMs }, () => draw);
          const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(Math.min(minMs, ceiling));
          expect(wait).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});

describe('the project’s retry policies', () => {
  it('pushes: at least 1 s, at most 10 s, 20 s, 40 s … 15 min, in whole seconds for SQS', async () => {
    const { pushBackoffS } = await import('../push/push.ts');
    expect(pushBackoffS(1, () => 0)).toBe(1);
    expect(pushBackoffS(1, () => 0.999_999_9)).toBe(10);
    expect(pushBackoffS(3, () => 0.999_999_9)).toBe(40);
    expect(pushBackoffS(8, () => 0.999_999_9)).toBe(900);
    expect(pushBackoffS(3, () => 0.5)).toBe(21);
  });

  it('the sender’s refusals: at least 1 s, at most 2^attempt s, 15 min at most', async () => {
    const { REFUSAL_BACKOFF } = await import('../sender/sender.ts');
    expect(backoffMs(1, REFUSAL_BACKOFF, () => 0)).toBe(1000);
    expect(backoffMs(2, REFUSAL_BACKOFF, () => 0.999_999_9)).toBe(4000);
    expect(backoffMs(30, REFUSAL_BACKOFF, () => 0.999_999_9)).toBe(900_000);
  });
});
