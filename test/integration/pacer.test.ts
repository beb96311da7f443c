/** The shared pacer against dynalite: concurrent takers never spend more than the budget. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMessagesTable, startDynamo } from '../../src/local/aws.ts';
import type { Budget } from '../../src/pacing/budget.ts';
import { Pacer } from '../../src/pacing/pacer.ts';

describe('pacer (DynamoDB)', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  beforeAll(async () => {
    dynamo = await startDynamo();
    await ensureMessagesTable(dynamo.client, 'messages');
  });
  afterAll(() => dynamo.close());

  it('grants no more than the bucket holds to concurrent invocations', async () => {
    const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0.1 };
    const pacers = Array.from({ length: 4 }, () => new Pacer(dynamo.client, 'messages'));
    const now = 1_000_000;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pacers[i % 4]!.acquire('acct#concurrent', budget, 1, now)));
    expect(results.reduce((sum, r) => sum + r.granted, 0)).toBe(10);
    expect(results.filter((r) => r.granted === 0).every((r) => r.waitMs > 0)).toBe(true);
  });

  it('spaces messages to one recipient and says how long to wait', async () => {
    const pacer = new Pacer(dynamo.client, 'messages');
    expect(await pacer.acquireGap('rcpt#a#h', 6000, 10_000)).toEqual({ granted: 1, waitMs: 0 });
    expect(await pacer.acquireGap('rcpt#a#h', 6000, 12_000)).toEqual({ granted: 0, waitMs: 4000 });
    expect(await pacer.acquireGap('rcpt#a#h', 6000, 16_000)).toEqual({ granted: 1, waitMs: 0 });
    expect(await pacer.acquireGap('rcpt#a#other', 6000, 16_001)).toEqual({ granted: 1, waitMs: 0 });
  });

  it('holds everyone back until a provider’s reset once blocked', async () => {
    const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0.1 };
    const pacer = new Pacer(dynamo.client, 'messages');
    await pacer.block('acct#blocked', budget, 50_000, 20_000);
    expect(await pacer.acquire('acct#blocked', budget, 1, 30_000)).toEqual({ granted: 0, waitMs: 20_000 });
    expect((await pacer.acquire('acct#blocked', budget, 1, 50_000)).granted).toBe(1);
  });
});
