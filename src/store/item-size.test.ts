/** The item size estimate against dynalite, which enforces DynamoDB's 400 KB item limit. */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMessagesTable, startDynamo } from '../local/aws.ts';
import { DYNAMODB_ITEM_BYTES } from '../messages/limits.ts';
import { dynamoItemBytes } from './item-size.ts';

describe('DynamoDB item size', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  beforeAll(async () => {
    dynamo = await startDynamo();
    await ensureMessagesTable(dynamo.client, 'messages');
  });
  afterAll(() => dynamo.close());

  const put = (item: Record<string, unknown>) => dynamo.client.send(new PutItemCommand({ TableName: 'messages', Item: marshall(item) }));

  /** An item of the shape the store writes, padded to `size` bytes by our count. */
  const itemOf = (size: number, extra: Record<string, unknown> = {}) => {
    const item: Record<string, unknown> = { pk: 'M#x', sk: 'M', at: { queued: '2026-11-22T10:00:00.000Z' }, ids: ['a', 'b'], ...extra };
    item.payload = 'x'.repeat(size - dynamoItemBytes(item) - 'payload'.length);
    return item;
  };

  it('counts strings, maps and lists exactly as DynamoDB does at the limit: 400 KB fits, one byte more does not', async () => {
    expect(dynamoItemBytes(itemOf(DYNAMODB_ITEM_BYTES))).toBe(DYNAMODB_ITEM_BYTES);
    await expect(put(itemOf(DYNAMODB_ITEM_BYTES))).resolves.toBeDefined();
    await expect(put(itemOf(DYNAMODB_ITEM_BYTES + 1))).rejects.toThrow(/exceeded the maximum allowed size/);
  });

  it('counts numbers at least as large as DynamoDB does: an item at the limit by our count fits', async () => {
    for (const attempts of [0, 3, 17, 123_456, -5, 1.5]) {
      await expect(put(itemOf(DYNAMODB_ITEM_BYTES, { attempts, expiresAt: 1_795_000_000 }))).resolves.toBeDefined();
    }
  });

  it('counts strings in UTF-8 bytes (never less than DynamoDB)', () => {
    expect(dynamoItemBytes({ k: '語' })).toBe(1 + 3);
    expect(dynamoItemBytes({ k: '😀' })).toBe(1 + 4);
    expect(dynamoItemBytes({ m: { ключ: 'v' } })).toBe(1 + 3 + 1 + 8 + 1);
    expect(dynamoItemBytes({ gone: undefined, n: null, b: true })).toBe(1 + 1 + 1 + 1);
  });
});
