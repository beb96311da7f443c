/**
 * The real sender against a provider's own fixed windows, on a virtual clock (bench/pacing-windows.ts):
 * short spans with fixed seeds, so every figure is the same on any machine, under any load. The
 * figures asserted are counts over virtual time, not timings.
 */
import { describe, expect, it } from 'vitest';
import { runWindows, WINDOWS_CASES, type WindowsCase } from '../../bench/pacing-windows.ts';
import { FIXTURES } from '../support/providers.ts';

/** A sparse limit, 20 a minute (one slot every 3 s) on a LiveTok account, for 5 minutes, with `backlog` messages waiting. */
const minuteCase = (backlog: number): WindowsCase => ({
  name: `minute-${backlog}`,
  provider: 'livetok',
  account: { ...FIXTURES.livetok.account, limits: { perMinute: 20 } },
  limit: 20,
  windowMs: 60_000,
  durationMs: 5 * 60_000,
  concurrency: 2,
  backlog,
});

/** Meta's 80/s on a LiveChat number, for 8 s of virtual time: 7 whole windows of the provider's. */
const SECOND = { ...WINDOWS_CASES.second, durationMs: 8000 };

describe('pacing against a provider’s fixed windows (virtual time)', () => {
  it('never oversteps 80/s in any 1 s span, whatever the provider’s alignment: no 429', async () => {
    const run = await runWindows({ case: SECOND, naive: false, seed: 11 });
    expect(run.offsetMs).toBeGreaterThan(0);
    expect(run.wholeWindows).toBe(7);
    expect(run.count429).toBe(0);
    expect(run.maxAnyWindow).toBeLessThanOrEqual(80);
    expect(run.aborted).toBe(0);
    // Saturated: the pacer, not the supply, set the pace (expected 98.0% of the limit).
    expect(run.utilisationPct).toBeGreaterThanOrEqual(97);
  }, 120_000);

  it('catches a sender without its pacer: the same run with a limit far above the provider’s meets 429s and overfills a span', async () => {
    const run = await runWindows({ case: SECOND, naive: true, seed: 11 });
    expect(run.count429).toBeGreaterThan(0);
    expect(run.maxAnyWindow).toBeGreaterThan(80);
  }, 120_000);

  it('uses every slot of a sparse limit: a message whose slot is out of reach comes back before it, not after', async () => {
    // One slot every 3 s (20/min): a copy put back for the whole wait, in whole seconds rounded
    // up, came back after its slot, and the slots taken late left 7.5% of the limit unused.
    const minute = minuteCase(10);
    const run = await runWindows({ case: minute, naive: false, seed: 1 });
    expect(run.wholeWindows).toBe(4);
    expect(run.count429).toBe(0);
    expect(run.maxAnyWindow).toBeLessThanOrEqual(20);
    expect(run.utilisationPct).toBeGreaterThanOrEqual(97);
  }, 120_000);

  it('does not churn the queue with a deep backlog on a sparse limit: each message reserves its slot once and comes back for it', async () => {
    // One slot every 3 s and 200 messages waiting: without carried slots every message out of reach
    // looked again at each slot (hundreds of copies per send); with them, a message takes a slot up
    // to 15 minutes ahead and comes back once, or waits about that long for the next round.
    const deep = minuteCase(200);
    const run = await runWindows({ case: deep, naive: false, seed: 1 });
    expect(run.count429).toBe(0);
    expect(run.maxAnyWindow).toBeLessThanOrEqual(20);
    expect(run.utilisationPct).toBeGreaterThanOrEqual(97);
    // Copies the sender put back (one SendMessageBatch request each): about one per message fed —
    // the ones sent and the backlog left at the end (20,000 for these 300 before slots were carried).
    expect(run.accepted).toBeGreaterThanOrEqual(100);
    expect(run.requeueRequests).toBeLessThanOrEqual(1.1 * (run.accepted + deep.backlog));
  }, 120_000);
});
