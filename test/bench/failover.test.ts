/**
 * The failover bench (bench/failover.ts) on its virtual clock: one seed, so every figure is the
 * same on any machine, under any load. The figures asserted are counts and virtual durations, not
 * timings of this machine.
 */
import { describe, expect, it } from 'vitest';
import { OUTAGE_MS, RATE, runFailover } from '../../bench/failover.ts';

describe('failover during a provider outage (virtual time)', () => {
  it('moves every message of the outage to the fallback within failoverAfter and a little, sending none twice', async () => {
    const run = await runFailover({ seed: 1 });
    expect(run.duringOutage).toBe((OUTAGE_MS / 1000) * RATE);
    expect(run.sentTwice).toBe(0);
    expect(run.neverSent).toBe(0);
    // The first refusal pauses the origin: one call to it during the outage, the rest move on without one.
    expect(run.originRefusals).toBe(1);
    expect(run.failovers.pause_sender).toBe(1);
    expect(run.failovers.blocked).toBeGreaterThan(0);
    // Issue 22's targets: p50 within failoverAfter + 5 s, p99 within failoverAfter + 30 s.
    expect(run.p50Ms).toBeLessThanOrEqual(run.failoverAfterMs + 5000);
    expect(run.p99Ms).toBeLessThanOrEqual(run.failoverAfterMs + 30_000);
    // A message waits on the paused route at least until the pause is failoverAfter old, not much more.
    expect(run.maxMs).toBeGreaterThanOrEqual(run.failoverAfterMs - 1000);
  }, 120_000);
});
