/**
 * The accept and message API through the real Lambda handlers, behind the local HTTP server,
 * over the in-memory repositories (src/store/memory, held to DynamoDB's contract) and the SQS
 * emulator on loopback.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../src/api/app.ts';
import { apiHandler } from '../../src/functions/api-handler.ts';
import { createApiDeps } from '../../src/functions/runtime.ts';
import { MAX_BODY_BYTES, MAX_MESSAGE_BYTES } from '../../src/messages/limits.ts';
import { startLocalHttp, type LocalHttp } from '../../src/local/http-server.ts';
import { QueueMessage } from '../../src/messages/queue-message.ts';
import { payloadCipher } from '../../src/privacy/payload-cipher.ts';
import { recipientRef } from '../../src/privacy/recipient.ts';
import { SendQueue } from '../../src/queue/send-queue.ts';
import { requeueDue } from '../../src/scheduler/requeue.ts';
import { memoryStorage } from '../../src/store/memory/index.ts';
import { ACCOUNT_SCOPE } from '../../src/store/model.ts';
import { API_KEY, KALEYRA_ONLY_KEY, startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';
import { closedPortUrl } from '../support/provider-harness.ts';

const PHONE = '+919812345678';
const kaleyraRequest = (overrides: Record<string, unknown> = {}) => ({
  provider: 'kaleyra',
  account: 'acme-kaleyra',
  recipient: PHONE,
  content: {
    kind: 'template',
    name: 'lto_template',
    language: 'en_US',
    body: ['Pablo', 'CARIBE25'],
    buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }],
  },
  ...overrides,
});

describe('accept and message API', () => {
  let aws: Awaited<ReturnType<typeof startLocalSqs>>;
  const storage = memoryStorage();
  let http: LocalHttp;
  let deps: ApiDeps;
  let clock = new Date('2026-11-22T10:00:00.000Z');
  const secrets = testSecrets();

  /** What the next request's handler uses: swapped per test for failure injection. */
  let current: () => ApiDeps;

  beforeAll(async () => {
    aws = await startLocalSqs();
    deps = createApiDeps({ config: testConfig(), secrets, storage, queueUrl: aws.queueUrl, sqs: aws.sqs.client, now: () => clock });
    current = () => deps;
    const proxy = (serving: 'accept' | 'status') => {
      const handlers = new Map<ApiDeps, ReturnType<typeof apiHandler>>();
      return (event: Parameters<ReturnType<typeof apiHandler>>[0]) => {
        const d = current();
        if (!handlers.has(d))
          handlers.set(
            d,
            apiHandler(serving, () => d),
          );
        return handlers.get(d)!(event);
      };
    };
    http = await startLocalHttp({ functions: { accept: proxy('accept'), status: proxy('status') } });
  });
  afterAll(async () => {
    await http.close();
    await aws.close();
  });
  beforeEach(async () => {
    current = () => deps;
    clock = new Date(clock.getTime() + 60_000);
    await received(); // drain what earlier tests left on the queue
  });

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${http.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  /** Every message now visible on the send queue (received and deleted). */
  const received = async () => {
    const all: QueueMessage[] = [];
    for (;;) {
      const { Messages = [] } = await aws.sqs.client.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) return all;
      all.push(...Messages.map((m) => QueueMessage.parse(JSON.parse(m.Body!))));
      await aws.sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: aws.queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };

  it('accepts a message: stored queued, enqueued with the normalised request, readable', async () => {
    const response = await call('POST', '/v1/messages', kaleyraRequest({ recipient: '91 98123 45678' }));
    expect(response.status).toBe(202);
    const { id, status } = (await response.json()) as { id: string; status: string };
    expect(status).toBe('queued');
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const [queued] = await received();
    expect(queued).toMatchObject({ v: 1, id, request: { recipient: PHONE, account: 'acme-kaleyra' } });

    const read = await call('GET', `/v1/messages/${id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      id,
      status: 'queued',
      provider: 'kaleyra',
      recipient: '…5678',
      template: 'lto_template',
      history: [{ status: 'queued', at: clock.toISOString() }],
      attempts: 0,
    });
    // Watched by the sweeper by its creation time, without a due entry (no index write now, none when
    // it settles): its sealed body is kept with the record (same write), to enqueue it again if it is
    // not claimed within the grace.
    expect((await storage.messages.get(id))?.dueAt).toBeUndefined();
    expect((await storage.due.getHeld(id))?.sealedPayload).toEqual(expect.any(String));
  });

  it('keeps full phone numbers out of storage: a keyed hash and the last digits only', async () => {
    await call('POST', '/v1/messages', kaleyraRequest());
    const items = storage.tables.items();
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.stringify(items)).not.toContain('9812345678');
  });

  it('refuses an invalid request whole, listing every field and rule', async () => {
    const response = await call('POST', '/v1/messages', {
      messages: [
        kaleyraRequest(),
        kaleyraRequest({ recipient: '12', content: { kind: 'text', text: 'hi' } }),
        kaleyraRequest({ provider: 'gupshup' }),
        { ...kaleyraRequest(), account: 'nobody' },
      ],
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; violations: Array<{ field: string; rule: string }> } };
    expect(error.code).toBe('invalid_request');
    expect(error.violations).toEqual([
      { field: 'messages.1.recipient', rule: 'must be a valid phone number with its country code (E.164), e.g. +14155550123' },
      // The shape error does not hide what the account can tell: Kaleyra sends templates only.
      { field: 'messages.1.content.kind', rule: 'kaleyra cannot send text messages (it sends template)' },
      { field: 'messages.2.provider', rule: 'account acme-kaleyra is a kaleyra account' },
      { field: 'messages.3.account', rule: 'no account nobody is available to this API key' },
    ]);
    expect(await received()).toEqual([]);
  });

  it("refuses content the provider cannot carry and a wrong parameter count from the account's registry", async () => {
    const response = await call('POST', '/v1/messages', {
      messages: [
        {
          provider: 'gupshup',
          account: 'acme-gupshup',
          recipient: PHONE,
          content: { kind: 'template', name: 'order_update', language: 'en', body: ['only one'] },
        },
        { provider: 'loopwave', account: 'acme-loopwave', recipient: PHONE, content: { kind: 'template', name: 'x', language: 'en' } },
      ],
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { violations: Array<{ field: string; rule: string }> } };
    expect(error.violations).toEqual([
      { field: 'messages.0.content.body', rule: 'template "order_update" has 2 body variable(s); 1 given' },
      { field: 'messages.1.content.kind', rule: 'loopwave cannot send template messages (it sends text)' },
    ]);
  });

  it('accepts a batch with one SendMessageBatch, ids in request order', async () => {
    const response = await call('POST', '/v1/messages', {
      messages: [
        kaleyraRequest(),
        kaleyraRequest({ recipient: '+14155550123' }),
        { provider: 'loopwave', account: 'acme-loopwave', recipient: PHONE, content: { kind: 'text', text: 'Hi!' } },
      ],
    });
    expect(response.status).toBe(202);
    const { messages } = (await response.json()) as { messages: Array<{ id: string; status: string }> };
    expect(messages).toHaveLength(3);
    expect([...messages.map((m) => m.id)].sort()).toEqual(messages.map((m) => m.id));
    expect((await received()).map((m) => m.id).sort()).toEqual(messages.map((m) => m.id).sort());
  });

  it('refuses more than 100 messages', async () => {
    const response = await call('POST', '/v1/messages', { messages: Array.from({ length: 101 }, () => kaleyraRequest()) });
    expect(response.status).toBe(400);
  });

  it('replays an Idempotency-Key: same request → the first message; different request → 409', async () => {
    const key = { 'idempotency-key': `order-${clock.getTime()}` };
    const first = await call('POST', '/v1/messages', kaleyraRequest(), key);
    const { id } = (await first.json()) as { id: string };
    const again = await call('POST', '/v1/messages', kaleyraRequest(), key);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(id);
    expect((await received()).map((m) => m.id)).toEqual([id]);

    const conflict = await call('POST', '/v1/messages', kaleyraRequest({ recipient: '+14155550123' }), key);
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('idempotency_conflict');
  });

  it('scopes Idempotency-Keys per account', async () => {
    const key = { 'idempotency-key': `shared-${clock.getTime()}` };
    const a = (await (await call('POST', '/v1/messages', kaleyraRequest(), key)).json()) as { id: string };
    const b = await call(
      'POST',
      '/v1/messages',
      { provider: 'loopwave', account: 'acme-loopwave', recipient: PHONE, content: { kind: 'text', text: 'Hi' } },
      key,
    );
    expect(b.status).toBe(202);
    expect(((await b.json()) as { id: string }).id).not.toBe(a.id);
  });

  it('loses nothing when the enqueue fails: the message is held in the table, due now, sealed', async () => {
    const brokenQueue = new SendQueue(
      new SQSClient({
        region: 'us-east-1',
        endpoint: await closedPortUrl(),
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
      aws.queueUrl,
    );
    current = () => ({ ...deps, queue: brokenQueue });
    const response = await call('POST', '/v1/messages', kaleyraRequest());
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const record = await storage.messages.get(id);
    expect(record).toMatchObject({ status: 'queued', dueAt: clock.toISOString() });
    const sealed = (await storage.due.getHeld(id))?.sealedPayload;
    expect(sealed).toBeDefined();
    expect(QueueMessage.parse(JSON.parse(payloadCipher(secrets.payloadKey).open(sealed!)))).toMatchObject({
      id,
      request: { recipient: PHONE },
    });
  });

  it('finishes a request that failed half-way when the client retries with the same key', async () => {
    let failed = false;
    const flakyMessages = Object.create(storage.messages) as typeof storage.messages;
    flakyMessages.createMany = async (...args) => {
      if (!failed) {
        failed = true;
        throw new Error('store unavailable');
      }
      return storage.messages.createMany(...args);
    };
    current = () => ({ ...deps, messages: flakyMessages });
    const key = { 'idempotency-key': `retry-${clock.getTime()}` };
    const first = await call('POST', '/v1/messages', kaleyraRequest(), key);
    expect(first.status).toBe(503);
    const second = await call('POST', '/v1/messages', kaleyraRequest(), key);
    expect(second.status).toBe(202);
    const { id } = (await second.json()) as { id: string };
    expect((await storage.messages.get(id))?.status).toBe('queued');
    expect((await received()).map((m) => m.id)).toEqual([id]);
  });

  it('delays a near schedule on the queue and holds a far one in the table', async () => {
    const near = new Date(clock.getTime() + 5 * 60_000).toISOString();
    const far = new Date(clock.getTime() + 2 * 24 * 3600_000).toISOString();
    const nearId = (await (await call('POST', '/v1/messages', kaleyraRequest({ scheduleAt: near }))).json()) as {
      id: string;
      status: string;
    };
    expect(nearId.status).toBe('scheduled');
    const farId = (await (await call('POST', '/v1/messages', kaleyraRequest({ scheduleAt: far }))).json()) as { id: string };
    const attributes = await aws.sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: aws.queueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    const held = await storage.messages.get(farId.id);
    expect(held).toMatchObject({ status: 'scheduled', scheduleAt: far, dueAt: new Date(Date.parse(far) - 14 * 60_000).toISOString() });
    // The near one is on the queue, due for the sweeper only once its delay and the grace have passed.
    expect((await storage.messages.get(nearId.id))?.dueAt).toBe(new Date(Date.parse(near) + 120_000).toISOString());
  });

  it('cancels a waiting message once; a second cancel is a conflict', async () => {
    const { id } = (await (await call('POST', '/v1/messages', kaleyraRequest())).json()) as { id: string };
    const cancelled = await call('POST', `/v1/messages/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    const again = await call('POST', `/v1/messages/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain('is cancelled');
  });

  it('lists an account’s messages newest first, by status and time, page by page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock = new Date(clock.getTime() + 1000);
      ids.push(
        (
          (await (
            await call('POST', '/v1/messages', {
              provider: 'loopwave',
              account: 'acme-loopwave',
              recipient: PHONE,
              content: { kind: 'text', text: `n${i}` },
            })
          ).json()) as { id: string }
        ).id,
      );
    }
    await call('POST', `/v1/messages/${ids[1]}/cancel`);
    const page1 = (await (await call('GET', `/v1/messages?account=acme-loopwave&limit=2`)).json()) as {
      messages: Array<{ id: string }>;
      cursor?: string;
    };
    expect(page1.messages.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    const page2 = (await (await call('GET', `/v1/messages?account=acme-loopwave&limit=2&cursor=${page1.cursor}`)).json()) as {
      messages: Array<{ id: string }>;
    };
    expect(page2.messages[0]?.id).toBe(ids[0]);
    const cancelled = (await (await call('GET', '/v1/messages?account=acme-loopwave&status=cancelled')).json()) as {
      messages: Array<{ id: string }>;
    };
    expect(cancelled.messages.map((m) => m.id)).toEqual([ids[1]]);
    const since = new Date(clock.getTime() - 500).toISOString();
    const recent = (await (await call('GET', `/v1/messages?account=acme-loopwave&since=${encodeURIComponent(since)}`)).json()) as {
      messages: Array<{ id: string }>;
    };
    expect(recent.messages.map((m) => m.id)).toEqual([ids[2]]);
    const bad = await call('GET', '/v1/messages?account=acme-loopwave&status=lost&limit=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { violations: Array<{ field: string }> } }).error.violations.map((v) => v.field)).toEqual([
      'status',
      'limit',
    ]);
    // A parameter named like an object's prototype is an unknown parameter too (the fuzz found it answered 200).
    for (const name of ['__proto__', 'constructor']) {
      const unknown = await call('GET', `/v1/messages?account=acme-loopwave&${name}=`);
      expect(unknown.status, name).toBe(400);
      const { error } = (await unknown.json()) as { error: { violations: Array<{ field: string; rule: string }> } };
      expect(error.violations, name).toEqual([expect.objectContaining({ field: '(query)', rule: expect.stringContaining(name) })]);
    }
  });

  it('authenticates every route and keeps other accounts’ messages invisible', async () => {
    expect((await call('POST', '/v1/messages', kaleyraRequest(), { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await fetch(`${http.url}/v1/messages`)).headers.get('www-authenticate')).toBe('Bearer');
    const { id } = (await (
      await call('POST', '/v1/messages', {
        provider: 'loopwave',
        account: 'acme-loopwave',
        recipient: PHONE,
        content: { kind: 'text', text: 'Hi' },
      })
    ).json()) as { id: string };
    const asKaleyraOnly = { authorization: `Bearer ${KALEYRA_ONLY_KEY}` };
    expect((await call('GET', `/v1/messages/${id}`, undefined, asKaleyraOnly)).status).toBe(404);
    expect((await call('POST', `/v1/messages/${id}/cancel`, undefined, asKaleyraOnly)).status).toBe(404);
    const refused = await call(
      'POST',
      '/v1/messages',
      { provider: 'loopwave', account: 'acme-loopwave', recipient: PHONE, content: { kind: 'text', text: 'Hi' } },
      asKaleyraOnly,
    );
    expect(refused.status).toBe(400);
  });

  it('answers unknown routes 404, wrong methods 405, bodies that are not JSON 400/415', async () => {
    expect((await call('GET', '/v2/nothing')).status).toBe(404);
    expect((await call('DELETE', '/v1/messages')).status).toBe(405);
    expect(
      (
        await fetch(`${http.url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: '{"provider":',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await fetch(`${http.url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/plain' },
          body: 'hi',
        })
      ).status,
    ).toBe(415);
  });

  describe('edges: every bad input gets a 4xx naming the field, and nothing is written', () => {
    type Problem = { error: { code: string; message: string; violations?: Array<{ field: string; rule: string }> } };
    /** Every item in storage (records, keys, holds): a refused request must not change it. */
    const itemCount = async () => storage.tables.items().length;
    /** Sends a raw JSON text (so `__proto__` stays an own key, as any client's bytes would). */
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${http.url}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers },
        body,
      });
    /** Runs a request that must be refused: its status and problem, with the table and the queue unchanged. */
    const refused = async (send: () => Promise<Response>) => {
      const before = await itemCount();
      const response = await send();
      const problem = (await response.json()) as Problem;
      expect(await itemCount()).toBe(before);
      expect(await received()).toEqual([]);
      return { status: response.status, ...problem.error };
    };
    const json = (value: unknown) => JSON.stringify(value);
    const withBody = (body: unknown) => kaleyraRequest({ content: { ...kaleyraRequest().content, body } });

    it('refuses metadata keys JavaScript reserves, naming the key (was: constructor → 503, __proto__ silently dropped)', async () => {
      const base = json(kaleyraRequest()).slice(0, -1);
      const ctor = await refused(() => post(`${base},"metadata":{"constructor":"x","order":"A-17"}}`));
      expect(ctor.status).toBe(400);
      const reserved = expect.stringContaining('must not be __proto__, constructor, prototype');
      expect(ctor.violations).toEqual([{ field: 'metadata.constructor', rule: reserved }]);
      const proto = await refused(() => post(`${base},"metadata":{"__proto__":{"isAdmin":"true"}}}`));
      expect(proto.status).toBe(400);
      expect(proto.violations).toEqual([{ field: 'metadata.__proto__', rule: expect.stringContaining('names JavaScript reserves') }]);
      // Other unusual keys are kept verbatim.
      const kept = await post(`${base},"metadata":{"toString":"a","hasOwnProperty":"b","ключ":"c"}}`);
      expect(kept.status).toBe(202);
      const { id } = (await kept.json()) as { id: string };
      const read = (await (await call('GET', `/v1/messages/${id}`)).json()) as { metadata: unknown };
      expect(read.metadata).toEqual({ toString: 'a', hasOwnProperty: 'b', ключ: 'c' });
    });

    it('refuses a message too large to store, naming its largest field (was: 503 and a queued record never sent)', async () => {
      const named = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]));
      const single = await refused(() => call('POST', '/v1/messages', withBody(named)));
      expect(single.status).toBe(400);
      expect(single.violations).toEqual([
        { field: 'content.body', rule: 'must have at most 100 named values' },
        {
          field: 'content.body',
          rule: expect.stringMatching(/^makes the message 1,1\d\d,\d{3} bytes as stored; a message may be at most 40,960/),
        },
      ]);

      // Valid by every field rule (100 values of 1,000 characters), but ~100 KB each.
      const big = withBody(Array.from({ length: 100 }, () => 'x'.repeat(1000)));
      const batch = await refused(() => call('POST', '/v1/messages', { messages: Array.from({ length: 10 }, () => big) }));
      expect(batch.status).toBe(400);
      expect(batch.violations?.map((v) => v.field)).toEqual(Array.from({ length: 10 }, (_, i) => `messages.${i}.content.body`));
      expect(batch.violations?.[0]?.rule).toMatch(/^makes the message 10\d,\d{3} bytes as stored/);
    });

    it('takes a message just under the size limit, and can hold it in the table when the queue refuses it', async () => {
      // Values of 1,024 characters: 39 of them make a message just under 40 KiB, 40 just over.
      const sized = (values: number) => withBody(Array(values).fill('x'.repeat(1024)));
      const over = await refused(() => call('POST', '/v1/messages', sized(40)));
      const limit = expect.stringContaining(`at most ${MAX_MESSAGE_BYTES.toLocaleString('en-US')} bytes`);
      expect(over.violations).toEqual([{ field: 'content.body', rule: limit }]);

      const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
      const unreachable = { region: 'us-east-1', endpoint: await closedPortUrl(), credentials, maxAttempts: 1 };
      const brokenQueue = new SendQueue(new SQSClient(unreachable), aws.queueUrl);
      current = () => ({ ...deps, queue: brokenQueue });
      const response = await call('POST', '/v1/messages', sized(39));
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      const held = await storage.due.getHeld(id);
      expect(held?.record.dueAt).toBe(clock.toISOString());
      const body = payloadCipher(secrets.payloadKey).open(held!.sealedPayload!);
      expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_MESSAGE_BYTES - 1024);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    });

    it('holds the batch envelope to {"messages": [...]}, naming unknown fields (was: scheduleAt ignored, sent at once)', async () => {
      const envelope = { scheduleAt: '2027-01-01T00:00:00Z', messages: [kaleyraRequest()] };
      const scheduled = await refused(() => call('POST', '/v1/messages', envelope));
      expect(scheduled.status).toBe(400);
      const rule = expect.stringMatching(/^unknown field\(s\): scheduleAt; a batch holds only "messages"/);
      expect(scheduled.violations).toEqual([{ field: '(body)', rule }]);
      const others = await refused(() => post(`{"messages":[${json(kaleyraRequest())}],"metadata":{},"__proto__":{"x":1}}`));
      expect(others.violations?.[0]).toEqual({ field: '(body)', rule: expect.stringContaining('unknown field(s): metadata, __proto__') });
      const notAList = await refused(() => call('POST', '/v1/messages', { messages: {} }));
      expect(notAList.violations).toEqual([{ field: 'messages', rule: 'must be a list of 1 to 100 send requests' }]);
    });

    it('reports every problem of a request in one answer: envelope, header, shape, account, capability and registry', async () => {
      const answer = await refused(() =>
        call(
          'POST',
          '/v1/messages',
          {
            priority: 'high',
            messages: [
              {
                provider: 'gupshup',
                account: 'acme-gupshup',
                recipient: '12',
                content: { kind: 'template', name: 'order_update', language: 'en', body: ['only one'] },
              },
              {
                provider: 'loopwave',
                account: 'acme-loopwave',
                recipient: PHONE,
                content: { kind: 'template', name: 'x', language: 'en' },
                metadata: JSON.parse('{"constructor":"x"}'),
              },
              { provider: 'kaleyra', account: 'nobody', recipient: PHONE, content: { kind: 'text', text: '' } },
            ],
          },
          { 'idempotency-key': 'has spaces' },
        ),
      );
      expect(answer.status).toBe(400);
      expect(answer.violations).toEqual([
        { field: '(body)', rule: expect.stringContaining('unknown field(s): priority') },
        { field: 'Idempotency-Key (header)', rule: 'must be 1–255 visible ASCII characters' },
        { field: 'messages.0.recipient', rule: expect.stringContaining('must be a valid phone number') },
        { field: 'messages.0.content.body', rule: 'template "order_update" has 2 body variable(s); 1 given' },
        { field: 'messages.1.metadata.constructor', rule: expect.stringContaining('must not be __proto__') },
        { field: 'messages.1.content.kind', rule: 'loopwave cannot send template messages (it sends text)' },
        { field: 'messages.2.content.text', rule: 'must not be empty' },
        { field: 'messages.2.account', rule: 'no account nobody is available to this API key' },
        { field: 'Idempotency-Key (header)', rule: expect.stringContaining('must address one account') },
      ]);
    });

    it('answers a path with malformed percent-encoding 400, with or without a credential (was: 500)', async () => {
      const message = await call('GET', '/v1/messages/%E0%A4%A');
      expect(message.status).toBe(400);
      expect(((await message.json()) as Problem).error.code).toBe('invalid_path');
      const webhook = await fetch(`${http.url}/v1/webhooks/kaleyra/%`, { method: 'POST', body: '{}' });
      expect(webhook.status).toBe(400);
      expect(((await webhook.json()) as Problem).error.code).toBe('invalid_path');
    });

    it('refuses made-up, tampered, foreign and re-scoped list cursors with 400 on "cursor" (was: 503)', async () => {
      for (let i = 0; i < 3; i++) {
        clock = new Date(clock.getTime() + 1000);
        await call('POST', '/v1/messages', kaleyraRequest());
      }
      await received();
      const page = (await (await call('GET', '/v1/messages?account=acme-kaleyra&limit=1')).json()) as { cursor: string };
      expect(page.cursor).toBeDefined();
      const listing = (query: string, headers: Record<string, string> = {}) =>
        refused(() => call('GET', `/v1/messages?${query}`, undefined, headers));
      const flip = (cursor: string, i: number) => `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;
      // What the API used to hand out: the store's key, unsigned.
      const oldFormat = Buffer.from(json({ pk: 'M#01KAKXQ0000000000000000000', sk: 'M', account: 'acme-kaleyra', created: 'zzz' }));
      const cases: Array<[string, string, Record<string, string>?]> = [
        ['made up', `account=acme-kaleyra&cursor=${oldFormat.toString('base64url')}`],
        ['garbage', 'account=acme-kaleyra&cursor=%25%25not-a-cursor'],
        ['tampered position', `account=acme-kaleyra&cursor=${flip(page.cursor, 3)}`],
        ['tampered tag', `account=acme-kaleyra&cursor=${flip(page.cursor, page.cursor.length - 3)}`],
        ['another account', `account=acme-loopwave&cursor=${page.cursor}`],
        ['other filters', `account=acme-kaleyra&status=queued&cursor=${page.cursor}`],
        ['another API key', `account=acme-kaleyra&cursor=${page.cursor}`, { authorization: `Bearer ${KALEYRA_ONLY_KEY}` }],
      ];
      for (const [name, query, headers] of cases) {
        const answer = await listing(query, headers);
        expect(answer.status, name).toBe(400);
        expect(answer.violations, name).toEqual([{ field: 'cursor', rule: expect.stringContaining('is not valid') }]);
      }
      // The cursor itself still works where it belongs.
      expect((await call('GET', `/v1/messages?account=acme-kaleyra&limit=1&cursor=${page.cursor}`)).status).toBe(200);
    });

    it('refuses list and operator queries DynamoDB would refuse (reversed range, oversized keys) with 400, not 503', async () => {
      const range = 'since=2026-12-01T00:00:00Z&until=2026-11-01T00:00:00Z';
      const reversed = await refused(() => call('GET', `/v1/messages?account=acme-kaleyra&${range}`));
      expect(reversed.violations).toEqual([{ field: 'until', rule: 'must not be before since' }]);
      const longAccount = await refused(() => call('GET', `/v1/messages?account=${'a'.repeat(3000)}`));
      expect(longAccount.violations?.map((v) => v.field)).toEqual(['account']);
      const longTemplate = await refused(() => call('DELETE', `/v1/pauses/acme-kaleyra?template=${'t'.repeat(2000)}`));
      expect(longTemplate.status).toBe(400);
      expect(longTemplate.violations?.map((v) => v.field)).toEqual(['template']);
    });

    it('answers a body above our cap 413 naming the limit, through the local server and on the Lambda path alone', async () => {
      const oversized = `{"messages":[${'"x",'.repeat(Math.ceil(MAX_BODY_BYTES / 4))}"x"]}`;
      const answer = await refused(() => post(oversized));
      expect(answer.status).toBe(413);
      expect(answer.code).toBe('payload_too_large');
      const limit = expect.stringContaining(`must be at most ${MAX_BODY_BYTES.toLocaleString('en-US')} bytes`);
      expect(answer.violations).toEqual([{ field: '(body)', rule: limit }]);

      // What API Gateway would hand the function: the handler enforces the cap itself.
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/v1/messages',
        rawQueryString: '',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path: '/v1/messages' } },
        body: oversized,
        isBase64Encoded: false,
      } as unknown as Parameters<ReturnType<typeof apiHandler>>[0];
      const before = await itemCount();
      const result = await apiHandler('accept', () => deps)(event);
      expect(result.statusCode).toBe(413);
      expect(await itemCount()).toBe(before);
    });
  });

  describe('the sweeper (scheduled re-enqueue)', () => {
    // (Messages of earlier tests, never claimed here, are due too: assertions look at this test's ids.)
    const requeue = (at: Date) =>
      requeueDue({ due: storage.due, claims: storage.claims, queue: deps.queue, cipher: payloadCipher(secrets.payloadKey), now: () => at });

    it('puts a message whose enqueue failed back on the queue, once', async () => {
      const brokenQueue = new SendQueue(
        new SQSClient({
          region: 'us-east-1',
          endpoint: await closedPortUrl(),
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
          maxAttempts: 1,
        }),
        aws.queueUrl,
      );
      current = () => ({ ...deps, queue: brokenQueue });
      const { id } = (await (await call('POST', '/v1/messages', kaleyraRequest())).json()) as { id: string };
      current = () => deps;
      const report = await requeue(clock);
      expect(report.failed).toBe(0);
      expect(report.requeuedIds).toContain(id);
      expect((await received()).map((m) => m.id)).toContain(id);
      // Still watched until claimed: due again after the grace, not before.
      expect((await storage.messages.get(id))?.dueAt).toBe(new Date(clock.getTime() + 120_000).toISOString());
      expect((await requeue(clock)).requeuedIds).not.toContain(id);
    });

    it('puts a far schedule on the queue 14 minutes ahead, with the rest as SQS delay', async () => {
      const far = new Date(clock.getTime() + 3 * 3600_000);
      const { id } = (await (await call('POST', '/v1/messages', kaleyraRequest({ scheduleAt: far.toISOString() }))).json()) as {
        id: string;
      };
      expect((await requeue(new Date(far.getTime() - 20 * 60_000))).requeuedIds).not.toContain(id);
      expect((await requeue(new Date(far.getTime() - 14 * 60_000))).requeuedIds).toContain(id);
      expect((await storage.messages.get(id))?.status).toBe('scheduled');
      const attributes = await aws.sqs.client.send(
        new GetQueueAttributesCommand({ QueueUrl: aws.queueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
      );
      expect(Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed)).toBeGreaterThanOrEqual(1);
    });

    it('drops the hold of a message cancelled meanwhile without enqueuing it', async () => {
      const far = new Date(clock.getTime() + 3 * 3600_000);
      const { id } = (await (await call('POST', '/v1/messages', kaleyraRequest({ scheduleAt: far.toISOString() }))).json()) as {
        id: string;
      };
      expect((await call('POST', `/v1/messages/${id}/cancel`)).status).toBe(200);
      const report = await requeue(new Date(far.getTime()));
      expect(report.requeuedIds).not.toContain(id);
      expect((await storage.messages.get(id))?.dueAt).toBeUndefined();
    });
  });

  describe('operator routes', () => {
    it('lists and lifts a pause', async () => {
      await storage.pauses.set('acme-kaleyra', ACCOUNT_SCOPE, { reason: 'low balance', code: 'E110', since: clock.toISOString() });
      const listed = (await (await call('GET', '/v1/pauses?account=acme-kaleyra')).json()) as {
        pauses: Array<{ scope: string; code: string }>;
      };
      expect(listed.pauses).toEqual([
        expect.objectContaining({ account: 'acme-kaleyra', scope: '*', code: 'E110', reason: 'low balance' }),
      ]);
      expect((await call('DELETE', '/v1/pauses/acme-kaleyra')).status).toBe(200);
      expect((await call('DELETE', '/v1/pauses/acme-kaleyra')).status).toBe(404);
      expect(((await (await call('GET', '/v1/pauses?account=acme-kaleyra')).json()) as { pauses: unknown[] }).pauses).toEqual([]);
    });

    it('resolves an unknown message by hand, and only an unknown one', async () => {
      const { id } = (await (await call('POST', '/v1/messages', kaleyraRequest())).json()) as { id: string };
      expect((await call('POST', `/v1/messages/${id}/resolve`, { status: 'sent' })).status).toBe(409);
      await storage.claims.claim(id, 'token', clock.toISOString());
      await storage.claims.markUnknown(id, clock.toISOString(), 'lost', 'token');
      const bad = await call('POST', `/v1/messages/${id}/resolve`, { status: 'delivered' });
      expect(bad.status).toBe(400);
      const resolved = await call('POST', `/v1/messages/${id}/resolve`, { status: 'failed', note: 'not in the provider console' });
      expect(resolved.status).toBe(200);
      expect(await resolved.json()).toMatchObject({
        status: 'failed',
        lastError: { class: 'operator', reason: 'resolved by all: not in the provider console' },
      });
    });

    it('removes an opt-out suppression', async () => {
      await storage.suppressions.add('acme-kaleyra', recipientRef(secrets.recipientHashKey, PHONE).hash, {
        reason: 'STOP',
        since: clock.toISOString(),
      });
      expect((await call('DELETE', `/v1/suppressions/acme-kaleyra/${encodeURIComponent(PHONE)}`)).status).toBe(200);
      expect(await storage.suppressions.get('acme-kaleyra', recipientRef(secrets.recipientHashKey, PHONE).hash)).toBeUndefined();
      expect((await call('DELETE', `/v1/suppressions/acme-kaleyra/${encodeURIComponent(PHONE)}`)).status).toBe(404);
      expect((await call('DELETE', '/v1/suppressions/acme-kaleyra/12')).status).toBe(400);
    });
  });
});
