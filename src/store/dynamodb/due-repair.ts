/**
 * Brings the sweeper's `due` index back in line with the message items, for the local stack's
 * dynalite after a crash. dynalite keeps an index in its own LevelDB entries, written apart from
 * the item: an update that moves a message's due time deletes the old index entry, puts the new
 * one, and only then writes the item. A process killed in between (the local stack's SIGKILL, or
 * any crash of `npm start`) leaves an item that is `queued` with a due time and no index entry —
 * the sweeper, which reads only the index, would never see it again: stranded. Or the reverse: an
 * entry whose item has another due time, or none, read (and never released) by every sweep.
 *
 * DynamoDB itself keeps its indexes in line with the table (eventually), so the deployed stack
 * never needs this; the local stack runs it at start, before anything else writes.
 *
 * An index entry can only be written or removed through its item: a missing entry is restored by
 * writing the item's due time again (the index entry is put with it); a dangling one is removed by
 * giving the item that entry's due time and then its own back (the second write deletes the first's
 * entry). Each write is conditional on what was read, and a crash between the two leaves a due time
 * in the past on the item, which the sweeper handles as any other (a re-enqueue or a release).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { INDEX, isMessageKey, KEY } from '../table.ts';
import { conditionally, type Item } from './layer.ts';

export interface DueRepairReport {
  /** Items with a due time that the index lacked: written again, so the sweeper sees them. */
  restored: string[];
  /** Index entries that no item (or no item's due time) matched: removed. */
  removed: string[];
}

interface DueKey {
  pk: string;
  sk: string;
  dueShard: string;
  dueAt: string;
}

const fingerprint = (key: DueKey) => JSON.stringify([key.pk, key.sk, key.dueShard, key.dueAt]);
const dueKeyOf = (item: Item): DueKey | undefined =>
  typeof item[INDEX.due.partition] === 'string' && typeof item[INDEX.due.sort] === 'string'
    ? { pk: String(item[KEY.partition]), sk: String(item[KEY.sort]), dueShard: item[INDEX.due.partition], dueAt: item[INDEX.due.sort] }
    : undefined;

export async function repairDueIndex(client: DynamoDBClient, tableName: string): Promise<DueRepairReport> {
  const db = DynamoDBDocumentClient.from(client);
  const names = { '#pk': KEY.partition, '#sk': KEY.sort, '#shard': INDEX.due.partition, '#due': INDEX.due.sort };
  const projection = '#pk, #sk, #shard, #due';
  const scan = async (indexName?: string): Promise<DueKey[]> => {
    const keys: DueKey[] = [];
    let start: Item | undefined;
    do {
      const page = await db.send(
        new ScanCommand({
          TableName: tableName,
          ...(indexName ? { IndexName: indexName } : { FilterExpression: 'attribute_exists(#due)' }),
          ProjectionExpression: projection,
          ExpressionAttributeNames: names,
          ConsistentRead: !indexName,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const key = dueKeyOf(item);
        if (key && isMessageKey(item)) keys.push(key);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  };
  const items = await scan();
  const entries = await scan(INDEX.due.name);
  const indexed = new Set(entries.map(fingerprint));
  const held = new Set(items.map(fingerprint));
  const report: DueRepairReport = { restored: [], removed: [] };
  const setDue = (key: DueKey, to: { dueShard: string; dueAt: string }, condition: string, values: Item) =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [KEY.partition]: key.pk, [KEY.sort]: key.sk },
        UpdateExpression: 'SET #shard = :toShard, #due = :toDue',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#shard': INDEX.due.partition, '#due': INDEX.due.sort },
        ExpressionAttributeValues: { ':toShard': to.dueShard, ':toDue': to.dueAt, ...values },
      }),
    );
  const isAt = '#shard = :shard AND #due = :due';

  for (const item of items) {
    if (indexed.has(fingerprint(item))) continue;
    // The same values again: dynalite puts the index entry with the item.
    if (await conditionally(() => setDue(item, item, isAt, { ':shard': item.dueShard, ':due': item.dueAt }))) {
      report.restored.push(item.pk.slice(2));
    }
  }

  for (const entry of entries) {
    if (held.has(fingerprint(entry))) continue;
    const key = { [KEY.partition]: entry.pk, [KEY.sort]: entry.sk };
    const { Item: current } = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    const own = current ? dueKeyOf(current) : undefined;
    if (own && fingerprint(own) === fingerprint(entry)) continue; // written meanwhile: in line
    // No item at all: nothing the sweeper would act on (it skips an entry without its item).
    if (!current) continue;
    const unchanged = own ? isAt : 'attribute_not_exists(#due)';
    const ownValues: Item = own ? { ':shard': own.dueShard, ':due': own.dueAt } : {};
    // The entry's due time on the item (its entry is rewritten), then the item's own back (or none): the entry goes.
    const removed =
      (await conditionally(() => setDue(entry, entry, unchanged, ownValues))) &&
      (await conditionally(() =>
        own
          ? setDue(entry, own, isAt, { ':shard': entry.dueShard, ':due': entry.dueAt })
          : db.send(
              new UpdateCommand({
                TableName: tableName,
                Key: key,
                UpdateExpression: 'REMOVE #shard, #due',
                ConditionExpression: isAt,
                ExpressionAttributeNames: { '#shard': INDEX.due.partition, '#due': INDEX.due.sort },
                ExpressionAttributeValues: { ':shard': entry.dueShard, ':due': entry.dueAt },
              }),
            ),
      ));
    if (removed) report.removed.push(entry.pk.slice(2));
  }
  return report;
}
