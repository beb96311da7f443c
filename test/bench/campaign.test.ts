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
