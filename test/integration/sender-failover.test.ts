/**
 * Failover through the real sender handler, driven by the local event source mapping from the SQS
 * emulator, over in-memory repositories and Prism mocks of the providers on loopback. Routes:
 * Kaleyra falls back to LiveChat, LiveTok to Kaleyra (each with its template mapped). Each mock
 * answers a send with the next scripted scenario (a refusal, a dropped connection), else as usual.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessages } from '../../src/api/accept.ts';
import type { ApiDeps } from '../../src/api/app.ts';
import { AccountConfig } from '../../src/config/accounts.ts';
import { PipelineConfig } from '../../src/config/pipeline.ts';
import { createApiDeps, type RuntimeEnvironment } from '../../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../../src/functions/sender.ts';
import { createQueue } from '../../src/local/aws.ts';
import { startEventSourceMapping } from '../../src/local/event-source-mapping.ts';
import { newMessageId, type QueueMessage } from '../../src/messages/queue-message.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import { type MockScenario, type ProviderMock, startProviderMock } from '../../src/mock/provider-mock.ts';
import { recipientRef } from '../../src/privacy/recipient.ts';
import { DEV_KITS } from '../../src/providers/dev.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { silentLog } from '../../src/runtime/log.ts';
import type { SenderDeps } from '../../src/sender/sender.ts';
import { ACCOUNT_SCOPE } from '../../src/store/model.ts';
import { type MemoryStorage, memoryStorage } from '../../src/store/memory/index.ts';
import { startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';

const PHONE = '+919812345678';
const PROVIDERS_USED: ProviderName[] = ['kaleyra', 'livetok', 'livechat'];
const LTO = { name: 'lto_template', language: 'en_US', bodyParameters: 2 };
const REMINDER = { name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 };
const CONTENT: Partial<Record<ProviderName, unknown>> = {
  kaleyra: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
  livetok: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
};
/** Each account's own settings: its templates and, for the origins, the route to the next account. */
const ROUTES: Record<string, Record<string, unknown>> = {
  'acme-kaleyra': {
    templates: [LTO],
    fallbacks: [
      {
        account: 'acme-livechat',
        templates: [{ name: 'lto_template', language: 'en_US', to: { name: 'appointment_reminder', language: 'en_US' } }],
      },
    ],
  },
  'acme-livetok': {
    templates: [REMINDER],
    fallbacks: [
      {
        account: 'acme-kaleyra',
        templates: [
          { name: 'appointment_reminder', language: 'en_US', to: { name: 'lto_template', language: 'en_US' }, parameters: [1, 0] },
        ],
      },
    ],
  },
  'acme-livechat': { templates: [REMINDER] },
};
const SEND_PATH = (provider: ProviderName) => DEV_KITS[provider].mock.send.path;
const VISIBILITY_S = 30;

let aws: Awaited<ReturnType<typeof startLocalSqs>>;
const secrets = testSecrets();
let queues = 0;

interface Harness {
  storage: MemoryStorage;
  api: ApiDeps;
  sender: SenderDeps;
  /** What each provider's next sends get (in order), before ordinary answers. */
  script: Map<ProviderName, MockScenario[]>;
  accept(provider: ProviderName, extra?: Record<string, unknown>): Promise<string>;
  drain(options?: { concurrency?: number; batchSize?: number }): Promise<void>;
  sendCalls(provider: ProviderName): ProviderMock['received'];
  responses: SQSBatchResponse[];
  close(): Promise<void>;
}

async function harness(
  options: { account?: Record<string, Record<string, unknown>>; sender?: Partial<Parameters<typeof createSenderDeps>[1]> } = {},
) {
  const script = new Map<ProviderName, MockScenario[]>(PROVIDERS_USED.map((p) => [p, []]));
  const mocks = new Map<ProviderName, ProviderMock>();
  for (const provider of PROVIDERS_USED) {
    const scenario = (request: { method: string; path: string }) =>
      request.method.toLowerCase() === 'post' && SEND_PATH(provider).test(request.path) ? script.get(provider)!.shift() : undefined;
    mocks.set(provider, await startProviderMock(provider, { scenario }));
  }
  const base = testConfig(Object.fromEntries([...mocks].map(([p, m]) => [p, m.url])));
  const config = PipelineConfig.parse({
    ...base,
    accounts: base.accounts.map((a) =>
      AccountConfig.parse({ ...a, ...ROUTES[a.id], ...options.account?.[a.id], limits: { recipientGapMs: 0 } }),
    ),
  });
  const n = queues++;
  const queueUrl = await createQueue(aws.sqs.client, `failover-${n}`, { visibilityTimeoutS: VISIBILITY_S });
  const storage = memoryStorage();
  const env: RuntimeEnvironment = { config, secrets, storage, queueUrl, sqs: aws.sqs.client };
  const api = createApiDeps(env);
  const sender = createSenderDeps(
    { ...env, storage: memoryStorage(storage.tables) },
    { claimExpiryMs: 1500, pauseRecheckMs: 1000, log: silentLog, ...options.sender },
  );
  const inner = senderHandler(() => sender);
  const responses: SQSBatchResponse[] = [];
  const handler: typeof inner = async (event, context) => {
    const response = await inner(event, context);
    responses.push(response);
    return response;
  };
  const h: Harness = {
    storage,
    api,
    sender,
    script,
    responses,
    async accept(provider, extra = {}) {
      const body = { provider, account: `acme-${provider}`, recipient: PHONE, content: CONTENT[provider], ...extra };
      const response = await acceptMessages({ principal: { keyId: 'all', accounts: '*' }, body }, api);
      if (response.statusCode !== 202) throw new Error(`accept answered ${response.statusCode}: ${response.body}`);
      return (JSON.parse(response.body) as { id: string }).id;
    },
    async drain({ concurrency = 2, batchSize = 10 } = {}) {
      const esm = startEventSourceMapping({
        sqs: aws.sqs.client,
        queueUrl,
        queueArn: `arn:aws:sqs:us-east-1:123456789012:failover-${n}`,
        handler,
        batchSize,
        maximumConcurrency: concurrency,
        visibilityTimeoutS: VISIBILITY_S,
        functionTimeoutMs: VISIBILITY_S * 1000 - 500,
        waitTimeS: 0.2,
        onError: () => {},
      });
      try {
        await esm.idle();
      } finally {
        await esm.stop();
      }
    },
    sendCalls: (provider) => mocks.get(provider)!.received.filter((r) => r.method === 'post' && SEND_PATH(provider).test(r.path)),
    async close() {
      await Promise.all([...mocks.values()].map((mock) => mock.close()));
    },
  };
  return h;
}

async function withHarness(options: Parameters<typeof harness>[0], test: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(options);
  try {
    await test(h);
  } finally {
    await h.close();
  }
}

const refuse = (status: number, example?: string): MockScenario => ({ kind: 'refuse', status, ...(example ? { example } : {}) });

describe('failover across routes', () => {
  beforeAll(async () => {
    aws = await startLocalSqs();
  });
  afterAll(() => aws.close());

  describe('triggers', () => {
    it('delivers a message whose route refuses with a pause once through the fallback, and pauses the route', () =>
      withHarness({}, async (h) => {
        h.script.get('kaleyra')!.push(refuse(401, 'unauthorized'));
        const id = await h.accept('kaleyra');
        await h.drain();
        expect(h.sendCalls('kaleyra')).toHaveLength(1);
        expect(h.sendCalls('livechat')).toHaveLength(1);
        expect(JSON.parse(h.sendCalls('livechat')[0]!.body)).toMatchObject({ template: { name: 'appointment_reminder' } });
        const record = await h.storage.messages.get(id);
        expect(record).toMatchObject({
          account: 'acme-kaleyra',
          provider: 'kaleyra',
          status: 'accepted',
          route: { index: 1, account: 'acme-livechat', provider: 'livechat' },
          routes: [
            {
              index: 0,
              account: 'acme-kaleyra',
              provider: 'kaleyra',
              outcome: 'refused',
              error: { class: 'pause_sender', code: 'RBC001' },
            },
          ],
        });
        expect(await h.storage.pauses.list('acme-kaleyra')).toMatchObject([{ scope: ACCOUNT_SCOPE, code: 'RBC001' }]);
        // Still the origin's message: listed under it.
        expect((await h.storage.messages.list({ account: 'acme-kaleyra' })).items.map((r) => r.id)).toEqual([id]);
      }));

    it('fails over on a permanent refusal of the sender (template not approved there), with the mapped template', () =>
      withHarness({}, async (h) => {
        h.script.get('livetok')!.push(refuse(404, 'templateNotFound'));
        const id = await h.accept('livetok');
        await h.drain();
        expect(h.sendCalls('livetok')).toHaveLength(1);
        expect(h.sendCalls('kaleyra')).toHaveLength(1);
        const sent = h.sendCalls('kaleyra')[0]!.body;
        // Kaleyra's template, its parameters mapped from the origin's ([1, 0]).
        expect(sent).toContain('lto_template');
        expect(sent.indexOf('2 PM')).toBeLessThan(sent.indexOf('Dr. Smith'));
        const record = await h.storage.messages.get(id);
        expect(record).toMatchObject({
          status: 'accepted',
          route: { index: 1, account: 'acme-kaleyra' },
          routes: [{ account: 'acme-livetok', outcome: 'refused', error: { class: 'permanent', code: 'template_not_found' } }],
        });
        expect(await h.storage.pauses.list('acme-livetok')).toEqual([]);
      }));

    it('fails a message over once its route has been paused failoverAfter, without calling the paused route', () =>
      withHarness({ account: { 'acme-kaleyra': { failoverAfter: '5m' } } }, async (h) => {
        const since = new Date(Date.now() - 6 * 60_000).toISOString();
        await h.storage.pauses.set('acme-kaleyra', ACCOUNT_SCOPE, { reason: 'low balance', code: 'E110', since });
        const id = await h.accept('kaleyra');
        await h.drain();
        expect(h.sendCalls('kaleyra')).toHaveLength(0);
        expect(h.sendCalls('livechat')).toHaveLength(1);
        expect(await h.storage.messages.get(id)).toMatchObject({
          status: 'accepted',
          route: { index: 1, account: 'acme-livechat' },
          routes: [{ account: 'acme-kaleyra', outcome: 'blocked', error: { class: 'pause_sender', code: 'E110' } }],
        });
      }));
  });

  it('honours a request’s own failoverAfter over the account’s, and refuses it for an account without fallbacks', () =>
    withHarness({ account: { 'acme-kaleyra': { failoverAfter: '1h' } } }, async (h) => {
      const since = new Date(Date.now() - 2 * 60_000).toISOString();
      await h.storage.pauses.set('acme-kaleyra', ACCOUNT_SCOPE, { reason: 'low balance', since });
      const id = await h.accept('kaleyra', { failoverAfter: '1m' });
      await h.drain();
      expect(h.sendCalls('livechat')).toHaveLength(1);
      expect(await h.storage.messages.get(id)).toMatchObject({ status: 'accepted', route: { account: 'acme-livechat' } });
      const body = { provider: 'livechat', account: 'acme-livechat', recipient: PHONE, content: CONTENT.livetok, failoverAfter: '1m' };
      const refused = await acceptMessages({ principal: { keyId: 'all', accounts: '*' }, body }, h.api);
      expect(refused.statusCode).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({
        error: {
          violations: [{ field: 'failoverAfter', rule: 'account acme-livechat has no fallbacks: there is no route to fail over to' }],
        },
      });
      const malformed = await acceptMessages(
        {
          principal: { keyId: 'all', accounts: '*' },
          body: { ...body, account: 'acme-kaleyra', provider: 'kaleyra', content: CONTENT.kaleyra, failoverAfter: '1 minute' },
        },
        h.api,
      );
      expect(JSON.parse(malformed.body)).toMatchObject({
        error: { violations: [{ field: 'failoverAfter', rule: expect.stringContaining('must be a duration') }] },
      });
    }));

  describe('non-triggers: nothing goes through the fallback', () => {
    it('a route paused for less than failoverAfter: the message waits', () =>
      withHarness({ account: { 'acme-kaleyra': { failoverAfter: '1h' } }, sender: { pauseRecheckMs: 20 * 60_000 } }, async (h) => {
        await h.storage.pauses.set('acme-kaleyra', ACCOUNT_SCOPE, { reason: 'low balance', since: new Date().toISOString() });
        const id = await h.accept('kaleyra');
        await h.drain();
        expect(h.sendCalls('kaleyra')).toHaveLength(0);
        expect(h.sendCalls('livechat')).toHaveLength(0);
        const record = await h.storage.messages.get(id);
        expect(record?.status).toBe('queued');
        expect(record?.route).toBeUndefined();
      }));

    it.each<[string, MockScenario]>([
      ['an unknown outcome (the connection dropped)', { kind: 'drop' }],
      ['an ambiguous 5xx', refuse(500)],
    ])('%s', (_name, scenario) =>
      withHarness({}, async (h) => {
        h.script.get('kaleyra')!.push(scenario);
        const id = await h.accept('kaleyra');
        await h.drain();
        expect(h.sendCalls('livechat')).toHaveLength(0);
        const record = await h.storage.messages.get(id);
        expect(record?.status).toBe('unknown');
        expect(record?.route).toBeUndefined();
      }),
    );

    it('a refusal of the recipient (not a valid number): failed on its route', () =>
      withHarness({}, async (h) => {
        h.script.get('livetok')!.push(refuse(400, 'invalidPhoneNumber'));
        const id = await h.accept('livetok');
        await h.drain();
        expect(h.sendCalls('livetok')).toHaveLength(1);
        expect(h.sendCalls('kaleyra')).toHaveLength(0);
        expect(await h.storage.messages.get(id)).toMatchObject({ status: 'failed', error: { code: 'invalid_phone_number' } });
      }));

    it('an opted-out recipient: failed without any call', () =>
      withHarness({}, async (h) => {
        await h.storage.suppressions.add('acme-kaleyra', recipientRef(secrets.recipientHashKey, PHONE).hash, {
          reason: '131050: user stopped marketing messages',
          since: new Date().toISOString(),
        });
        const id = await h.accept('kaleyra');
        await h.drain();
        expect(h.sendCalls('kaleyra')).toHaveLength(0);
        expect(h.sendCalls('livechat')).toHaveLength(0);
        expect(await h.storage.messages.get(id)).toMatchObject({ status: 'failed', error: { reason: 'opted_out' } });
      }));

    it('a rate limit (429): the route is waited for, then sends', () =>
      withHarness({}, async (h) => {
        h.script.get('kaleyra')!.push({ kind: 'refuse', status: 429, retryAfterS: 1 });
        const id = await h.accept('kaleyra');
        await h.drain();
        expect(h.sendCalls('kaleyra')).toHaveLength(2);
        expect(h.sendCalls('livechat')).toHaveLength(0);
        expect(await h.storage.messages.get(id)).toMatchObject({ status: 'accepted' });
        expect((await h.storage.messages.get(id))?.route).toBeUndefined();
      }));
  });

  it('makes one accepting provider call for two deliveries of one queue body racing a route switch', () =>
    withHarness({}, async (h) => {
      h.script.get('kaleyra')!.push(refuse(401, 'unauthorized'), refuse(401, 'unauthorized'));
      const id = newMessageId();
      const request = SendRequest.parse({ provider: 'kaleyra', account: 'acme-kaleyra', recipient: PHONE, content: CONTENT.kaleyra });
      const message: QueueMessage = { v: 1, id, acceptedAt: new Date().toISOString(), request };
      // A producer enqueues the same body twice; two invocations take one each, side by side.
      await h.api.queue.enqueue([{ message }]);
      await h.api.queue.enqueue([{ message }]);
      await h.drain({ concurrency: 2, batchSize: 1 });
      // One refused call on the origin (the other delivery lost the claim or found the route switched), one send in all.
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
      expect(h.sendCalls('livechat')).toHaveLength(1);
      expect(await h.storage.messages.get(id)).toMatchObject({ status: 'accepted', attempts: 2, route: { account: 'acme-livechat' } });
    }));

  it('sends as before for an account without fallbacks (a pause refusal holds the message)', () =>
    withHarness({ account: { 'acme-kaleyra': { fallbacks: undefined } } }, async (h) => {
      h.script.get('kaleyra')!.push(refuse(401, 'unauthorized'));
      const id = await h.accept('kaleyra');
      await h.drain();
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
      expect(h.sendCalls('livechat')).toHaveLength(0);
      const record = await h.storage.messages.get(id);
      expect(record).toMatchObject({ status: 'queued', error: { class: 'pause_sender' } });
      expect(record?.route).toBeUndefined();
      expect(record?.routes).toBeUndefined();
    }));

  it('opens the breaker after its refusals in a row: later messages go straight to the fallback; switched off, they stay', () =>
    withHarness({ account: { 'acme-kaleyra': { breaker: { after: 2 } } } }, async (h) => {
      h.script.get('kaleyra')!.push({ kind: 'refuse', status: 429, retryAfterS: 1 }, { kind: 'refuse', status: 429, retryAfterS: 1 });
      const first = await h.accept('kaleyra');
      await h.drain();
      // Refused, waited, refused again: the second refusal opened the breaker and moved the message on at once.
      expect(h.sendCalls('kaleyra')).toHaveLength(2);
      expect(await h.storage.messages.get(first)).toMatchObject({
        status: 'accepted',
        route: { account: 'acme-livechat' },
        routes: [{ account: 'acme-kaleyra', outcome: 'refused', trigger: 'breaker', error: { status: 429 } }],
      });
      expect((await h.storage.routeHealth.get('acme-kaleyra')).breaker).toMatchObject({ state: 'open', refusals: 2 });
      // While it is open (60 s): no call to Kaleyra.
      const later = [await h.accept('kaleyra'), await h.accept('kaleyra')];
      await h.drain();
      expect(h.sendCalls('kaleyra')).toHaveLength(2);
      expect(h.sendCalls('livechat')).toHaveLength(3);
      for (const id of later)
        expect(await h.storage.messages.get(id)).toMatchObject({ route: { account: 'acme-livechat' }, routes: [{ trigger: 'breaker' }] });
      // An operator turns failover off: the next message is sent on Kaleyra, breaker or not.
      await h.storage.routeHealth.setSwitch('acme-kaleyra', { since: new Date().toISOString(), reason: 'test' });
      const kept = await h.accept('kaleyra');
      await h.drain();
      expect(h.sendCalls('kaleyra')).toHaveLength(3);
      expect(h.sendCalls('livechat')).toHaveLength(3);
      expect(await h.storage.messages.get(kept)).toMatchObject({ status: 'accepted' });
      expect((await h.storage.messages.get(kept))?.route).toBeUndefined();
    }));
});
