/** Idempotency keys as items `I#<account>#<key>`, first writer wins (one conditional put). */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyClaim } from '../model.ts';
import type { IdempotencyRepository } from '../repositories.ts';
import { IDEMPOTENCY_TTL_S, idempotencyKey, KEY, TTL_ATTRIBUTE } from '../table.ts';
import { DynamoDBRepository, ignoreConditionFailure, refusedItem } from './layer.ts';

export class DynamoDBIdempotencyRepository extends DynamoDBRepository implements IdempotencyRepository {
  /**
   *   put if absent or expired ──▶ claimed
   *        └─ taken ─▶ the item the refusal returns (read, where the store returns none)
   *                    ─▶ what it was taken for  (gone meanwhile: claim again)
   */
  async claim(account: string, key: string, requestHash: string, messageIds: readonly string[], now: Date): Promise<IdempotencyClaim> {
    const nowS = Math.floor(now.getTime() / 1000);
    let taken: Record<string, unknown> | undefined;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...idempotencyKey(account, key),
            requestHash,
            messageIds,
            complete: false,
            createdAt: now.toISOString(),
            [TTL_ATTRIBUTE]: nowS + IDEMPOTENCY_TTL_S,
          },
          // DynamoDB deletes expired items lazily: an expired key is free again.
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': nowS },
          // Refused, DynamoDB answers with the key's item: no read (a store that does not is read below).
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      ignoreConditionFailure(error);
      taken = refusedItem(error);
    }
    if (!taken) {
      const read = new GetCommand({ TableName: this.tableName, Key: idempotencyKey(account, key), ConsistentRead: true });
      taken = (await this.db.send(read)).Item;
    }
    if (!taken) return this.claim(account, key, requestHash, messageIds, now);
    const takenFor = (taken.messageIds as string[]) ?? [];
    return { claimed: false, requestHash: String(taken.requestHash), messageIds: takenFor, complete: taken.complete === true };
  }

  async complete(account: string, key: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: idempotencyKey(account, key),
        UpdateExpression: 'SET complete = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  }
}
