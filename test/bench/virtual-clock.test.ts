/** The benchmarks' virtual clock (bench/support/virtual-clock.ts): waits end in time order, exactly when due. */
import { describe, expect, it } from 'vitest';
import { seeded, VirtualClock } from '../../bench/support/virtual-clock.ts';

describe('VirtualClock', () => {
  it('fires waits in time order (ties in the order set), each at its time, and runs what they start', async () => {
    const clock = new VirtualClock(1000);
    const seen: Array<[string, number]> = [];
    const wait = async (name: string, ms: number) => {
      await clock.sleep(ms);
      seen.push([name, clock.now()]);
      // Work started by a wait, with waits of its own, runs before time moves on.
      if (name === 'b') {
        await Promise.resolve();
        await clock.sleep(0.5);
        seen.push(['b+', clock.now()]);
      }
    };
    void wait('c', 30);
    void wait('a', 10);
    void wait('b', 10);
    await clock.run();
    expect(seen).toEqual([
      ['a', 1010],
      ['b', 1010],
      ['b+', 1010.5],
      ['c', 1030],
    ]);
  });

  it('stops at untilMs or when told, and a cancelled wait never fires', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    const cancelled = clock.timer(5);
    void cancelled.done.then(() => fired.push(5));
    cancelled.cancel();
    for (const ms of [10, 20, 30]) void clock.sleep(ms).then(() => fired.push(ms));
    await clock.run({ untilMs: 25 });
    expect(fired).toEqual([10, 20]);
    expect(clock.now()).toBe(20);
    await clock.run({ stop: () => fired.length === 3 });
    expect(fired).toEqual([10, 20, 30]);
    expect(clock.fired).toBe(3);
  });

  it('draws the same numbers from the same seed', () => {
    const a = seeded(42);
    const b = seeded(42);
    const draws = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seeded(43)()).not.toBe(draws[0]);
  });
});
