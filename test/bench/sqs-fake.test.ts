/** The benchmarks' in-memory SQS (bench/support/sqs-fake.ts), on an injected clock. */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsFake } from '../../bench/support/sqs-fake.ts';
import { SendQueue } from '../../src/queue/send-queue.ts';

function setup(options: { visibilityTimeoutS?: number; maxReceiveCount?: number } = {}) {
  let clock = 1_000_000;
  const fake = new SqsFake({ now: () => clock });
  const dlq = fake.createQueue('dlq');
  const url = fake.createQueue('send', {
    visibilityTimeoutS: options.visibilityTimeoutS ?? 30,
    ...(options.maxReceiveCount ? { deadLetter: { queueUrl: dlq, maxReceiveCount: options.maxReceiveCount } } : {}),
  });
  const send = (entries: Array<{ body: string; delayS?: number }>) =>
    fake.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: entries.map((entry, i) => ({ Id: String(i), MessageBody: entry.body, DelaySeconds: entry.delayS ?? 0 })),
      }),
    );
  const receive = async (max = 10, visibilityS?: number) =>
    (
      await fake.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: max,
          ...(visibilityS !== undefined ? { VisibilityTimeout: visibilityS } : {}),
          MessageSystemAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];
  const counts = async (queueUrl = url) =>
    (
      await fake.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      )
    ).Attributes;
  const remove = (handles: string[]) =>
    fake.client.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: handles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })) }),
    );
  return { fake, url, dlq, send, receive, counts, remove, advance: (ms: number) => void (clock += ms) };
}

describe('SqsFake', () => {
  it('keeps a delayed message hidden until its delay ends, and counts it as delayed', async () => {
    const q = setup();
    const sent = await q.send([{ body: 'now' }, { body: 'later', delayS: 5 }]);
    expect(sent.Successful).toHaveLength(2);
    expect(await q.counts()).toEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    expect((await q.receive()).map((m) => m.Body)).toEqual(['now']);
    q.advance(4_999);
    expect(await q.receive()).toEqual([]);
    q.advance(1);
    expect((await q.receive()).map((m) => m.Body)).toEqual(['later']);
  });

  it('says when its next hidden message becomes visible (what a virtual-time poller waits for)', async () => {
    const q = setup({ visibilityTimeoutS: 30 });
    expect(q.fake.nextVisibleAt(q.url)).toBeUndefined();
    await q.send([{ body: 'later', delayS: 5 }, { body: 'now' }]);
    await q.receive(1); // 'now', hidden for 30 s
    expect(q.fake.nextVisibleAt(q.url)).toBe(1_000_000 + 5_000);
    q.advance(5_000);
    await q.receive(1); // 'later'
    expect(q.fake.nextVisibleAt(q.url)).toBe(1_000_000 + 30_000);
  });

  it('hides a received message for the visibility timeout, then gives it again with a higher receive count', async () => {
    const q = setup({ visibilityTimeoutS: 30 });
    await q.send([{ body: 'a' }]);
    const [first] = await q.receive();
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await q.counts()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    q.advance(29_999);
    expect(await q.receive()).toEqual([]);
    q.advance(1);
    const [again] = await q.receive(10, 5); // a receive's own visibility timeout
    expect(again?.MessageId).toBe(first?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(again?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    q.advance(5_000);
    expect((await q.receive())[0]?.Attributes?.ApproximateReceiveCount).toBe('3');
  });

  it('deletes by the latest receipt handle, refuses an older one, and takes at most MaxNumberOfMessages', async () => {
    const q = setup({ visibilityTimeoutS: 1 });
    await q.send([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const two = await q.receive(2);
    expect(two.map((m) => m.Body)).toEqual(['a', 'b']);
    q.advance(1_000);
    const again = await q.receive(1); // a again, with a new handle
    expect(again[0]?.Body).toBe('a');
    const stale = await q.remove([two[0]!.ReceiptHandle!]);
    expect(stale.Failed?.map((f) => f.Code)).toEqual(['ReceiptHandleIsInvalid']);
    const done = await q.remove([again[0]!.ReceiptHandle!, two[1]!.ReceiptHandle!]);
    expect(done.Successful).toHaveLength(2);
    expect(q.fake.bodies(q.url)).toEqual(['c']);
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    const q = setup({ visibilityTimeoutS: 1, maxReceiveCount: 2 });
    await q.send([{ body: 'poison' }]);
    expect(await q.receive()).toHaveLength(1);
    q.advance(1_000);
    expect(await q.receive()).toHaveLength(1);
    q.advance(1_000);
    expect(await q.receive()).toEqual([]);
    expect(q.fake.bodies(q.url)).toEqual([]);
    expect(q.fake.bodies(q.dlq)).toEqual(['poison']);
  });

  it('refuses bad batches and commands it does not answer, naming the rule', async () => {
    const q = setup();
    await expect(q.send(Array.from({ length: 11 }, () => ({ body: 'x' })))).rejects.toThrow(/at most 10/);
    const refused = await q.send([{ body: 'x', delayS: 901 }]);
    expect(refused.Failed?.[0]?.Message).toMatch(/DelaySeconds 901/);
    await expect(q.fake.client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'x' }))).rejects.toThrow(/SendMessageCommand/);
    await expect(q.receive(11)).rejects.toThrow(/MaxNumberOfMessages 11/);
  });

  it("takes the send queue's batches (src/queue/send-queue.ts), delays included", async () => {
    const q = setup();
    const queue = new SendQueue(q.fake.client, q.url);
    const message = (id: string) => ({ id }) as unknown as Parameters<SendQueue['enqueue']>[0][number]['message'];
    const failed = await queue.enqueue([
      ...Array.from({ length: 12 }, (_, i) => ({ message: message(`m${i}`) })),
      { message: message('later'), delaySeconds: 2.5 },
    ]);
    expect(failed).toEqual([]);
    expect(q.fake.requests.SendMessageBatchCommand).toBe(2);
    expect(await q.counts()).toMatchObject({ ApproximateNumberOfMessages: '12', ApproximateNumberOfMessagesDelayed: '1' });
    q.advance(3_000);
    expect(await q.counts()).toMatchObject({ ApproximateNumberOfMessages: '13', ApproximateNumberOfMessagesDelayed: '0' });
  });
});
