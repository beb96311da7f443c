/**
 * The campaign benchmark's wiring (bench/campaign.ts), small and with fast providers: every message
 * accepted goes through the real accept path, the SQS fake, the event source mapping and the
 * sender to the stub, once. Rates are not asserted (they depend on the machine).
 */
import { describe, expect, it } from 'vitest';
import { DEPLOYED_SENDER, runCampaign } from '../../bench/campaign.ts';
import { SENDER_DEFAULTS } from '../../infra/components/pipeline.ts';

describe('runCampaign', () => {
  it('sends every message exactly once with the deployed sender settings', async () => {
    expect(DEPLOYED_SENDER).toEqual(SENDER_DEFAULTS);
    const result = await runCampaign({ messages: 60, latency: { p50Ms: 2, p99Ms: 10 }, timeLimitMs: 25_000 });
    expect(result.timedOut).toBe(false);
    expect(result.unsent).toBe(0);
    expect(result.sentTwice).toBe(0);
    expect(result.settings).toEqual(SENDER_DEFAULTS);
    expect(result.invocations).toBeGreaterThanOrEqual(60 / SENDER_DEFAULTS.batchSize);
    expect(result.sendsPerSecond.reduce((a, b) => a + b, 0)).toBe(60);
    expect(result.senderGbSecondsPerMessage).toBeGreaterThan(0);
  });
});

describe('runCampaign on a virtual clock', () => {
  it('fills the pacer with the deployed settings: no 429, every message once, at most 80 a number in any second', async () => {
    const result = await runCampaign({ messages: 1600, virtualSeed: 3 });
    expect(result.timedOut).toBe(false);
    expect(result.count429).toBe(0);
    expect(result.sentTwice).toBe(0);
    expect(result.unsent).toBe(0);
    expect(result.maxPerSlidingSecond).toBeLessThanOrEqual(80);
    // The seconds between the first and the last: every slot the pacer offers is taken (its
    // ceiling is 4 × 1000 / 12.751 ≈ 313.7 a second), none of the messages put back.
    const whole = result.sendsPerSecond.slice(1, -1);
    expect(whole.length).toBeGreaterThanOrEqual(3);
    for (const count of whole) expect(count).toBeGreaterThanOrEqual(310);
    expect(result.requeueRequests).toBe(0);
    // Seeded: the same run twice gives the same figures.
    const again = await runCampaign({ messages: 1600, virtualSeed: 3 });
    expect(again.sendsPerSecond).toEqual(result.sendsPerSecond);
  }, 60_000);
});
