/** The local SQS event source mapping against local-aws-sqs on loopback. */
import { spawn } from 'node:child_process';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest';
import { createQueue, startSqs, type LocalService } from './aws.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startEventSourceMapping, type EventSourceMappingOptions } from './event-source-mapping.ts';

let sqs: LocalService<SQSClient>;
let queues = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  sqs = await startSqs();
});
afterAll(async () => {
  await sqs.close();
});

async function queue(options: Parameters<typeof createQueue>[2] = {}) {
  const name = `esm-test-${++queues}`;
  const url = await createQueue(sqs.client, name, options);
  return { url, arn: `arn:aws:sqs:us-east-1:123456789012:${name}` };
}

async function send(url: string, bodies: string[], attributes?: Record<string, MessageAttributeValue>) {
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies
      .slice(i, i + 10)
      .map((body, j) => ({ Id: `m${i + j}`, MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) }));
    const { Failed = [] } = await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(Failed).toEqual([]);
  }
}

async function messagesIn(url: string): Promise<number> {
  const { Attributes = {} } = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

/** Starts a mapping with short timeouts, stopped when the test ends; records every delivery and reported error. */
function start(
  test: TestContext,
  target: { url: string; arn: string },
  handler: EventSourceMappingOptions['handler'],
  options: Partial<EventSourceMappingOptions> = {},
) {
  const deliveries: SQSRecord[] = [];
  const errors: unknown[] = [];
  const mapping = startEventSourceMapping({
    sqs: sqs.client,
    queueUrl: target.url,
    queueArn: target.arn,
    visibilityTimeoutS: 1,
    waitTimeS: 0,
    onError: (error) => errors.push(error),
    ...options,
    handler: (event, context) => {
      deliveries.push(...event.Records);
      return handler(event, context);
    },
  });
  test.onTestFinished(() => mapping.stop());
  const count = (body: string) => deliveries.filter((record) => record.body === body).length;
  return { mapping, deliveries, errors, count };
}

const bodies = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

// Concurrent: each test has its own queues and mapping, and most of the time is visibility timeouts.
describe.concurrent('local SQS event source mapping', () => {
  it('delivers every message once, as a Lambda SQS event, and deletes it', async (test) => {
    const target = await queue();
    await send(target.url, bodies('ok', 25), {
      tenant: { DataType: 'String', StringValue: 'acme' },
      raw: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
    });
    const run = start(test, target, async () => {});
    await run.mapping.idle();
    expect(run.deliveries.map((record) => record.body).sort()).toEqual(bodies('ok', 25).sort());
    expect(run.errors).toEqual([]);
    expect(await messagesIn(target.url)).toBe(0);
    const record = run.deliveries[0]!;
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: target.arn,
      awsRegion: 'us-east-1',
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(record.attributes).toMatchObject({
      ApproximateReceiveCount: '1',
      SenderId: expect.any(String),
      SentTimestamp: expect.stringMatching(/^\d+$/),
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
    });
    expect(record.messageAttributes).toEqual({
      tenant: { stringValue: 'acme', stringListValues: [], binaryListValues: [], dataType: 'String' },
      raw: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
  });

  it('redelivers only the records listed in batchItemFailures', async (test) => {
    const target = await queue();
    await send(target.url, [...bodies('good', 4), ...bodies('bad', 2)]);
    const run = start(test, target, async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body.startsWith('bad') && r.attributes.ApproximateReceiveCount === '1').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    }));
    await run.mapping.idle();
    for (const body of bodies('good', 4)) expect(run.count(body)).toBe(1);
    for (const body of bodies('bad', 2)) expect(run.count(body)).toBe(2);
    expect(
      run.deliveries
        .filter((r) => r.body.startsWith('bad'))
        .map((r) => r.attributes.ApproximateReceiveCount)
        .sort(),
    ).toEqual(['1', '1', '2', '2']);
    expect(await messagesIn(target.url)).toBe(0);
  });

  it('redelivers the whole batch when the handler throws', async (test) => {
    const target = await queue();
    await send(target.url, bodies('t', 3));
    const run = start(
      test,
      target,
      async (event) => {
        if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1')) throw new Error('boom');
      },
      { maximumConcurrency: 1 },
    );
    await run.mapping.idle();
    for (const body of bodies('t', 3)) expect(run.count(body)).toBe(2);
    expect(run.errors).toEqual([new Error('boom')]);
  });

  it('fails the whole batch when the response names a message that is not in it', async (test) => {
    const target = await queue();
    await send(target.url, bodies('u', 3));
    const run = start(
      test,
      target,
      async (event) =>
        event.Records[0]!.attributes.ApproximateReceiveCount === '1'
          ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }
          : undefined,
      {
        maximumConcurrency: 1,
      },
    );
    await run.mapping.idle();
    for (const body of bodies('u', 3)) expect(run.count(body)).toBe(2);
    expect(String(run.errors[0])).toMatch(/not-in-batch/);
  });

  it('ignores the response without reportBatchItemFailures', async (test) => {
    const target = await queue();
    await send(target.url, bodies('i', 3));
    const run = start(test, target, async (event) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) }), {
      reportBatchItemFailures: false,
    });
    await run.mapping.idle();
    for (const body of bodies('i', 3)) expect(run.count(body)).toBe(1);
  });

  it('leaves a record that always fails to the queue redrive: DLQ after maxReceiveCount', async (test) => {
    const dlq = await queue();
    const target = await queue({ deadLetterArn: dlq.arn, maxReceiveCount: 2 });
    await send(target.url, ['poison', 'fine']);
    const run = start(test, target, async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await run.mapping.idle();
    expect(run.count('poison')).toBe(2);
    expect(run.count('fine')).toBe(1);
    expect(await messagesIn(target.url)).toBe(0);
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(['poison']);
  });

  it('never has more than maximumConcurrency invocations in flight', async (test) => {
    const target = await queue();
    await send(target.url, bodies('c', 12));
    let inFlight = 0;
    let peak = 0;
    const run = start(
      test,
      target,
      async () => {
        peak = Math.max(peak, ++inFlight);
        await sleep(150);
        inFlight -= 1;
      },
      { batchSize: 1, maximumConcurrency: 3 },
    );
    await run.mapping.idle();
    expect(run.mapping.invocations).toBe(12);
    expect(peak).toBe(3);
  });

  it('gathers a batch over 10 within its batching window, and deletes it in tens', async (test) => {
    const target = await queue();
    await send(target.url, bodies('w', 25));
    const sizes: number[] = [];
    const run = start(
      test,
      target,
      async (event) => {
        sizes.push(event.Records.length);
      },
      // A visibility timeout longer than the window, as deployed: a message waits hidden while the batch gathers.
      { batchSize: 25, maximumBatchingWindowS: 1, maximumConcurrency: 1, visibilityTimeoutS: 30 },
    );
    await run.mapping.idle();
    // Every message once, in batches of more than SQS's 10 a receive, and none comes back.
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(25);
    expect(Math.max(...sizes)).toBeGreaterThan(10);
    for (const body of bodies('w', 25)) expect(run.count(body)).toBe(1);
    expect(await messagesIn(target.url)).toBe(0);
    expect(run.errors).toEqual([]);
  });

  it('refuses a batch over 10 without a batching window, as Lambda does', async () => {
    const target = await queue();
    const options = { sqs: sqs.client, queueUrl: target.url, queueArn: target.arn, handler: async () => {} };
    expect(() => startEventSourceMapping({ ...options, batchSize: 11 })).toThrow(/batchSize 11: over 10 needs maximumBatchingWindowS ≥ 1/);
    expect(() => startEventSourceMapping({ ...options, batchSize: 10_001, maximumBatchingWindowS: 1 })).toThrow(/batchSize 10001/);
    expect(() => startEventSourceMapping({ ...options, maximumBatchingWindowS: 301 })).toThrow(/maximumBatchingWindowS 301/);
  });

  it('with rampUp, starts five invocations and adds one per 200 ms while all are busy', async (test) => {
    // A clock moved by hand: the ramp's steps come only when the test says so.
    let now = 0;
    const timers: Array<{ at: number; fire: () => void; cancelled: boolean }> = [];
    const clock = {
      now: () => now,
      timer(ms: number) {
        const entry = { at: now + ms, fire: () => {}, cancelled: false };
        const done = new Promise<void>((resolve) => {
          entry.fire = resolve;
        });
        timers.push(entry);
        return { done, cancel: () => void (entry.cancelled = true) };
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const entry of timers.filter((t) => !t.cancelled && t.at <= now)) {
        entry.cancelled = true;
        entry.fire();
      }
    };
    const target = await queue();
    await send(target.url, bodies('r', 20));
    let inFlight = 0;
    let open = false;
    const release: Array<() => void> = [];
    const run = start(
      test,
      target,
      () =>
        open
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              inFlight += 1;
              release.push(() => {
                inFlight -= 1;
                resolve();
              });
            }),
      { batchSize: 1, maximumConcurrency: 8, rampUp: true, clock, visibilityTimeoutS: 60 },
    );
    await vi.waitFor(() => expect(inFlight).toBe(5));
    // No step without time: still five.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(5);
    for (const expected of [6, 7, 8]) {
      advance(200);
      await vi.waitFor(() => expect(inFlight).toBe(expected));
    }
    advance(200);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(8); // the cap
    open = true;
    while (release.length > 0) release.shift()!();
    await run.mapping.idle();
    expect(run.deliveries).toHaveLength(20);
    expect(run.errors).toEqual([]);
  });

  it('fails an invocation that outlives functionTimeoutMs as a whole, and counts the context down', async (test) => {
    const target = await queue();
    await send(target.url, bodies('slow', 2));
    const remaining: number[] = [];
    const run = start(
      test,
      target,
      async (event, context) => {
        remaining.push(context.getRemainingTimeInMillis());
        if (event.Records[0]!.attributes.ApproximateReceiveCount === '1') await sleep(700); // then succeeds, too late
      },
      { functionTimeoutMs: 300, maximumConcurrency: 1 },
    );
    await run.mapping.idle();
    for (const body of bodies('slow', 2)) expect(run.count(body)).toBe(2);
    expect(String(run.errors[0])).toMatch(/timed out after 300 ms/);
    expect(remaining[0]).toBeGreaterThan(200);
    expect(remaining[0]).toBeLessThanOrEqual(300);
  });

  it('stop() waits for the invocation in flight, stops polling and leaves no handle open', async () => {
    // In a child process: it only exits on its own if nothing (timer, socket, poll loop) is left.
    const script = `
      import { SendMessageCommand } from '@aws-sdk/client-sqs';
      import { createQueue, startSqs } from ${JSON.stringify(new URL('./aws.ts', import.meta.url).href)};
      import { startEventSourceMapping } from ${JSON.stringify(new URL('./event-source-mapping.ts', import.meta.url).href)};
      const sqs = await startSqs();
      const url = await createQueue(sqs.client, 'handles');
      const log = [];
      let started;
      const first = new Promise((resolve) => (started = resolve));
      const mapping = startEventSourceMapping({ sqs: sqs.client, queueUrl: url, queueArn: 'arn:aws:sqs:us-east-1:123456789012:handles', handler: async () => {
        log.push('start'); started(); await new Promise((resolve) => setTimeout(resolve, 300)); log.push('end');
      } });
      await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
      await first;
      await mapping.stop();
      log.push('stopped');
      await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sqs.close();
      console.log(JSON.stringify({ log, invocations: mapping.invocations }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const killer = setTimeout(() => child.kill(), 8_000);
    const code = await new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? signal)));
    clearTimeout(killer);
    expect(code, err).toBe(0);
    expect(JSON.parse(out)).toEqual({ log: ['start', 'end', 'stopped'], invocations: 1 });
  });
});
