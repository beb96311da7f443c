/**
 * Pacing items `P#<scope>`: a budget's slot state with a version (optimistic concurrency: a write
 * succeeds only on the version it read, so two invocations never hold the same slot), or a
 * recipient's next free slot (one conditional write: `nextAt ≤ now` → `nextAt = next`).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SlotState } from '../../pacing/slots.ts';
import type { GapClaim, StoredSlots } from '../model.ts';
import type { PacingRepository } from '../repositories.ts';
import { KEY, paceKey, TTL_ATTRIBUTE } from '../table.ts';
import { DynamoDBRepository, ignoreConditionFailure, refusedItem } from './layer.ts';

/** Slot state untouched this long (s) is gone: every window free again. */
const BUCKET_TTL_S = 2 * 86_400;
/** A recipient's slot is kept this long (s) after it frees. */
const GAP_TTL_S = 3600;

export class DynamoDBPacingRepository extends DynamoDBRepository implements PacingRepository {
  async readSlots(scope: string): Promise<StoredSlots<SlotState>> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: paceKey(scope), ConsistentRead: true }));
    return { ...(Item?.s ? { state: Item.s as SlotState } : {}), version: Number(Item?.v ?? 0) };
  }

  writeSlots(scope: string, state: SlotState, version: number, now: number): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...paceKey(scope), s: state, v: version + 1, [TTL_ATTRIBUTE]: Math.ceil(now / 1000) + BUCKET_TTL_S },
          ConditionExpression: version === 0 ? 'attribute_not_exists(#pk)' : 'v = :v',
          ExpressionAttributeNames: version === 0 ? { '#pk': KEY.partition } : undefined,
          ExpressionAttributeValues: version === 0 ? undefined : { ':v': version },
        }),
      ),
    );
  }

  /** A refused claim is answered with the slot's item where the store returns it (DynamoDB); else it is read. */
  async claimGap(scope: string, now: number, nextAt: number): Promise<GapClaim> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paceKey(scope),
          UpdateExpression: 'SET nextAt = :next, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':next': nextAt, ':now': now, ':ttl': Math.ceil(nextAt / 1000) + GAP_TTL_S },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      ignoreConditionFailure(error);
      const Item =
        refusedItem(error) ??
        (await this.db.send(new GetCommand({ TableName: this.tableName, Key: paceKey(scope), ConsistentRead: true }))).Item;
      return { claimed: false, ...(Item?.nextAt !== undefined ? { nextAt: Number(Item.nextAt) } : {}) };
    }
  }
}
