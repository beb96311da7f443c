import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, SQS_MESSAGE_BYTES } from '../messages/limits.ts';
import { newMessageId, type QueueMessage } from '../messages/queue-message.ts';
import { SendQueue } from './send-queue.ts';

/** An SQS client that takes every batch and records what each request carried. */
function recordingSqs() {
  const requests: Array<{ entries: number; bodyBytes: number }> = [];
  const client = {
    send: async (command: SendMessageBatchCommand) => {
      const entries = command.input.Entries ?? [];
      const bodyBytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0);
      requests.push({ entries: entries.length, bodyBytes });
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
  } as unknown as SQSClient;
  return { client, requests };
}

const messageOf = (textBytes: number): QueueMessage => ({
  v: 1,
  id: newMessageId(),
  acceptedAt: '2026-11-22T10:00:00.000Z',
  request: { provider: 'loopwave', account: 'acme', recipient: '+14155550123', content: { kind: 'text', text: 'x'.repeat(textBytes) } },
});

describe('send queue', () => {
  it('keeps each SendMessageBatch within SQS’s size limit: large messages go in smaller batches', async () => {
    const { client, requests } = recordingSqs();
    const messages = Array.from({ length: 20 }, () => messageOf(MAX_MESSAGE_BYTES - 300));
    expect(await new SendQueue(client, 'queue').enqueue(messages.map((message) => ({ message })))).toEqual([]);
    expect(requests.reduce((sum, r) => sum + r.entries, 0)).toBe(20);
    for (const request of requests) expect(request.bodyBytes).toBeLessThanOrEqual(SQS_MESSAGE_BYTES);
    expect(requests.length).toBeGreaterThan(2);
  });

  it('still sends small messages ten to a request', async () => {
    const { client, requests } = recordingSqs();
    await new SendQueue(client, 'queue').enqueue(Array.from({ length: 25 }, () => ({ message: messageOf(10) })));
    expect(requests.map((r) => r.entries)).toEqual([10, 10, 5]);
  });
});
