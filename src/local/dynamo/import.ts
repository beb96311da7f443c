/**
 * A home kept by an earlier local stack, whose tables are in dynalite's LevelDB files: at the
 * first start on it, every table and item is copied into the local table (engine.ts) and the
 * LevelDB files are moved aside (`<dir>/dynalite/`, kept, never read again), so nothing accepted
 * before the upgrade is lost — a message still waiting is found by the sweeper, as after a crash.
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { type DynamoEngine, JOURNAL } from './engine.ts';

/**
 * Whether `dir` holds dynalite's LevelDB files: not yet imported, or an import cut short (the
 * files are moved aside only once every item is copied; the stack had not started meanwhile, so
 * the journal holds nothing but that partial copy, and the import starts again from an empty one).
 */
export function hasDynaliteData(dir: string): boolean {
  return existsSync(join(dir, 'CURRENT'));
}

/** Copies dynalite's tables in `dir` into `engine`, then moves its files to `<dir>/dynalite/`; the number of items copied. */
export async function importDynalite(dir: string, engine: DynamoEngine): Promise<number> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let items = 0;
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    for (const name of TableNames) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      engine.run('CreateTable', {
        TableName: name,
        KeySchema: Table?.KeySchema,
        AttributeDefinitions: Table?.AttributeDefinitions,
        ...(Table?.GlobalSecondaryIndexes?.length
          ? {
              GlobalSecondaryIndexes: Table.GlobalSecondaryIndexes.map((index) => ({
                IndexName: index.IndexName,
                KeySchema: index.KeySchema,
                Projection: index.Projection,
              })),
            }
          : {}),
      });
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: name, ...(start ? { ExclusiveStartKey: start as never } : {}) }));
        for (const item of page.Items ?? []) engine.run('PutItem', { TableName: name, Item: item });
        items += page.Items?.length ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
    }
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const aside = join(dir, 'dynalite');
  mkdirSync(aside, { recursive: true });
  for (const file of readdirSync(dir)) if (file !== 'dynalite' && file !== JOURNAL) renameSync(join(dir, file), join(aside, file));
  return items;
}
