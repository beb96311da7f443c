/**
 * Lambda's event source mapping for the benches that run the sender on a virtual clock
 * (bench/pacing-windows.ts, bench/failover.ts): pollers that receive a batch from the SQS fake,
 * run the handler with the function's deadline on the virtual clock, and delete the records it
 * took (partial batch responses); an empty queue waits, on the virtual clock, until its next
 * message is visible or something is put on it (`wakeAll`), as a long poll returns.
 */
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsFake } from './sqs-fake.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** The Lambda event record of a message received from the fake. */
export function toRecord(message: Message, arn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '0',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  };
}

export interface VirtualConsumerOptions {
  sqs: SqsFake;
  clock: VirtualClock;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  visibilityTimeoutS: number;
  /** The function's timeout: the handler's `getRemainingTimeInMillis` counts down from it. */
  timeoutS: number;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  /** Called for each batch handed to the handler. */
  onInvocation?: () => void;
}

/** The pollers' shared state: start as many `poll()` loops as the mapping's concurrency. */
export interface VirtualConsumer {
  poll(): Promise<void>;
  /** Wakes every idle poller (call it when something is put on the queue). */
  wakeAll(): void;
  /** The loops end after their current batch. */
  stop(): void;
}

export function virtualConsumer(o: VirtualConsumerOptions): VirtualConsumer {
  const idle = new Set<() => void>();
  let stopped = false;
  const idleWait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = o.clock.timer(ms);
      const wake = () => {
        timer.cancel();
        idle.delete(wake);
        resolve();
      };
      idle.add(wake);
      void timer.done.then(wake);
    });
  const poll = async () => {
    while (!stopped) {
      const { Messages = [] } = (await o.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: o.queueUrl,
          MaxNumberOfMessages: o.batchSize,
          VisibilityTimeout: o.visibilityTimeoutS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      )) as { Messages?: Message[] };
      if (Messages.length === 0) {
        const next = o.sqs.nextVisibleAt(o.queueUrl);
        await idleWait(next === undefined ? 20_000 : Math.min(20_000, Math.max(1, next - o.clock.now())));
        continue;
      }
      o.onInvocation?.();
      const records = Messages.map((message) => toRecord(message, o.queueArn));
      const deadline = o.clock.now() + o.timeoutS * 1000;
      const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - o.clock.now()) } as unknown as Context;
      let response: SQSBatchResponse;
      try {
        response = await o.handler({ Records: records }, context);
      } catch {
        continue; // the whole batch comes back after the visibility timeout
      }
      const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      const done = records.filter((record) => !failed.has(record.messageId));
      for (let i = 0; i < done.length; i += 10) {
        const entries = done.slice(i, i + 10).map((record, j) => ({ Id: String(j), ReceiptHandle: record.receiptHandle }));
        await o.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: o.queueUrl, Entries: entries }));
      }
    }
  };
  return {
    poll,
    wakeAll: () => {
      for (const wake of [...idle]) wake();
    },
    stop: () => {
      stopped = true;
    },
  };
}
