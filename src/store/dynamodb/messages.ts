/** Message records in DynamoDB: each state rule of {@link MessageRepository} is one conditional write. */
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../../errors.ts';
import { STATUS_RANK, type MessageStatus } from '../../messages/status.ts';
import { backoffMs, type BackoffPolicy } from '../../runtime/backoff.ts';
import type { ApplyExtra, ApplyOutcome, ListPage, ListQuery, MessageRecord, NewMessage } from '../model.ts';
import type { ReportScope, ScopedExtra, ScopedOutcome } from '../model.ts';
import type { MessageRepository } from '../repositories.ts';
import { owningRoute } from '../model.ts';
import { listAccountPage, listBounds, planStatusWrite, positionId, recordAfter, scopeWasRoute, settles } from '../rules.ts';
import { INDEX, KEY, messageIdOfKey, messageKey, providerIndexValue } from '../table.ts';
import { fromItem, toItem } from './items.ts';
import { conditionally, DynamoDBRepository, ignoreConditionFailure, refusedItem, sleep, type Item } from './layer.ts';

/** Retrying what a batch left unprocessed: waits up to 100, 200, 400, 800 ms (full jitter), as DynamoDB advises. */
const BATCH_RETRY: BackoffPolicy = { baseMs: 100, capMs: 1000 };

export class DynamoDBMessageRepository extends DynamoDBRepository implements MessageRepository {
  async createMany(messages: readonly NewMessage[], options: { onlyIfMissing?: boolean } = {}): Promise<void> {
    const items = messages.map(toItem);
    if (options.onlyIfMissing) {
      await Promise.all(
        items.map((Item) =>
          this.conditionally(() =>
            this.db.send(
              new PutCommand({
                TableName: this.tableName,
                Item,
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': KEY.partition },
              }),
            ),
          ),
        ),
      );
      return;
    }
    for (let i = 0; i < items.length; i += 25) {
      let pending: Array<{ PutRequest: { Item: Item } }> = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 5) throw new UnavailableError('store', `the store did not take ${pending.length} record(s) after 5 attempts`);
        if (attempt > 0) await sleep(backoffMs(attempt - 1, BATCH_RETRY));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  async get(id: string, options: { consistent?: boolean } = {}): Promise<MessageRecord | undefined> {
    const read = new GetCommand({ TableName: this.tableName, Key: messageKey(id), ConsistentRead: options.consistent ?? true });
    const { Item } = await this.db.send(read);
    return Item ? fromItem(Item) : undefined;
  }

  getMany(ids: readonly string[], options: { consistent?: boolean } = {}): Promise<MessageRecord[]> {
    return getRecords(this.db, this.tableName, ids, options.consistent ?? true);
  }

  /** Reads the keys-only `byAccount` index, then the records (eventually consistent, as the index is anyway). */
  async list(query: ListQuery): Promise<ListPage> {
    const bounds = listBounds(query);
    return listAccountPage<Item>(query, {
      page: async (start, size) => {
        const { Items = [], LastEvaluatedKey } = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEX.byAccount.name,
            KeyConditionExpression: '#account = :account AND #created BETWEEN :since AND :until',
            ExpressionAttributeNames: { '#account': INDEX.byAccount.partition, '#created': INDEX.byAccount.sort },
            ExpressionAttributeValues: { ':account': query.account, ':since': bounds.since, ':until': bounds.until },
            ScanIndexForward: false,
            Limit: size,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        return { entries: Items.map((key) => ({ id: messageIdOfKey(key), key })), ...(LastEvaluatedKey ? { last: LastEvaluatedKey } : {}) };
      },
      position: (key) => ({ created: String(key[INDEX.byAccount.sort]) }),
      // DynamoDB refuses a start key outside the query's range (a 400 we would otherwise pass on as a 5xx): checked first.
      startAfter: (after) => ({
        ...messageKey(positionId(after, bounds)),
        [INDEX.byAccount.partition]: query.account,
        [INDEX.byAccount.sort]: after.created,
      }),
      read: async (ids) => new Map((await this.getMany(ids, { consistent: false })).map((record) => [record.id, record])),
    });
  }

  async cancel(id: string, at: string): Promise<{ cancelled: true } | { cancelled: false; current?: MessageStatus }> {
    const cancelled = await this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression:
            'SET #status = :cancelled, #rank = :rank, #at.#cancelled = :at, updatedAt = :at REMOVE dueShard, dueAt, payload',
          ConditionExpression: 'attribute_exists(#pk) AND #status IN (:queued, :scheduled)',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#status': 'status', '#rank': 'rank', '#at': 'at', '#cancelled': 'cancelled' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':rank': STATUS_RANK.cancelled,
            ':at': at,
            ':queued': 'queued',
            ':scheduled': 'scheduled',
          },
        }),
      ),
    );
    if (cancelled) return { cancelled: true };
    const current = await this.get(id);
    return { cancelled: false, ...(current ? { current: current.status } : {}) };
  }

  /**
   * The common case is one conditional write:
   *
   *   advance: rank(current) < rank(next), not cancelled → status = next, at[next] = t
   *
   * A report that does not advance (a late `delivered` after `read`, a repeat) is history: a
   * second conditional write records its time only if that status has none or a later one, so a
   * duplicate changes nothing.
   */
  async applyStatus(id: string, next: Exclude<MessageStatus, 'cancelled'>, at: string, extra: ApplyExtra = {}): Promise<ApplyOutcome> {
    const plan = planStatusWrite(next, at, extra);
    if (plan === 'unchanged') return 'unchanged';
    const names: Record<string, string> = { '#pk': KEY.partition, '#status': 'status', '#rank': 'rank', '#at': 'at', '#s': next };
    const values: Item = { ':s': next, ':rank': STATUS_RANK[next], ':t': at, ':cancelled': 'cancelled' };
    const sets = ['#at.#s = :t'];
    // The failure that moves a message to `failed` sets its error; a later, non-advancing report keeps it.
    let advanceError = '';
    if (extra.error && next === 'failed') {
      names['#error'] = 'error';
      values[':error'] = extra.error;
      sets.push('#error = if_not_exists(#error, :error)');
      advanceError = ', #error = :error';
    }
    if (extra.providerMessageId && extra.provider) {
      values[':pmid'] = extra.providerMessageId;
      sets.push('providerMessageId = if_not_exists(providerMessageId, :pmid)');
      if (extra.indexProviderMessageId ?? true) {
        values[':pmidKey'] = providerIndexValue(extra.provider, extra.account!, extra.providerMessageId);
        sets.push(`${INDEX.byProviderMessageId.partition} = if_not_exists(${INDEX.byProviderMessageId.partition}, :pmidKey)`);
      }
    }
    const settled = settles(next) ? ' REMOVE dueShard, dueAt, payload' : '';
    const advanceSets = sets.filter((set) => !set.startsWith('#error')).join(', ');
    if (plan.mayAdvance) {
      const advanced = await this.conditionally(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: messageKey(id),
            UpdateExpression: `SET #status = :s, #rank = :rank, ${advanceSets}${advanceError}${settled}`,
            ConditionExpression: 'attribute_exists(#pk) AND #rank < :rank AND #status <> :cancelled',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (advanced) return 'advanced';
    }
    const { ':rank': _rank, ':s': _s, ...historyValues } = values;
    const { '#rank': _r, ...historyNames } = names;
    const recorded = await this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(#pk) AND #status <> :cancelled AND (attribute_not_exists(#at.#s) OR #at.#s > :t)',
          ExpressionAttributeNames: historyNames,
          ExpressionAttributeValues: historyValues,
        }),
      ),
    );
    return recorded ? 'recorded' : 'unchanged';
  }

  /**
   * The common case is one conditional write, which also checks the scope, and reads nothing:
   *
   *   advance: same account and provider, rank(current) < rank(next), not cancelled
   *            → status = next, at[next] = t (and the provider id if it has none)
   *
   * Its answer is the item before (`ALL_OLD`, free with the write), from which the record after is
   * computed. Refused, DynamoDB returns the item it found (`ReturnValuesOnConditionCheckFailure`);
   * where the store does not (dynalite), it is read — on that path only. The item found says why:
   * missing, another account's (`foreign`), or a report that does not advance (then, as in
   * {@link applyStatus}, a second conditional write records its time if it is history).
   */
  async applyScoped(
    id: string,
    next: Exclude<MessageStatus, 'cancelled'>,
    at: string,
    scope: ReportScope,
    extra: ScopedExtra = {},
  ): Promise<ScopedOutcome> {
    const names: Record<string, string> = {
      '#pk': KEY.partition,
      '#status': 'status',
      '#rank': 'rank',
      '#at': 'at',
      '#s': next,
      '#account': 'account',
      '#provider': 'provider',
      '#route': 'route',
    };
    const values: Item = { ':s': next, ':rank': STATUS_RANK[next], ':t': at, ':cancelled': 'cancelled', ...scopeValues(scope) };
    const sets = ['#at.#s = :t'];
    let advanceError = '';
    let historyError = '';
    if (extra.error && next === 'failed') {
      names['#error'] = 'error';
      values[':error'] = extra.error;
      advanceError = ', #error = :error';
      historyError = ', #error = if_not_exists(#error, :error)';
    }
    if (extra.providerMessageId) {
      values[':pmid'] = extra.providerMessageId;
      sets.push('providerMessageId = if_not_exists(providerMessageId, :pmid)');
    }
    // The route that owns the send: its `route`, else the origin (a refused route's reports change nothing).
    const inScope =
      'attribute_exists(#pk) AND ((attribute_not_exists(#route) AND #account = :account AND #provider = :provider) ' +
      'OR (#route.#account = :account AND #route.#provider = :provider))';
    const done = (outcome: ApplyOutcome, before: Item): ScopedOutcome => ({
      outcome,
      record: recordAfter(fromItem(before), next, at, outcome, extra),
      boundProviderMessageId: outcome !== 'unchanged' && !!extra.providerMessageId && before.providerMessageId === undefined,
    });
    // A report that changes nothing still gives a message without a provider id the report's (first wins).
    const unchanged = async (found: Item): Promise<ScopedOutcome> => {
      const record = recordAfter(fromItem(found), next, at, 'unchanged', extra);
      const pmid = extra.providerMessageId;
      if (!pmid || found.providerMessageId !== undefined || !(await bindOnce(this.db, this.tableName, id, pmid))) {
        return { outcome: 'unchanged', record, boundProviderMessageId: false };
      }
      return { outcome: 'unchanged', record: { ...record, providerMessageId: pmid }, boundProviderMessageId: true };
    };
    const update = (expression: string, condition: string, withRank: boolean) =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: withRank ? names : withoutKey(names, '#rank'),
          ExpressionAttributeValues: withRank ? values : withoutKey(withoutKey(values, ':rank'), ':s'),
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    const settled = settles(next) ? ' REMOVE dueShard, dueAt, payload' : '';
    // A rank lowered meanwhile (a claim given back) lets a report advance after all: tried again once.
    for (let attempt = 0; attempt < 2; attempt++) {
      let found: Item | undefined;
      try {
        const { Attributes } = await update(
          `SET #status = :s, #rank = :rank, ${sets.join(', ')}${advanceError}${settled}`,
          `${inScope} AND #rank < :rank AND #status <> :cancelled`,
          true,
        );
        return done('advanced', Attributes ?? {});
      } catch (error) {
        ignoreConditionFailure(error);
        found = refusedItem(error) ?? (await readItem(this.db, this.tableName, id));
      }
      if (!found) return { outcome: 'missing' };
      const owner = owningRoute(fromItem(found));
      if (owner.account !== scope.account || owner.provider !== scope.provider) {
        return scopeWasRoute(fromItem(found), scope)
          ? { outcome: 'unchanged', record: fromItem(found), boundProviderMessageId: false }
          : { outcome: 'foreign' };
      }
      const plan = planStatusWrite(next, at, { known: fromItem(found) });
      if (plan !== 'unchanged' && plan.mayAdvance) continue;
      if (plan === 'unchanged' || found.status === 'cancelled') return unchanged(found);
      try {
        const { Attributes } = await update(
          `SET ${sets.join(', ')}${historyError}`,
          `${inScope} AND #status <> :cancelled AND (attribute_not_exists(#at.#s) OR #at.#s > :t)`,
          false,
        );
        return done('recorded', Attributes ?? found);
      } catch (error) {
        ignoreConditionFailure(error);
        return unchanged(refusedItem(error) ?? (await readItem(this.db, this.tableName, id)) ?? found);
      }
    }
    const last = await readItem(this.db, this.tableName, id);
    return last ? unchanged(last) : { outcome: 'missing' };
  }
}

/** A message's item as stored (strongly consistent): what a refused write did not return. */
async function readItem(db: DynamoDBDocumentClient, tableName: string, id: string): Promise<Item | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: messageKey(id), ConsistentRead: true }));
  return Item;
}

/** Gives a message without a provider id this one (first wins): true if it did. */
function bindOnce(db: DynamoDBDocumentClient, tableName: string, id: string, providerMessageId: string): Promise<boolean> {
  return conditionally(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(id),
        UpdateExpression: 'SET providerMessageId = :pmid',
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(providerMessageId)',
        ExpressionAttributeNames: { '#pk': KEY.partition },
        ExpressionAttributeValues: { ':pmid': providerMessageId },
      }),
    ),
  );
}

const scopeValues = (scope: ReportScope): Item => ({ ':account': scope.account, ':provider': scope.provider });

function withoutKey<T extends Record<string, unknown>>(map: T, key: string): T {
  const { [key]: _dropped, ...rest } = map;
  return rest as T;
}

/** The records of `ids` that exist, in the order of `ids` (batches of 100, unprocessed keys retried). */
export async function getRecords(
  db: DynamoDBDocumentClient,
  tableName: string,
  ids: readonly string[],
  consistent: boolean,
): Promise<MessageRecord[]> {
  const found = new Map<string, MessageRecord>();
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Array<Record<string, string>> = ids.slice(i, i + 100).map(messageKey);
    for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt - 1, BATCH_RETRY));
      const result = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: consistent } } }));
      for (const item of result.Responses?.[tableName] ?? []) found.set(String(item.id), fromItem(item));
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
    }
  }
  return ids.flatMap((id) => found.get(id) ?? []);
}
