/**
 * DynamoDB's TTL never deletes a message before it is due: the expiry counts from the latest time
 * the pipeline will act on the message (creation, `scheduleAt`, a hold's due time), never from
 * creation alone. The rule as a pure function (property), and the records the store writes
 * (against dynalite, which keeps the attribute but runs no TTL).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SCHEDULE_AHEAD_MS } from '../../src/api/accept.ts';
import { ensureMessagesTable, startDynamo } from '../../src/local/aws.ts';
import { newMessageId } from '../../src/messages/queue-message.ts';
import { MessageStore, type NewMessage } from '../../src/store/message-store.ts';
import { MESSAGE_TTL_S, messageExpiresAt, messageKey, TTL_ATTRIBUTE } from '../../src/store/table.ts';

const DAY_MS = 86_400_000;
const CREATED = Date.parse('2026-11-22T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('the message expiry rule', () => {
  it('keeps a message until it is due and for the retention after that, whatever its schedule and holds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SCHEDULE_AHEAD_MS }),
        fc.option(fc.integer({ min: 0, max: 2 * MAX_SCHEDULE_AHEAD_MS })),
        (scheduleInMs, holdInMs) => {
          const times = {
            createdAt: iso(CREATED),
            scheduleAt: iso(CREATED + scheduleInMs),
            ...(holdInMs !== null ? { dueAt: iso(CREATED + holdInMs) } : {}),
          };
          const expiresMs = messageExpiresAt(times) * 1000;
          const due = Math.max(CREATED + scheduleInMs, CREATED + (holdInMs ?? 0));
          expect(expiresMs).toBeGreaterThanOrEqual(due + MESSAGE_TTL_S * 1000);
          expect(expiresMs).toBeLessThan(due + MESSAGE_TTL_S * 1000 + 1000);
        },
      ),
    );
  });

  it('is the old rule (creation + 90 days) for a message with no schedule', () => {
    expect(messageExpiresAt({ createdAt: iso(CREATED) })).toBe(CREATED / 1000 + 90 * 86_400);
  });

  it('refuses to guess without a valid time', () => {
    expect(() => messageExpiresAt({ createdAt: 'yesterday' })).toThrow(/needs at least one ISO-8601 time/);
  });
});

describe('store: the expiry written on message records', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  let store: MessageStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    await ensureMessagesTable(dynamo.client, 'messages');
    store = new MessageStore(dynamo.client, 'messages');
  });
  afterAll(() => dynamo.close());

  const expiryOf = async (id: string) => {
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: 'messages', Key: { pk: { S: messageKey(id).pk! }, sk: { S: 'M' } }, ConsistentRead: true }),
    );
    return Number(Item?.[TTL_ATTRIBUTE]?.N) * 1000;
  };
  const message = (scheduleAt?: number): NewMessage => ({
    id: newMessageId(),
    provider: 'kaleyra',
    account: 'acme',
    recipient: { hash: 'h', last4: '5678' },
    kind: 'template',
    status: scheduleAt ? 'scheduled' : 'queued',
    createdAt: iso(CREATED),
    ...(scheduleAt ? { scheduleAt: iso(scheduleAt) } : {}),
  });

  it('keeps a message scheduled 200 days ahead past its schedule (creation + 90 days deleted it first)', async () => {
    const scheduleAt = CREATED + 200 * DAY_MS;
    const batch = message(scheduleAt);
    const single = message(scheduleAt);
    await store.createMany([batch]);
    await store.createMany([single], { onlyIfMissing: true });
    for (const id of [batch.id, single.id]) expect(await expiryOf(id)).toBe(scheduleAt + MESSAGE_TTL_S * 1000);
  });

  it('moves the expiry with a hold, so a message held behind a long pause is not deleted while held', async () => {
    const held = message();
    await store.createMany([held]);
    const dueAt = CREATED + 120 * DAY_MS;
    expect(await store.hold(held.id, iso(dueAt), 'sealed')).toBe(true);
    expect(await expiryOf(held.id)).toBe(dueAt + MESSAGE_TTL_S * 1000);
    expect(await expiryOf(held.id)).toBeGreaterThan(dueAt);
  });
});
