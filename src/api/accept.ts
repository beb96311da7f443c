/**
 * Accepting messages: `POST /v1/messages` with one send request, or `{messages: [...]}` with up
 * to 100. Every message is validated (our model, the account, the provider's capabilities and the
 * account's template registry) before anything is written, and a request with any violation is
 * refused whole, with every violation listed by field.
 *
 * Nothing accepted is lost:
 *
 *   claim Idempotency-Key ─▶ write records (queued/scheduled) ─▶ enqueue ─▶ complete the key
 *                                                                  │ refused by SQS
 *                                                                  ▼
 *                                                   hold in the table, due now (the scheduled
 *                                                   re-enqueue picks it up)
 *
 * A crash between two steps leaves a key that is not complete: the client's retry with the same
 * key writes the records that are missing and enqueues the waiting messages again. A message on
 * the queue twice is sent once: the sender claims each message with a conditional write.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AccountConfig } from '../config/accounts.ts';
import { newMessageId, QUEUE_MESSAGE_VERSION, type QueueMessage } from '../messages/queue-message.ts';
import { SendRequest, violationsOf, type Violation } from '../messages/send-request.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { recipientRef } from '../privacy/recipient.ts';
import { matchedByRecipient, type ProviderAdapter } from '../providers/adapter.ts';
import { MAX_DELAY_S, type QueueEntry, type SendQueue } from '../queue/send-queue.ts';
import type { MessageStore, NewMessage } from '../store/message-store.ts';
import { mayUse, type Principal } from './auth.ts';
import { json, problem, type HttpResponse } from './http.ts';

export const MAX_BATCH = 100;
/** A held message is re-enqueued this long before its time, with the rest as SQS delay. */
export const HOLD_LEAD_S = 14 * 60;
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;

export interface AcceptDeps {
  store: MessageStore;
  queue: SendQueue;
  accounts: ReadonlyMap<string, AccountConfig>;
  adapterFor(account: AccountConfig): ProviderAdapter;
  recipientHashKey: string;
  cipher: PayloadCipher;
  now(): Date;
}

export interface AcceptRequest {
  principal: Principal;
  body: unknown;
  idempotencyKey?: string;
}

const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1–255 visible ASCII characters');

export async function acceptMessages(request: AcceptRequest, deps: AcceptDeps): Promise<HttpResponse> {
  const batch = isBatch(request.body);
  const inputs: unknown[] = batch ? (request.body as { messages: unknown[] }).messages : [request.body];
  const prefix = (i: number): Array<string | number> => (batch ? ['messages', i] : []);

  const violations: Violation[] = [];
  if (batch && (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > MAX_BATCH)) {
    return problem(400, 'invalid_request', `messages: must be a list of 1 to ${MAX_BATCH} send requests`);
  }
  if (request.idempotencyKey !== undefined && !IdempotencyKey.safeParse(request.idempotencyKey).success) {
    violations.push({ field: 'Idempotency-Key (header)', rule: 'must be 1–255 visible ASCII characters' });
  }

  const now = deps.now();
  const parsed: Array<{ request: SendRequest; account: AccountConfig }> = [];
  for (const [i, input] of inputs.entries()) {
    const result = SendRequest.safeParse(input);
    if (!result.success) {
      violations.push(...violationsOf(result.error, prefix(i)));
      continue;
    }
    const field = (name: string) => [...prefix(i), name].join('.');
    const account = deps.accounts.get(result.data.account);
    if (!account || !mayUse(request.principal, result.data.account)) {
      // Unknown and forbidden look the same: an API key learns nothing about other accounts.
      violations.push({ field: field('account'), rule: `no account ${result.data.account} is available to this API key` });
      continue;
    }
    if (account.provider !== result.data.provider) {
      violations.push({ field: field('provider'), rule: `account ${account.id} is a ${account.provider} account` });
      continue;
    }
    if (result.data.scheduleAt && Date.parse(result.data.scheduleAt) - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
      violations.push({ field: field('scheduleAt'), rule: 'must be at most a year ahead' });
    }
    violations.push(...deps.adapterFor(account).check(result.data.content, account).map((v) => ({ ...v, field: [...prefix(i), v.field].join('.') })));
    parsed.push({ request: result.data, account });
  }
  if (violations.length > 0) {
    return problem(400, 'invalid_request', `the request has ${violations.length} problem(s); nothing was accepted`, violations);
  }

  const key = request.idempotencyKey;
  const accountIds = new Set(parsed.map((p) => p.request.account));
  if (key !== undefined && accountIds.size > 1) {
    return problem(400, 'invalid_request', 'a request with an Idempotency-Key must address one account (keys are scoped per account)');
  }

  let ids = parsed.map(() => newMessageId(now.getTime()));
  let replay = false;
  if (key !== undefined) {
    const account = [...accountIds][0]!;
    const claim = await deps.store.claimIdempotencyKey(account, key, requestHash(request.body), ids, now);
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
  const records: NewMessage[] = messages.map((message) => ({
    id: message.id,
    provider: message.request.provider,
    account: message.request.account,
    recipient: recipientRef(deps.recipientHashKey, message.request.recipient),
    kind: message.request.content.kind,
    ...(message.request.content.kind === 'template' ? { template: message.request.content.name } : {}),
    status: message.request.scheduleAt && Date.parse(message.request.scheduleAt) > now.getTime() ? 'scheduled' : 'queued',
    createdAt: acceptedAt,
    ...(message.request.scheduleAt ? { scheduleAt: new Date(message.request.scheduleAt).toISOString() } : {}),
    ...(message.request.metadata ? { metadata: message.request.metadata } : {}),
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(matchedByRecipient(deps.adapterFor(deps.accounts.get(message.request.account)!)) ? { indexRecipient: true } : {}),
  }));
  await deps.store.createMany(records, { onlyIfMissing: replay });

  // On a replay, only messages still waiting go out again (a duplicate on the queue is harmless).
  const waiting = replay ? new Set((await deps.store.getMany(ids)).filter((r) => r.status === 'queued' || r.status === 'scheduled').map((r) => r.id)) : new Set(ids);
  const toEnqueue: QueueEntry[] = [];
  for (const message of messages) {
    if (!waiting.has(message.id)) continue;
    const delayS = message.request.scheduleAt ? (Date.parse(message.request.scheduleAt) - now.getTime()) / 1000 : 0;
    if (delayS > MAX_DELAY_S) {
      await hold(deps, message, new Date(Date.parse(message.request.scheduleAt!) - HOLD_LEAD_S * 1000).toISOString());
    } else {
      toEnqueue.push({ message, delaySeconds: Math.max(0, delayS) });
    }
  }
  const refused = new Set(await deps.queue.enqueue(toEnqueue));
  for (const message of messages) {
    if (refused.has(message.id)) await hold(deps, message, acceptedAt);
  }
  if (key !== undefined) await deps.store.completeIdempotencyKey([...accountIds][0]!, key);

  return answer(batch, replay ? await firstAnswers(ids, deps) : records.map((r) => ({ id: r.id, status: r.status })), replay);
}

/** The send queue's body for an accepted request: what the sender reads (contracts/queue pins it). */
export function toQueueMessage(request: SendRequest, id: string, acceptedAt: string): QueueMessage {
  return { v: QUEUE_MESSAGE_VERSION, id, request, acceptedAt };
}

/**
 * Keeps the message in the table, due at `dueAt`, so the scheduled re-enqueue sends it on. A
 * message no longer waiting (cancelled meanwhile) is left alone; a store failure propagates, and
 * the client's retry with the same Idempotency-Key finishes the job.
 */
async function hold(deps: AcceptDeps, message: QueueMessage, dueAt: string): Promise<void> {
  await deps.store.hold(message.id, dueAt, deps.cipher.seal(JSON.stringify(message)));
}

/**
 * The first answer again, for a replay: each message with the status it was accepted with
 * (`queued`, or `scheduled`), as Stripe-style idempotency promises — not its status now, which
 * `GET /v1/messages/{id}` tells. The record keeps it: the accepting status is the one it was
 * created with, the only one of the two in its history.
 */
async function firstAnswers(ids: readonly string[], deps: AcceptDeps): Promise<Array<{ id: string; status: string }>> {
  const records = new Map((await deps.store.getMany(ids)).map((record) => [record.id, record]));
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
