/**
 * The storage contract (contract.ts) against the DynamoDB repositories on the local stack's own
 * table (src/local/dynamo/): every test a fresh table, the repositories' client answered in
 * process, as `npm start` runs them. The expiry probe reads the raw items' TTL attribute through
 * the table's HTTP endpoint, so that path is held to the same items.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { startLocalTables, type LocalTables } from '../../src/local/dynamo/service.ts';
import { DynamoDBClient, dynamoDBStorage, ensureMessagesTable } from '../../src/store/dynamodb/index.ts';
import type { ExpiryProbe } from '../../src/store/memory/index.ts';
import { idempotencyKey, KEY, messageKey, paceKey, providerIdItemKey, TTL_ATTRIBUTE } from '../../src/store/table.ts';
import { storageContract } from './contract.ts';

let tables: LocalTables;
let http: DynamoDBClient;
let count = 0;
beforeAll(async () => {
  tables = await startLocalTables();
  http = new DynamoDBClient({ endpoint: tables.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});
afterAll(async () => {
  http.destroy();
  await tables.close();
});

function expiryProbe(tableName: string): ExpiryProbe {
  const ttl = async (key: Record<string, string>) => {
    const Key = { [KEY.partition]: { S: key[KEY.partition]! }, [KEY.sort]: { S: key[KEY.sort]! } };
    const { Item } = await http.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
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

storageContract("DynamoDB (the local stack's table, in process)", async () => {
  const tableName = `messages-${count++}`;
  await ensureMessagesTable(tables.client, tableName);
  return { storage: dynamoDBStorage({ client: tables.client, tableName }), expiry: expiryProbe(tableName) };
});
