/**
 * A local stand-in for AWS Lambda's SQS event source mapping, so the sender's handler runs
 * unchanged against local-aws-sqs (nothing on npm emulates the mapping).
 *
 * What it reproduces:
 * - `maximumConcurrency` pollers, each receiving up to `batchSize` messages (all system and message
 *   attributes, the given visibility timeout) and invoking the handler with an `SQSEvent` shaped like
 *   Lambda's; so never more than `maximumConcurrency` invocations in flight;
 * - a batching window (`maximumBatchingWindowS`, 0–300): once a poller has a message, it keeps
 *   receiving (10 at a time, as SQS hands them out) until it holds `batchSize` or the window has
 *   passed; as on AWS, a batch of more than 10 (up to 10,000) needs a window of at least 1 s;
 * - with `rampUp`, Lambda's scaling for standard queues: five pollers at first, then one more
 *   every 200 ms (300 a minute) while messages keep coming, up to `maximumConcurrency`;
 * - a `Context` whose `getRemainingTimeInMillis()` counts down from `functionTimeoutMs`; an
 *   invocation still running then is failed as a whole, like a Lambda timeout;
 * - ReportBatchItemFailures: on success every record is deleted except those the response names;
 *   a thrown error, a timeout, or a response naming a message that is not in the batch (or naming
 *   none) deletes nothing. Undeleted messages come back after the visibility timeout, and the
 *   queue's redrive policy (the emulator's job) moves them to the DLQ after `maxReceiveCount`.
 *
 * What it does not: no scaling beyond `maximumConcurrency`, no scaling down, no 6 MB payload limit, no FIFO ordering
 * per message group, no filter criteria, no back-off after errors. A timed-out handler is not
 * frozen or killed, only abandoned. `stop()` lets in-flight invocations finish.
 *
 * Working around local-aws-sqs 2.0.2: it reads the deprecated `AttributeNames` (not
 * `MessageSystemAttributeNames`), so both are sent; a long poll there is held until the batch is
 * full or the wait ends (AWS returns as soon as messages are there) and can return the same
 * message twice if its visibility expires meanwhile, so long polling is done here as short polls
 * (`WaitTimeSeconds` 0) repeated for up to `waitTimeS`, and a batch is de-duplicated by message id.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LocalStackError } from '../errors.ts';

// biome-ignore lint/suspicious/noConfusingVoidType: the aws-lambda handler type, so a handler returning Promise<void> fits.
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventSourceMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  batchSize?: number; // default 10 (1..10; up to 10,000 with a batching window of at least 1 s)
  maximumBatchingWindowS?: number; // default 0 (0..300): how long a poller gathers messages before invoking
  rampUp?: boolean; // default false (every poller at once): start with 5 pollers, one more every 200 ms while messages come
  maximumConcurrency?: number; // default 2: at most this many handler invocations in flight
  visibilityTimeoutS?: number; // default 30: the visibility timeout of received messages
  functionTimeoutMs?: number; // default 30_000: an invocation longer than this is failed as a whole (like a Lambda timeout)
  waitTimeS?: number; // long-poll wait, default 1: how long a poller waits on an empty queue before it counts as seen empty
  reportBatchItemFailures?: boolean; // default true (FunctionResponseTypes ReportBatchItemFailures)
  onError?: (error: unknown) => void; // runner errors and failed invocations; default console.error
  maxIdlePollMs?: number; // default 50: while the queue stays empty, the pause between polls doubles up to this
  // (an idle local stack then costs little CPU)
  clock?: MappingClock; // default the real one (Date.now, setTimeout); benchmarks pass a virtual clock
}

/** What the mapping reads time with: its waits can be called off (stop(), a finished invocation). */
export interface MappingClock {
  now(): number;
  timer(ms: number): { done: Promise<void>; cancel(): void };
}

const REAL_CLOCK: MappingClock = {
  now: Date.now,
  timer(ms) {
    let handle: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      handle = setTimeout(resolve, ms);
    });
    return { done, cancel: () => clearTimeout(handle) };
  },
};

export interface EventSourceMapping {
  stop(): Promise<void>;
  /**
   * resolves when the queue was seen empty and no invocation is in flight; "empty" means no message
   * visible, in flight or delayed, so it waits for retries (and redrives). Rejects on stop().
   */
  idle(): Promise<void>;
  readonly invocations: number;
}

/** Pause between short polls of an empty queue; pause after a failed SQS call. */
const POLL_INTERVAL_MS = 50;
const ERROR_PAUSE_MS = 1_000;
/** Lambda's scaling for standard queues: five concurrent batches at first, then up to 300 more a minute. */
const RAMP_INITIAL_POLLERS = 5;
const RAMP_STEP_MS = 200;
/** What one ReceiveMessage hands out, and one DeleteMessageBatch takes, at most. */
const SQS_RECEIVE_MAX = 10;

export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { sqs, queueUrl, queueArn, handler } = options;
  const batchSize = options.batchSize ?? 10;
  const maximumConcurrency = options.maximumConcurrency ?? 2;
  const visibilityTimeoutS = options.visibilityTimeoutS ?? 30;
  const functionTimeoutMs = options.functionTimeoutMs ?? 30_000;
  const waitTimeS = options.waitTimeS ?? 1;
  const reportBatchItemFailures = options.reportBatchItemFailures ?? true;
  const maxIdlePollMs = Math.max(POLL_INTERVAL_MS, options.maxIdlePollMs ?? POLL_INTERVAL_MS);
  const clock = options.clock ?? REAL_CLOCK;
  /** The pause between empty polls, shared by the pollers: doubles while nothing comes, back to the shortest when something does. */
  let idlePollMs = POLL_INTERVAL_MS;
  const onError = options.onError ?? ((error: unknown) => console.error('[event-source-mapping]', error));
  const windowS = options.maximumBatchingWindowS ?? 0;
  if (!Number.isInteger(windowS) || windowS < 0 || windowS > 300) throw new RangeError(`maximumBatchingWindowS ${windowS}: 0..300`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new RangeError(`batchSize ${batchSize}: 1..10000`);
  if (batchSize > 10 && windowS < 1) throw new RangeError(`batchSize ${batchSize}: over 10 needs maximumBatchingWindowS ≥ 1`);
  if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 1)
    throw new RangeError(`maximumConcurrency ${maximumConcurrency}: ≥ 1`);

  const [, , , region = 'us-east-1', account = '000000000000', queueName = 'queue'] = queueArn.split(':');
  const functionName = `${queueName}-consumer`;
  let stopped = false;
  let invocations = 0;
  let busy = 0; // pollers holding a received batch (invoking, then deleting)
  const wakers = new Set<() => void>();
  let idleWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  /** Waits `ms`, or less if stop() is called meanwhile; leaves no timer behind. */
  function pause(ms: number): Promise<void> {
    if (stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = clock.timer(ms);
      const wake = () => {
        timer.cancel();
        wakers.delete(wake);
        resolve();
      };
      void timer.done.then(wake);
      wakers.add(wake);
    });
  }

  /** One long poll, as short polls until messages come, the wait ends, or stop() is called. */
  async function receive(count = Math.min(batchSize, SQS_RECEIVE_MAX), waitS = waitTimeS): Promise<Message[]> {
    const deadline = clock.now() + waitS * 1000;
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: count,
          VisibilityTimeout: visibilityTimeoutS,
          WaitTimeSeconds: 0,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length > 0) {
        idlePollMs = POLL_INTERVAL_MS;
        return [...new Map(Messages.map((message) => [message.MessageId, message])).values()];
      }
      if (stopped || clock.now() >= deadline) return [];
      await pause(idlePollMs);
      idlePollMs = Math.min(maxIdlePollMs, idlePollMs * 2);
    }
  }

  /**
   * A batch: the first messages by a long poll; then, with a batching window, more until the batch
   * is full or the window (from the first message) has passed.
   */
  async function receiveBatch(): Promise<Message[]> {
    const first = await receive();
    if (first.length === 0 || windowS === 0) return first;
    const batch = new Map(first.map((message) => [message.MessageId, message]));
    const until = clock.now() + windowS * 1000;
    while (batch.size < batchSize && !stopped) {
      const left = until - clock.now();
      if (left <= 0) break;
      const more = await receive(Math.min(batchSize - batch.size, SQS_RECEIVE_MAX), Math.min(waitTimeS, left / 1000));
      for (const message of more) batch.set(message.MessageId, message);
      if (more.length === 0) await pause(Math.min(POLL_INTERVAL_MS, Math.max(0, until - clock.now())));
    }
    return [...batch.values()];
  }

  /** After an empty poll: settles idle() if no batch is held and the queue holds nothing at all. */
  async function checkIdle(): Promise<void> {
    if (idleWaiters.length === 0 || busy > 0) return;
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const held = Object.values(Attributes).reduce((sum, count) => sum + Number(count), 0);
    if (held > 0 || busy > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  function toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString('base64')),
        dataType: value.DataType ?? 'String',
      };
    }
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ...attributes,
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '',
        SentTimestamp: attributes.SentTimestamp ?? '',
        SenderId: attributes.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
      },
      messageAttributes,
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    };
  }

  function context(deadline: number): Context {
    const callbackStyle = () => {
      throw new LocalStackError('callback-style context methods are not emulated: return a promise');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `local/${randomUUID()}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
      done: callbackStyle,
      fail: callbackStyle,
      succeed: callbackStyle,
    };
  }

  /** The records to keep, from the handler's response; throws where Lambda fails the whole batch. */
  function failedIds(response: unknown, batch: SQSRecord[]): Set<string> {
    if (!reportBatchItemFailures || response === undefined || response === null) return new Set();
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) throw new LocalStackError('invalid batch response: batchItemFailures is not a list');
    const ids = new Set(batch.map((record) => record.messageId));
    return new Set(
      failures.map((failure: { itemIdentifier?: unknown } | null) => {
        const id = failure?.itemIdentifier;
        if (typeof id !== 'string' || !ids.has(id)) {
          throw new LocalStackError(`invalid batch response: itemIdentifier ${JSON.stringify(id)} is not a message of the batch`);
        }
        return id;
      }),
    );
  }

  /** Invokes the handler with the batch, then deletes what succeeded. */
  async function invoke(messages: Message[]): Promise<void> {
    const records = messages.map(toRecord);
    const deadline = clock.now() + functionTimeoutMs;
    invocations += 1;
    let timer: ReturnType<MappingClock['timer']> | undefined;
    let keep: Set<string>;
    try {
      const running = Promise.resolve().then(() => handler({ Records: records }, context(deadline)));
      running.catch(() => {}); // an abandoned (timed-out) invocation may still reject
      timer = clock.timer(functionTimeoutMs);
      const timeout = timer.done.then(() => {
        throw new LocalStackError(`invocation timed out after ${functionTimeoutMs} ms`);
      });
      keep = failedIds(await Promise.race([running, timeout]), records);
    } catch (error) {
      onError(error);
      return; // the whole batch comes back after the visibility timeout
    } finally {
      timer?.cancel();
    }
    const done = records.filter((record) => !keep.has(record.messageId));
    // DeleteMessageBatch takes 10 at most.
    const Failed: Array<{ Id?: string; Message?: string }> = [];
    for (let from = 0; from < done.length; from += SQS_RECEIVE_MAX) {
      const chunk = done.slice(from, from + SQS_RECEIVE_MAX);
      const answer = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((record, index) => ({ Id: String(from + index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      Failed.push(...(answer.Failed ?? []));
    }
    if (Failed.length > 0) {
      onError(
        new LocalStackError(`DeleteMessageBatch failed for ${Failed.map((failure) => `${failure.Id}: ${failure.Message}`).join(', ')}`),
      );
    }
  }

  async function poller(): Promise<void> {
    while (!stopped) {
      try {
        const messages = await receiveBatch();
        if (messages.length > 0) {
          busy += 1;
          try {
            await invoke(messages);
          } finally {
            busy -= 1;
          }
        } else {
          await checkIdle();
          await pause(idlePollMs);
        }
      } catch (error) {
        onError(error);
        await pause(ERROR_PAUSE_MS);
      }
    }
  }

  const pollers = Array.from({ length: options.rampUp ? Math.min(RAMP_INITIAL_POLLERS, maximumConcurrency) : maximumConcurrency }, () =>
    poller(),
  );
  // Lambda's ramp: one more poller per step while the queue keeps them all busy, up to the cap.
  const ramp = async () => {
    while (!stopped && pollers.length < maximumConcurrency) {
      await pause(RAMP_STEP_MS);
      if (!stopped && busy >= pollers.length) pollers.push(poller());
    }
  };
  const ramping = options.rampUp ? ramp() : Promise.resolve();

  return {
    get invocations() {
      return invocations;
    },
    idle() {
      if (stopped) return Promise.reject(new LocalStackError('the event source mapping is stopped'));
      return new Promise((resolve, reject) => idleWaiters.push({ resolve, reject }));
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        for (const wake of [...wakers]) wake();
      }
      await ramping;
      await Promise.all(pollers);
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const waiter of waiters) waiter.reject(new LocalStackError('the event source mapping was stopped before the queue was idle'));
    },
  };
}
