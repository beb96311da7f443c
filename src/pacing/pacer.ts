/**
 * Pacing shared by every concurrent sender: the buckets live in the messages table, and each
 * take is a read and a conditional write on the bucket's version (optimistic concurrency), so two
 * invocations can never spend the same token. Waiting costs no write.
 *
 *   read state ─▶ take(n) in memory ─▶ write if version unchanged ─▶ granted
 *                                         └─ changed meanwhile: read again (a few times)
 *
 * Recipient gaps are one conditional write: `nextAt ≤ now` → `nextAt = now + gap`.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { KEY, TTL_ATTRIBUTE } from '../store/table.ts';
import type { Budget } from './budget.ts';
import { block, take, type BucketState } from './token-bucket.ts';

export const paceKey = (scope: string) => ({ [KEY.partition]: `P#${scope}`, [KEY.sort]: 'P' });

export interface Acquired {
  granted: number;
  waitMs: number;
}

export class Pacer {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly random: () => number;

  constructor(client: DynamoDBClient, tableName: string, random: () => number = Math.random) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = tableName;
    this.random = random;
  }

  /** Takes up to `want` sends from `scope`'s budget at `now`; with none granted, how long to wait. */
  async acquire(scope: string, budget: Budget, want: number, now: number): Promise<Acquired> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: paceKey(scope), ConsistentRead: true }));
      const version = Item ? Number(Item.v) : 0;
      const grant = take(Item?.s as BucketState | undefined, budget, want, now, this.random);
      if (grant.granted === 0) return { granted: 0, waitMs: grant.waitMs };
      if (await this.write(scope, grant.state, version, now)) return { granted: grant.granted, waitMs: 0 };
    }
    // Heavy contention: back off briefly rather than spin.
    return { granted: 0, waitMs: 50 };
  }

  /** Nobody sends from `scope` before `untilMs` (a provider's 429 said so). */
  async block(scope: string, budget: Budget, untilMs: number, now: number): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: paceKey(scope), ConsistentRead: true }));
      const state = (Item?.s as BucketState | undefined) ?? take(undefined, budget, 0, now).state;
      if ((state.notBeforeMs ?? 0) >= untilMs) return;
      if (await this.write(scope, block(state, untilMs), Item ? Number(Item.v) : 0, now)) return;
    }
  }

  /**
   * Claims the recipient's next slot: succeeds when the last message to them was at least
   * `gapMs` ago; otherwise says how long to wait.
   */
  async acquireGap(scope: string, gapMs: number, now: number): Promise<Acquired> {
    if (gapMs <= 0) return { granted: 1, waitMs: 0 };
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: paceKey(scope),
          UpdateExpression: 'SET nextAt = :next, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':next': now + gapMs, ':now': now, ':ttl': Math.ceil((now + gapMs) / 1000) + 3600 },
        }),
      );
      return { granted: 1, waitMs: 0 };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: paceKey(scope), ConsistentRead: true }));
      return { granted: 0, waitMs: Math.max(1, Number(Item?.nextAt ?? now) - now) };
    }
  }

  private async write(scope: string, state: BucketState, version: number, now: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...paceKey(scope), s: state, v: version + 1, [TTL_ATTRIBUTE]: Math.ceil(now / 1000) + 2 * 86_400 },
          ConditionExpression: version === 0 ? 'attribute_not_exists(#pk)' : 'v = :v',
          ExpressionAttributeNames: version === 0 ? { '#pk': KEY.partition } : undefined,
          ExpressionAttributeValues: version === 0 ? undefined : { ':v': version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
