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
    // A pause is not the breaker's: it never opens.
    expect(run.breakerOpens).toBe(0);
  }, 120_000);

  it('with 429s instead, opens the breaker: the rest go straight to the fallback, one probe fails back after the outage', async () => {
    const run = await runFailover({ seed: 1, outage: 'throttled' });
    expect(run.duringOutage).toBe((OUTAGE_MS / 1000) * RATE);
    expect(run.sentTwice).toBe(0);
    expect(run.neverSent).toBe(0);
    expect(run.breakerOpens).toBe(1);
    expect(run.breakerCloses).toBe(1);
    // Five refusals open it (and the few sends already under way): every other message of the outage moved without a call.
    expect(run.originRefusals).toBeLessThan(20);
    expect(run.failovers).toEqual({ breaker: expect.any(Number) });
    // No message waits its own failoverAfter: well under it.
    expect(run.p99Ms).toBeLessThan(run.failoverAfterMs / 3);
    // The probe after the 60 s cool-down finds the origin back: failback within a few seconds of the outage's end.
    expect(run.failbackMs).toBeGreaterThanOrEqual(0);
    expect(run.failbackMs).toBeLessThan(10_000);
    // A breaker that opens only after 1,000 refusals (about the pipeline before it): messages wait on the origin,
    // some their whole failoverAfter, and the origin keeps taking calls (fewer than one per message: each 429
    // blocks the whole account for its window, src/sender/sender.ts `accountResetMs`).
    const late = await runFailover({ seed: 1, outage: 'throttled', breakerAfter: 1000 });
    expect(late.sentTwice).toBe(0);
    expect(late.neverSent).toBe(0);
    expect(late.p50Ms).toBeGreaterThan(5 * run.p50Ms);
    expect(late.p99Ms).toBeGreaterThan(late.failoverAfterMs);
    expect(late.originRefusals).toBeGreaterThan(20 * run.originRefusals);
  }, 120_000);
});
