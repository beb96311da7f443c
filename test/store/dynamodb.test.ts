/**
 * The storage contract (contract.ts) against the DynamoDB repositories on dynalite: every test a
 * fresh table. The expiry probe reads the TTL attribute of the raw items (src/store/table.ts keys).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { startDynamo } from '../../src/local/aws.ts';
import { dynamoDBStorage, ensureMessagesTable, type DynamoDBClient } from '../../src/store/dynamodb/index.ts';
import type { ExpiryProbe } from '../../src/store/memory/index.ts';
import { idempotencyKey, KEY, messageKey, paceKey, providerIdItemKey, TTL_ATTRIBUTE } from '../../src/store/table.ts';
import { storageContract } from './contract.ts';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let tables = 0;
beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo.close());

function expiryProbe(client: DynamoDBClient, tableName: string): ExpiryProbe {
  const ttl = async (key: Record<string, string>) => {
    const Key = { [KEY.partition]: { S: key[KEY.partition]! }, [KEY.sort]: { S: key[KEY.sort]! } };
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
    const value = Item?.[TTL_ATTRIBUTE]?.N;
    return value === undefined ? undefined : Number(value);
  };
  return {
    message: (id) => ttl(messageKey(id)),
    idempotencyKey: (account, key) => ttl(idempotencyKey(account, key)),
    alias: (account, provider, id) => ttl(providerIdItemKey('X', provider, account, id)),
    pending: (account, provider, id) => ttl(providerIdItemKey('E', provider, account, id)),
    pacing: (scope) => ttl(paceKey(scope)),
  };
}

storageContract('DynamoDB (dynalite)', async () => {
  const tableName = `messages-${tables++}`;
  await ensureMessagesTable(dynamo.client, tableName);
  return { storage: dynamoDBStorage({ client: dynamo.client, tableName }), expiry: expiryProbe(dynamo.client, tableName) };
});
