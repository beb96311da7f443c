/**
 * The message store: DynamoDB access behind a small interface. Each state rule is one conditional
 * write, so concurrent writers (accept, sender, webhooks, operators) never need a lock, and a
 * repeated or late write changes nothing it should not.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import type { MessageContent } from '../messages/send-request.ts';
import { STATUS_RANK, type MessageStatus, type StatusTimes } from '../messages/status.ts';
import type { RecipientRef } from '../privacy/recipient.ts';
import type { ProviderName } from '../providers/names.ts';
import { dynamoItemBytes } from './item-size.ts';
import { DUE_SHARDS, IDEMPOTENCY_TTL_S, idempotencyKey, INDEX, KEY, MESSAGE_TTL_S, messageExpiresAt, messageKey, providerIdItemKey, providerIndexValue, TTL_ATTRIBUTE } from './table.ts';

type Item = Record<string, NativeAttributeValue>;

/** Attribute name prefix of a kept callback's slot (`ev_<status>`) in a pending-events item. */
const PENDING_SLOT = 'ev_';
/** How many messages one filtered page of {@link MessageStore.list} reads at most. */
export const LIST_READ_BUDGET = 1000;

/** The error kept on a message: the provider's, in our words. */
export interface StoredError {
  class?: string;
  status?: number;
  code?: string | number;
  reason: string;
}

export interface NewMessage {
  id: string;
  provider: ProviderName;
  account: string;
  recipient: RecipientRef;
  kind: MessageContent['kind'];
  template?: string;
  status: 'queued' | 'scheduled';
  /** When it was accepted (ISO-8601 UTC). */
  createdAt: string;
  scheduleAt?: string;
  metadata?: Record<string, string>;
  idempotencyKey?: string;
  /** Make it findable by recipient (providers whose callbacks are matched by recipient and time). */
  indexRecipient?: boolean;
  /**
   * When the sweeper (src/scheduler/requeue.ts) should look at it if nothing else has, with its
   * sealed queue body to enqueue it again: the `due` index entry every unsettled message has.
   */
  due?: { at: string; sealedPayload: string };
}

export interface MessageRecord extends Omit<NewMessage, 'status'> {
  status: MessageStatus;
  times: StatusTimes;
  attempts: number;
  error?: StoredError;
  providerMessageId?: string;
  /**
   * While the message is unsettled (queued, scheduled, sending): when the sweeper looks at it if
   * nothing else has — the end of a hold (far schedule, long delay, pause, failed enqueue), or the
   * time by which a message on the queue should have been claimed.
   */
  dueAt?: string;
  updatedAt?: string;
}

export interface ListQuery {
  account: string;
  status?: MessageStatus;
  since?: string;
  until?: string;
  /** Continue after this position (a previous page's `next`). */
  after?: ListPosition;
  limit?: number;
  /** With `status`: how many messages one page reads at most. @default LIST_READ_BUDGET */
  readBudget?: number;
}

/**
 * Where a page of a listing ended: the `created` sort key (`<ISO time>#<message id>`) of its
 * last entry. The API hands it out only sealed in a signed cursor (src/api/cursor.ts).
 */
export interface ListPosition {
  created: string;
}

export interface Pause {
  account: string;
  /** `*` for the whole account, `T#<template name>` for one template. */
  scope: string;
  reason: string;
  code?: string | number;
  since: string;
}

export type ApplyOutcome = 'advanced' | 'recorded' | 'unchanged';

/** One entry of the `due` index: a message and when the sweeper looks at it. */
export interface DueEntry {
  id: string;
  dueAt: string;
}

/** A send attempt's claim on a message. */
export interface Claim {
  token: string;
  claimedAt: string;
  /** When the claim is stale: no call can still be under way (absent on claims older than this field). */
  until?: string;
}

const CLAIM_ATTRIBUTES = 'claimToken, claimedAt, claimUntil';

/** When the sweeper looks at a message again and its sealed body (`hold()`), optionally in a pause shard. */
export interface HoldSpec {
  dueAt: string;
  sealedPayload: string;
  shard?: string;
}

/** What an answer that left the outcome open said, kept with the `unknown` status. */
export type UnknownDetails = Pick<StoredError, 'status' | 'code'>;

export interface HeldMessage {
  record: MessageRecord;
  sealedPayload?: string;
  claim?: Claim;
}

export type IdempotencyClaim =
  | { claimed: true }
  | { claimed: false; requestHash: string; messageIds: string[]; complete: boolean };

export class MessageStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = tableName;
  }

  /** Writes new records. With `onlyIfMissing`, a record that exists already is left as it is (replays). */
  async createMany(messages: readonly NewMessage[], options: { onlyIfMissing?: boolean } = {}): Promise<void> {
    const items = messages.map(toItem);
    if (options.onlyIfMissing) {
      await Promise.all(
        items.map((Item) =>
          this.db
            .send(new PutCommand({ TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': KEY.partition } }))
            .catch(ignoreConditionFailure),
        ),
      );
      return;
    }
    for (let i = 0; i < items.length; i += 25) {
      let pending: Array<{ PutRequest: { Item: Item } }> = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 5) throw new Error(`the store did not take ${pending.length} record(s) after 5 attempts`);
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  /** The record; `consistent: false` reads at half the cost where a slightly old copy does no harm. */
  async get(id: string, options: { consistent?: boolean } = {}): Promise<MessageRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: messageKey(id), ConsistentRead: options.consistent ?? true }));
    return Item ? fromItem(Item) : undefined;
  }

  /** The records of `ids` that exist, in the order of `ids`. */
  async getMany(ids: readonly string[], options: { consistent?: boolean } = {}): Promise<MessageRecord[]> {
    const found = new Map<string, MessageRecord>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Array<Record<string, string>> = ids.slice(i, i + 100).map(messageKey);
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: options.consistent ?? true } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item.id), fromItem(item));
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
      }
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * A page of an account's messages, newest first, optionally of one status and within
   * [since, until]. The index holds keys only (status changes never rewrite it), so a status
   * filter reads the records: index pages are read until `limit` messages match, the index ends,
   * or {@link LIST_READ_BUDGET} messages were read — then the page may hold fewer than `limit`
   * (even none) and `next` says where to go on. `next` always points just after the last message
   * read for this page, so following it skips nothing and repeats nothing.
   */
  async list(query: ListQuery): Promise<{ items: MessageRecord[]; next?: ListPosition }> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 100);
    const since = query.since ?? '0';
    const until = `${query.until ?? '9999'}~`;
    const page = (start: Item | undefined, size: number) =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byAccount.name,
          KeyConditionExpression: '#account = :account AND #created BETWEEN :since AND :until',
          ExpressionAttributeNames: { '#account': INDEX.byAccount.partition, '#created': INDEX.byAccount.sort },
          ExpressionAttributeValues: { ':account': query.account, ':since': since, ':until': until },
          ScanIndexForward: false,
          Limit: size,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
    const idOf = (key: Item) => String(key[KEY.partition]).slice(2);
    const positionOf = (key: Item): ListPosition => ({ created: String(key[INDEX.byAccount.sort]) });
    // The index is eventually consistent anyway: the records are read the same way, at half the cost.
    const read = async (keys: Item[]) => {
      const records = await this.getMany(keys.map(idOf), { consistent: false });
      return new Map(records.map((record) => [record.id, record]));
    };

    let start = query.after ? startKey(query.account, query.after, since, until) : undefined;
    if (!query.status) {
      const { Items = [], LastEvaluatedKey } = await page(start, limit);
      const records = await read(Items);
      const items = Items.flatMap((key) => records.get(idOf(key)) ?? []);
      return { items, ...(LastEvaluatedKey ? { next: positionOf(LastEvaluatedKey) } : {}) };
    }

    const budget = Math.max(1, query.readBudget ?? LIST_READ_BUDGET);
    const items: MessageRecord[] = [];
    let scanned = 0;
    for (;;) {
      const { Items = [], LastEvaluatedKey } = await page(start, Math.min(100, budget - scanned));
      scanned += Items.length;
      const records = await read(Items);
      for (const [i, key] of Items.entries()) {
        const record = records.get(idOf(key));
        if (record?.status !== query.status) continue;
        items.push(record);
        if (items.length === limit) {
          const more = i < Items.length - 1 || LastEvaluatedKey !== undefined;
          return { items, ...(more ? { next: positionOf(key) } : {}) };
        }
      }
      if (!LastEvaluatedKey) return { items };
      start = LastEvaluatedKey;
      if (scanned >= budget) return { items, next: positionOf(start) };
    }
  }

  /**
   * Cancels a message that is still waiting. One conditional write:
   *   queued/scheduled ──cancel──▶ cancelled   (anything else: refused, nothing changes)
   */
  async cancel(id: string, at: string): Promise<{ cancelled: true } | { cancelled: false; current?: MessageStatus }> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET #status = :cancelled, #rank = :rank, #at.#cancelled = :at, updatedAt = :at REMOVE dueShard, dueAt, payload',
          ConditionExpression: 'attribute_exists(#pk) AND #status IN (:queued, :scheduled)',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#status': 'status', '#rank': 'rank', '#at': 'at', '#cancelled': 'cancelled' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':rank': STATUS_RANK.cancelled, ':at': at, ':queued': 'queued', ':scheduled': 'scheduled' },
        }),
      );
      return { cancelled: true };
    } catch (error) {
      ignoreConditionFailure(error);
      const current = await this.get(id);
      return { cancelled: false, ...(current ? { current: current.status } : {}) };
    }
  }

  /**
   * Applies one status report with the status table's rules: the message moves forward only, and
   * each status keeps its earliest time. The common case is one conditional write:
   *
   *   advance: rank(current) < rank(next), not cancelled → status = next, at[next] = t
   *
   * A report that does not advance (a late `delivered` after `read`, a repeat) is history: a
   * second conditional write records its time only if that status has none or a later one, so a
   * duplicate changes nothing.
   */
  async applyStatus(
    id: string,
    next: Exclude<MessageStatus, 'cancelled'>,
    at: string,
    extra: {
      error?: StoredError;
      providerMessageId?: string;
      provider?: ProviderName;
      /** The message's account: the index value is scoped to it (required when indexing). */
      account?: string;
      /** Also make it findable by the index (callbacks that carry only this id). @default true */
      indexProviderMessageId?: boolean;
      /**
       * The record as the caller last read it. Statuses only move forward and times only get
       * earlier, so a write that even this (possibly older) copy shows would change nothing is
       * skipped: a repeated callback then costs a read, not two failed writes.
       */
      known?: Pick<MessageRecord, 'status' | 'times'>;
    } = {},
  ): Promise<ApplyOutcome> {
    const known = extra.known;
    const earliest = known?.times[next];
    if (known && earliest !== undefined && earliest <= at && known.status !== 'cancelled' && STATUS_RANK[known.status] >= STATUS_RANK[next]) return 'unchanged';
    const mayAdvance = !known || (known.status !== 'cancelled' && STATUS_RANK[known.status] < STATUS_RANK[next]);
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
        if (!extra.account) throw new TypeError('applyStatus: indexing a provider message id needs the account it is scoped to');
        values[':pmidKey'] = providerIndexValue(extra.provider, extra.account, extra.providerMessageId);
        sets.push(`${INDEX.byProviderMessageId.partition} = if_not_exists(${INDEX.byProviderMessageId.partition}, :pmidKey)`);
      }
    }
    // A message that settles (unknown or beyond) leaves the sweeper's index and drops its sealed body.
    const settles = STATUS_RANK[next] >= STATUS_RANK.unknown ? ' REMOVE dueShard, dueAt, payload' : '';
    const advanceSets = sets.filter((set) => !set.startsWith('#error')).join(', ');
    if (mayAdvance) try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: `SET #status = :s, #rank = :rank, ${advanceSets}${advanceError}${settles}`,
          ConditionExpression: 'attribute_exists(#pk) AND #rank < :rank AND #status <> :cancelled',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'advanced';
    } catch (error) {
      ignoreConditionFailure(error);
    }
    try {
      const { ':rank': _rank, ':s': _s, ...historyValues } = values;
      const { '#rank': _r, ...historyNames } = names;
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(#pk) AND #status <> :cancelled AND (attribute_not_exists(#at.#s) OR #at.#s > :t)',
          ExpressionAttributeNames: historyNames,
          ExpressionAttributeValues: historyValues,
        }),
      );
      return 'recorded';
    } catch (error) {
      ignoreConditionFailure(error);
      return 'unchanged';
    }
  }

  /**
   * Sets when the sweeper looks at a waiting message, with its sealed queue body: the end of a hold
   * in the table (far schedule, long delay), or — for a message put on the queue with a delay —
   * the time by which it should have been claimed. `shard` puts it in a paused account's shard
   * (`pauseShard`), which lifting the pause re-enqueues at once. Refused (false) if the message is
   * no longer waiting. The record's expiry moves to the
   * retention after `dueAt`, so a long hold never outlives it ({@link messageExpiresAt}).
   */
  async hold(id: string, dueAt: string, sealedPayload: string, options: { shard?: string } = {}): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET dueShard = :shard, dueAt = :due, payload = :payload, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(#pk) AND #status IN (:queued, :scheduled)',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':shard': options.shard ?? dueShard(id),
            ':due': dueAt,
            ':payload': sealedPayload,
            ':ttl': messageExpiresAt({ dueAt }),
            ':queued': 'queued',
            ':scheduled': 'scheduled',
          },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /**
   * Messages whose due time has come (`dueAt` ≤ `until`), oldest first per shard: the `DUE_SHARDS`
   * shards, then `extraShards` (paused accounts' shards). Reads the sparse index only.
   */
  async listDue(until: string, limit = 100, extraShards: readonly string[] = []): Promise<DueEntry[]> {
    const due: DueEntry[] = [];
    const shards = [...Array.from({ length: DUE_SHARDS }, (_, shard) => `D#${shard}`), ...extraShards];
    for (const shard of shards) {
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
      for (const item of page.Items ?? []) due.push({ id: String(item[KEY.partition]).slice(2), dueAt: String(item[INDEX.due.sort]) });
    }
    return due;
  }

  /** Every entry of one shard of the `due` index, whatever its time (a paused account's held messages). */
  async listShard(shard: string, limit = 1000): Promise<DueEntry[]> {
    const entries: DueEntry[] = [];
    let start: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.due.name,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': INDEX.due.partition },
          ExpressionAttributeValues: { ':shard': shard },
          Limit: limit - entries.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) entries.push({ id: String(item[KEY.partition]).slice(2), dueAt: String(item[INDEX.due.sort]) });
      start = page.LastEvaluatedKey;
    } while (start && entries.length < limit);
    return entries;
  }

  /** A message's record with what the sweeper needs: its sealed queue body and its current claim. */
  async getHeld(id: string): Promise<HeldMessage | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: messageKey(id), ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      record: fromItem(Item),
      ...(typeof Item.payload === 'string' ? { sealedPayload: Item.payload } : {}),
      ...(typeof Item.claimToken === 'string' ? { claim: claimFrom(Item) } : {}),
    };
  }

  /**
   * Moves a message's due time on (and back to its ordinary shard), for the sweeper after it put
   * the message on the queue again or found a claim still running. Conditional on the due time it
   * read, so a change made meanwhile (a new hold, a claim's outcome) is not undone.
   */
  async postpone(id: string, fromDueAt: string, toDueAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET dueShard = :shard, dueAt = :to',
          ConditionExpression: 'dueAt = :from',
          ExpressionAttributeValues: { ':shard': dueShard(id), ':to': toDueAt, ':from': fromDueAt },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /**
   * Ends a hold once its message is back on the queue (or no longer waiting). Conditional on the
   * same `dueAt`, so a hold set again meanwhile (a new delay) is not lost.
   */
  async release(id: string, dueAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'REMOVE dueShard, dueAt, payload',
          ConditionExpression: 'dueAt = :due',
          ExpressionAttributeValues: { ':due': dueAt },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /**
   * Claims a waiting message for one send attempt, before the provider call. One conditional
   * write, so of two deliveries of the same queue message only one ever calls the provider:
   *
   *   queued/scheduled ──claim(token)──▶ sending    (anything else: refused, no call)
   *
   * `until` is when the claim is stale (no call can still be under way): the sweeper then makes
   * the message `unknown`. The message keeps its `due` index entry (no index write here), so the
   * sweeper finds a claim whose invocation died; the outcome's write removes it. The sealed body is
   * dropped unless `keepPayload` (providers with a lookup: the sweeper hands a stale claim back to
   * the sender, which looks the message up at the provider).
   */
  async claim(id: string, token: string, at: string, options: { until?: string; keepPayload?: boolean } = {}): Promise<boolean> {
    const until = options.until ? ', claimUntil = :until' : '';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression:
            `SET #status = :sending, #rank = :rank, claimToken = :token, claimedAt = :at${until}, ` +
            'attempts = if_not_exists(attempts, :zero) + :one, ' +
            `#at.#sending = if_not_exists(#at.#sending, :at)${options.keepPayload ? '' : ' REMOVE payload'}`,
          ConditionExpression: 'attribute_exists(#pk) AND #status IN (:queued, :scheduled)',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#status': 'status', '#rank': 'rank', '#at': 'at', '#sending': 'sending' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':rank': STATUS_RANK.sending,
            ':token': token,
            ':at': at,
            ':zero': 0,
            ':one': 1,
            ':queued': 'queued',
            ':scheduled': 'scheduled',
            ...(options.until ? { ':until': options.until } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /**
   * Gives a claim back after the provider refused the send (nothing was sent): the message waits
   * again, with the reason kept. Only the holder of the claim can, and only while it is sending.
   * `hold` sets, in the same write, when the sweeper looks at it again and its sealed body (see
   * `hold()`).
   */
  async unclaim(id: string, token: string, error: StoredError, hold?: HoldSpec): Promise<boolean> {
    const held = hold ? ', dueShard = :shard, dueAt = :due, payload = :payload' : '';
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: `SET #status = :queued, #rank = :rank, #error = :error${held} REMOVE claimToken, claimUntil`,
          ConditionExpression: '#status = :sending AND claimToken = :token',
          ExpressionAttributeNames: { '#status': 'status', '#rank': 'rank', '#error': 'error' },
          ExpressionAttributeValues: {
            ':queued': 'queued', ':rank': STATUS_RANK.queued, ':error': error, ':sending': 'sending', ':token': token,
            ...(hold ? { ':shard': hold.shard ?? dueShard(id), ':due': hold.dueAt, ':payload': hold.sealedPayload } : {}),
          },
        }),
      );
      return true;
    } catch (caught) {
      ignoreConditionFailure(caught);
      return false;
    }
  }

  /**
   * Marks a send whose outcome was lost: the provider may or may not have the message. From
   * `sending` only (with the claim's token when given); it is never resent blindly.
   */
  async markUnknown(id: string, at: string, reason: string, token?: string, details: UnknownDetails = {}): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression:
            'SET #status = :unknown, #rank = :rank, #at.#unknown = if_not_exists(#at.#unknown, :at), #error = :error ' +
            'REMOVE dueShard, dueAt, payload',
          ConditionExpression: token ? '#status = :sending AND claimToken = :token' : '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#rank': 'rank', '#at': 'at', '#unknown': 'unknown', '#error': 'error' },
          ExpressionAttributeValues: {
            ':unknown': 'unknown',
            ':rank': STATUS_RANK.unknown,
            ':at': at,
            ':error': { class: 'unknown', ...details, reason },
            ':sending': 'sending',
            ...(token ? { ':token': token } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /** The current claim (when it was taken, and until when it may still be under way), for a message that is `sending`. */
  async claimOf(id: string): Promise<Claim | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: messageKey(id), ConsistentRead: true, ProjectionExpression: CLAIM_ATTRIBUTES }),
    );
    return Item?.claimToken ? claimFrom(Item) : undefined;
  }

  // ---------------------------------------------------------------- matching callbacks
  // Every lookup by provider id is scoped to the account a callback was authenticated for: the
  // account is in the key (table.ts), so another account's mapping is never read.

  /**
   * Our message id for `account`'s provider id of it: an alias item (read strongly consistent, so
   * a send result and an early callback never miss each other), else the record's own provider
   * message id through the index.
   */
  async findByProviderMessageId(account: string, provider: ProviderName, providerMessageId: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: providerIdItemKey('X', provider, account, providerMessageId), ConsistentRead: true }));
    if (Item) return String(Item.messageId);
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
    return indexed ? String(indexed[KEY.partition]).slice(2) : undefined;
  }

  /**
   * Whether an account other than `account` has an alias for any of these provider ids: a
   * callback naming them was meant for that account. Reads sort keys only (the other account's
   * name), never the message id or the record.
   */
  async providerIdTakenElsewhere(account: string, provider: ProviderName, providerMessageIds: readonly string[]): Promise<boolean> {
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

  /** Gives a message its provider id once (a callback matched by recipient and time); the caller adds the alias. */
  async bindProviderMessageId(id: string, providerMessageId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: 'SET providerMessageId = :pmid',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(providerMessageId)',
          ExpressionAttributeNames: { '#pk': KEY.partition },
          ExpressionAttributeValues: { ':pmid': providerMessageId },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /** Records provider ids of `account`'s message (the send answer's, the WhatsApp id), for later callbacks. */
  async addAliases(account: string, provider: ProviderName, aliases: readonly string[], messageId: string, now: Date): Promise<void> {
    await Promise.all(
      aliases.map((alias) =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...providerIdItemKey('X', provider, account, alias), messageId, [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + MESSAGE_TTL_S },
          }),
        ),
      ),
    );
  }

  /**
   * Recent messages of `account` to the recipient with hash `recipientHash`, created in
   * [since, until], that have no provider message id yet: the candidates for a callback from a
   * provider whose send answer carries no id (LiveChat, Loopwave).
   */
  async unmatchedTo(account: string, recipientHash: string, since: string, until: string): Promise<string[]> {
    const candidates: string[] = [];
    let start: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.byRecipient.name,
          KeyConditionExpression: '#rk = :rk AND #created BETWEEN :since AND :until',
          ExpressionAttributeNames: { '#rk': INDEX.byRecipient.partition, '#created': INDEX.byRecipient.sort },
          ExpressionAttributeValues: { ':rk': `${account}#${recipientHash}`, ':since': since, ':until': `${until}~` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) candidates.push(String(item[KEY.partition]).slice(2));
      start = page.LastEvaluatedKey;
    } while (start);
    const sent = new Set<MessageStatus>(['sending', 'unknown', 'accepted', 'sent', 'failed']);
    return (await this.getMany(candidates, { consistent: false })).filter((record) => !record.providerMessageId && sent.has(record.status)).map((record) => record.id);
  }

  /**
   * Keeps a callback of `account` for a provider id not known yet; applied when the send result
   * lands. One slot per status, the first kept wins: repeats cannot grow the item past
   * DynamoDB's item size, and a status applies once whatever the repeats (times are the earliest
   * anyway when the same status is reported again later).
   */
  async keepPending(account: string, provider: ProviderName, providerMessageId: string, event: { status: string }, now: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: providerIdItemKey('E', provider, account, providerMessageId),
        UpdateExpression: 'SET #slot = if_not_exists(#slot, :event), #ttl = :ttl',
        ExpressionAttributeNames: { '#slot': `${PENDING_SLOT}${event.status}`, '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':event': event, ':ttl': Math.floor(now.getTime() / 1000) + 7 * 86_400 },
      }),
    );
  }

  /** The callbacks `account` kept for a provider id, removed from the table (one taker gets each). */
  async takePending(account: string, provider: ProviderName, providerMessageId: string): Promise<unknown[]> {
    const key = providerIdItemKey('E', provider, account, providerMessageId);
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!Item) return [];
    const removed = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }));
    return Object.entries(removed.Attributes ?? {}).flatMap(([name, value]) => (name.startsWith(PENDING_SLOT) ? [value] : []));
  }

  // ---------------------------------------------------------------- pauses and suppressions

  /** Stops sending on an account (scope `*`) or one of its templates (`T#<name>`) until lifted. */
  async setPause(account: string, scope: string, pause: { reason: string; code?: string | number; since: string }): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { [KEY.partition]: `Z#${account}`, [KEY.sort]: scope, account, scope, ...pause } }));
  }

  async pausesOf(account: string): Promise<Pause[]> {
    const page = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': KEY.partition }, ExpressionAttributeValues: { ':pk': `Z#${account}` }, ConsistentRead: true }),
    );
    return (page.Items ?? []).map((item) => ({ account, scope: String(item.scope), reason: String(item.reason), since: String(item.since), ...(item.code !== undefined ? { code: item.code as string | number } : {}) }));
  }

  /** Lifts a pause; true if there was one. */
  async liftPause(account: string, scope: string): Promise<boolean> {
    const result = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { [KEY.partition]: `Z#${account}`, [KEY.sort]: scope }, ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }

  /** The recipient opted out on the account: later sends to them fail fast until removed. */
  async suppress(account: string, recipientHash: string, suppression: { reason: string; code?: string | number; since: string }): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { [KEY.partition]: `S#${account}#${recipientHash}`, [KEY.sort]: 'S', ...suppression } }));
  }

  async suppression(account: string, recipientHash: string): Promise<{ reason: string; since: string } | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { [KEY.partition]: `S#${account}#${recipientHash}`, [KEY.sort]: 'S' }, ConsistentRead: false }));
    return Item ? { reason: String(Item.reason), since: String(Item.since) } : undefined;
  }

  async unsuppress(account: string, recipientHash: string): Promise<boolean> {
    const result = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { [KEY.partition]: `S#${account}#${recipientHash}`, [KEY.sort]: 'S' }, ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }

  /**
   * Claims an idempotency key for a request (one conditional write). If the key is taken and
   * has not expired, returns what it was taken for.
   */
  async claimIdempotencyKey(account: string, key: string, requestHash: string, messageIds: readonly string[], now: Date): Promise<IdempotencyClaim> {
    const nowS = Math.floor(now.getTime() / 1000);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...idempotencyKey(account, key), requestHash, messageIds, complete: false, createdAt: now.toISOString(), [TTL_ATTRIBUTE]: nowS + IDEMPOTENCY_TTL_S },
          // DynamoDB deletes expired items lazily: an expired key is free again.
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': nowS },
        }),
      );
      return { claimed: true };
    } catch (error) {
      ignoreConditionFailure(error);
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: idempotencyKey(account, key), ConsistentRead: true }));
    if (!Item) return this.claimIdempotencyKey(account, key, requestHash, messageIds, now);
    return { claimed: false, requestHash: String(Item.requestHash), messageIds: (Item.messageIds as string[]) ?? [], complete: Item.complete === true };
  }

  /** Marks a claimed key's request as fully accepted (records written, messages enqueued or held). */
  async completeIdempotencyKey(account: string, key: string): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: idempotencyKey(account, key), UpdateExpression: 'SET complete = :true', ExpressionAttributeValues: { ':true': true } }));
  }
}

/** Spreads unsettled messages over a few partitions of the `due` index. */
export function dueShard(id: string): string {
  let sum = 0;
  for (const char of id.slice(-4)) sum += char.charCodeAt(0);
  return `D#${sum % DUE_SHARDS}`;
}

/** The `due` index shard of a paused account's held messages: lifting the pause re-enqueues them all. */
export function pauseShard(account: string): string {
  return `H#${account}`;
}

function claimFrom(item: Item): Claim {
  const until = typeof item.claimUntil === 'string' ? { until: item.claimUntil } : {};
  return { token: String(item.claimToken), claimedAt: String(item.claimedAt), ...until };
}

function toItem(message: NewMessage): Item {
  return {
    ...messageKey(message.id),
    id: message.id,
    provider: message.provider,
    account: message.account,
    created: `${message.createdAt}#${message.id}`,
    rcpt: message.recipient.hash,
    rcptLast: message.recipient.last4,
    kind: message.kind,
    template: message.template,
    status: message.status,
    rank: STATUS_RANK[message.status],
    at: { [message.status]: message.createdAt },
    attempts: 0,
    createdAt: message.createdAt,
    scheduleAt: message.scheduleAt,
    meta: message.metadata,
    idem: message.idempotencyKey,
    ...(message.indexRecipient ? { [INDEX.byRecipient.partition]: `${message.account}#${message.recipient.hash}` } : {}),
    ...(message.due ? { dueShard: dueShard(message.id), dueAt: message.due.at, payload: message.due.sealedPayload } : {}),
    [TTL_ATTRIBUTE]: messageExpiresAt({ ...message, ...(message.due ? { dueAt: message.due.at } : {}) }),
  };
}

function fromItem(item: Item): MessageRecord {
  const optional = <T>(key: string, value: T | undefined) => (value === undefined || value === null ? {} : { [key]: value });
  return {
    id: String(item.id),
    provider: item.provider as ProviderName,
    account: String(item.account),
    recipient: { hash: String(item.rcpt), last4: String(item.rcptLast) },
    kind: item.kind as MessageContent['kind'],
    status: item.status as MessageStatus,
    times: (item.at ?? {}) as StatusTimes,
    attempts: Number(item.attempts ?? 0),
    createdAt: String(item.createdAt),
    ...optional('template', item.template as string | undefined),
    ...optional('scheduleAt', item.scheduleAt as string | undefined),
    ...optional('metadata', item.meta as Record<string, string> | undefined),
    ...optional('idempotencyKey', item.idem as string | undefined),
    ...optional('error', item.error as StoredError | undefined),
    ...optional('providerMessageId', item.providerMessageId as string | undefined),
    ...optional('dueAt', item.dueAt as string | undefined),
    ...optional('updatedAt', item.updatedAt as string | undefined),
  } as MessageRecord;
}

function ignoreConditionFailure(error: unknown): void {
  if (error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException') return;
  throw error;
}

const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#([0-9A-HJKMNP-TV-Z]{26})$/;

/**
 * The index's start key for a position. DynamoDB refuses one outside the query's range (a 400
 * we would otherwise pass on as a 5xx), so that is checked here too.
 */
function startKey(account: string, after: ListPosition, since: string, until: string): Item {
  const id = CREATED.exec(after.created)?.[1];
  if (!id || after.created < since || after.created > until) throw new InvalidCursorError();
  return { ...messageKey(id), [INDEX.byAccount.partition]: account, [INDEX.byAccount.sort]: after.created };
}

/**
 * The size of a message's item once held in the table with its sealed queue body
 * (`queueBodyBytes` of UTF-8 JSON → AES-GCM with a 12-byte IV and 16-byte tag → base64), as
 * DynamoDB counts it: what accept checks against the item limit before writing anything.
 */
export function heldItemBytes(message: NewMessage, queueBodyBytes: number): number {
  const sealedChars = 4 * Math.ceil((12 + 16 + queueBodyBytes) / 3);
  return dynamoItemBytes({ ...toItem(message), dueShard: dueShard(message.id), dueAt: message.createdAt }) + 'payload'.length + sealedChars;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor: must be a cursor returned by a previous page');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
