/**
 * An in-memory SQS for benchmarks: what the send queue (src/queue/send-queue.ts) and the local
 * event source mapping (src/local/event-source-mapping.ts) call, answered in-process, so an
 * emulator's own speed does not set the pace of a run. A dev tool: never imported from src/.
 *
 * What it does, as SQS standard queues do:
 * - SendMessageBatch (≤ 10 entries, distinct ids): `DelaySeconds` keeps a message hidden that long;
 * - ReceiveMessage: up to `MaxNumberOfMessages` (1–10) visible messages, oldest first, hidden for
 *   `VisibilityTimeout` (the queue's when not given); each receive counts (`ApproximateReceiveCount`)
 *   and gets a new receipt handle; `WaitTimeSeconds` > 0 polls until a message comes or it ends;
 * - a redrive policy: a message received more than `maxReceiveCount` times goes to the dead-letter
 *   queue when it would be received again (as SQS moves it);
 * - DeleteMessageBatch by the latest receipt handle (an older one is refused: `ReceiptHandleIsInvalid`);
 * - GetQueueAttributes: visible, in flight (`…NotVisible`) and delayed counts.
 *
 * What it does not: FIFO queues, message attributes, retention, size limits, long-poll wake-up
 * on send (a waiting receive polls every 20 ms).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type DeleteMessageBatchCommandInput,
  type DeleteMessageBatchCommandOutput,
  type GetQueueAttributesCommandInput,
  type GetQueueAttributesCommandOutput,
  type Message,
  type ReceiveMessageCommandInput,
  type ReceiveMessageCommandOutput,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';

interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  /** When it is visible again (after its delay, or its visibility timeout once received). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  receiptHandle?: string;
}

interface Queue {
  name: string;
  url: string;
  visibilityTimeoutS: number;
  /** Insertion order: a receive takes the oldest visible first. */
  messages: Map<string, StoredMessage>;
  redrive?: { deadLetterUrl: string; maxReceiveCount: number };
}

export interface FakeQueueOptions {
  /** Default 30 (SQS's). */
  visibilityTimeoutS?: number;
  /** Move a message here once received more than `maxReceiveCount` times. */
  deadLetter?: { queueUrl: string; maxReceiveCount: number };
}

/** An SQS error as the SDK throws it: `name` is the error code. */
export class FakeSqsError extends Error {
  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

const RECEIVE_POLL_MS = 20;

export class SqsFake {
  private readonly queues = new Map<string, Queue>();
  private readonly now: () => number;
  /** Requests answered, by command name (what a run cost in SQS requests). */
  readonly requests: Record<string, number> = {};

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Creates a queue; returns its URL. */
  createQueue(name: string, options: FakeQueueOptions = {}): string {
    const url = `https://sqs.fake.local/000000000000/${name}`;
    if (this.queues.has(url)) throw new FakeSqsError('QueueAlreadyExists', `queue ${name} exists`);
    if (options.deadLetter && !this.queues.has(options.deadLetter.queueUrl)) {
      throw new FakeSqsError('QueueDoesNotExist', `dead-letter queue ${options.deadLetter.queueUrl} does not exist`);
    }
    this.queues.set(url, {
      name,
      url,
      visibilityTimeoutS: options.visibilityTimeoutS ?? 30,
      messages: new Map(),
      ...(options.deadLetter
        ? { redrive: { deadLetterUrl: options.deadLetter.queueUrl, maxReceiveCount: options.deadLetter.maxReceiveCount } }
        : {}),
    });
    return url;
  }

  /** The bodies a queue holds, in any state (for checks after a run). */
  bodies(queueUrl: string): string[] {
    return [...this.queue(queueUrl).messages.values()].map((message) => message.body);
  }

  /** When the queue's next hidden message (delayed or in flight) becomes visible, if any (a virtual-time poller waits until then). */
  nextVisibleAt(queueUrl: string): number | undefined {
    let next: number | undefined;
    for (const message of this.queue(queueUrl).messages.values()) {
      if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }

  /** This fake as the SDK client type the project's code takes. */
  get client(): SQSClient {
    return this as unknown as SQSClient;
  }

  /** The SDK's `client.send(command)`: answers the commands listed above, refuses others. */
  async send(command: unknown): Promise<unknown> {
    const name = (command as { constructor: { name: string } }).constructor.name;
    this.requests[name] = (this.requests[name] ?? 0) + 1;
    if (command instanceof SendMessageBatchCommand) return this.sendMessageBatch(command.input);
    if (command instanceof ReceiveMessageCommand) return this.receiveMessage(command.input);
    if (command instanceof DeleteMessageBatchCommand) return this.deleteMessageBatch(command.input);
    if (command instanceof GetQueueAttributesCommand) return this.getQueueAttributes(command.input);
    throw new FakeSqsError('UnsupportedOperation', `the SQS fake does not answer ${name}`);
  }

  private queue(url: string | undefined): Queue {
    const queue = url === undefined ? undefined : this.queues.get(url);
    if (!queue) throw new FakeSqsError('QueueDoesNotExist', `no queue ${String(url)}`);
    return queue;
  }

  private sendMessageBatch(input: SendMessageBatchCommandInput): SendMessageBatchCommandOutput {
    const queue = this.queue(input.QueueUrl);
    const entries = input.Entries ?? [];
    if (entries.length === 0) throw new FakeSqsError('EmptyBatchRequest', 'Entries: at least one entry');
    if (entries.length > 10) throw new FakeSqsError('TooManyEntriesInBatchRequest', `Entries: ${entries.length}, at most 10`);
    if (new Set(entries.map((entry) => entry.Id)).size !== entries.length) {
      throw new FakeSqsError('BatchEntryIdsNotDistinct', 'Entries: ids must be distinct');
    }
    const now = this.now();
    const output: SendMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
    for (const entry of entries) {
      const delay = entry.DelaySeconds ?? 0;
      if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
        output.Failed!.push({ Id: entry.Id, SenderFault: true, Code: 'InvalidParameterValue', Message: `DelaySeconds ${delay}: 0..900` });
        continue;
      }
      const id = randomUUID();
      const body = entry.MessageBody ?? '';
      const md5 = createHash('md5').update(body).digest('hex');
      queue.messages.set(id, { id, body, md5, sentAt: now, visibleAt: now + delay * 1000, receiveCount: 0 });
      output.Successful!.push({ Id: entry.Id, MessageId: id, MD5OfMessageBody: md5 });
    }
    return output;
  }

  private async receiveMessage(input: ReceiveMessageCommandInput): Promise<ReceiveMessageCommandOutput> {
    const queue = this.queue(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) throw new FakeSqsError('InvalidParameterValue', `MaxNumberOfMessages ${max}: 1..10`);
    const visibilityS = input.VisibilityTimeout ?? queue.visibilityTimeoutS;
    const deadline = Date.now() + (input.WaitTimeSeconds ?? 0) * 1000;
    for (;;) {
      const messages = this.take(queue, max, visibilityS);
      if (messages.length > 0 || Date.now() >= deadline) return { Messages: messages, $metadata: {} };
      await new Promise((resolve) => setTimeout(resolve, RECEIVE_POLL_MS));
    }
  }

  private take(queue: Queue, max: number, visibilityS: number): Message[] {
    const now = this.now();
    const taken: Message[] = [];
    for (const message of queue.messages.values()) {
      if (taken.length === max) break;
      if (message.visibleAt > now) continue;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        queue.messages.delete(message.id);
        const dead = this.queue(queue.redrive.deadLetterUrl);
        dead.messages.set(message.id, { ...message, visibleAt: now, receiptHandle: undefined });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveAt ??= now;
      message.visibleAt = now + visibilityS * 1000;
      message.receiptHandle = `${message.id}#${message.receiveCount}#${randomUUID()}`;
      taken.push({
        MessageId: message.id,
        ReceiptHandle: message.receiptHandle,
        Body: message.body,
        MD5OfBody: message.md5,
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt),
          SenderId: 'AIDAFAKESENDER',
        },
      });
    }
    return taken;
  }

  private deleteMessageBatch(input: DeleteMessageBatchCommandInput): DeleteMessageBatchCommandOutput {
    const queue = this.queue(input.QueueUrl);
    const entries = input.Entries ?? [];
    if (entries.length === 0) throw new FakeSqsError('EmptyBatchRequest', 'Entries: at least one entry');
    if (entries.length > 10) throw new FakeSqsError('TooManyEntriesInBatchRequest', `Entries: ${entries.length}, at most 10`);
    const output: DeleteMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
    for (const entry of entries) {
      const id = entry.ReceiptHandle?.split('#')[0] ?? '';
      const message = queue.messages.get(id);
      if (message && message.receiptHandle === entry.ReceiptHandle) {
        queue.messages.delete(id);
        output.Successful!.push({ Id: entry.Id });
      } else if (!message) {
        // SQS answers a delete of a message already gone as a success.
        output.Successful!.push({ Id: entry.Id });
      } else {
        output.Failed!.push({ Id: entry.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'not the latest receipt handle' });
      }
    }
    return output;
  }

  private getQueueAttributes(input: GetQueueAttributesCommandInput): GetQueueAttributesCommandOutput {
    const queue = this.queue(input.QueueUrl);
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of queue.messages.values()) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    const all: Record<string, string> = {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      VisibilityTimeout: String(queue.visibilityTimeoutS),
      QueueArn: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
    };
    const names = input.AttributeNames ?? [];
    const wanted = names.includes('All') ? Object.keys(all) : names.filter((name) => name in all);
    return { Attributes: Object.fromEntries(wanted.map((name) => [name, all[name]!])), $metadata: {} };
  }
}
