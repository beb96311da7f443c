/**
 * The messages table: one DynamoDB table for message records, idempotency keys and (later)
 * pacing and pauses. Its keys and indexes are defined here once, for the store, the local stack
 * (dynalite) and the Pulumi program.
 *
 * | item             | pk                         | sk   | notes                                   |
 * |------------------|----------------------------|------|-----------------------------------------|
 * | message          | `M#<message id>`           | `M`  | the record; indexes below               |
 * | idempotency key  | `I#<account>#<key>`        | `I`  | expires after `IDEMPOTENCY_TTL_S`       |
 * | pacing bucket    | `P#<scope>`                | `P`  | src/pacing/pacer.ts                     |
 * | pause            | `Z#<account>`              | `*` or `T#<template>` |                       |
 * | suppression      | `S#<account>#<rcpt hash>`  | `S`  | an opted-out recipient                  |
 * | id alias         | `X#<provider>#<id>`        | `X`  | another provider id → our message id    |
 * | pending events   | `E#<provider>#<id>`        | `E`  | callbacks that came before the send result |
 *
 * Indexes (sparse where their keys are optional):
 * - `byProviderMessageId`: `pmid` = `<provider>#<provider message id>` → the message, for callbacks.
 * - `byAccount`: `account` + `created` (`<ISO time>#<id>`) → listing by account and time. Only
 *   the keys are in it, so status changes never rewrite it; filters on status are applied to the
 *   records.
 * - `due`: `dueShard` + `dueAt` → every message not settled yet (queued, scheduled, sending), with
 *   the time the sweeper (src/scheduler/requeue.ts) should look at it if nothing else has: the end
 *   of a hold (far schedule, long delay, failed enqueue), the time by which a message on the queue
 *   should have been claimed, or — for a claimed message — when its claim is stale. Written with
 *   the record at accept, left alone by the claim, removed by the outcome's write: an entry in the
 *   index costs one index write when it appears and one when it goes. Shards `D#0`…`D#3` spread
 *   the entries; `H#<account>` holds a paused account's messages, which lifting the pause
 *   re-enqueues at once.
 * - `byRecipient`: `rk` (`<account>#<recipient hash>`) + `created` → the recent messages to one
 *   recipient, only for providers whose send answer carries no id (LiveChat, Loopwave): their
 *   callbacks are matched by recipient and time. Written once per such message.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

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

/** Message records are kept this long by default. */
export const MESSAGE_TTL_S = 90 * 24 * 3600;

/** How many partitions the `due` index spreads over (a hot key otherwise). */
export const DUE_SHARDS = 4;

export const messageKey = (id: string) => ({ [KEY.partition]: `M#${id}`, [KEY.sort]: 'M' });
export const idempotencyKey = (account: string, key: string) => ({ [KEY.partition]: `I#${account}#${key}`, [KEY.sort]: 'I' });

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
    AttributeDefinitions: [s(KEY.partition), s(KEY.sort), s(INDEX.byProviderMessageId.partition), s(INDEX.byAccount.partition), s(INDEX.byAccount.sort), s(INDEX.due.partition), s(INDEX.due.sort), s(INDEX.byRecipient.partition)],
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
