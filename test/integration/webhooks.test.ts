/**
 * The status path end to end on loopback: a message accepted and sent through the real sender to
 * a provider mock, then reported by callbacks signed (or tokened) as the provider does, posted to
 * the real webhook handler behind the local HTTP server, in any order and repetition; and the
 * caller push, verified with the standardwebhooks library.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessages } from '../../src/api/accept.ts';
import type { ApiDeps } from '../../src/api/app.ts';
import { AccountConfig } from '../../src/config/accounts.ts';
import { PipelineConfig, PipelineSecrets } from '../../src/config/pipeline.ts';
import { createPushDeps, pushHandler } from '../../src/functions/push.ts';
import { createApiDeps, type RuntimeEnvironment } from '../../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../../src/functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../../src/functions/webhook.ts';
import type { WebhookDeps } from '../../src/webhooks/app.ts';
import { createQueue } from '../../src/local/aws.ts';
import { startEventSourceMapping, type SqsHandler } from '../../src/local/event-source-mapping.ts';
import { startLocalHttp, type LocalHttp } from '../../src/local/http-server.ts';
import { providerCallback } from '../../src/local/simulator.ts';
import { startProviderMock, type ProviderMock } from '../../src/mock/provider-mock.ts';
import { CALLING_BACK_PROVIDERS, reportsOf, sendsCallbacks, type CallingBackProvider } from '../../src/providers/index.ts';
import { byProvider, PROVIDERS, type ProviderName } from '../../src/providers/names.ts';
import type { SenderDeps } from '../../src/sender/sender.ts';
import { silentLog, sinkLog } from '../../src/runtime/log.ts';
import { memoryStorage, MemoryTables, type MemoryStorage } from '../../src/store/memory/index.ts';
import type { MessageRepository } from '../../src/store/repositories.ts';
import { startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';
import { FIXTURES } from '../support/providers.ts';
import { forward } from '../support/forward.ts';

const PHONE = '+919812345678';
const DIGITS = PHONE.slice(1);
const LIVECHAT_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const OLD_LIVECHAT_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const LOOPWAVE_SECRET = randomBytes(24).toString('hex');
const TOKEN = randomBytes(24).toString('base64url');
const PUSH_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
/** A second tenant per provider (`beta-<provider>`), with its own secrets, for the cross-account tests. */
const BETA_LIVECHAT_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const BETA_LOOPWAVE_SECRET = randomBytes(24).toString('hex');
const BETA_TOKEN = randomBytes(24).toString('base64url');
/** The providers that call back (their modules have a webhook side). */
const WITH_CALLBACKS = CALLING_BACK_PROVIDERS;
/** Each calling-back provider's webhook secret, per tenant (a provider added to the list fails to compile here). */
const SECRETS: Record<'acme' | 'beta', Record<CallingBackProvider, string>> = {
  acme: { livechat: LIVECHAT_SECRET, loopwave: LOOPWAVE_SECRET, gupshup: TOKEN, kaleyra: TOKEN },
  beta: { livechat: BETA_LIVECHAT_SECRET, loopwave: BETA_LOOPWAVE_SECRET, gupshup: BETA_TOKEN, kaleyra: BETA_TOKEN },
};

/** Callback times: seconds after this file started, so they follow the sends they report. */
const BASE = Math.floor(Date.now() / 1000);

/** Each provider's fixture message (src/providers/<name>/fixtures.ts). */
const CONTENT: Record<ProviderName, unknown> = byProvider((provider) => FIXTURES[provider].content);

let aws: Awaited<ReturnType<typeof startLocalSqs>>;
/** The pipeline's storage, in memory; each function gets its own repositories over it, as each Lambda function has. */
const tables = new MemoryTables();
const storage: MemoryStorage = memoryStorage(tables);
let http: LocalHttp;
let caller: { server: Server; url: string; received: Array<{ headers: Record<string, string>; body: string }>; failNext: number };
const mocks = new Map<ProviderName, ProviderMock>();
let api: ApiDeps;
let sender: SenderDeps;
let webhooks: WebhookDeps;
let sendQueue: { url: string; arn: string };
let pushQueue: { url: string; arn: string; dlq: string };
const clock = () => new Date();
/** What the webhook function logged. */
const logs: Array<Record<string, unknown>> = [];
let pushDeps: ReturnType<typeof createPushDeps>;

async function drain(handler: SqsHandler, queue: { url: string; arn: string }) {
  const esm = startEventSourceMapping({
    sqs: aws.sqs.client,
    queueUrl: queue.url,
    queueArn: queue.arn,
    handler,
    maximumConcurrency: 1,
    visibilityTimeoutS: 1,
    waitTimeS: 0.2,
    onError: () => {},
  });
  try {
    await esm.idle();
  } finally {
    await esm.stop();
  }
}

async function sendOne(provider: ProviderName, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await acceptMessages(
    {
      principal: { keyId: 'all', accounts: '*' },
      body: { provider, account: `acme-${provider}`, recipient: PHONE, content: CONTENT[provider], ...extra },
    },
    api,
  );
  const { id } = JSON.parse(response.body) as { id: string };
  await drain(
    senderHandler(() => sender),
    sendQueue,
  );
  return id;
}

function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(`${http.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** Posts a callback with a bound on the wait: one that never answers fails its test instead of hanging the suite. */
function postBounded(c: { path: string; body: string; headers: Record<string, string> }) {
  return fetch(`${http.url}${c.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...c.headers },
    body: c.body,
    signal: AbortSignal.timeout(20_000),
  });
}

/** Cross-account callbacks the webhook counted on `account` (its log field). */
function crossCounted(account: string): number {
  return logs
    .filter((entry) => entry.account === account && entry.message === 'webhook applied')
    .reduce((sum, entry) => sum + Number(entry.cross_account_callback), 0);
}

/** Counts `applyStatus` calls per `<message id>:<status>` on a function's message repository, until the returned function restores it. */
function countWrites(messages: Partial<Pick<MessageRepository, 'applyStatus'>> & Pick<MessageRepository, 'applyScoped'>, writes: string[]) {
  const original = { applyStatus: messages.applyStatus, applyScoped: messages.applyScoped };
  const status = original.applyStatus;
  if (status) {
    messages.applyStatus = function (this: typeof messages, id, next, ...rest) {
      writes.push(`${id}:${next}`);
      return status.call(this, id, next, ...rest);
    };
  }
  // Status callbacks are applied with the scoped write.
  messages.applyScoped = function (this: typeof messages, id, next, ...rest) {
    writes.push(`${id}:${next}`);
    return original.applyScoped.call(this, id, next, ...rest);
  };
  return (): void => {
    Object.assign(messages, original);
  };
}

/** A callback as each provider sends it (the local stack's simulator builds it), for `status` of the message the provider calls `pmid`. */
function callback(
  provider: CallingBackProvider,
  status: string,
  ids: { pmid: string; ours: string },
  second: number,
  to = DIGITS,
  tenant: 'acme' | 'beta' = 'acme',
): { path: string; body: string; headers: Record<string, string> } {
  const secret = SECRETS[tenant][provider];
  const built = providerCallback(provider, {
    status,
    providerMessageId: ids.pmid,
    ...(ids.ours ? { messageId: ids.ours } : {}),
    recipient: to,
    at: BASE + second,
    secret,
  });
  return { path: `/v1/webhooks/${provider}/${tenant}-${provider}${built.pathSuffix}`, body: built.body, headers: built.headers };
}

const at = (second: number) => new Date((BASE + second) * 1000).toISOString();

describe('status callbacks', () => {
  beforeAll(async () => {
    aws = await startLocalSqs();
    for (const provider of WITH_CALLBACKS) mocks.set(provider, await startProviderMock(provider));
    caller = await startCaller();
    const base = testConfig(Object.fromEntries([...mocks].map(([p, m]) => [p, m.url])));
    const config = PipelineConfig.parse({
      ...base,
      accounts: [
        ...base.accounts,
        ...base.accounts
          .filter((a) => (WITH_CALLBACKS as readonly string[]).includes(a.provider))
          .map((a) => ({ ...a, id: a.id.replace('acme-', 'beta-') })),
      ].map((a) =>
        AccountConfig.parse({ ...a, limits: { recipientGapMs: 0 }, ...(a.id === 'acme-kaleyra' ? { push: { url: caller.url } } : {}) }),
      ),
    });
    const baseSecrets = testSecrets();
    const secrets = PipelineSecrets.parse({
      ...baseSecrets,
      credentials: {
        ...baseSecrets.credentials,
        ...Object.fromEntries(WITH_CALLBACKS.map((p) => [`beta-${p}`, baseSecrets.credentials[`acme-${p}`]])),
      },
      webhookSecrets: {
        ...Object.fromEntries(WITH_CALLBACKS.flatMap((p) => (['acme', 'beta'] as const).map((t) => [`${t}-${p}`, [SECRETS[t][p]]]))),
        'acme-livechat': [LIVECHAT_SECRET, OLD_LIVECHAT_SECRET],
      },
      pushSecrets: { 'acme-kaleyra': PUSH_SECRET },
    });
    const dlq = await createQueue(aws.sqs.client, 'push-dlq');
    pushQueue = {
      url: await createQueue(aws.sqs.client, 'push', {
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:push-dlq',
        maxReceiveCount: 3,
        visibilityTimeoutS: 1,
      }),
      arn: 'arn:aws:sqs:us-east-1:123456789012:push',
      dlq,
    };
    sendQueue = { url: aws.queueUrl, arn: 'arn:aws:sqs:us-east-1:123456789012:send' };
    const env: RuntimeEnvironment = {
      config,
      secrets,
      storage,
      queueUrl: aws.queueUrl,
      pushQueueUrl: pushQueue.url,
      sqs: aws.sqs.client,
      now: () => clock(),
    };
    api = createApiDeps(env);
    sender = createSenderDeps({ ...env, storage: memoryStorage(tables) }, { log: silentLog });
    webhooks = createWebhookDeps({ ...env, storage: memoryStorage(tables) }, { log: sinkLog((entry) => logs.push(entry)) });
    http = await startLocalHttp({ functions: { webhook: webhookHandler(() => webhooks) } });
    pushDeps = createPushDeps(env, { backoffS: () => 0 });
  });
  afterAll(async () => {
    await http.close();
    await new Promise<void>((resolve) => caller.server.close(() => resolve()));
    await Promise.all([...mocks.values()].map((mock) => mock.close()));
    await aws.close();
  });

  // The providers whose callbacks bring Meta's sent, delivered and read.
  const metaLifecycle = (p: ProviderName) => (['sent', 'delivered', 'read'] as const).every((s) => reportsOf(p).callbacks.includes(s));
  for (const provider of WITH_CALLBACKS.filter(metaLifecycle)) {
    it(`${provider}: sent, delivered and read in any order and repetition end at read, with every earliest time`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray([0, 1, 2, 0, 1, 2, 2], { minLength: 7, maxLength: 7 }), async (order) => {
          const id = await sendOne(provider);
          const record = await storage.messages.get(id);
          // LiveChat's send answer carries no id: its callbacks are matched by recipient and time.
          const pmid = record?.providerMessageId ?? `wamid.${randomBytes(12).toString('hex')}`;
          const statuses = ['sent', 'delivered', 'read'];
          for (const i of order) {
            const c = callback(provider, statuses[i]!, { pmid, ours: id }, i + 1);
            const response = await post(c.path, c.body, c.headers);
            expect(response.status).toBe(200);
          }
          const final = await storage.messages.get(id);
          expect(final?.status).toBe('read');
          expect(final?.times).toMatchObject({ sent: at(1), delivered: at(2), read: at(3) });
        }),
        { numRuns: 3 },
      );
    });
  }

  it('loopwave: a message.created from the business confirms the send and binds its id', async () => {
    const id = await sendOne('loopwave');
    const c = callback('loopwave', 'sent', { pmid: 'LW-77', ours: id }, 5);
    expect((await post(c.path, c.body, c.headers)).status).toBe(200);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'sent', providerMessageId: 'LW-77' });
  });

  it('livechat: with two candidate messages to one recipient, guesses nothing: the status stays at the send answer', async () => {
    const first = await sendOne('livechat', { recipient: '+14155550177' });
    const second = await sendOne('livechat', { recipient: '+14155550177' });
    const c = callback('livechat', 'delivered', { pmid: 'wamid.ambiguous', ours: '' }, 2, '14155550177');
    expect((await post(c.path, c.body, c.headers)).status).toBe(200);
    expect((await storage.messages.get(first))?.status).toBe('accepted');
    expect((await storage.messages.get(second))?.status).toBe('accepted');
  });

  it('a failure keeps the provider’s error, and a later delivered is evidence that wins', async () => {
    const id = await sendOne('kaleyra');
    const pmid = (await storage.messages.get(id))!.providerMessageId!;
    const failed = JSON.stringify({
      message_id: pmid,
      status: 'FAILED',
      meta_object: {
        field: 'messages',
        value: {
          statuses: [
            { id: 'wamid.x', status: 'failed', timestamp: String(BASE + 1), errors: [{ code: 131026, title: 'Message undeliverable' }] },
          ],
        },
      },
      extra_info: { ref: id },
    });
    expect((await post('/v1/webhooks/kaleyra/acme-kaleyra', failed, { 'x-webhook-token': TOKEN })).status).toBe(200);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'failed', error: { code: 131026 } });
    const late = callback('kaleyra', 'delivered', { pmid, ours: id }, 2);
    await post(late.path, late.body, late.headers);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'delivered', error: { code: 131026 } });
  });

  it('suppresses a recipient reported as opted out (Meta 131050)', async () => {
    const id = await sendOne('kaleyra');
    const pmid = (await storage.messages.get(id))!.providerMessageId!;
    const body = JSON.stringify({
      message_id: pmid,
      status: 'FAILED',
      meta_object: {
        field: 'messages',
        value: {
          statuses: [
            {
              id: 'wamid.y',
              status: 'failed',
              timestamp: String(BASE + 1),
              errors: [{ code: 131050, title: 'User stopped marketing messages' }],
            },
          ],
        },
      },
      extra_info: { ref: id },
    });
    await post('/v1/webhooks/kaleyra/acme-kaleyra', body, { 'x-webhook-token': TOKEN });
    const record = await storage.messages.get(id);
    expect(record?.error?.class).toBe('opted_out');
    expect(await storage.suppressions.get('acme-kaleyra', record!.recipient.hash)).toBeDefined();
    await storage.suppressions.remove('acme-kaleyra', record!.recipient.hash);
  });

  it('keeps a callback that comes before the send result, and applies it when the result lands', async () => {
    // The provider reports delivery before its send answer reaches the sender.
    sender.fetch = async (input, init) => {
      const response = await forward(input, init);
      const answer = (await response.clone().json()) as { messageId?: string };
      if (answer.messageId) {
        const c = callback('gupshup', 'delivered', { pmid: answer.messageId, ours: '' }, 2);
        expect((await post(c.path, c.body, c.headers)).status).toBe(200);
      }
      return response;
    };
    try {
      const id = await sendOne('gupshup');
      expect(await storage.messages.get(id)).toMatchObject({ status: 'delivered', times: { delivered: at(2) } });
    } finally {
      delete sender.fetch;
    }
  });

  it('rejects forged, tampered, replayed and unsigned callbacks with 401, changing nothing', async () => {
    const id = await sendOne('livechat');
    const good = callback('livechat', 'read', { pmid: 'wamid.forge', ours: id }, 3);
    const forged = {
      ...good.headers,
      'webhook-signature': new Webhook(`whsec_${randomBytes(24).toString('base64')}`).sign(good.headers['webhook-id']!, clock(), good.body),
    };
    const old = new Date(clock().getTime() - 10 * 60_000);
    const replayed = {
      ...good.headers,
      'webhook-timestamp': String(Math.floor(old.getTime() / 1000)),
      'webhook-signature': new Webhook(LIVECHAT_SECRET).sign(good.headers['webhook-id']!, old, good.body),
    };
    const attempts = [
      post(good.path, good.body, forged),
      post(good.path, good.body.replace('"read"', '"sent"'), good.headers),
      post(good.path, good.body, replayed),
      post(good.path, good.body, {}),
      post('/v1/webhooks/gupshup/acme-gupshup/wrong-token', callback('gupshup', 'read', { pmid: 'x', ours: id }, 1).body, {}),
      post('/v1/webhooks/loopwave/acme-loopwave', callback('loopwave', 'sent', { pmid: 'x', ours: id }, 1).body, {
        'x-loopwave-signature': `sha256=${'0'.repeat(64)}`,
      }),
      // Every provider without status callbacks, on its own account's route.
      ...PROVIDERS.filter((p) => !sendsCallbacks(p)).map((p) => post(`/v1/webhooks/${p}/acme-${p}`, '{}', {})),
      post('/v1/webhooks/kaleyra/acme-livechat', '{}', { 'x-webhook-token': TOKEN }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain(DIGITS);
    }
    expect((await storage.messages.get(id))?.status).toBe('accepted');
  });

  it('accepts a callback signed with the previous secret during a rotation', async () => {
    // Another recipient than the forged test's message, which stays unmatched on purpose.
    const id = await sendOne('livechat', { recipient: '+14155550199' });
    const c = callback('livechat', 'delivered', { pmid: 'wamid.rotation', ours: id }, 2, '14155550199');
    const headers = { ...c.headers, 'webhook-signature': new Webhook(OLD_LIVECHAT_SECRET).sign(c.headers['webhook-id']!, clock(), c.body) };
    expect((await post(c.path, c.body, headers)).status).toBe(200);
    expect((await storage.messages.get(id))?.status).toBe('delivered');
  });

  it('answers a malformed but authentic callback 400 naming the field, changing nothing', async () => {
    const id = await sendOne('kaleyra');
    const body = JSON.stringify({ status: 'DELIVERED', extra_info: { ref: id } });
    const response = await post('/v1/webhooks/kaleyra/acme-kaleyra', body, { 'x-webhook-token': TOKEN });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('message_id');
    expect((await storage.messages.get(id))?.status).toBe('accepted');
  });

  it('pushes each status change to the caller, signed, verifiable, and retried until taken', async () => {
    await drain(
      pushHandler(() => pushDeps),
      pushQueue,
    ); // pushes left by the tests above
    caller.received.length = 0;
    caller.failNext = 1;
    const id = await sendOne('kaleyra');
    const pmid = (await storage.messages.get(id))!.providerMessageId!;
    const c = callback('kaleyra', 'delivered', { pmid, ours: id }, 2);
    await post(c.path, c.body, c.headers);
    await drain(
      pushHandler(() => pushDeps),
      pushQueue,
    );
    const pushes = caller.received.map(
      (r) => new Webhook(PUSH_SECRET).verify(r.body, r.headers) as { type: string; data: { id: string; status: string } },
    );
    const mine = pushes.filter((p) => p.data.id === id);
    expect([...new Set(mine.map((p) => p.data.status))].sort()).toEqual(['accepted', 'delivered']);
    expect(new Set(caller.received.filter((r) => r.body.includes(id)).map((r) => r.headers['webhook-id'])).size).toBe(2);
    // The first attempt was refused and retried: three deliveries for two pushes.
    expect(caller.received.filter((r) => r.body.includes(id))).toHaveLength(3);
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(caller.received[0]!.body, caller.received[0]!.headers),
    ).toThrow();
  });

  it('dead-letters a push the caller never takes, after the last try', async () => {
    caller.received.length = 0;
    caller.failNext = 1000;
    try {
      await sendOne('kaleyra');
      await drain(
        pushHandler(() => pushDeps),
        pushQueue,
      );
      const { Attributes } = await aws.sqs.client.send(
        new GetQueueAttributesCommand({ QueueUrl: pushQueue.dlq, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(1);
      // Tried again after the refusal (how many times before the redrive is the queue's maxReceiveCount).
      expect(caller.received.length).toBeGreaterThanOrEqual(2);
    } finally {
      caller.failNext = 0;
    }
  }, 30_000);

  for (const [n, provider] of WITH_CALLBACKS.entries()) {
    it(`${provider}: a valid callback on another account naming this account's message answers 200, changes neither, is counted; on the right account it applies`, async () => {
      const recipient = `+1415555030${n}`;
      const digits = recipient.slice(1);
      const mine = await sendOne(provider, { recipient });
      let pmid = (await storage.messages.get(mine))?.providerMessageId;
      if (!pmid) {
        // LiveChat, Loopwave: the send answer has no id; the first callback binds it by recipient and time.
        pmid = `${provider}-${randomBytes(6).toString('hex')}`;
        expect((await postBounded(callback(provider, 'sent', { pmid, ours: '' }, 1, digits))).status).toBe(200);
        expect((await storage.messages.get(mine))?.providerMessageId).toBe(pmid);
      }
      // The other tenant has a message to the same number, still without a provider id (a candidate for recipient matching).
      const theirs = await sendOne(provider, { account: `beta-${provider}`, recipient });
      const before = [await storage.messages.get(mine), await storage.messages.get(theirs)];
      const counted = crossCounted(`beta-${provider}`);
      // Loopwave reports only `sent`: a time earlier than the send's shows whether it was applied.
      const [status, second] = provider === 'loopwave' ? (['sent', -1000] as const) : (['delivered', 2] as const);
      const ours = provider === 'kaleyra' ? mine : ''; // Kaleyra echoes our id; the others name theirs only

      const misrouted = callback(provider, status, { pmid, ours }, second, digits, 'beta');
      const response = await postBounded(misrouted);
      expect(response.status).toBe(200);
      expect([await storage.messages.get(mine), await storage.messages.get(theirs)]).toEqual(before);
      expect(crossCounted(`beta-${provider}`)).toBe(counted + 1);
      expect(await storage.callbacks.takePending(`beta-${provider}`, provider, pmid)).toEqual([]); // not kept either
      expect(JSON.stringify(logs.filter((entry) => entry.account === `beta-${provider}`))).not.toContain(digits);

      const right = callback(provider, status, { pmid, ours }, second, digits);
      expect((await postBounded(right)).status).toBe(200);
      expect(await storage.messages.get(mine)).toMatchObject({
        status: provider === 'loopwave' ? 'sent' : 'delivered',
        times: { [status]: at(second) },
      });
      expect(crossCounted(`acme-${provider}`)).toBe(0);
    });
  }

  it('applies an early callback exactly once when the send result lands, however often it came', async () => {
    const writes: string[] = [];
    const restore = [countWrites(sender.messages, writes), countWrites(webhooks.messages, writes)];
    let early = 0;
    sender.fetch = async (input, init) => {
      const response = await forward(input, init);
      const answer = (await response.clone().json()) as { messageId?: string };
      if (answer.messageId) {
        for (const [status, second] of [
          ['delivered', 2],
          ['delivered', 2],
          ['sent', 1],
          ['delivered', 3],
        ] as const) {
          const c = callback('gupshup', status, { pmid: answer.messageId, ours: '' }, second);
          expect((await postBounded(c)).status).toBe(200);
          early++;
        }
      }
      return response;
    };
    try {
      const id = await sendOne('gupshup');
      expect(early).toBe(4);
      expect(await storage.messages.get(id)).toMatchObject({ status: 'delivered', times: { sent: at(1), delivered: at(2) } });
      // Kept once per status, applied once each by the send result; nothing is left to apply again.
      expect(writes.filter((w) => w === `${id}:delivered`)).toHaveLength(1);
      expect(writes.filter((w) => w === `${id}:sent`)).toHaveLength(1);
      const pmid = (await storage.messages.get(id))!.providerMessageId!;
      expect(await storage.callbacks.takePending('acme-gupshup', 'gupshup', pmid)).toEqual([]);
    } finally {
      delete sender.fetch;
      for (const undo of restore) undo();
    }
  });

  it('answers 400 naming the field for a 3 KB provider id, for every provider, never a 5xx', async () => {
    const long = 'g'.repeat(3 * 1024);
    const fields: Record<CallingBackProvider, string> = {
      livechat: 'data.id',
      gupshup: 'payload.gsId',
      kaleyra: 'message_id',
      loopwave: 'data.messageId',
    };
    for (const provider of WITH_CALLBACKS) {
      const response = await postBounded(callback(provider, 'sent', { pmid: long, ours: '' }, 1));
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { violations: Array<{ field: string; rule: string }> } };
      expect(error.violations).toContainEqual({ field: fields[provider], rule: 'must be at most 512 characters' });
    }
  });

  it('matches a provider id that is no plain key (non-ASCII, 400 characters) through its hashed key', async () => {
    const recipient = '+14155550310';
    const id = await sendOne('loopwave', { recipient });
    const odd = `LW ü ${'x'.repeat(400)}`;
    expect((await postBounded(callback('loopwave', 'sent', { pmid: odd, ours: '' }, 5, recipient.slice(1)))).status).toBe(200);
    expect((await storage.messages.get(id))?.providerMessageId).toBe(odd);
    expect((await postBounded(callback('loopwave', 'sent', { pmid: odd, ours: '' }, -2000, recipient.slice(1)))).status).toBe(200);
    expect((await storage.messages.get(id))?.times.sent).toBe(at(-2000));
  });

  it('answers other bad callbacks 4xx naming the field, and only after authenticity', async () => {
    const path = `/v1/webhooks/gupshup/acme-gupshup/${TOKEN}`;
    const send = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, to = path) =>
      fetch(`${http.url}${to}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(20_000) });
    const expectProblem = async (response: Response, status: number, field: string) => {
      expect(response.status).toBe(status);
      const { error } = (await response.json()) as { error: { violations?: Array<{ field: string }> } };
      expect(error.violations?.map((v) => v.field)).toContain(field);
    };
    const big = ' '.repeat(1024 * 1024 + 1);
    expect((await send(big, { 'content-type': 'application/json' }, '/v1/webhooks/gupshup/acme-gupshup/wrong-token')).status).toBe(401);
    await expectProblem(await send(big), 413, '(body)');
    await expectProblem(await send('a=b&c=d', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'content-type');
    await expectProblem(await send('{"app": "DemoApp",'), 400, '(body)');
    await expectProblem(await send(''), 400, '(body)');
    expect((await send('{}', {}, `/v1/webhooks/gupshup/${'a'.repeat(3000)}/${TOKEN}`)).status).toBe(401);
    // A lone surrogate, escaped in JSON, becomes U+FFFD: stored and kept, never refused by the table.
    const c = callback('gupshup', 'delivered', { pmid: 'G-\ud800-lone', ours: '' }, 2);
    expect((await postBounded(c)).status).toBe(200);
    expect(await storage.callbacks.takePending('acme-gupshup', 'gupshup', 'G-\ufffd-lone')).toHaveLength(1);
  });
});

/** The caller's endpoint: records pushes; answers 500 to the next `failNext` of them. */
async function startCaller(): Promise<typeof caller> {
  const state = { received: [] as Array<{ headers: Record<string, string>; body: string }>, failNext: 0 };
  const server = createServer((request, reply) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.received.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      if (state.failNext > 0) {
        state.failNext--;
        reply.writeHead(500).end();
      } else reply.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` });
}
