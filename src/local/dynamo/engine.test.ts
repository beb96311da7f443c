/**
 * The local table beyond the storage contract (test/store/local-table.test.ts runs that): its
 * journal (a killed stack keeps every answered write; a line cut short is dropped), DynamoDB's
 * refusals of bad requests, index order and pagination, and the HTTP endpoint answering as
 * DynamoDB does (so an SDK client pointed at it works).
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoDBStorage, ensureMessagesTable } from '../../store/dynamodb/index.ts';
import { createTableInput } from '../../store/table.ts';
import { startDynamo } from '../aws.ts';
import { listenOrExplain, PortTakenError } from '../ports.ts';
import { DynamoEngine } from './engine.ts';
import { parseCondition } from './expressions.ts';
import { startLocalTables } from './service.ts';

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wapk-table-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const s = (S: string) => ({ S });
const message = (id: string, extra: Record<string, unknown> = {}) => ({ pk: s(`M#${id}`), sk: s('M'), ...extra });

function engineWithTable(dir?: string): DynamoEngine {
  const engine = new DynamoEngine(dir ? { dir } : {});
  engine.run('CreateTable', createTableInput('messages'));
  return engine;
}

describe('the journal', () => {
  it('brings back every answered write after a restart, the indexes with them, and compacts to one line per item', () => {
    const dir = newDir();
    const first = engineWithTable(dir);
    first.run('PutItem', { TableName: 'messages', Item: message('a', { account: s('acme'), created: s('2026-01-01T00:00:00.000Z#a') }) });
    first.run('PutItem', { TableName: 'messages', Item: message('b', { account: s('acme'), created: s('2026-01-02T00:00:00.000Z#b') }) });
    first.run('UpdateItem', {
      TableName: 'messages',
      Key: message('a'),
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': s('sent') },
    });
    first.run('DeleteItem', { TableName: 'messages', Key: message('b') });
    // No close(): as a killed process leaves it.
    const second = new DynamoEngine({ dir });
    expect(second.run('GetItem', { TableName: 'messages', Key: message('a') }).Item).toMatchObject({ status: s('sent') });
    expect(second.run('GetItem', { TableName: 'messages', Key: message('b') })).toEqual({});
    const byAccount = second.run('Query', {
      TableName: 'messages',
      IndexName: 'byAccount',
      KeyConditionExpression: 'account = :a',
      ExpressionAttributeValues: { ':a': s('acme') },
    });
    expect(byAccount.Items).toEqual([{ pk: s('M#a'), sk: s('M'), account: s('acme'), created: s('2026-01-01T00:00:00.000Z#a') }]);
    expect(readFileSync(join(dir, 'tables.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    second.close();
    first.close();
  });

  it('drops a last line cut short by a crash (that write was never answered) and refuses a damaged line before it', () => {
    const dir = newDir();
    const engine = engineWithTable(dir);
    engine.run('PutItem', { TableName: 'messages', Item: message('a') });
    engine.close();
    appendFileSync(join(dir, 'tables.jsonl'), '["messages",{"pk":{"S":"M#b"},"sk":');
    const again = new DynamoEngine({ dir });
    expect(again.run('GetItem', { TableName: 'messages', Key: message('a') }).Item).toEqual(message('a'));
    expect(again.run('GetItem', { TableName: 'messages', Key: message('b') })).toEqual({});
    again.close();
    appendFileSync(join(dir, 'tables.jsonl'), 'not json\n["messages",{"pk":{"S":"M#c"},"sk":{"S":"M"}}]\n');
    expect(() => new DynamoEngine({ dir })).toThrow(/line 3 is not JSON/);
  });
});

describe('requests DynamoDB refuses', () => {
  const engine = engineWithTable();
  const update = (input: Record<string, unknown>) => () => engine.run('UpdateItem', { TableName: 'messages', Key: message('x'), ...input });

  it.each([
    [
      'an unused value',
      update({ UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': s('1'), ':b': s('2') } }),
      /unused in expressions: keys: \{:b\}/,
    ],
    [
      'an unused name',
      update({ UpdateExpression: 'SET a = :a', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':a': s('1') } }),
      /unused/,
    ],
    ['an undefined value', update({ UpdateExpression: 'SET a = :a' }), /attribute value used in expression is not defined/],
    [
      'a key attribute updated',
      update({ UpdateExpression: 'SET pk = :a', ExpressionAttributeValues: { ':a': s('1') } }),
      /part of the key/,
    ],
    ['a syntax error', update({ UpdateExpression: 'SET a = = :a', ExpressionAttributeValues: { ':a': s('1') } }), /Invalid expression/],
    [
      'an index key of the wrong type',
      () => engine.run('PutItem', { TableName: 'messages', Item: message('y', { account: { N: '1' } }) }),
      /Type mismatch for Index Key account/,
    ],
    ['an empty key', () => engine.run('GetItem', { TableName: 'messages', Key: { pk: s(''), sk: s('M') } }), /empty string/],
    [
      'an item over 400 KB',
      () => engine.run('PutItem', { TableName: 'messages', Item: message('z', { big: s('x'.repeat(410_000)) }) }),
      /maximum allowed size/,
    ],
    ['a missing table', () => engine.run('GetItem', { TableName: 'nope', Key: message('x') }), /Requested resource not found/],
  ])('%s', (_what, request, error) => {
    expect(request).toThrow(error);
  });
});

describe('expressions', () => {
  const engine = engineWithTable();
  engine.run('PutItem', {
    TableName: 'messages',
    Item: message('e', { n: { N: '5' }, status: s('queued'), at: { M: { sent: s('2026') } }, routes: { L: [s('a')] } }),
  });
  const holds = (condition: string, values: Record<string, unknown> = {}, names: Record<string, string> = {}) => {
    try {
      engine.run('UpdateItem', {
        TableName: 'messages',
        Key: message('e'),
        ConditionExpression: condition,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      });
      return true;
    } catch (error) {
      if ((error as { type?: string }).type === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };

  it.each([
    ['n < :v', { ':v': { N: '10' } }, true],
    ['n < :v', { ':v': { N: '4.5' } }, false],
    ['n < :v', { ':v': s('10') }, false], // different types never compare
    ['missing <> :v', { ':v': s('x') }, true],
    ['missing = :v', { ':v': s('x') }, false],
    ['#s IN (:a, :b)', { ':a': s('scheduled'), ':b': s('queued') }, true],
    ['n BETWEEN :a AND :b', { ':a': { N: '5' }, ':b': { N: '6' } }, true],
    ['NOT (n = :a) OR attribute_exists(at.sent)', { ':a': { N: '5' } }, true],
    ['attribute_not_exists(at.#d) AND size(routes) = :one', { ':one': { N: '1' } }, true],
    ['begins_with(pk, :p) AND contains(routes, :a)', { ':p': s('M#'), ':a': s('a') }, true],
  ])('%s', (condition, values, expected) => {
    const names: Record<string, string> = {};
    if (condition.includes('#s')) names['#s'] = 'status';
    if (condition.includes('#d')) names['#d'] = 'delivered';
    expect(holds(condition, values, names)).toBe(expected);
  });

  it('is parsed once per text: AND binds tighter than OR', () => {
    const parsed = parseCondition('a = :a OR b = :b AND c = :c');
    expect(parseCondition('a = :a OR b = :b AND c = :c')).toBe(parsed);
    expect(parsed.ast).toMatchObject({ k: 'or', b: { k: 'and' } });
  });
});

describe('queries', () => {
  it('returns an index partition in sort key order, either way, a page at a time', () => {
    const engine = engineWithTable();
    const times = ['2026-01-03', '2026-01-01', '2026-01-02', '2026-01-04'];
    times.forEach((time, i) => {
      engine.run('PutItem', { TableName: 'messages', Item: message(String(i), { account: s('acme'), created: s(`${time}#${i}`) }) });
    });
    const page = (forward: boolean, start?: unknown) =>
      engine.run('Query', {
        TableName: 'messages',
        IndexName: 'byAccount',
        KeyConditionExpression: 'account = :a AND created BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':a': s('acme'), ':from': s('2026-01-02'), ':to': s('2026-01-05') },
        ScanIndexForward: forward,
        Limit: 2,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
    const first = page(true);
    expect(first.Items.map((item: { created: { S: string } }) => item.created.S)).toEqual(['2026-01-02#2', '2026-01-03#0']);
    const second = page(true, first.LastEvaluatedKey);
    expect(second.Items.map((item: { created: { S: string } }) => item.created.S)).toEqual(['2026-01-04#3']);
    expect(second.LastEvaluatedKey).toBeUndefined();
    expect(page(false).Items.map((item: { created: { S: string } }) => item.created.S)).toEqual(['2026-01-04#3', '2026-01-03#0']);
  });
});

describe('the SDK clients', () => {
  it('answers the document client in process and a plain client over HTTP, with the same items and refusals', async () => {
    const tables = await startLocalTables({ dir: newDir() });
    try {
      tables.engine.run('CreateTable', createTableInput('messages'));
      const doc = DynamoDBDocumentClient.from(tables.client);
      await doc.send(new PutCommand({ TableName: 'messages', Item: { pk: 'M#1', sk: 'M', n: 1, tags: ['a'] } }));
      await doc.send(
        new UpdateCommand({
          TableName: 'messages',
          Key: { pk: 'M#1', sk: 'M' },
          UpdateExpression: 'SET n = n + :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      expect((await doc.send(new GetCommand({ TableName: 'messages', Key: { pk: 'M#1', sk: 'M' } }))).Item).toEqual({
        pk: 'M#1',
        sk: 'M',
        n: 2,
        tags: ['a'],
      });
      const http = new DynamoDBClient({
        endpoint: tables.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      try {
        const { Item } = await http.send(new GetItemCommand({ TableName: 'messages', Key: { pk: s('M#1'), sk: s('M') } }));
        expect(Item).toEqual({ pk: s('M#1'), sk: s('M'), n: { N: '2' }, tags: { L: [s('a')] } });
        const refused = http.send(
          new PutItemCommand({
            TableName: 'messages',
            Item: { pk: s('M#1'), sk: s('M') },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        await expect(refused).rejects.toBeInstanceOf(ConditionalCheckFailedException);
        await expect(refused).rejects.toMatchObject({ Item: { n: { N: '2' } } });
        const inProcess = doc.send(
          new PutCommand({ TableName: 'messages', Item: { pk: 'M#1', sk: 'M' }, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        await expect(inProcess).rejects.toBeInstanceOf(ConditionalCheckFailedException);
        await expect(
          http.send(
            new QueryCommand({ TableName: 'messages', KeyConditionExpression: 'sk = :m', ExpressionAttributeValues: { ':m': s('M') } }),
          ),
        ).rejects.toMatchObject({
          name: 'ValidationException',
          message: expect.stringMatching(/missed key schema element: pk/),
        });
      } finally {
        http.destroy();
      }
    } finally {
      await tables.close();
    }
  });
});

describe('a home kept by dynalite', () => {
  it('is copied into the table at the first start (the dynalite files moved aside), and only then', async () => {
    const dir = newDir();
    const old = await startDynamo({ path: dir });
    await ensureMessagesTable(old.client, 'messages');
    const at = '2026-11-22T10:00:00.000Z';
    const record = {
      id: '01M80E93DKKVF6VJ7YXRKAH195',
      provider: 'kaleyra',
      account: 'acme',
      kind: 'template',
      status: 'queued',
      createdAt: at,
    } as const;
    await dynamoDBStorage({ client: old.client, tableName: 'messages' }).messages.createMany([
      { ...record, recipient: { hash: 'h', last4: '5678' } },
    ]);
    await old.close();

    const lines: string[] = [];
    const first = await startLocalTables({ dir, log: (line) => lines.push(line) });
    const storage = dynamoDBStorage({ client: first.client, tableName: 'messages' });
    expect(await storage.messages.get(record.id)).toMatchObject({ status: 'queued', account: 'acme' });
    // The index came along: the message is listed by account.
    expect((await storage.messages.list({ account: 'acme', limit: 10 })).items.map((m) => m.id)).toEqual([record.id]);
    expect(lines).toEqual([expect.stringMatching(/^DynamoDB: 1 item\(s\) copied from the earlier dynalite files/)]);
    expect(existsSync(join(dir, 'CURRENT'))).toBe(false);
    expect(existsSync(join(dir, 'dynalite', 'CURRENT'))).toBe(true);
    await first.close();

    const second = await startLocalTables({ dir, log: (line) => lines.push(line) });
    expect(await dynamoDBStorage({ client: second.client, tableName: 'messages' }).messages.get(record.id)).toMatchObject({
      status: 'queued',
    });
    expect(lines).toHaveLength(1);
    await second.close();
  });
});

describe('copies', () => {
  it('keeps the table apart from what a low-level caller holds: its input after a put, and what it read', async () => {
    const tables = await startLocalTables();
    try {
      tables.engine.run('CreateTable', createTableInput('messages'));
      const Item = { pk: s('M#1'), sk: s('M'), at: { M: { sent: s('2026') } } };
      await tables.client.send(new PutItemCommand({ TableName: 'messages', Item }));
      Item.at.M.sent.S = 'changed after the put';
      const first = await tables.client.send(new GetItemCommand({ TableName: 'messages', Key: { pk: s('M#1'), sk: s('M') } }));
      expect(first.Item?.at).toEqual({ M: { sent: s('2026') } });
      (first.Item!.at as { M: Record<string, { S: string }> }).M.sent!.S = 'changed after the read';
      const second = await tables.client.send(new GetItemCommand({ TableName: 'messages', Key: { pk: s('M#1'), sk: s('M') } }));
      expect(second.Item?.at).toEqual({ M: { sent: s('2026') } });
    } finally {
      await tables.close();
    }
  });

  it('never changes an item in place: an answer given before an update keeps what it said', () => {
    const engine = engineWithTable();
    engine.run('PutItem', { TableName: 'messages', Item: message('u', { at: { M: { sent: s('1') } } }) });
    const before = engine.run('GetItem', { TableName: 'messages', Key: message('u') }).Item;
    engine.run('UpdateItem', {
      TableName: 'messages',
      Key: message('u'),
      UpdateExpression: 'SET #at.#d = :t',
      ExpressionAttributeNames: { '#at': 'at', '#d': 'delivered' },
      ExpressionAttributeValues: { ':t': s('2') },
    });
    expect(before.at).toEqual({ M: { sent: s('1') } });
    expect(engine.run('GetItem', { TableName: 'messages', Key: message('u') }).Item.at).toEqual({ M: { sent: s('1'), delivered: s('2') } });
  });
});

describe('the endpoint', () => {
  it('reports a taken port as the stack names it (PortTakenError), and leaves the folder usable', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dir = newDir();
    try {
      const start = listenOrExplain('DynamoDB (the local table)', port, () => startLocalTables({ port, dir }));
      await expect(start).rejects.toThrow(PortTakenError);
      await expect(start).rejects.toThrow(new RegExp(`port ${port} \\(DynamoDB \\(the local table\\)\\) is taken`));
    } finally {
      taken.close();
    }
    const again = await startLocalTables({ dir });
    await again.close();
    // Closed: nothing listens there any more.
    await expect(fetch(again.endpoint)).rejects.toThrow();
  });
});
