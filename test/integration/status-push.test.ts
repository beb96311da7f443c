/**
 * The README promises callers every status change of a pushing account. Changes made through the
 * API — a cancel, an operator's resolve — are pushed like the sender's and the callbacks': through
 * the status function's handler, over the in-memory repositories and the SQS emulator on loopback.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiHandler } from '../../src/functions/api-handler.ts';
import { createApiDeps } from '../../src/functions/runtime.ts';
import { createQueue } from '../../src/local/aws.ts';
import { PipelineConfig } from '../../src/config/pipeline.ts';
import { StatusPush } from '../../src/push/push.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import { API_KEY, startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';

const request = (method: string, path: string, body?: unknown): APIGatewayProxyEventV2 =>
  ({
    rawPath: path,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    requestContext: { http: { method } },
    ...(body !== undefined ? { body: JSON.stringify(body), isBase64Encoded: false } : {}),
  }) as unknown as APIGatewayProxyEventV2;

describe('status changes made through the API are pushed', () => {
  let aws: Awaited<ReturnType<typeof startLocalSqs>>;
  let pushQueueUrl: string;
  let accept: ReturnType<typeof apiHandler>;
  let status: ReturnType<typeof apiHandler>;
  let deps: ReturnType<typeof createApiDeps>;
  const clock = new Date('2026-11-22T10:00:00.000Z');
  const storage = memoryStorage();

  beforeAll(async () => {
    aws = await startLocalSqs();
    pushQueueUrl = await createQueue(aws.sqs.client, 'push');
    const base = testConfig();
    // One account pushes to its caller; the others do not.
    const config = PipelineConfig.parse({
      ...base,
      accounts: base.accounts.map((a) => (a.id === 'acme-kaleyra' ? { ...a, push: { url: 'https://caller.example.com/hooks' } } : a)),
    });
    deps = createApiDeps({
      config,
      secrets: testSecrets(),
      storage,
      queueUrl: aws.queueUrl,
      pushQueueUrl,
      sqs: aws.sqs.client,
      now: () => clock,
    });
    accept = apiHandler('accept', () => deps);
    status = apiHandler('status', () => deps);
  });
  afterAll(() => aws.close());
  beforeEach(async () => {
    await pushed();
  });

  /** Every push now on the push queue (received and deleted). */
  const pushed = async () => {
    const all: StatusPush[] = [];
    for (;;) {
      const { Messages = [] } = await aws.sqs.client.send(new ReceiveMessageCommand({ QueueUrl: pushQueueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) return all;
      all.push(...Messages.map((m) => StatusPush.parse(JSON.parse(m.Body!))));
      await aws.sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: pushQueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  const send = async (account: string, provider: string) => {
    const content =
      provider === 'kaleyra'
        ? { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo'] }
        : { kind: 'template', name: 'order_update', language: 'en', body: ['a', 'b'] };
    const answer = await accept(
      request('POST', '/v1/messages', {
        provider,
        account,
        recipient: '+919812345678',
        content,
        scheduleAt: '2026-11-23T10:00:00Z',
        metadata: { order: '42' },
      }),
    );
    expect(answer.statusCode).toBe(202);
    return (JSON.parse(String(answer.body)) as { id: string }).id;
  };

  it('pushes a cancel, with the message’s metadata', async () => {
    const id = await send('acme-kaleyra', 'kaleyra');
    expect((await status(request('POST', `/v1/messages/${id}/cancel`))).statusCode).toBe(200);
    expect(await pushed()).toEqual([
      { v: 1, id, account: 'acme-kaleyra', provider: 'kaleyra', status: 'cancelled', at: clock.toISOString(), metadata: { order: '42' } },
    ]);
    // A refused second cancel changes nothing, so pushes nothing.
    expect((await status(request('POST', `/v1/messages/${id}/cancel`))).statusCode).toBe(409);
    expect(await pushed()).toEqual([]);
  });

  it('pushes an operator’s resolve, with the operator’s reason on a failure', async () => {
    const id = await send('acme-kaleyra', 'kaleyra');
    await storage.claims.claim(id, 'token', clock.toISOString());
    await storage.claims.markUnknown(id, clock.toISOString(), 'lost', 'token');
    expect((await status(request('POST', `/v1/messages/${id}/resolve`, { status: 'failed', note: 'not in the console' }))).statusCode).toBe(
      200,
    );
    expect(await pushed()).toEqual([
      {
        v: 1,
        id,
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        status: 'failed',
        at: clock.toISOString(),
        error: { class: 'operator', reason: 'resolved by all: not in the console' },
        metadata: { order: '42' },
      },
    ]);
  });

  it('pushes nothing for an account without push', async () => {
    const id = await send('acme-gupshup', 'gupshup');
    expect((await status(request('POST', `/v1/messages/${id}/cancel`))).statusCode).toBe(200);
    expect(await pushed()).toEqual([]);
  });
});
