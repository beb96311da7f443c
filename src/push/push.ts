/**
 * Status pushed to the caller, so callers need not poll: every status change of a message of an
 * account with `push` configured becomes a Standard Webhooks POST to the caller's URL, signed with
 * the account's push secret.
 *
 *   status advances ─▶ push queue ─▶ push function ─▶ POST (webhook-id, -timestamp, -signature)
 *                                          │ non-2xx / no answer: visible again after a backoff
 *                                          ▼ after maxReceiveCount
 *                                   push dead-letter queue
 *
 * `webhook-id` is `<message id>.<status>`: the same on every retry of one push, so the caller
 * can deduplicate, as the specification asks.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import * as z from 'zod';
import type { AccountConfig } from '../config/accounts.ts';
import { WapkError, type WapkErrorOptions } from '../errors.ts';
import { STATUSES } from '../messages/status.ts';
import { backoffMs, type BackoffPolicy } from '../runtime/backoff.ts';
import { deadlineSignal } from '../runtime/deadline.ts';
import { PROVIDERS } from '../providers/names.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

// Built on first use (the first push), not at import.
export const StatusPush = lazySchema(() =>
  z.strictObject({
    v: z.literal(1),
    id: z.string(),
    account: z.string(),
    provider: z.enum(PROVIDERS),
    status: z.enum(STATUSES),
    at: z.string(),
    error: z
      .strictObject({
        class: z.string().optional(),
        // The provider's HTTP status, on a send it refused (or answered ambiguously): the sender's error carries it.
        status: z.number().int().optional(),
        code: z.union([z.string(), z.number()]).optional(),
        reason: z.string(),
      })
      .optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    // The fallback route (another account) that sent it, when it failed over (docs/pipeline.md).
    // `trigger`: why it left its previous route (src/sender/failover-decision.ts).
    route: z
      .strictObject({
        account: z.string(),
        provider: z.enum(PROVIDERS),
        trigger: z.enum(['pause_sender', 'sender_refused', 'blocked', 'breaker']).optional(),
      })
      .optional(),
  }),
);
export type StatusPush = z.output<typeof StatusPush>;

/** What changed, for `notify`. */
export type StatusChange = Omit<StatusPush, 'v'>;

export interface StatusNotifier {
  notify(change: StatusChange): Promise<void>;
}

/** Queues a push for each change of an account that has `push` configured; others are ignored. */
export class PushQueue implements StatusNotifier {
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;
  private readonly accounts: ReadonlyMap<string, AccountConfig>;

  constructor(sqs: SQSClient, queueUrl: string, accounts: ReadonlyMap<string, AccountConfig>) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.accounts = accounts;
  }

  async notify(change: StatusChange): Promise<void> {
    if (!this.accounts.get(change.account)?.push) return;
    const body: StatusPush = { v: 1, ...change };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body) }));
  }
}

export interface PushDeps {
  sqs: SQSClient;
  queueUrl: string;
  accounts: ReadonlyMap<string, AccountConfig>;
  pushSecrets: Readonly<Record<string, string>>;
  fetch: typeof globalThis.fetch;
  now(): Date;
  timeoutMs: number;
  /** Seconds before the n-th failed push is tried again (default {@link pushBackoffS}). */
  backoffS?: (receiveCount: number) => number;
  /** Draws in [0, 1) for the backoff's jitter (`Math.random` by default). */
  random?: () => number;
}

/** The body a caller receives. */
export function pushPayload(push: StatusPush, now: Date) {
  const { v: _v, ...data } = push;
  return { type: 'message.status', timestamp: now.toISOString(), data };
}

/** The wait after the n-th failed delivery: a random draw of at least 1 s and up to 10 s, 20 s, 40 s … 15 min. */
export const PUSH_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 900_000, minMs: 1000 };

/** Retry delay in whole seconds after the n-th failed delivery ({@link PUSH_BACKOFF}). */
export function pushBackoffS(receiveCount: number, random: () => number = Math.random): number {
  return Math.ceil(backoffMs(receiveCount - 1, PUSH_BACKOFF, random) / 1000);
}

/**
 * Delivers one queued push. Throws when the caller did not take it, after making the message
 * visible again only after a backoff (so SQS retries it then, and dead-letters it after the last try).
 */
export async function deliverPush(record: SQSRecord, deps: PushDeps): Promise<void> {
  const push = StatusPush.parse(JSON.parse(record.body));
  const account = deps.accounts.get(push.account);
  const secret = deps.pushSecrets[push.account];
  if (!account?.push || !secret) return; // push switched off since: nothing to deliver
  const payload = JSON.stringify(pushPayload(push, deps.now()));
  const webhookId = `${push.id}.${push.status}`;
  const signature = new Webhook(secret).sign(webhookId, deps.now(), payload);
  let failure: string | undefined;
  let cause: unknown;
  try {
    const response = await deps.fetch(account.push.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(deps.now().getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: payload,
      signal: deadlineSignal(deps.timeoutMs),
    });
    if (!response.ok) failure = `the caller answered ${response.status}`;
  } catch (error) {
    failure = `the caller could not be reached (${(error as Error).name})`;
    cause = error;
  }
  if (!failure) return;
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
  const visibilityTimeout = deps.backoffS ? deps.backoffS(receiveCount) : pushBackoffS(receiveCount, deps.random);
  await deps.sqs
    .send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: deps.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: visibilityTimeout,
      }),
    )
    .catch(() => {});
  throw new PushFailedError(webhookId, failure, { cause });
}

/**
 * A caller did not take a push (a non-2xx answer, or none): the record fails and SQS tries it
 * again after the backoff. Internal: only the log sees it.
 */
export class PushFailedError extends WapkError {
  override readonly name = 'PushFailedError';
  readonly kind = 'push_failed';
  readonly visible = false;
  /** The push's `webhook-id` (`<message id>.<status>`). */
  readonly webhookId: string;
  /** What went wrong, in a few words (the caller's status, or that it could not be reached). */
  readonly reason: string;

  constructor(webhookId: string, reason: string, options: WapkErrorOptions = {}) {
    super(`push ${webhookId} not delivered: ${reason}`, options);
    this.webhookId = webhookId;
    this.reason = reason;
  }
}
