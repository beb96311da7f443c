/**
 * The sweeper (src/scheduler/requeue.ts) over the in-memory repositories and the SQS emulator,
 * with an injected clock: nothing accepted is stranded (not enqueued, or lost by the queue), a
 * claim past its end becomes `unknown` and is never sent again; a message for now, which has no
 * due entry, is looked at one grace after its creation; and, against dynalite, it never scans: it
 * queries the sparse `due` index and the accounts' messages by creation time.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptMessages } from '../../src/api/accept.ts';
import type { ApiDeps } from '../../src/api/app.ts';
import { createApiDeps } from '../../src/functions/runtime.ts';
import { createQueue, ensureMessagesTable, startDynamo } from '../../src/local/aws.ts';
import { QueueMessage } from '../../src/messages/queue-message.ts';
import { payloadCipher } from '../../src/privacy/payload-cipher.ts';
import type { SendQueue } from '../../src/queue/send-queue.ts';
import { requeueDue, type RequeueDeps } from '../../src/scheduler/requeue.ts';
import { dynamoDBStorage } from '../../src/store/dynamodb/index.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import type { Storage } from '../../src/store/repositories.ts';
import { INDEX } from '../../src/store/table.ts';
import { startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';

const GRACE = 60_000;
const PHONE = '+919812345678';
const CONTENT = {
  kaleyra: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
  livechat: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
} as const;

describe('the sweeper', () => {
  let aws: Awaited<ReturnType<typeof startLocalSqs>>;
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  let storage: Storage;
  let deps: ApiDeps;
  let queueUrl: string;
  let clock = new Date('2026-11-22T10:00:00.000Z');
  const secrets = testSecrets();
  const at = (ms: number) => new Date(clock.getTime() + ms);
  const sweep = (when: Date, overrides: Partial<RequeueDeps> = {}) => {
    const cipher = payloadCipher(secrets.payloadKey);
    const accounts = ['acme-kaleyra', 'acme-livechat'];
    return requeueDue({
      due: storage.due,
      claims: storage.claims,
      queue: deps.queue,
      cipher,
      now: () => when,
      graceMs: GRACE,
      accounts,
      ...overrides,
    });
  };

  /** Messages of the running test, settled after it so that the next test's sweeps do not see them. */
  let accepted: string[] = [];
  async function accept(provider: keyof typeof CONTENT, queue = deps.queue): Promise<string> {
    const body = { provider, account: `acme-${provider}`, recipient: PHONE, content: CONTENT[provider] };
    const response = await acceptMessages({ principal: { keyId: 'all', accounts: '*' }, body }, { ...deps, queue });
    const { id } = JSON.parse(response.body) as { id: string };
    accepted.push(id);
    return id;
  }

  /** What is on the queue now (taken off it). */
  async function taken(): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const received = await aws.sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const Messages = received.Messages ?? [];
      if (Messages.length === 0) return ids;
      ids.push(...Messages.map((m) => QueueMessage.parse(JSON.parse(m.Body!)).id));
      const Entries = Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
      await aws.sqs.client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
    }
  }

  /** The API's dependencies over `withStorage` (fresh in-memory storage unless given). */
  const use = (withStorage: Storage = memoryStorage()) => {
    storage = withStorage;
    deps = createApiDeps({ config: testConfig(), secrets, storage, queueUrl, sqs: aws.sqs.client, now: () => clock, sweepGraceMs: GRACE });
  };

  beforeAll(async () => {
    aws = await startLocalSqs();
    queueUrl = await createQueue(aws.sqs.client, 'sweeper-send');
  });
  afterAll(async () => {
    await aws.close();
    await dynamo?.close();
  });
  beforeEach(() => {
    clock = new Date(clock.getTime() + 3600_000);
    use();
    accepted = [];
  });
  afterEach(async () => {
    for (const id of accepted) {
      if (!(await storage.messages.cancel(id, clock.toISOString())).cancelled)
        await storage.messages.applyStatus(id, 'failed', clock.toISOString());
    }
    await taken();
  });

  it('enqueues a message whose enqueue never happened (the accept handler died), once the grace has passed', async () => {
    const dying = { enqueue: async () => Promise.reject(new Error('the handler died')) } as unknown as SendQueue;
    await expect(accept('kaleyra', dying)).rejects.toThrow('died');
    const [id] = (await storage.messages.list({ account: 'acme-kaleyra', since: clock.toISOString() })).items.map((r) => r.id);
    accepted.push(id!);
    expect((await storage.messages.get(id!))?.status).toBe('queued');

    expect((await sweep(at(GRACE - 1000))).requeuedIds).not.toContain(id);
    const report = await sweep(at(GRACE));
    expect(report.requeuedIds).toContain(id);
    expect(await taken()).toContain(id);
    // Watched until claimed: due again one grace later, and not enqueued twice by one sweep.
    expect((await storage.messages.get(id!))?.dueAt).toBe(at(2 * GRACE).toISOString());
    expect((await sweep(at(GRACE))).requeuedIds).not.toContain(id);
  });

  it('enqueues a message the queue lost (the local queue at a crash), and forgets it once it is sent', async () => {
    const id = await accept('kaleyra');
    await taken(); // the queue loses it
    expect((await sweep(at(GRACE))).requeuedIds).toContain(id);
    expect(await taken()).toEqual([id]);

    // The claim keeps the entry (no index write); the outcome removes it.
    expect(await storage.claims.claim(id, 'token', at(GRACE + 1000).toISOString(), { until: at(GRACE + 31_000).toISOString() })).toBe(true);
    expect((await storage.messages.get(id))?.dueAt).toBeDefined();
    await storage.messages.applyStatus(id, 'accepted', at(GRACE + 2000).toISOString());
    expect((await storage.messages.get(id))?.dueAt).toBeUndefined();
    expect((await sweep(at(10 * GRACE))).requeuedIds).not.toContain(id);
  });

  it('looks at a message for now once, by its creation time: settled, it costs nothing more; lost, it is watched from then on', async () => {
    const settled = await accept('kaleyra');
    const lost = await accept('kaleyra');
    await taken(); // the queue loses both; one of them was sent all the same (its copy was received first)
    expect((await storage.messages.get(settled))?.dueAt).toBeUndefined();
    await storage.claims.claim(settled, 'token', at(1000).toISOString(), { until: at(31_000).toISOString() });
    await storage.messages.applyStatus(settled, 'accepted', at(2000).toISOString());

    const refusing = { enqueue: async (entries: Array<{ message: { id: string } }>) => entries.map((e) => e.message.id) };
    const failed = await sweep(at(GRACE), { queue: refusing as unknown as SendQueue });
    expect(failed.failed).toBe(1);
    // Not enqueued, but not dropped either: a due entry, due now, and the position moved past it.
    expect((await storage.messages.get(lost))?.dueAt).toBe(at(GRACE).toISOString());
    expect((await storage.messages.get(settled))?.dueAt).toBeUndefined();

    const report = await sweep(at(GRACE + 1000));
    expect(report.requeuedIds).toEqual([lost]);
    expect(await taken()).toEqual([lost]);
    expect((await sweep(at(GRACE + 2000))).requeuedIds).toEqual([]);
  });

  it('leaves a running claim alone and makes a claim past its end unknown, never sending it again', async () => {
    const id = await accept('kaleyra');
    await taken();
    const until = at(GRACE + 30_000);
    await storage.claims.claim(id, 'token', at(GRACE - 1000).toISOString(), { until: until.toISOString() });

    const running = await sweep(at(GRACE));
    expect(running.requeuedIds).not.toContain(id);
    expect(running.postponed).toBeGreaterThanOrEqual(1);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'sending', dueAt: new Date(until.getTime() + 1000).toISOString() });

    const stale = await sweep(new Date(until.getTime() + 1000));
    expect(stale.unknown).toBeGreaterThanOrEqual(1);
    const record = await storage.messages.get(id);
    expect(record).toMatchObject({ status: 'unknown', error: { class: 'unknown' } });
    expect(record?.error?.reason).toContain('found by the sweeper');
    expect(record?.dueAt).toBeUndefined();
    expect(await taken()).toEqual([]);
  });

  it('hands a stale claim of a provider with a lookup (LiveChat) back to the sender, which looks it up', async () => {
    const id = await accept('livechat');
    await taken();
    await storage.claims.claim(id, 'token', at(1000).toISOString(), { until: at(31_000).toISOString(), keepPayload: true });
    const report = await sweep(at(GRACE));
    expect(report.requeuedIds).toContain(id);
    expect(await taken()).toEqual([id]);
    // Still sending: only the sender marks it unknown (and asks LiveChat's list whether it went out).
    expect((await storage.messages.get(id))?.status).toBe('sending');
  });

  it('never scans DynamoDB: it queries the sparse due index and the accounts’ messages by creation time, nothing else', async () => {
    dynamo = await startDynamo();
    await ensureMessagesTable(dynamo.client, 'messages');
    use(dynamoDBStorage({ client: dynamo.client, tableName: 'messages' }));
    const commands: Array<{ name: string; index?: string }> = [];
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push({ name: String(context.commandName), index: (args.input as { IndexName?: string }).IndexName });
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const lost = await accept('kaleyra');
      await taken(); // the queue loses it
      const instrumented = dynamoDBStorage({ client, tableName: 'messages' });
      const report = await sweep(at(GRACE), { due: instrumented.due, claims: instrumented.claims });
      expect(report.requeuedIds).toContain(lost);
      expect(commands.some((c) => c.name === 'ScanCommand')).toBe(false);
      const queried = new Set(commands.filter((c) => c.name === 'QueryCommand').map((c) => c.index));
      expect(queried).toEqual(new Set([INDEX.due.name, INDEX.byAccount.name]));
      // The message for now was found by its creation time: its record came with the page (a batch
      // read), not read again; the only single reads are each account's sweep position.
      expect(commands.filter((c) => c.name === 'BatchGetItemCommand').length).toBeGreaterThanOrEqual(1);
      expect(commands.filter((c) => c.name === 'GetItemCommand').length).toBe(2);
      // It now has a due entry (one write), and the position moved past it (one write per account).
      expect((await instrumented.messages.get(lost))?.dueAt).toBe(at(2 * GRACE).toISOString());
      expect(commands.filter((c) => c.name === 'PutItemCommand').length).toBe(2);
    } finally {
      client.destroy();
    }
  });
});
