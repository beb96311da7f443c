/**
 * The callback index: alias items `X#<provider>#<id>` / `A#<account>` (a provider id → our
 * message id), pending-event items `E#<provider>#<id>` / `A#<account>` (callbacks that came before
 * the send result, one slot per status), and the message items' `byProviderMessageId` and
 * `byRecipient` indexes. The account is in every key, so one account's lookups never read another's.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ProviderName } from '../../providers/names.ts';
import type { CallbackIndexRepository } from '../repositories.ts';
import { SENT_STATUSES } from '../rules.ts';
import { INDEX, KEY, MESSAGE_TTL_S, messageIdOfKey, TTL_ATTRIBUTE } from '../table.ts';
import { providerIdItemKey, providerIndexValue, recipientIndexValue } from '../table.ts';
import { DynamoDBRepository, type Item } from './layer.ts';
import { getRecords } from './messages.ts';

/** Attribute name prefix of a kept callback's slot (`ev_<status>`) in a pending-events item. */
const PENDING_SLOT = 'ev_';
/** Kept callbacks expire after a week. */
const PENDING_TTL_S = 7 * 86_400;

export class DynamoDBCallbackIndexRepository extends DynamoDBRepository implements CallbackIndexRepository {
  /**
   * An alias never changes once written, so a copy that has it is right: it is read eventually
   * consistent (half a read unit) first, and strongly consistent only when that copy has none — a
   * send result stored a moment ago is still found.
   */
  async findMessageId(account: string, provider: ProviderName, providerMessageId: string): Promise<string | undefined> {
    const alias = providerIdItemKey('X', provider, account, providerMessageId);
    for (const consistent of [false, true]) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: alias, ConsistentRead: consistent }));
      if (Item) return String(Item.messageId);
    }
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX.byProviderMessageId.name,
        KeyConditionExpression: '#pmid = :pmid',
        ExpressionAttributeNames: { '#pmid': INDEX.byProviderMessageId.partition },
        ExpressionAttributeValues: { ':pmid': providerIndexValue(provider, account, providerMessageId) },
        Limit: 1,
      }),
    );
    const indexed = page.Items?.[0];
    return indexed ? messageIdOfKey(indexed) : undefined;
  }

  /** Reads sort keys only (the other account's name), never the message id or the record. */
  async takenElsewhere(account: string, provider: ProviderName, providerMessageIds: readonly string[]): Promise<boolean> {
    for (const id of providerMessageIds) {
      const { [KEY.partition]: pk, [KEY.sort]: own } = providerIdItemKey('X', provider, account, id);
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#sk': KEY.sort },
          ExpressionAttributeValues: { ':pk': pk },
          ProjectionExpression: '#sk',
          Limit: 2,
        }),
      );
      if ((page.Items ?? []).some((item) => item[KEY.sort] !== own)) return true;
    }
    return false;
  }

  async addAliases(account: string, provider: ProviderName, aliases: readonly string[], messageId: string, now: Date): Promise<void> {
    const expiresAt = Math.floor(now.getTime() / 1000) + MESSAGE_TTL_S;
    await Promise.all(
      aliases.map((alias) => {
        const item = { ...providerIdItemKey('X', provider, account, alias), messageId, [TTL_ATTRIBUTE]: expiresAt };
        return this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
      }),
    );
  }

  async unmatchedTo(account: string, recipientHash: string, since: string, until: string): Promise<string[]> {
    const candidates: string[] = [];
    let start: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byRecipient.name,
          KeyConditionExpression: '#rk = :rk AND #created BETWEEN :since AND :until',
          ExpressionAttributeNames: { '#rk': INDEX.byRecipient.partition, '#created': INDEX.byRecipient.sort },
          ExpressionAttributeValues: { ':rk': recipientIndexValue(account, recipientHash), ':since': since, ':until': `${until}~` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) candidates.push(messageIdOfKey(item));
      start = page.LastEvaluatedKey;
    } while (start);
    const records = await getRecords(this.db, this.tableName, candidates, false);
    return records.filter((record) => !record.providerMessageId && SENT_STATUSES.has(record.status)).map((record) => record.id);
  }

  /** One attribute per status (`ev_<status>`), set only if absent: the first kept wins. */
  async keepPending(account: string, provider: ProviderName, providerMessageId: string, event: { status: string }, now: Date) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: providerIdItemKey('E', provider, account, providerMessageId),
        UpdateExpression: 'SET #slot = if_not_exists(#slot, :event), #ttl = :ttl',
        ExpressionAttributeNames: { '#slot': `${PENDING_SLOT}${event.status}`, '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':event': event, ':ttl': Math.floor(now.getTime() / 1000) + PENDING_TTL_S },
      }),
    );
  }

  /** A read, then one delete returning what it removed: of two takers, only one gets the events. */
  async takePending(account: string, provider: ProviderName, providerMessageId: string): Promise<unknown[]> {
    const key = providerIdItemKey('E', provider, account, providerMessageId);
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!Item) return [];
    const removed = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }));
    return Object.entries(removed.Attributes ?? {}).flatMap(([name, value]) => (name.startsWith(PENDING_SLOT) ? [value] : []));
  }
}
