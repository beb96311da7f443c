/**
 * The storage contract (contract.ts) against the DynamoDB repositories on dynalite: every test a
 * fresh table. The expiry probe reads the TTL attribute of the raw items (src/store/table.ts keys).
 * It runs twice: as dynalite answers a refused conditional write (without the item it found), and
 * as DynamoDB does when asked (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, emulated here), so
 * both paths of the repositories that skip a read on refusal are held to the same contract.
 */
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/messages/queue-message.ts';
import { startDynamo } from '../../src/local/aws.ts';
import { DynamoDBClient, dynamoDBStorage, ensureMessagesTable } from '../../src/store/dynamodb/index.ts';
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

/**
 * A client on dynalite that answers a refused conditional write as DynamoDB does when asked: with
 * the item it found (read here with a plain client). `requests` counts what the client sent, by command.
 */
function answeringRefusals(): { client: DynamoDBClient; requests: Record<string, number> } {
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoint: dynamo.endpoint };
  const client = new DynamoDBClient(local);
  const plain = new DynamoDBClient(local);
  const requests: Record<string, number> = {};
  const answer = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    requests[String(context.commandName)] = (requests[String(context.commandName)] ?? 0) + 1;
    const input = (args as { input: Record<string, unknown> }).input;
    try {
      return await next(args);
    } catch (error) {
      const refusal = error as { name?: string; Item?: unknown };
      const item = (input.Item ?? input.Key) as Record<string, AttributeValue> | undefined;
      if (refusal.name === 'ConditionalCheckFailedException' && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && item) {
        const Key = { [KEY.partition]: item[KEY.partition]!, [KEY.sort]: item[KEY.sort]! };
        const { Item } = await plain.send(new GetItemCommand({ TableName: String(input.TableName), Key, ConsistentRead: true }));
        if (Item) refusal.Item = Item;
      }
      throw error;
    }
  };
  // After the serializer: the document client has marshalled the input.
  client.middlewareStack.addRelativeTo(answer as never, { relation: 'after', toMiddleware: 'serializerMiddleware', name: 'refusals' });
  return { client, requests };
}

storageContract('DynamoDB (dynalite, refusals answered with the item found, as DynamoDB does)', async () => {
  const tableName = `messages-${tables++}`;
  await ensureMessagesTable(dynamo.client, tableName);
  return { storage: dynamoDBStorage({ client: answeringRefusals().client, tableName }), expiry: expiryProbe(dynamo.client, tableName) };
});

describe('reads a refused write saves', () => {
  it('answers a repeated report, a taken recipient slot and a taken idempotency key without a read where DynamoDB returns the item', async () => {
    const tableName = `messages-${tables++}`;
    await ensureMessagesTable(dynamo.client, tableName);
    const { client, requests } = answeringRefusals();
    const storage = dynamoDBStorage({ client, tableName });
    const id = newMessageId();
    const at = '2026-11-22T10:00:00.000Z';
    const message = { id, provider: 'kaleyra', account: 'acme', kind: 'template', status: 'queued', createdAt: at } as const;
    await storage.messages.createMany([{ ...message, recipient: { hash: 'h', last4: '5678' } }]);
    const scope = { account: 'acme', provider: 'kaleyra' } as const;
    await storage.messages.applyScoped(id, 'sent', at, scope);
    await storage.pacing.claimGap('rcpt#acme#h', 1000, 7000);
    await storage.idempotency.claim('acme', 'k', 'hash', [id], new Date(at));
    for (const name of Object.keys(requests)) delete requests[name];

    expect(await storage.messages.applyScoped(id, 'sent', at, scope)).toMatchObject({ outcome: 'unchanged', record: { status: 'sent' } });
    expect(await storage.messages.applyScoped(id, 'sent', at, { account: 'other', provider: 'kaleyra' })).toEqual({ outcome: 'foreign' });
    expect(await storage.pacing.claimGap('rcpt#acme#h', 2000, 8000)).toEqual({ claimed: false, nextAt: 7000 });
    expect(await storage.idempotency.claim('acme', 'k', 'other', [id], new Date(at))).toMatchObject({
      claimed: false,
      requestHash: 'hash',
    });
    expect(requests).toEqual({ UpdateItemCommand: 3, PutItemCommand: 1 });
  });
});

storageContract('DynamoDB (dynalite)', async () => {
  const tableName = `messages-${tables++}`;
  await ensureMessagesTable(dynamo.client, tableName);
  return { storage: dynamoDBStorage({ client: dynamo.client, tableName }), expiry: expiryProbe(dynamo.client, tableName) };
});
