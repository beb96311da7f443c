/**
 * Accepting messages: `POST /v1/messages` with one send request, or `{messages: [...]}` (that
 * field only) with up to 100. Every message is validated (our model, the account, the provider's
 * capabilities, the account's template registry, and its size once stored: src/messages/limits.ts)
 * before anything is written, and a request with any violation is refused whole, with every
 * violation of every message listed by field in one answer.
 *
 * Nothing accepted is lost:
 *
 *   claim Idempotency-Key ─▶ write records (queued/scheduled, with the sealed body)
 *                            ─▶ enqueue ─▶ complete the key
 *                                  │ refused by SQS
 *                                  ▼
 *                             held, due now (the sweeper enqueues it within a minute)
 *
 * Each record carries its sealed queue body (the same write: no extra request), and the sweeper
 * (src/scheduler/requeue.ts) looks at every message not claimed one grace after its creation — its
 * enqueue never happened because this handler died, or the queue lost it — and enqueues it,
 * whether or not the client retries. A message for now is found by its creation time (no `due`
 * index entry to write, or to remove when it settles); a scheduled one has a due time in the
 * `due` index: a near schedule its time and the grace, a schedule beyond SQS's 15 minutes 14
 * minutes before its time (not enqueued now). A client's retry with the same
 * key writes the records that are missing and enqueues the waiting messages again. A message on
 * the queue twice is sent once: the sender claims each message with a conditional write.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AccountConfig } from '../config/accounts.ts';
import { AccountId, violationsOf, type Violation } from '../messages/fields.ts';
import { newMessageId, QUEUE_MESSAGE_VERSION } from '../messages/queue-envelope.ts';
import type { QueueMessage } from '../messages/queue-message.ts';
import {
  bytes,
  DYNAMODB_ITEM_BYTES,
  HELD_ITEM_MAX_BYTES,
  IDEMPOTENCY_KEY_CHARS,
  MAX_BATCH,
  MAX_MESSAGE_BYTES,
} from '../messages/limits.ts';
import { type RequestSchemas, requestSchemas } from '../messages/request-schemas.ts';
import type { SendRequest } from '../messages/send-request.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { recipientRef } from '../privacy/recipient.ts';
import { matchedByRecipient, type ProviderAdapter } from '../providers/adapter.ts';
import { MAX_DELAY_S, type QueueEntry, type SendQueue } from '../queue/send-queue.ts';
import { DEFAULT_SWEEP_GRACE_MS } from '../scheduler/requeue.ts';
// The deployed store's item limit applies whatever the implementation: a message is refused before anything is written.
import { heldItemBytes } from '../store/dynamodb/items.ts';
import type { NewMessage } from '../store/model.ts';
import type { DueRepository, IdempotencyRepository, MessageRepository } from '../store/repositories.ts';
import { mayUse, type Principal } from './auth.ts';
import { json, problem, type HttpResponse } from './http.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

export { MAX_BATCH };
/** A held message is re-enqueued this long before its time, with the rest as SQS delay. */
export const HOLD_LEAD_S = 14 * 60;
/** How far ahead `scheduleAt` may be (a year, with a day's slack for time zones). */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;

export interface AcceptDeps {
  messages: Pick<MessageRepository, 'createMany' | 'getMany'>;
  due: Pick<DueRepository, 'hold'>;
  idempotency: IdempotencyRepository;
  queue: SendQueue;
  accounts: ReadonlyMap<string, AccountConfig>;
  adapterFor(account: AccountConfig): ProviderAdapter;
  recipientHashKey: string;
  cipher: PayloadCipher;
  now(): Date;
  /** How long an enqueued message may wait unclaimed before the sweeper enqueues it again. @default DEFAULT_SWEEP_GRACE_MS */
  sweepGraceMs?: number;
}

export interface AcceptRequest {
  principal: Principal;
  body: unknown;
  idempotencyKey?: string;
}

const IdempotencyKey = lazySchema(() => z.string().regex(new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_CHARS}}$`)));
const IDEMPOTENCY_KEY_RULE = `must be 1–${IDEMPOTENCY_KEY_CHARS} visible ASCII characters`;

export async function acceptMessages(request: AcceptRequest, deps: AcceptDeps): Promise<HttpResponse> {
  const now = deps.now();
  const envelope = readEnvelope(request.body);
  const { batch } = envelope;
  const violations: Violation[] = [...envelope.violations];
  if (request.idempotencyKey !== undefined && !IdempotencyKey.safeParse(request.idempotencyKey).success) {
    violations.push({ field: 'Idempotency-Key (header)', rule: IDEMPOTENCY_KEY_RULE });
  }

  // Every message is checked as far as it can be, so one answer lists every problem.
  const schemas = await requestSchemas();
  const parsed: Array<{ request: SendRequest; account: AccountConfig }> = [];
  const addressed = new Set<string>();
  for (const [i, input] of envelope.inputs.entries()) {
    const checked = checkMessage(schemas, input, batch ? ['messages', i] : [], request, deps, now);
    violations.push(...checked.violations);
    if (checked.accountId !== undefined) addressed.add(checked.accountId);
    if (checked.accepted) parsed.push(checked.accepted);
  }
  const key = request.idempotencyKey;
  if (key !== undefined && addressed.size > 1) {
    violations.push({
      field: 'Idempotency-Key (header)',
      rule: 'a request with an Idempotency-Key must address one account (keys are scoped per account)',
    });
  }
  if (violations.length > 0) {
    return problem(400, 'invalid_request', `the request has ${violations.length} problem(s); nothing was accepted`, violations);
  }
  const accountIds = new Set(parsed.map((p) => p.request.account));

  let ids = parsed.map(() => newMessageId(now.getTime()));
  let replay = false;
  if (key !== undefined) {
    const account = [...accountIds][0]!;
    const claim = await deps.idempotency.claim(account, key, requestHash(request.body), ids, now);
    if (!claim.claimed) {
      if (claim.requestHash !== requestHash(request.body) || claim.messageIds.length !== ids.length) {
        return problem(409, 'idempotency_conflict', 'this Idempotency-Key was used for a different request');
      }
      ids = claim.messageIds;
      replay = true;
      if (claim.complete) return answer(batch, await firstAnswers(ids, deps), true);
    }
  }

  const acceptedAt = now.toISOString();
  const messages: QueueMessage[] = parsed.map((p, i) => toQueueMessage(p.request, ids[i]!, acceptedAt));
  const grace = deps.sweepGraceMs ?? DEFAULT_SWEEP_GRACE_MS;
  const delayOf = (message: QueueMessage) => {
    const { scheduleAt } = message.request;
    return scheduleAt ? (Date.parse(scheduleAt) - now.getTime()) / 1000 : 0;
  };
  // A far schedule is held until 14 minutes before its time; a near one should be claimed within the
  // delay and the grace. A message for now has no due entry: the sweeper looks at it one grace after
  // its creation (by that time; no index write now, none when it settles).
  const dueAt = (message: QueueMessage) => {
    const delayMs = Math.max(0, delayOf(message)) * 1000;
    if (delayMs === 0) return {};
    const far = delayMs > MAX_DELAY_S * 1000;
    const due = far ? Date.parse(message.request.scheduleAt!) - HOLD_LEAD_S * 1000 : now.getTime() + delayMs + grace;
    return { at: new Date(due).toISOString() };
  };
  // Watched (with its sealed body) until claimed: the sweeper sends it anyway if it is not.
  const records: NewMessage[] = messages.map((message) => ({
    ...toRecord(message, now, deps, key),
    due: { ...dueAt(message), sealedPayload: deps.cipher.seal(JSON.stringify(message)) },
  }));
  await deps.messages.createMany(records, { onlyIfMissing: replay });

  // On a replay, only messages still waiting go out again (a duplicate on the queue is harmless).
  const waiting = replay
    ? new Set((await deps.messages.getMany(ids)).filter((r) => r.status === 'queued' || r.status === 'scheduled').map((r) => r.id))
    : new Set(ids);
  const toEnqueue: QueueEntry[] = [];
  for (const message of messages) {
    const delayS = delayOf(message);
    // A far schedule waits in the table (its record's due time); the sweeper enqueues it then.
    if (waiting.has(message.id) && delayS <= MAX_DELAY_S) toEnqueue.push({ message, delaySeconds: Math.max(0, delayS) });
  }
  const refused = new Set(await deps.queue.enqueue(toEnqueue));
  for (const message of messages) {
    if (refused.has(message.id)) await hold(deps, message, acceptedAt);
  }
  if (key !== undefined) await deps.idempotency.complete([...accountIds][0]!, key);

  return answer(batch, replay ? await firstAnswers(ids, deps) : records.map((r) => ({ id: r.id, status: r.status })), replay);
}

/** The send queue's body for an accepted request: what the sender reads (contracts/queue pins it). */
export function toQueueMessage(request: SendRequest, id: string, acceptedAt: string): QueueMessage {
  return { v: QUEUE_MESSAGE_VERSION, id, request, acceptedAt };
}

/** The record accept writes for a message (no phone number: a keyed hash and the last digits). */
function toRecord(message: QueueMessage, now: Date, deps: AcceptDeps, key: string | undefined): NewMessage {
  const { request } = message;
  return {
    id: message.id,
    provider: request.provider,
    account: request.account,
    recipient: recipientRef(deps.recipientHashKey, request.recipient),
    kind: request.content.kind,
    ...(request.content.kind === 'template' ? { template: request.content.name } : {}),
    status: request.scheduleAt && Date.parse(request.scheduleAt) > now.getTime() ? 'scheduled' : 'queued',
    createdAt: message.acceptedAt,
    ...(request.scheduleAt ? { scheduleAt: new Date(request.scheduleAt).toISOString() } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(matchedByRecipient(deps.adapterFor(deps.accounts.get(request.account)!)) ? { indexRecipient: true } : {}),
  };
}

/**
 * The batch envelope, strictly: `{"messages": [...]}` and nothing else (a `scheduleAt` or
 * `metadata` beside the list would otherwise be ignored). Any other body is one send request.
 * Of a list that is too long, the first MAX_BATCH are still checked.
 */
function readEnvelope(body: unknown): { batch: boolean; inputs: unknown[]; violations: Violation[] } {
  if (!isBatch(body)) return { batch: false, inputs: [body], violations: [] };
  const violations: Violation[] = [];
  const { messages, ...others } = body as Record<string, unknown>;
  const unknown = Object.keys(others);
  if (unknown.length > 0) {
    violations.push({
      field: '(body)',
      rule: `unknown field(s): ${unknown.join(', ')}; a batch holds only "messages" (scheduleAt, metadata and the rest go in each message)`,
    });
  }
  const list = Array.isArray(messages) ? messages : undefined;
  if (!list || list.length === 0 || list.length > MAX_BATCH) {
    const extra = list && list.length > MAX_BATCH ? ` (it has ${list.length}; the first ${MAX_BATCH} were checked)` : '';
    violations.push({ field: 'messages', rule: `must be a list of 1 to ${MAX_BATCH} send requests${extra}` });
  }
  return { batch: true, inputs: (list ?? []).slice(0, MAX_BATCH), violations };
}

/** Stands in for the message id and time when measuring a message before it has them (same lengths). */
const PLACEHOLDER_ID = '0'.repeat(26);

/**
 * One message against every rule that can still be computed: its shape, and wherever the parts
 * it needs are valid, the account (exists, may be used, is of the request's provider), the
 * schedule, the provider's capabilities and the account's template registry, and its size once
 * stored (src/messages/limits.ts). Shape errors do not hide the rest.
 */
function checkMessage(
  { SendRequest, MessageContent }: RequestSchemas,
  input: unknown,
  prefix: ReadonlyArray<string | number>,
  { principal, idempotencyKey }: AcceptRequest,
  deps: AcceptDeps,
  now: Date,
): { violations: Violation[]; accountId?: string; accepted?: { request: SendRequest; account: AccountConfig } } {
  const field = (...path: Array<string | number>) => [...prefix, ...path].join('.') || '(body)';
  const whole = SendRequest.safeParse(input);
  const violations: Violation[] = whole.success ? [] : violationsOf(whole.error, prefix);
  const fields: Record<string, unknown> = isObject(input) ? input : {};
  const part = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined => {
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  };
  const accountId = part(AccountId, fields.account);
  const provider = part(SendRequest.shape.provider, fields.provider);
  const scheduleAt = part(SendRequest.shape.scheduleAt, fields.scheduleAt);
  const content = part(MessageContent, fields.content);

  let account = accountId !== undefined ? deps.accounts.get(accountId) : undefined;
  if (accountId !== undefined && (!account || !mayUse(principal, accountId))) {
    // Unknown and forbidden look the same: an API key learns nothing about other accounts.
    violations.push({ field: field('account'), rule: `no account ${accountId} is available to this API key` });
    account = undefined;
  }
  if (account && provider !== undefined && account.provider !== provider) {
    violations.push({ field: field('provider'), rule: `account ${account.id} is a ${account.provider} account` });
    account = undefined;
  }
  if (account && fields.failoverAfter !== undefined && !account.fallbacks?.length) {
    violations.push({ field: field('failoverAfter'), rule: `account ${account.id} has no fallbacks: there is no route to fail over to` });
  }
  if (scheduleAt && Date.parse(scheduleAt) - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    violations.push({ field: field('scheduleAt'), rule: 'must be at most a year ahead' });
  }
  if (account && content) {
    violations.push(
      ...deps
        .adapterFor(account)
        .check(content, account)
        .map((v) => ({ ...v, field: field(v.field) })),
    );
  }

  // Its size as stored: the queue body (also what is sealed when held), then the held item.
  const candidate = whole.success ? whole.data : input;
  const message = toQueueMessage(candidate as SendRequest, PLACEHOLDER_ID, now.toISOString());
  const bodyBytes = Buffer.byteLength(JSON.stringify(message), 'utf8');
  if (bodyBytes > MAX_MESSAGE_BYTES) {
    violations.push({
      field: field(...largestField(candidate)),
      rule:
        `makes the message ${bytes(bodyBytes)} as stored; ` +
        `a message may be at most ${bytes(MAX_MESSAGE_BYTES)} (${MAX_BATCH} of them fit one request)`,
    });
  } else if (whole.success && account) {
    const itemBytes = heldItemBytes(toRecord(message, now, deps, idempotencyKey), bodyBytes);
    if (itemBytes > HELD_ITEM_MAX_BYTES) {
      violations.push({
        field: field(...largestField(candidate)),
        rule:
          `makes the message's record ${bytes(itemBytes)} once held with its sealed body; at most ` +
          `${bytes(HELD_ITEM_MAX_BYTES)} fit one DynamoDB item (${bytes(DYNAMODB_ITEM_BYTES)}) with room for its status history`,
      });
    }
  }
  return {
    violations,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(whole.success && account && violations.length === 0 ? { accepted: { request: whole.data, account } } : {}),
  };
}

/** The path of a message's largest part (a top-level field, or a field of `content`): what to shorten. */
function largestField(request: unknown): Array<string | number> {
  if (!isObject(request)) return [];
  const parts: Array<[Array<string | number>, unknown]> = [];
  for (const [name, value] of Object.entries(request)) {
    if (name !== 'content' || !isObject(value)) parts.push([[name], value]);
    else for (const [inner, innerValue] of Object.entries(value)) parts.push([['content', inner], innerValue]);
  }
  let largest: Array<string | number> = [];
  let largestBytes = -1;
  for (const [path, value] of parts) {
    const size = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
    if (size > largestBytes) [largest, largestBytes] = [path, size];
  }
  return largest;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Makes the message due at `dueAt`, so the sweeper enqueues it then. A message no longer waiting
 * (cancelled meanwhile) is left alone; a store failure propagates: the record's own due time (in
 * the grace) brings it back anyway.
 */
async function hold(deps: AcceptDeps, message: QueueMessage, dueAt: string): Promise<void> {
  await deps.due.hold(message.id, dueAt, deps.cipher.seal(JSON.stringify(message)));
}

/**
 * The first answer again, for a replay: each message with the status it was accepted with
 * (`queued`, or `scheduled`), as Stripe-style idempotency promises — not its status now, which
 * `GET /v1/messages/{id}` tells. The record keeps it: the accepting status is the one it was
 * created with, the only one of the two in its history.
 */
async function firstAnswers(ids: readonly string[], deps: AcceptDeps): Promise<Array<{ id: string; status: string }>> {
  const records = new Map((await deps.messages.getMany(ids)).map((record) => [record.id, record]));
  return ids.map((id) => ({ id, status: records.get(id)?.times.scheduled !== undefined ? 'scheduled' : 'queued' }));
}

function answer(batch: boolean, messages: Array<{ id: string; status: string }>, replayed: boolean): HttpResponse {
  const headers: Record<string, string> = replayed ? { 'idempotent-replayed': 'true' } : {};
  return batch ? json(202, { messages }, headers) : json(202, messages[0], headers);
}

function isBatch(body: unknown): boolean {
  return !!body && typeof body === 'object' && !Array.isArray(body) && 'messages' in body;
}

/** A hash of the request that does not depend on key order. */
function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
