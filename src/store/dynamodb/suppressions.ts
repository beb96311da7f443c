/** Suppressions (opted-out recipients) as items `S#<account>#<recipient hash>`. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression } from '../model.ts';
import type { SuppressionRepository } from '../repositories.ts';
import { suppressionKey } from '../table.ts';
import { DynamoDBRepository } from './layer.ts';

export class DynamoDBSuppressionRepository extends DynamoDBRepository implements SuppressionRepository {
  async add(account: string, recipientHash: string, suppression: Suppression & { code?: string | number }): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...suppressionKey(account, recipientHash), ...suppression } }));
  }

  async get(account: string, recipientHash: string): Promise<Suppression | undefined> {
    const read = new GetCommand({ TableName: this.tableName, Key: suppressionKey(account, recipientHash), ConsistentRead: false });
    const { Item } = await this.db.send(read);
    return Item ? { reason: String(Item.reason), since: String(Item.since) } : undefined;
  }

  async remove(account: string, recipientHash: string): Promise<boolean> {
    const remove = new DeleteCommand({ TableName: this.tableName, Key: suppressionKey(account, recipientHash), ReturnValues: 'ALL_OLD' });
    const result = await this.db.send(remove);
    return result.Attributes !== undefined;
  }
}
