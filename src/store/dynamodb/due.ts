/**
 * The sweeper's sparse `due` index over message items: `dueShard` + `dueAt`, written with the
 * record at accept, moved by holds and postponements, removed by the outcome's write. Shards
 * `D#0`…`D#3` spread the entries; a paused account's held messages wait in their own shard.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CreatedPage, DueEntry, HeldMessage } from '../model.ts';
import type { DueRepository } from '../repositories.ts';
import { UNSETTLED } from '../rules.ts';
import { DUE_SHARD_NAMES, dueShard, INDEX, KEY, messageExpiresAt, messageIdOfKey, messageKey } from '../table.ts';
import { pauseShard, sweepKey, TTL_ATTRIBUTE } from '../table.ts';
import { UnavailableError } from '../../errors.ts';
import { claimFrom, fromItem } from './items.ts';
import { DynamoDBRepository, type Item } from './layer.ts';

export class DynamoDBDueRepository extends DynamoDBRepository implements DueRepository {
  /** The record's expiry moves to the retention after `dueAt` ({@link messageExpiresAt}). */
  hold(id: string, dueAt: string, sealedPayload: string, options: { pausedAccount?: string } = {}): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET dueShard = :shard, dueAt = :due, payload = :payload, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(#pk) AND #status IN (:queued, :scheduled)',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':shard': options.pausedAccount ? pauseShard(options.pausedAccount) : dueShard(id),
            ':due': dueAt,
            ':payload': sealedPayload,
            ':ttl': messageExpiresAt({ dueAt }),
            ':queued': 'queued',
            ':scheduled': 'scheduled',
          },
        }),
      ),
    );
  }

  /** Oldest first per shard: the ordinary shards, then the paused accounts'. Reads the sparse index only. */
  async listDue(until: string, limit = 100, pausedAccounts: readonly string[] = []): Promise<DueEntry[]> {
    const due: DueEntry[] = [];
    for (const shard of [...DUE_SHARD_NAMES, ...pausedAccounts.map(pauseShard)]) {
      if (due.length >= limit) break;
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.due.name,
          KeyConditionExpression: '#shard = :shard AND #due <= :until',
          ExpressionAttributeNames: { '#shard': INDEX.due.partition, '#due': INDEX.due.sort },
          ExpressionAttributeValues: { ':shard': shard, ':until': until },
          Limit: limit - due.length,
        }),
      );
      for (const item of page.Items ?? []) due.push(entryOf(item));
    }
    return due;
  }

  async listPaused(account: string, limit = 1000): Promise<DueEntry[]> {
    const entries: DueEntry[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.due.name,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': INDEX.due.partition },
          ExpressionAttributeValues: { ':shard': pauseShard(account) },
          Limit: limit - entries.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) entries.push(entryOf(item));
      start = page.LastEvaluatedKey;
    } while (start && entries.length < limit);
    return entries;
  }

  async getHeld(id: string): Promise<HeldMessage | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: messageKey(id), ConsistentRead: true }));
    return Item ? heldOf(Item) : undefined;
  }

  /**
   * One page of the keys-only `byAccount` index (created after `after`, up to `until`), then the
   * records, eventually consistent (half a read unit each). Positions are `created` sort keys; a
   * position `p` continues from `p!`, which sorts after `p` and before every later key.
   */
  async listCreated(account: string, after: string, until: string, limit = 100): Promise<CreatedPage> {
    // DynamoDB refuses a range that ends before it starts: it is empty.
    if (`${after}!` > `${until}#~`) return { held: [] };
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byAccount.name,
        KeyConditionExpression: '#account = :account AND #created BETWEEN :after AND :until',
        ExpressionAttributeNames: { '#account': INDEX.byAccount.partition, '#created': INDEX.byAccount.sort },
        ExpressionAttributeValues: { ':account': account, ':after': `${after}!`, ':until': `${until}#~` },
        Limit: limit,
      }),
    );
    const ids = Items.map(messageIdOfKey);
    const found = new Map<string, Item>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Item[] = ids.slice(i, i + 100).map(messageKey);
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const result = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: false } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item.id), item);
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
      if (keys.length > 0) throw new UnavailableError('store', `the store did not return ${keys.length} record(s) of a sweep page`);
    }
    const held = ids.flatMap((id) => {
      const item = found.get(id);
      if (!item || item[INDEX.due.sort] !== undefined || !UNSETTLED.has(String(item.status))) return [];
      return [heldOf(item)];
    });
    const last = LastEvaluatedKey ? String(LastEvaluatedKey[INDEX.byAccount.sort]) : undefined;
    return { held, ...(last !== undefined ? { last } : {}) };
  }

  async sweptUntil(account: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: sweepKey(account), ConsistentRead: true }));
    return typeof Item?.position === 'string' ? Item.position : undefined;
  }

  async markSwept(account: string, position: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...sweepKey(account), position } }));
  }

  postpone(id: string, fromDueAt: string | undefined, toDueAt: string): Promise<boolean> {
    const first = fromDueAt === undefined;
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET dueShard = :shard, dueAt = :to',
          // A first entry only for a message that is there and not settled.
          ConditionExpression: first ? 'attribute_not_exists(dueAt) AND #status IN (:queued, :scheduled, :sending)' : 'dueAt = :from',
          ...(first ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: {
            ':shard': dueShard(id),
            ':to': toDueAt,
            ...(first ? { ':queued': 'queued', ':scheduled': 'scheduled', ':sending': 'sending' } : { ':from': fromDueAt }),
          },
        }),
      ),
    );
  }

  release(id: string, dueAt: string): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'REMOVE dueShard, dueAt, payload',
          ConditionExpression: 'dueAt = :due',
          ExpressionAttributeValues: { ':due': dueAt },
        }),
      ),
    );
  }
}

/** A message item with what the sweeper needs: its sealed body and its claim. */
function heldOf(item: Item): HeldMessage {
  return {
    record: fromItem(item),
    ...(typeof item.payload === 'string' ? { sealedPayload: item.payload } : {}),
    ...(typeof item.claimToken === 'string' ? { claim: claimFrom(item) } : {}),
  };
}

const entryOf = (item: Item): DueEntry => ({ id: messageIdOfKey(item), dueAt: String(item[INDEX.due.sort]) });
