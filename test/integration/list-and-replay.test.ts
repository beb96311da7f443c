/**
 * Listing by status reads on until the page is full (within a read budget), and an idempotent
 * replay answers what the first request was answered — over the in-memory repositories (the
 * storage contract, test/store/contract.ts, holds both implementations to the same rules) and
 * the SQS emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessages } from '../../src/api/accept.ts';
import type { ApiDeps } from '../../src/api/app.ts';
import { createApiDeps } from '../../src/functions/runtime.ts';
import { recipientRef } from '../../src/privacy/recipient.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import type { ListPosition, NewMessage } from '../../src/store/model.ts';
import { startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';

const secrets = testSecrets();
const store = memoryStorage();
let aws: Awaited<ReturnType<typeof startLocalSqs>>;
let deps: ApiDeps;
let clock = new Date('2026-11-22T10:00:00.000Z');

beforeAll(async () => {
  aws = await startLocalSqs();
  deps = createApiDeps({ config: testConfig(), secrets, storage: store, queueUrl: aws.queueUrl, sqs: aws.sqs.client, now: () => clock });
});
afterAll(async () => {
  await aws.close();
});

let listed = 0;

/** `count` messages of `account`, one second apart (oldest first); returns their ids, newest first. */
async function messages(account: string, count: number): Promise<string[]> {
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  const records: NewMessage[] = Array.from({ length: count }, (_, i) => ({
    id: `01JABC${String(listed++).padStart(20, '0')}`, // a valid ULID, distinct across calls
    provider: 'loopwave',
    account,
    recipient: recipientRef(secrets.recipientHashKey, '+14155550123'),
    kind: 'text',
    status: 'queued',
    createdAt: new Date(start + i * 1000).toISOString(),
  }));
  await store.messages.createMany(records);
  return records.map((r) => r.id).reverse();
}

describe('listing by status', () => {
  it('fills each page with matches from further down the index, and the cursor skips and repeats nothing', async () => {
    const ids = await messages('acme-livetok', 230);
    // Cancelled ones scattered through the list: newest first, at 5, 120, 121, 200 and 229.
    const cancelled = [5, 120, 121, 200, 229].map((i) => ids[i]!);
    for (const id of cancelled) expect((await store.messages.cancel(id, clock.toISOString())).cancelled).toBe(true);

    const pages: string[][] = [];
    let after: ListPosition | undefined;
    do {
      const page = await store.messages.list({ account: 'acme-livetok', status: 'cancelled', limit: 2, ...(after ? { after } : {}) });
      pages.push(page.items.map((m) => m.id));
      after = page.next;
    } while (after && pages.length < 10);
    expect(pages).toEqual([cancelled.slice(0, 2), cancelled.slice(2, 4), cancelled.slice(4)]);

    // Without a status, a page is one read of `limit` keys, as before.
    const first = await store.messages.list({ account: 'acme-livetok', limit: 3 });
    expect(first.items.map((m) => m.id)).toEqual(ids.slice(0, 3));
    const next = await store.messages.list({ account: 'acme-livetok', limit: 3, after: first.next! });
    expect(next.items.map((m) => m.id)).toEqual(ids.slice(3, 6));
  });

  it('stops at its read budget with a cursor, so a page never costs more than that; following it finds the rest', async () => {
    const ids = await messages('acme-kaleyra', 60);
    await store.messages.cancel(ids[55]!, clock.toISOString());
    const page = await store.messages.list({ account: 'acme-kaleyra', status: 'cancelled', limit: 5, readBudget: 40 });
    expect(page.items).toEqual([]);
    expect(page.next).toBeDefined();
    const rest = await store.messages.list({ account: 'acme-kaleyra', status: 'cancelled', limit: 5, readBudget: 40, after: page.next! });
    expect(rest.items.map((m) => m.id)).toEqual([ids[55]]);
    expect(rest.next).toBeUndefined();
  });
});

describe('idempotent replays', () => {
  const principal = { keyId: 'all', accounts: '*' as const };
  const request = (recipient: string, scheduleAt?: string) => ({
    provider: 'loopwave',
    account: 'acme-loopwave',
    recipient,
    content: { kind: 'text', text: 'Hi' },
    ...(scheduleAt ? { scheduleAt } : {}),
  });

  it('answers the first answer again — the status it was accepted with, not the status now', async () => {
    clock = new Date(clock.getTime() + 60_000);
    const first = await acceptMessages({ principal, body: request('+14155550123'), idempotencyKey: 'replay-1' }, deps);
    expect(first.statusCode).toBe(202);
    const answer = JSON.parse(first.body) as { id: string; status: string };
    expect(answer.status).toBe('queued');
    await store.messages.applyStatus(answer.id, 'sending', clock.toISOString());
    await store.messages.applyStatus(answer.id, 'sent', clock.toISOString());

    const replay = await acceptMessages({ principal, body: request('+14155550123'), idempotencyKey: 'replay-1' }, deps);
    expect(replay.statusCode).toBe(202);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(JSON.parse(replay.body)).toEqual(answer);
  });

  it('answers a batch’s first answer, scheduled ones included, after they were cancelled', async () => {
    clock = new Date(clock.getTime() + 60_000);
    const later = new Date(clock.getTime() + 3600_000).toISOString();
    const body = { messages: [request('+14155550123'), request('+14155550124', later)] };
    type Answer = { messages: Array<{ id: string; status: string }> };
    const first = JSON.parse((await acceptMessages({ principal, body, idempotencyKey: 'replay-2' }, deps)).body) as Answer;
    expect(first.messages.map((m) => m.status)).toEqual(['queued', 'scheduled']);
    for (const { id } of first.messages) await store.messages.cancel(id, clock.toISOString());
    const replay = JSON.parse((await acceptMessages({ principal, body, idempotencyKey: 'replay-2' }, deps)).body) as unknown;
    expect(replay).toEqual(first);
  });
});
