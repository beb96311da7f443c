/**
 * The sweeper's sparse `due` index over message items: `dueShard` + `dueAt`, written with the
 * record at accept, moved by holds and postponements, removed by the outcome's write. Shards
 * `D#0`…`D#3` spread the entries; a paused account's held messages wait in their own shard.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DueEntry, HeldMessage } from '../model.ts';
import type { DueRepository } from '../repositories.ts';
import { DUE_SHARD_NAMES, dueShard, INDEX, KEY, messageExpiresAt, messageIdOfKey, messageKey } from '../table.ts';
import { pauseShard, TTL_ATTRIBUTE } from '../table.ts';
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
    if (!Item) return undefined;
    return {
      record: fromItem(Item),
      ...(typeof Item.payload === 'string' ? { sealedPayload: Item.payload } : {}),
      ...(typeof Item.claimToken === 'string' ? { claim: claimFrom(Item) } : {}),
    };
  }

  postpone(id: string, fromDueAt: string, toDueAt: string): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET dueShard = :shard, dueAt = :to',
          ConditionExpression: 'dueAt = :from',
          ExpressionAttributeValues: { ':shard': dueShard(id), ':to': toDueAt, ':from': fromDueAt },
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

const entryOf = (item: Item): DueEntry => ({ id: messageIdOfKey(item), dueAt: String(item[INDEX.due.sort]) });
