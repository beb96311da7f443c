/**
 * The send queue: where accepted messages wait for the sender. Batched (SendMessageBatch, ten per
 * request) because each request is billed; an entry SQS refuses is retried once, then reported
 * back so the caller can hold it in the table instead of losing it.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MESSAGE_BYTES } from '../messages/limits.ts';
import type { QueueMessage } from '../messages/queue-message.ts';

/** SQS's longest delay. Anything later waits in the table (the `due` index). */
export const MAX_DELAY_S = 900;

export interface QueueEntry {
  message: QueueMessage;
  delaySeconds?: number;
}

/** The most entries SQS takes in one SendMessageBatch request. */
const SQS_BATCH_ENTRIES = 10;

export class SendQueue {
  private readonly sqs: SQSClient;
  readonly queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  /**
   * Enqueues the entries; returns the ids of the messages SQS did not take. A request holds at
   * most ten entries and at most SQS_MESSAGE_BYTES of bodies together (SQS refuses a longer
   * batch whole).
   */
  async enqueue(entries: readonly QueueEntry[]): Promise<string[]> {
    const failed: string[] = [];
    for (let batch of this.batches(entries)) {
      for (let attempt = 0; attempt < 2 && batch.length > 0; attempt++) {
        try {
          const result = await this.sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: batch.map(({ entry, body }) => ({
                Id: entry.message.id,
                MessageBody: body,
                DelaySeconds: Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(entry.delaySeconds ?? 0))),
              })),
            }),
          );
          const refused = new Set((result.Failed ?? []).map((failure) => failure.Id));
          batch = batch.filter(({ entry }) => refused.has(entry.message.id));
        } catch {
          // The whole request failed: try the batch once more, then report it.
        }
      }
      failed.push(...batch.map(({ entry }) => entry.message.id));
    }
    return failed;
  }

  private *batches(entries: readonly QueueEntry[]): Generator<Array<{ entry: QueueEntry; body: string }>> {
    let batch: Array<{ entry: QueueEntry; body: string }> = [];
    let size = 0;
    for (const entry of entries) {
      const body = JSON.stringify(entry.message);
      const bodyBytes = Buffer.byteLength(body, 'utf8');
      if (batch.length > 0 && (batch.length === SQS_BATCH_ENTRIES || size + bodyBytes > SQS_MESSAGE_BYTES)) {
        yield batch;
        [batch, size] = [[], 0];
      }
      batch.push({ entry, body });
      size += bodyBytes;
    }
    if (batch.length > 0) yield batch;
  }
}
