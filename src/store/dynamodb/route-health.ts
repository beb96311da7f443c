/**
 * Accounts' route health as one item per account, `R#<account>` (src/store/table.ts): the
 * breaker (`breaker`), the operator's failover switch (`disabled`) and a version (`v`). A breaker
 * write is conditional on the version read (optimistic concurrency: of two workers opening the
 * breaker, taking its probe or closing it, one wins); the switch is set without condition but
 * moves the version on, so a breaker write based on a read before it is refused.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BreakerState, FailoverSwitch, RouteHealth } from '../model.ts';
import type { RouteHealthRepository } from '../repositories.ts';
import { KEY, routeHealthKey } from '../table.ts';
import { DynamoDBRepository } from './layer.ts';

export class DynamoDBRouteHealthRepository extends DynamoDBRepository implements RouteHealthRepository {
  async get(account: string): Promise<RouteHealth> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: routeHealthKey(account), ConsistentRead: true }));
    if (!Item) return { version: 0 };
    return {
      ...(Item.breaker ? { breaker: Item.breaker as BreakerState } : {}),
      ...(Item.disabled ? { disabled: Item.disabled as FailoverSwitch } : {}),
      version: Number(Item.v ?? 0),
    };
  }

  writeBreaker(account: string, breaker: BreakerState, version: number): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: routeHealthKey(account),
          UpdateExpression: 'SET breaker = :breaker, v = :next',
          ConditionExpression: version === 0 ? 'attribute_not_exists(#pk)' : 'v = :v',
          ExpressionAttributeNames: version === 0 ? { '#pk': KEY.partition } : undefined,
          ExpressionAttributeValues: { ':breaker': breaker, ':next': version + 1, ...(version === 0 ? {} : { ':v': version }) },
        }),
      ),
    );
  }

  async setSwitch(account: string, disabled: FailoverSwitch | undefined): Promise<FailoverSwitch | undefined> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: routeHealthKey(account),
        UpdateExpression: disabled ? 'SET disabled = :disabled ADD v :one' : 'REMOVE disabled ADD v :one',
        ExpressionAttributeValues: { ':one': 1, ...(disabled ? { ':disabled': disabled } : {}) },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return (result.Attributes?.disabled as FailoverSwitch | undefined) ?? undefined;
  }
}
