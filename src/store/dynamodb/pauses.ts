/** Pauses as items of the account's partition `Z#<account>`, one per scope (sort key `*` or `T#<template>`). */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Pause, PauseDetails, PauseScope } from '../model.ts';
import type { PauseRepository } from '../repositories.ts';
import { KEY, pauseKey, pausePartition, pauseScopeOfSortKey, pauseSortKey } from '../table.ts';
import { DynamoDBRepository } from './layer.ts';

export class DynamoDBPauseRepository extends DynamoDBRepository implements PauseRepository {
  async set(account: string, scope: PauseScope, pause: PauseDetails): Promise<void> {
    // `scope` is kept as an attribute too: items written before the sort key was parsed carry it.
    const item = { ...pauseKey(account, scope), account, scope: pauseSortKey(scope), ...pause };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async list(account: string): Promise<Pause[]> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': KEY.partition },
        ExpressionAttributeValues: { ':pk': pausePartition(account) },
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => ({
      account,
      scope: pauseScopeOfSortKey(String(item[KEY.sort])),
      reason: String(item.reason),
      since: String(item.since),
      ...(item.code !== undefined ? { code: item.code as string | number } : {}),
    }));
  }

  async lift(account: string, scope: PauseScope): Promise<boolean> {
    const lift = new DeleteCommand({ TableName: this.tableName, Key: pauseKey(account, scope), ReturnValues: 'ALL_OLD' });
    const result = await this.db.send(lift);
    return result.Attributes !== undefined;
  }
}
