/**
 * The messages table: one DynamoDB table for message records, idempotency keys, pacing, pauses,
 * suppressions and the callback index. Its keys and indexes are defined here once — the only place
 * a key or an index value is built — for the DynamoDB repositories (src/store/dynamodb/), the
 * local stack (dynalite) and the Pulumi program.
 *
 * | item             | pk                         | sk   | notes                                   |
 * |------------------|----------------------------|------|-----------------------------------------|
 * | message          | `M#<message id>`           | `M`  | the record; indexes below               |
 * | idempotency key  | `I#<account>#<key>`        | `I`  | expires after `IDEMPOTENCY_TTL_S`       |
 * | pacing bucket    | `P#<scope>`                | `P`  | token bucket or a recipient's next slot |
 * | pause            | `Z#<account>`              | `*` or `T#<template>` | account or template scope |
 * | suppression      | `S#<account>#<rcpt hash>`  | `S`  | an opted-out recipient                  |
 * | id alias         | `X#<provider>#<id>`        | `A#<account>` | a provider id → our message id |
 * | pending events   | `E#<provider>#<id>`        | `A#<account>` | callbacks that came before the send result, one per status |
 * | sweep position   | `W#<account>`              | `W`  | how far the sweeper has looked at the account's messages by creation time |
 * | route health     | `R#<account>`              | `R`  | the account's breaker and failover switch, versioned |
 *
 * Provider ids come from callbacks, so they are scoped and made safe before they reach a key:
 * - every lookup by provider id is scoped to the account the callback was authenticated for: the
 *   account is the alias and pending items' sort key and part of the `pmid` value, so a callback
 *   on one account never reads another account's mapping (one account's alias never replaces
 *   another's either). Only whether an id is taken by another account can be asked, by keys alone
 *   (`X#…` partition, sort keys only), to count misrouted callbacks;
 * - `<id>` is {@link providerIdKey}: the id itself when it is short printable ASCII, else a
 *   SHA-256 of it, so no id can exceed DynamoDB's key size (2048 bytes) or carry bytes it refuses.
 *
 * Indexes (sparse where their keys are optional):
 * - `byProviderMessageId`: `pmid` = `<provider>#<account>#<id>` → the message, for callbacks about
 *   messages whose provider id came from a lookup (reconciliation).
 * - `byAccount`: `account` + `created` (`<ISO time>#<id>`) → listing by account and time, and
 *   the sweeper's look, one grace after their creation, at messages put on the queue without a
 *   `due` entry. Only the keys are in it, so status changes never rewrite it; filters on status
 *   are applied to the records.
 * - `due`: `dueShard` + `dueAt` → the unsettled messages (queued, scheduled, sending) that wait
 *   for a time — a hold's end (far schedule, long delay, failed enqueue, pause), a near schedule,
 *   a claim's end the sweeper found running, a message the sweeper enqueued again — with when the
 *   sweeper (src/scheduler/requeue.ts) should look at it if nothing else has. A message put on the
 *   queue at once gets no entry (the sweeper finds it through `byAccount`), so the common message
 *   writes this index neither when accepted nor when it settles; an entry that exists is left alone
 *   by the claim and removed by the outcome's write. Shards `D#0`…`D#3` spread the entries;
 *   `H#<account>` holds a paused account's messages, which lifting the pause re-enqueues at once.
 * - `byRecipient`: `rk` (`<account>#<recipient hash>`) + `created` → the recent messages to one
 *   recipient, only for providers whose send answer carries no id (LiveChat, Loopwave): their
 *   callbacks are matched by recipient and time. Written once per such message.
 */
import { createHash } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { PauseScope } from './model.ts';

export const KEY = { partition: 'pk', sort: 'sk' } as const;

export const INDEX = {
  byProviderMessageId: { name: 'byProviderMessageId', partition: 'pmid' },
  byAccount: { name: 'byAccount', partition: 'account', sort: 'created', projected: [] as string[] },
  due: { name: 'due', partition: 'dueShard', sort: 'dueAt' },
  byRecipient: { name: 'byRecipient', partition: 'rk', sort: 'created' },
} as const;

/** Expiry attribute (DynamoDB TTL, epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Idempotency keys are kept at least this long (the API promises 24 h). */
export const IDEMPOTENCY_TTL_S = 48 * 3600;

/** Message records are kept this long after the last time they were due. */
export const MESSAGE_TTL_S = 90 * 24 * 3600;

/**
 * When DynamoDB's TTL may delete a message record (epoch seconds): the retention counted from the
 * latest time the pipeline will act on the message — its creation, its `scheduleAt`, or the due
 * time of a hold — never from creation alone. A message scheduled a year ahead, or held for weeks
 * behind a pause, is kept until it is due and for the retention after that. Times are ISO-8601;
 * the latest one counts.
 */
export function messageExpiresAt(times: { createdAt?: string; scheduleAt?: string; dueAt?: string }, retentionS = MESSAGE_TTL_S): number {
  const valid = [times.createdAt, times.scheduleAt, times.dueAt]
    .map((time) => (time ? Date.parse(time) : Number.NaN))
    .filter((ms) => Number.isFinite(ms));
  if (valid.length === 0) throw new RangeError('messageExpiresAt: needs at least one ISO-8601 time (createdAt, scheduleAt or dueAt)');
  const latest = Math.max(...valid);
  return Math.ceil(latest / 1000) + retentionS;
}

/** How many partitions the `due` index spreads over (a hot key otherwise). */
export const DUE_SHARDS = 4;

type Key = Record<string, string>;

export const messageKey = (id: string): Key => ({ [KEY.partition]: `M#${id}`, [KEY.sort]: 'M' });
/** Whether a key is a message item's. */
export const isMessageKey = (key: Record<string, unknown>): boolean => key[KEY.sort] === 'M' && String(key[KEY.partition]).startsWith('M#');
/** The message id of a message item's key (as the indexes return it). */
export const messageIdOfKey = (key: Record<string, unknown>): string => String(key[KEY.partition]).slice(2);
export const idempotencyKey = (account: string, key: string): Key => ({ [KEY.partition]: `I#${account}#${key}`, [KEY.sort]: 'I' });
export const paceKey = (scope: string): Key => ({ [KEY.partition]: `P#${scope}`, [KEY.sort]: 'P' });
export const suppressionKey = (account: string, recipientHash: string): Key => ({
  [KEY.partition]: `S#${account}#${recipientHash}`,
  [KEY.sort]: 'S',
});

/** The partition of an account's pauses (one item per scope). */
export const pausePartition = (account: string): string => `Z#${account}`;
/** A pause's sort key: `*` for the whole account, `T#<template name>` for one template. */
export const pauseSortKey = (scope: PauseScope): string => (scope.kind === 'account' ? '*' : `T#${scope.template}`);
export const pauseKey = (account: string, scope: PauseScope): Key => ({
  [KEY.partition]: pausePartition(account),
  [KEY.sort]: pauseSortKey(scope),
});
/** The scope of a pause's sort key ({@link pauseSortKey} read back). */
export function pauseScopeOfSortKey(sortKey: string): PauseScope {
  if (sortKey === '*') return { kind: 'account' };
  if (sortKey.startsWith('T#')) return { kind: 'template', template: sortKey.slice(2) };
  throw new RangeError(`not a pause sort key: ${JSON.stringify(sortKey)}`);
}

/** The `byAccount` and `byRecipient` sort key: `<ISO time>#<message id>` (also a listing's position). */
export const createdSortKey = (createdAt: string, id: string): string => `${createdAt}#${id}`;
const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#([0-9A-HJKMNP-TV-Z]{26})$/;
/** The message id in a `created` sort key, if it is one (millisecond ISO time, a ULID). */
export const idOfCreatedSortKey = (created: string): string | undefined => CREATED.exec(created)?.[1];

/** The `byRecipient` partition: an account's messages to one recipient (by the number's hash). */
export const recipientIndexValue = (account: string, recipientHash: string): string => `${account}#${recipientHash}`;

/** The ordinary shards of the `due` index. */
export const DUE_SHARD_NAMES: readonly string[] = Array.from({ length: DUE_SHARDS }, (_, shard) => `D#${shard}`);

/** Spreads unsettled messages over a few partitions of the `due` index. */
export function dueShard(id: string): string {
  let sum = 0;
  for (const char of id.slice(-4)) sum += char.charCodeAt(0);
  return `D#${sum % DUE_SHARDS}`;
}

/** How far the sweeper has looked at an account's messages by creation time. */
export const sweepKey = (account: string): Key => ({ [KEY.partition]: `W#${account}`, [KEY.sort]: 'W' });

/** An account's route health: its breaker and the operator's failover switch (src/sender/breaker.ts). */
export const routeHealthKey = (account: string): Key => ({ [KEY.partition]: `R#${account}`, [KEY.sort]: 'R' });

/** The `due` index shard of a paused account's held messages: lifting the pause re-enqueues them all. */
export const pauseShard = (account: string): string => `H#${account}`;

/**
 * A dedupe record per status event (`D#<account>#<provider>#<message>#<status>`): not the
 * project's design — only bench/naive.ts's naive alternative writes it, to compare against.
 */
export const eventDedupeKey = (event: string): Key => ({ [KEY.partition]: `D#${event}`, [KEY.sort]: 'D' });

/** The longest provider id kept as it is in a key; longer ids, and any other than printable ASCII, are hashed. */
const RAW_ID_MAX = 200;

/**
 * A provider's message id as a key part. Ids come from callbacks: a plain one (printable ASCII,
 * at most 200 characters, not starting with `~`) is used as it is, so keys stay readable; any
 * other is `~` + base64url SHA-256 of its UTF-8, 44 characters whatever its length or content.
 * The two forms cannot collide (only hashed ones start with `~`).
 */
export function providerIdKey(id: string): string {
  if (id.length <= RAW_ID_MAX && /^[\x21-\x7d][\x21-\x7e]*$/.test(id)) return id;
  return `~${createHash('sha256').update(id, 'utf8').digest('base64url')}`;
}

/** An account's item about a provider id: alias (`X`) or pending events (`E`). */
export const providerIdItemKey = (kind: 'X' | 'E', provider: string, account: string, id: string) => ({
  [KEY.partition]: `${kind}#${provider}#${providerIdKey(id)}`,
  [KEY.sort]: `A#${account}`,
});

/** The `byProviderMessageId` index value of an account's provider id. */
export const providerIndexValue = (provider: string, account: string, id: string) => `${provider}#${account}#${providerIdKey(id)}`;

/** The CreateTable input for the messages table (local stack and tests; the Pulumi program mirrors it). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: KEY.partition, KeyType: 'HASH' },
      { AttributeName: KEY.sort, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      s(KEY.partition),
      s(KEY.sort),
      s(INDEX.byProviderMessageId.partition),
      s(INDEX.byAccount.partition),
      s(INDEX.byAccount.sort),
      s(INDEX.due.partition),
      s(INDEX.due.sort),
      s(INDEX.byRecipient.partition),
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEX.byProviderMessageId.name,
        KeySchema: [{ AttributeName: INDEX.byProviderMessageId.partition, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: INDEX.byAccount.name,
        KeySchema: [
          { AttributeName: INDEX.byAccount.partition, KeyType: 'HASH' },
          { AttributeName: INDEX.byAccount.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: INDEX.byRecipient.name,
        KeySchema: [
          { AttributeName: INDEX.byRecipient.partition, KeyType: 'HASH' },
          { AttributeName: INDEX.byRecipient.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: INDEX.due.name,
        KeySchema: [
          { AttributeName: INDEX.due.partition, KeyType: 'HASH' },
          { AttributeName: INDEX.due.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}
