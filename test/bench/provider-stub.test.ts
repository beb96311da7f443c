/** The benchmarks' in-process provider (bench/support/provider-stub.ts): its limit, its answers, its latency. */
import { describe, expect, it } from 'vitest';
import { lognormal, percentile, providerStub } from '../../bench/support/provider-stub.ts';
import { VirtualClock } from '../../bench/support/virtual-clock.ts';
import { adapterFor } from '../../src/providers/index.ts';
import { FIXTURES } from '../support/providers.ts';
import { AccountConfig } from '../../src/config/accounts.ts';

/** A seeded generator (mulberry32), so a draw is the same every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('providerStub', () => {
  it('draws latencies with the asked median and 99th percentile', () => {
    const draw = lognormal(300, 1500, seeded(7));
    const values = Array.from({ length: 20_000 }, draw);
    expect(percentile(values, 50)).toBeGreaterThan(285);
    expect(percentile(values, 50)).toBeLessThan(315);
    expect(percentile(values, 99)).toBeGreaterThan(1300);
    expect(percentile(values, 99)).toBeLessThan(1700);
  });

  it('answers each provider’s send so its adapter reads an accepted send, and counts each sender number apart', async () => {
    let clock = 10_000;
    const stub = providerStub({ p50Ms: 1, p99Ms: 2, now: () => clock, offsetMs: () => 0 });
    for (const provider of ['livechat', 'gupshup', 'kaleyra', 'livetok'] as const) {
      const { account, credential, content } = FIXTURES[provider];
      const parsed = AccountConfig.parse({ ...account, baseUrl: 'https://provider.example' });
      const result = await adapterFor(parsed).send({ messageId: `m-${provider}`, recipient: '+14155550100', content } as never, parsed, {
        credential,
        fetch: stub.fetch,
      });
      expect(result).toMatchObject({ outcome: 'accepted' });
      clock += 1;
    }
    expect(stub.sends.map((s) => [s.number.split(':')[0], s.recipient, s.status])).toEqual([
      ['livechat', '14155550100', 200],
      ['gupshup', '14155550100', 202],
      ['kaleyra', '14155550100', 202],
      ['livetok', '14155550100', 200],
    ]);
    expect(new Set(stub.sends.map((s) => s.number)).size).toBe(4);
  });

  it('counts a request in the window where it arrives, after its transit, on the injected clock', async () => {
    const clock = new VirtualClock(0);
    const stub = providerStub({
      limit: 1,
      windowMs: 1000,
      p50Ms: 100,
      p99Ms: 200,
      now: clock.now,
      sleep: clock.sleep,
      transitMs: () => 15,
      offsetMs: () => 0,
    });
    const post = () =>
      stub.fetch('https://p.example/whatsapp-numbers/42/template-messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: '14155550100' }),
      });
    // Called at 990 and 991: both arrive at 1005–1006, in the window [1000, 2000): the second is refused.
    const answers = (async () => {
      await clock.sleep(990);
      const first = post();
      await clock.sleep(1);
      return Promise.all([first, post()]);
    })();
    await clock.run();
    expect((await answers).map((answer) => answer.status)).toEqual([200, 429]);
    expect(stub.sends.map((s) => [s.calledAt, s.at])).toEqual([
      [990, 1005],
      [991, 1006],
    ]);
    // The answer came after the latency, on the virtual clock: no real time passed.
    expect(clock.now()).toBeGreaterThan(1005);
  });

  it('answers 429 beyond the limit in a window aligned at the number’s offset, with Retry-After', async () => {
    let clock = 1_000;
    const stub = providerStub({ limit: 2, windowMs: 1000, p50Ms: 1, p99Ms: 2, now: () => clock, offsetMs: () => 300 });
    const post = () =>
      stub.fetch('https://p.example/whatsapp-numbers/42/template-messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: '14155550100' }),
      });
    // The window is [300, 1300) + k·1000: 1000 and 1299 are in one, 1300 starts the next.
    expect((await post()).status).toBe(200);
    clock = 1_299;
    expect((await post()).status).toBe(200);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    clock = 1_300;
    expect((await post()).status).toBe(200);
    expect(stub.sends.map((s) => s.status)).toEqual([200, 200, 429, 200]);
  });

  it('answers an unknown endpoint 404 and records nothing', async () => {
    const stub = providerStub();
    expect((await stub.fetch('https://p.example/v1/unknown', { method: 'POST' })).status).toBe(404);
    expect(stub.sends).toEqual([]);
  });
});
