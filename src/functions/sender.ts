/**
 * Lambda, on the send queue's event source mapping (batches, ReportBatchItemFailures): sends each
 * message exactly once within its account's limits (src/sender/sender.ts). A batch's first record
 * of each account goes first, alone for its account; once it has its answer, the account's other
 * records go side by side — an invocation then waits for their provider calls together, not one
 * after another, which is most of what it is billed for — except records to one recipient, which
 * go one after another, in order. So a refusal that stops the account (a pause, a provider's
 * reset) still stops the batch's other calls before they are made, as one record after another
 * did. Pacing changes no limit: the first record reserves one slot; the others reserve theirs
 * together (one write), and each record's call goes at its slot, side by side with the others;
 * each recipient's gap is a conditional write. A record that
 * cannot be processed is reported as a batch item failure and comes back, and after the queue's
 * maxReceiveCount lands in the dead-letter queue. Delays are not failures: they never count
 * towards that.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Pacer } from '../pacing/pacer.ts';
import { PushQueue } from '../push/push.ts';
import { payloadCipher } from '../privacy/payload-cipher.ts';
import { adapterFor } from '../providers/index.ts';
import { SendQueue } from '../queue/send-queue.ts';
import {
  DEFAULT_MAX_INLINE_WAIT_MS,
  DEFAULT_SLOT_LEAD_MS,
  MAX_SLOT_LEAD_MS,
  newBatchContext,
  planBatch,
  sendQueuedMessage,
  type SenderDeps,
} from '../sender/sender.ts';
import { DEFAULT_SWEEP_GRACE_MS } from '../scheduler/requeue.ts';
import { errorLogFields } from '../errors.ts';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CLAIM_EXPIRY_MS } from '../runtime/env.ts';
import { lazyLoader, type LoaderOptions } from '../runtime/loader.ts';
import { functionLog } from '../runtime/log.ts';
import { SlotLead } from '../pacing/lead.ts';
import { configMaxAgeMs, runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';

type SenderOptions = Partial<
  Pick<
    SenderDeps,
    'fetch' | 'sleep' | 'maxInlineWaitMs' | 'slotLeadMs' | 'claimExpiryMs' | 'pauseRecheckMs' | 'callTimeoutMs' | 'reserveMs' | 'log'
  >
>;

/**
 * The sender's dependencies. From the environment (set by the Pulumi program, read into `env`):
 * `SEND_CLAIM_EXPIRY_MS` (≥ the function timeout; default 2 min) and `SEND_CALL_TIMEOUT_MS` (each
 * provider call's deadline; default 10 s).
 */
export function createSenderDeps(env: RuntimeEnvironment, options: SenderOptions & { random?: () => number } = {}): SenderDeps {
  const maxInlineWaitMs = options.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;
  const slotLeadMs = options.slotLeadMs ?? DEFAULT_SLOT_LEAD_MS;
  return {
    messages: env.storage.messages,
    claims: env.storage.claims,
    due: env.storage.due,
    pauses: env.storage.pauses,
    suppressions: env.storage.suppressions,
    callbacks: env.storage.callbacks,
    routeHealth: env.storage.routeHealth,
    pacer: new Pacer(env.storage.pacing, options.random, env.now ? () => env.now!().getTime() : Date.now),
    queue: new SendQueue(env.sqs, env.queueUrl),
    cipher: payloadCipher(env.secrets.payloadKey),
    accounts: new Map(env.config.accounts.map((account) => [account.id, account])),
    adapterFor,
    credentials: env.secrets.credentials,
    recipientHashKey: env.secrets.recipientHashKey,
    now: env.now ? () => env.now!().getTime() : Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    maxInlineWaitMs,
    slotLeadMs,
    // Learned per container, from the floor up to a third of the inline wait (src/pacing/lead.ts).
    lead: new SlotLead(slotLeadMs, Math.min(MAX_SLOT_LEAD_MS, maxInlineWaitMs / 3)),
    claimExpiryMs: options.claimExpiryMs ?? env.claimExpiryMs ?? DEFAULT_CLAIM_EXPIRY_MS,
    pauseRecheckMs: options.pauseRecheckMs ?? 15 * 60_000,
    callTimeoutMs: options.callTimeoutMs ?? env.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    reserveMs: options.reserveMs ?? 2000,
    sweepGraceMs: env.sweepGraceMs ?? DEFAULT_SWEEP_GRACE_MS,
    ...(options.random ? { random: options.random } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(env.pushQueueUrl ? { notifier: new PushQueue(env.sqs, env.pushQueueUrl, new Map(env.config.accounts.map((a) => [a.id, a]))) } : {}),
    log: options.log ?? functionLog('sender'),
  };
}

/**
 * The handler over `deps` (built on first use; a failed build is tried again by the next
 * invocation): the same code runs in Lambda and in the local stack.
 */
export function senderHandler(load: () => SenderDeps | Promise<SenderDeps>, options: LoaderOptions = {}) {
  const deps = lazyLoader(load, options);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const ready = await deps();
    // Pauses are read once per batch and account, an account's slots reserved for the batch's
    // records together, and no call starts that the invocation's remaining time could cut off.
    const batch = newBatchContext(() => context.getRemainingTimeInMillis());
    planBatch(
      event.Records.map((record) => record.body),
      batch,
    );
    const processor = new BatchProcessor(EventType.SQS);
    // The first record of each account goes alone; the account's others wait for its answer.
    const firsts = new Map<string, { id: string; done: Promise<void>; end(): void }>();
    for (const record of event.Records) {
      const account = laneOf(record.body).account;
      if (firsts.has(account)) continue;
      let end!: () => void;
      const done = new Promise<void>((resolve) => {
        end = resolve;
      });
      firsts.set(account, { id: record.messageId, done, end });
    }
    // One lane per recipient: its records one after another, in the batch's order.
    const lanes = new Map<string, Promise<unknown>>();
    const send = (record: SQSRecord) =>
      sendQueuedMessage(record.body, ready, batch).catch((error: unknown) => {
        // Logged as an error, which the function's error alarm counts: the record comes back, and is dead-lettered after maxReceiveCount.
        const id = messageIdOf(record.body);
        const correlation = id ? { correlation_id: id } : {};
        ready.log.error('record failed', { ...correlation, sqsMessageId: record.messageId, ...errorLogFields(error) });
        throw error;
      });
    const handleRecord = (record: SQSRecord) => {
      const { account, recipient } = laneOf(record.body);
      const first = firsts.get(account)!;
      const before = first.id === record.messageId ? Promise.resolve() : first.done;
      const lane = recipient ?? record.messageId;
      const run = Promise.all([before, lanes.get(lane)]).then(() => send(record));
      lanes.set(
        lane,
        run.catch(() => {}),
      );
      if (first.id === record.messageId) void run.finally(first.end).catch(() => {});
      return run;
    };
    return processPartialResponse(event, handleRecord, processor, { context, processInParallel: true, throwOnFullBatchFailure: false });
  };
}

/** A queue body's account and recipient, as given: the account's first record goes alone, a recipient's records one after another. */
function laneOf(body: string): { account: string; recipient?: string } {
  try {
    const request = (JSON.parse(body) as { request?: { account?: unknown; recipient?: unknown } } | null)?.request;
    const account = typeof request?.account === 'string' ? request.account : '';
    return typeof request?.recipient === 'string' ? { account, recipient: `${account}#${request.recipient}` } : { account };
  } catch {
    return { account: '' };
  }
}

/** Our message id in a queue body, if it has one (for the log line of a record that failed). */
function messageIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

export const handler = senderHandler(async () => createSenderDeps(await runtimeFromEnvironment()), { maxAgeMs: configMaxAgeMs });
