/**
 * The sender through its real Lambda handler, driven by the local event source mapping from the
 * SQS emulator, over the in-memory repositories (held to DynamoDB's contract: test/store) and
 * Prism mocks of the providers (which make send ids distinct and can enforce a rate limit). Each
 * test gets its own storage, queue and dead-letter queue.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessages } from '../../src/api/accept.ts';
import { liftPause } from '../../src/api/operator.ts';
import type { ApiDeps } from '../../src/api/app.ts';
import { AccountConfig } from '../../src/config/accounts.ts';
import { PipelineConfig } from '../../src/config/pipeline.ts';
import { createApiDeps, type RuntimeEnvironment } from '../../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../../src/functions/sender.ts';
import { createQueue } from '../../src/local/aws.ts';
import { startEventSourceMapping } from '../../src/local/event-source-mapping.ts';
import { newMessageId, type QueueMessage } from '../../src/messages/queue-message.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import { startProviderMock, type ProviderMock, type ProviderMockOptions } from '../../src/mock/provider-mock.ts';
import { recipientRef } from '../../src/privacy/recipient.ts';
import { DEV_KITS } from '../../src/providers/dev.ts';
import { reportsOf } from '../../src/providers/index.ts';
import { byProvider, PROVIDERS, type ProviderName } from '../../src/providers/names.ts';
import type { SenderDeps } from '../../src/sender/sender.ts';
import { silentLog, sinkLog } from '../../src/runtime/log.ts';
import { preferring, withSignal } from '../support/provider-harness.ts';
import { memoryStorage, type MemoryStorage } from '../../src/store/memory/index.ts';
import { API_KEY, startLocalSqs, testConfig, testSecrets } from '../support/local-aws.ts';
import { FIXTURES } from '../support/providers.ts';
import { forward } from '../support/forward.ts';

const PHONE = '+919812345678';
/** Each provider's fixture message (src/providers/<name>/fixtures.ts). */
const TEMPLATES: Record<ProviderName, unknown> = {
  ...byProvider((provider) => FIXTURES[provider].content),
  // An explicit override: Kaleyra's carries a copy-code button, so that one send through the real handler has a button.
  kaleyra: { ...FIXTURES.kaleyra.content, buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }] },
};
/** Each provider's send operation, as its dev kit tells its mock. */
const SEND_PATH: Record<ProviderName, RegExp> = byProvider((provider) => DEV_KITS[provider].mock.send.path);

/**
 * As deployed, the visibility timeout outlasts the function timeout, so a batch still being
 * worked on never comes back on another poller, however slow the machine. Tests that need a
 * failed record back soon (a crash, a poison message) ask for a short visibility and send one
 * message, whose invocation the shorter function timeout still bounds (a send also needs its call
 * deadline to fit in that time, after the sender's 2 s reserve: such tests shorten it).
 */
const VISIBILITY_S = 30;
const functionTimeoutMs = (visibilityTimeoutS: number) => visibilityTimeoutS * 1000 - 500;

let aws: Awaited<ReturnType<typeof startLocalSqs>>;
const secrets = testSecrets();
let queues = 0;

interface Harness {
  /** This harness's own storage, in memory. */
  storage: MemoryStorage;
  api: ApiDeps;
  sender: SenderDeps;
  mocks: Map<ProviderName, ProviderMock>;
  queueUrl: string;
  dlqUrl: string;
  accept(provider: ProviderName, extra?: Record<string, unknown>): Promise<string>;
  /** Runs the sender (the real handler) until the queue is empty and nothing is in flight. */
  drain(options?: { concurrency?: number; batchSize?: number; visibilityTimeoutS?: number; functionTimeoutMs?: number }): Promise<void>;
  /** Every answer the handler gave the event source mapping. */
  responses: SQSBatchResponse[];
  sendCalls(provider: ProviderName): ProviderMock['received'];
  close(): Promise<void>;
}

async function harness(options: {
  providers: ProviderName[];
  mock?: ProviderMockOptions;
  limits?: Record<string, unknown>;
  /** More account settings (e.g. `retryAmbiguous`). */
  account?: Record<string, unknown>;
  sender?: Partial<Parameters<typeof createSenderDeps>[1]>;
  /** The pipeline's clock (accept, sender, pacer), for tests that run on a virtual one. */
  now?: () => number;
}): Promise<Harness> {
  const mocks = new Map<ProviderName, ProviderMock>();
  for (const provider of options.providers) mocks.set(provider, await startProviderMock(provider, options.mock));
  const base = testConfig(Object.fromEntries([...mocks].map(([p, m]) => [p, m.url])));
  const config = PipelineConfig.parse({
    ...base,
    accounts: base.accounts.map((a) => AccountConfig.parse({ ...a, ...options.account, limits: { recipientGapMs: 0, ...options.limits } })),
  });
  const n = queues++;
  const dlqUrl = await createQueue(aws.sqs.client, `dlq-${n}`);
  const queueUrl = await createQueue(aws.sqs.client, `send-${n}`, {
    deadLetterArn: `arn:aws:sqs:us-east-1:123456789012:dlq-${n}`,
    maxReceiveCount: 3,
    visibilityTimeoutS: VISIBILITY_S,
  });
  const clock = options.now;
  const storage = memoryStorage();
  const env: RuntimeEnvironment = {
    config,
    secrets,
    storage,
    queueUrl,
    sqs: aws.sqs.client,
    ...(clock ? { now: () => new Date(clock()) } : {}),
  };
  const api = createApiDeps(env);
  // Each function its own repositories over the one storage, as each Lambda function has.
  const sender = createSenderDeps(
    { ...env, storage: memoryStorage(storage.tables) },
    { claimExpiryMs: 1500, log: silentLog, ...options.sender },
  );
  const inner = senderHandler(() => sender);
  const responses: SQSBatchResponse[] = [];
  const handler: typeof inner = async (event, context) => {
    const response = await inner(event, context);
    responses.push(response);
    return response;
  };
  return {
    storage,
    api,
    sender,
    mocks,
    queueUrl,
    dlqUrl,
    responses,
    async accept(provider, extra = {}) {
      const response = await acceptMessages(
        {
          principal: { keyId: 'all', accounts: '*' },
          body: { provider, account: `acme-${provider}`, recipient: PHONE, content: TEMPLATES[provider], ...extra },
        },
        api,
      );
      if (response.statusCode !== 202) throw new Error(`accept answered ${response.statusCode}: ${response.body}`);
      return (JSON.parse(response.body) as { id: string }).id;
    },
    async drain({
      concurrency = 2,
      batchSize = 10,
      visibilityTimeoutS = VISIBILITY_S,
      functionTimeoutMs: timeoutMs = functionTimeoutMs(visibilityTimeoutS),
    } = {}) {
      const esm = startEventSourceMapping({
        sqs: aws.sqs.client,
        queueUrl,
        queueArn: `arn:aws:sqs:us-east-1:123456789012:send-${n}`,
        handler,
        batchSize,
        maximumConcurrency: concurrency,
        visibilityTimeoutS,
        functionTimeoutMs: timeoutMs,
        waitTimeS: 0.2,
        onError: () => {},
      });
      try {
        await esm.idle();
      } finally {
        await esm.stop();
      }
    },
    sendCalls: (provider) => mocks.get(provider)!.received.filter((r) => r.method === 'post' && SEND_PATH[provider].test(r.path)),
    async close() {
      await Promise.all([...mocks.values()].map((mock) => mock.close()));
    },
  };
}

async function dlqDepth(url: string): Promise<number> {
  const { Attributes } = await aws.sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

describe('the sender', () => {
  beforeAll(async () => {
    aws = await startLocalSqs();
  });
  afterAll(() => aws.close());

  it('sends a message of each provider exactly once and records the outcome', async () => {
    const h = await harness({ providers: [...PROVIDERS] });
    try {
      const ids = new Map<ProviderName, string>();
      for (const provider of h.mocks.keys()) ids.set(provider, await h.accept(provider));
      await h.drain();
      for (const [provider, id] of ids) {
        expect(h.sendCalls(provider), provider).toHaveLength(1);
        const record = await h.storage.messages.get(id);
        expect(record?.status, provider).toBe(reportsOf(provider).answer);
        expect(record?.attempts).toBe(1);
        expect(record?.times.sending).toBeDefined();
      }
      expect((await h.storage.messages.get(ids.get('kaleyra')!))?.providerMessageId).toMatch(/^AXXXXXXXXXXXXXXXXXXX-/);
      expect((await h.storage.messages.get(ids.get('gupshup')!))?.providerMessageId).toMatch(/^message id-/);
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('makes one provider call for a message delivered twice, concurrently', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      const id = newMessageId();
      const message: QueueMessage = {
        v: 1,
        id,
        acceptedAt: new Date().toISOString(),
        request: SendRequest.parse({ provider: 'kaleyra', account: 'acme-kaleyra', recipient: PHONE, content: TEMPLATES.kaleyra }),
      };
      // A producer enqueues directly, twice (no accept, no record yet): the sender creates the record.
      await h.api.queue.enqueue([{ message }]);
      await h.api.queue.enqueue([{ message }]);
      await h.drain({ concurrency: 2 });
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
      expect(await h.storage.messages.get(id)).toMatchObject({
        status: 'accepted',
        attempts: 1,
        recipient: recipientRef(secrets.recipientHashKey, PHONE),
      });
    } finally {
      await h.close();
    }
  });

  it('never resends after a crash between the call and the record: the message becomes unknown', async () => {
    // A call deadline within the short function timeout (6 s visibility, 2 s reserve), so the call
    // starts; 3 s, so that a loaded machine's slow first answer of the mock is not cut off.
    const h = await harness({ providers: ['kaleyra'], sender: { callTimeoutMs: 3000 } });
    try {
      const id = await h.accept('kaleyra');
      // The first recording of an outcome crashes the invocation (after the provider call).
      const realApply = h.sender.messages.applyStatus.bind(h.sender.messages);
      let crashed = false;
      h.sender.messages.applyStatus = async (...args) => {
        if (!crashed && args[1] === 'accepted') {
          crashed = true;
          throw new Error('invocation died');
        }
        return realApply(...args);
      };
      await h.drain({ visibilityTimeoutS: 6 });
      expect(crashed).toBe(true);
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
      const record = await h.storage.messages.get(id);
      expect(record?.status).toBe('unknown');
      expect(record?.error?.reason).toContain('without recording an outcome');
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('reconciles a lost outcome through the provider’s lookup where it has one (Loopwave)', async () => {
    const h = await harness({ providers: ['loopwave'] });
    try {
      // A text the mock's documented chat history holds, sent from the business.
      const mockMessage = 'Refund please';
      let first = true;
      h.sender.fetch = async (input, init) => {
        const request = new Request(input, init);
        if (first && request.method === 'POST') {
          first = false;
          await globalThis.fetch(request, withSignal(init)); // it reaches the provider…
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }); // …but the answer is lost
        }
        const url = new URL(request.url);
        if (request.method === 'GET') {
          // The chat now shows the message, sent by us.
          const now = Math.floor(Date.now() / 1000);
          return new Response(
            JSON.stringify({
              data: [
                {
                  messageId: 'LW-1',
                  sessionId: 'n1a2b3c',
                  chatId: `${PHONE.slice(1)}@s.whatsapp.net`,
                  body: mockMessage,
                  type: 'chat',
                  author: 'n1a2b3c',
                  fromMe: true,
                  hasMedia: false,
                  timestamp: now,
                },
              ],
            }),
            { status: 200, headers: { 'content-type': 'application/json' } },
          );
        }
        return globalThis.fetch(url, request);
      };
      const id = await h.accept('loopwave', { content: { kind: 'text', text: mockMessage } });
      await h.drain();
      expect(h.sendCalls('loopwave')).toHaveLength(1);
      expect(await h.storage.messages.get(id)).toMatchObject({
        status: 'sent',
        providerMessageId: 'LW-1',
        times: { unknown: expect.any(String) },
      });
    } finally {
      await h.close();
    }
  });

  it('keeps a configured rate under a mock that enforces its limit: no 429 at all', async () => {
    // One virtual clock for the sender, its pacer and the mock's limiter, moved only by the
    // sender's waits: a send arrives at the instant of its slot, as on an ideal network, so the
    // slots' any-window arithmetic is checked exactly, however slow the machine. (Arrival jitter
    // within δ: src/pacing/slots.test.ts; concurrent reservations: the storage contract.)
    // It starts at the real time: the table (and its pacing state) is shared with the file's other tests.
    let virtual = Date.now();
    const now = () => virtual;
    const sleep = async (ms: number) => {
      virtual += ms;
      await new Promise((resolve) => setImmediate(resolve));
    };
    const h = await harness({
      providers: ['loopwave'],
      mock: { rateLimit: { limit: 10, windowMs: 1000 }, now },
      limits: { perSecond: 10 },
      now,
      // Every pacing wait is taken in the invocation (on the virtual clock), none on the queue.
      sender: { sleep, maxInlineWaitMs: 60_000 },
    });
    try {
      for (let i = 0; i < 25; i++) await h.accept('loopwave', { recipient: `+9198123456${String(i).padStart(2, '0')}` });
      // One record per invocation: a batch's records go side by side, and on this clock one record's
      // wait would move another's arrival past its grant (in real time concurrent waits do not add
      // up); that arrival jitter is the pacing issue's margin, not this check's.
      await h.drain({ concurrency: 1, batchSize: 1 });
      const calls = h.sendCalls('loopwave');
      expect(calls.filter((c) => c.status === 202)).toHaveLength(25);
      expect(calls.filter((c) => c.status === 429)).toHaveLength(0);
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  }, 120_000); // one invocation at a time, so a loaded machine takes longer (no timing is asserted)

  it('never calls late: a wait that overslept its slot by more than δ takes a later slot', async () => {
    // A virtual clock whose second wait — after the claim, until the slot — oversleeps by 50 ms,
    // as a timer on a busy event loop does.
    let virtual = Date.now();
    let waits = 0;
    const now = () => virtual;
    const sleep = async (ms: number) => {
      virtual += ms + (++waits === 2 ? 50 : 0);
      await new Promise((resolve) => setImmediate(resolve));
    };
    const h = await harness({ providers: ['kaleyra'], limits: { perSecond: 80 }, now, sender: { sleep } });
    try {
      const slots: number[] = [];
      const reserve = h.sender.pacer.reserve.bind(h.sender.pacer);
      h.sender.pacer.reserve = async (...args) => {
        const reserved = await reserve(...args);
        slots.push(...reserved.slots);
        return reserved;
      };
      const callsAt: number[] = [];
      const fetch = h.sender.fetch ?? globalThis.fetch;
      h.sender.fetch = (input, init) => {
        if ((init?.method ?? (input instanceof Request ? input.method : 'GET')) === 'POST') callsAt.push(virtual);
        return fetch(input, init);
      };
      const id = await h.accept('kaleyra');
      await h.drain();
      expect((await h.storage.messages.get(id))?.status).toBe('accepted');
      // The first slot was missed by 50 ms; the call went at a later one, within δ (10 ms).
      expect(slots).toHaveLength(2);
      expect(callsAt).toHaveLength(1);
      expect(callsAt[0]! - slots[1]!).toBeGreaterThanOrEqual(0);
      expect(callsAt[0]! - slots[1]!).toBeLessThanOrEqual(10);
      expect(callsAt[0]! - slots[0]!).toBeGreaterThan(10);
    } finally {
      await h.close();
    }
  });

  it('loads the adapter before taking a slot: a slow first import never makes the call late', async () => {
    // A virtual clock; the adapter's first load takes 50 ms of it (a module import on a cold container).
    let virtual = Date.now();
    const now = () => virtual;
    const sleep = async (ms: number) => {
      virtual += ms;
      await new Promise((resolve) => setImmediate(resolve));
    };
    const h = await harness({ providers: ['kaleyra'], limits: { perSecond: 80 }, now, sender: { sleep } });
    try {
      let loaded = false;
      const load = async () => {
        if (loaded) return;
        virtual += 50;
        await new Promise((resolve) => setImmediate(resolve));
        loaded = true;
      };
      const adapterFor = h.sender.adapterFor;
      h.sender.adapterFor = (account) => {
        const adapter = adapterFor(account);
        return {
          ...adapter,
          prepare: load,
          send: async (message, on, connection) => {
            await load();
            return adapter.send(message, on, connection);
          },
        };
      };
      const slots: number[] = [];
      const reserve = h.sender.pacer.reserve.bind(h.sender.pacer);
      h.sender.pacer.reserve = async (...args) => {
        const reserved = await reserve(...args);
        slots.push(...reserved.slots);
        return reserved;
      };
      const callsAt: number[] = [];
      const fetch = h.sender.fetch ?? globalThis.fetch;
      h.sender.fetch = (input, init) => {
        if ((init?.method ?? (input instanceof Request ? input.method : 'GET')) === 'POST') callsAt.push(virtual);
        return fetch(input, init);
      };
      const id = await h.accept('kaleyra');
      await h.drain();
      expect((await h.storage.messages.get(id))?.status).toBe('accepted');
      // One slot, taken after the load: the call went at it, within δ (10 ms), not 50 ms after.
      expect(slots).toHaveLength(1);
      expect(callsAt).toHaveLength(1);
      expect(callsAt[0]! - slots[0]!).toBeGreaterThanOrEqual(0);
      expect(callsAt[0]! - slots[0]!).toBeLessThanOrEqual(10);
    } finally {
      await h.close();
    }
  });

  it('puts a message back, its attempt uncounted, when every slot it takes passes before its call', async () => {
    // Every wait after the claim oversleeps by 50 ms until the record has missed four slots (its own
    // and three later ones); then the waits keep time.
    let virtual = Date.now();
    let waits = 0;
    const now = () => virtual;
    const sleep = async (ms: number) => {
      waits++;
      virtual += ms + (waits >= 2 && waits <= 5 ? 50 : 0);
      await new Promise((resolve) => setImmediate(resolve));
    };
    const h = await harness({ providers: ['kaleyra'], limits: { perSecond: 80 }, now, sender: { sleep } });
    try {
      const id = await h.accept('kaleyra');
      await h.drain();
      // No call was made for the first claim: the message went back, and its one call counts once.
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
      expect(await h.storage.messages.get(id)).toMatchObject({ status: 'accepted', attempts: 1 });
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('rides out a 429 storm: honours the reset, sends each message once, nothing to the dead-letter queue', async () => {
    // Configured at three times what the mock allows: the mock's 429s carry the window's reset.
    // The mock's clock stands still until its first 429, so the first window sees the storm
    // however slowly a loaded machine sends; from then on it runs at the real pace.
    const frozenAt = Date.now();
    let thawedAt: number | undefined;
    const mockClock = () => (thawedAt === undefined ? frozenAt : frozenAt + Date.now() - thawedAt);
    const h = await harness({
      providers: ['livetok'],
      mock: {
        rateLimit: { limit: 5, windowMs: 1000 },
        now: mockClock,
        onAnswered: ({ status }) => void (status === 429 && (thawedAt ??= Date.now())),
      },
      limits: { perSecond: 15 },
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 15; i++) ids.push(await h.accept('livetok', { recipient: `+9198123456${String(i).padStart(2, '0')}` }));
      await h.drain({ concurrency: 3 });
      const calls = h.sendCalls('livetok');
      const accepted = calls.filter((c) => c.status === 200);
      expect(accepted).toHaveLength(15);
      expect(calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
      // The mock's own windows (by arrival, as its limiter counts) never saw more than its limit accepted.
      const perWindow = new Map<number, number>();
      for (const call of accepted) perWindow.set(Math.floor(call.at / 1000), (perWindow.get(Math.floor(call.at / 1000)) ?? 0) + 1);
      expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(5);
      // Honouring the reset: once an invocation is told to wait, it sends nothing more in that
      // window, so a window sees at most one 429 per invocation in flight.
      const refusedPerWindow = new Map<number, number>();
      for (const call of calls.filter((c) => c.status === 429))
        refusedPerWindow.set(Math.floor(call.at / 1000), (refusedPerWindow.get(Math.floor(call.at / 1000)) ?? 0) + 1);
      expect(Math.max(...refusedPerWindow.values())).toBeLessThanOrEqual(3);
      for (const id of ids) expect((await h.storage.messages.get(id))?.status).toBe('sent');
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('pauses the account on a pause-class refusal, holds its messages in the table, sends them once the pause is lifted', async () => {
    let lowBalance = true;
    // A recheck far off: only the lift can bring the messages back within this test.
    const h = await harness({ providers: ['kaleyra'], sender: { pauseRecheckMs: 10 * 60_000 } });
    try {
      const base = h.mocks.get('kaleyra')!;
      h.sender.fetch = (input, init) => preferring(lowBalance ? 'code=400, example=lowBalance' : undefined)(input, init);
      const first = await h.accept('kaleyra');
      const second = await h.accept('kaleyra', { recipient: '+14155550123' });
      // The queue empties: both messages wait in the table, not on the queue.
      await h.drain({ concurrency: 1 });
      expect(await h.storage.pauses.list('acme-kaleyra')).toEqual([expect.objectContaining({ scope: { kind: 'account' }, code: 'E110' })]);
      // Only the first message reached the provider; the second waits behind the pause.
      expect(base.received.filter((r) => r.method === 'post')).toHaveLength(1);
      for (const id of [first, second]) {
        const record = await h.storage.messages.get(id);
        expect(record?.status).toBe('queued');
        expect(Date.parse(record!.dueAt!)).toBeGreaterThan(Date.now() + 5 * 60_000);
      }
      expect((await h.storage.messages.get(first))?.error?.code).toBe('E110');
      lowBalance = false;
      const lifted = await liftPause({ keyId: 'all', accounts: '*' }, 'acme-kaleyra', {}, h.api);
      expect(JSON.parse(lifted.body)).toEqual({ lifted: { account: 'acme-kaleyra', scope: '*' }, requeued: 2 });
      await h.drain();
      for (const id of [first, second]) expect((await h.storage.messages.get(id))?.status).toBe('accepted');
      expect(base.received.filter((r) => r.method === 'post')).toHaveLength(3);
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('calls the provider for a batch side by side once the account’s first call has its answer', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      const events: string[] = [];
      let inFlight = 0;
      let most = 0;
      let started = 0;
      // A side-by-side call is held until another has started (the last one needs none): calls
      // made one after another would never be released, and would end at their deadline.
      const held: Array<() => void> = [];
      h.sender.fetch = async (input, init) => {
        const request = new Request(input, init);
        if (request.method !== 'POST') return globalThis.fetch(request, withSignal(init));
        started++;
        inFlight++;
        most = Math.max(most, inFlight);
        events.push('start');
        try {
          if (inFlight >= 2 || started === 6) for (const release of held.splice(0)) release();
          else if (started > 1) await new Promise<void>((resolve) => held.push(resolve));
          return await globalThis.fetch(request, withSignal(init));
        } finally {
          inFlight--;
          events.push('end');
        }
      };
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await h.accept('kaleyra', { recipient: `+9198123456${String(i).padStart(2, '0')}` }));
      await h.drain({ concurrency: 1 });
      for (const record of await h.storage.messages.getMany(ids)) expect(record.status).toBe('accepted');
      expect(h.sendCalls('kaleyra')).toHaveLength(6);
      // The first call alone (a refusal that stops the account would stop the others), then the rest together.
      expect(events.slice(0, 2)).toEqual(['start', 'end']);
      expect(most).toBeGreaterThan(1);
    } finally {
      await h.close();
    }
  });

  it('records a 500 as unknown and never calls the provider again for it', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      h.sender.fetch = preferring('code=500, example=internalServerError');
      const id = newMessageId();
      const request = SendRequest.parse({ provider: 'kaleyra', account: 'acme-kaleyra', recipient: PHONE, content: TEMPLATES.kaleyra });
      const message: QueueMessage = { v: 1, id, acceptedAt: new Date().toISOString(), request };
      await h.api.queue.enqueue([{ message }]);
      await h.drain();
      // The same message delivered again (a duplicate on the queue) is dropped without a call.
      await h.api.queue.enqueue([{ message }]);
      await h.drain();
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
      const record = await h.storage.messages.get(id);
      expect(record).toMatchObject({ status: 'unknown', attempts: 1, error: { class: 'unknown', status: 500, code: 'WA500' } });
      expect(record?.dueAt).toBeUndefined();
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('retries an open outcome for an account that accepts the risk of a duplicate (retryAmbiguous)', async () => {
    const h = await harness({ providers: ['kaleyra'], account: { retryAmbiguous: true } });
    try {
      let calls = 0;
      // The first answer is a gateway's 502: the request may have been forwarded.
      h.sender.fetch = async (input, init) =>
        calls++ === 0 ? new Response('<html>Bad Gateway</html>', { status: 502 }) : forward(input, init);
      const id = await h.accept('kaleyra');
      await h.drain();
      expect(calls).toBe(2);
      expect(h.sendCalls('kaleyra').map((c) => c.status)).toEqual([202]);
      expect(await h.storage.messages.get(id)).toMatchObject({ status: 'accepted', attempts: 2 });
    } finally {
      await h.close();
    }
  }, 30_000);

  it('aborts a hung call at its deadline (unknown); the rest of the batch is sent, none counted as a failure', async () => {
    // A provider that reads the request and never answers.
    const hanging: Server = createServer((request) => request.resume());
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const logs: Array<Record<string, unknown>> = [];
    const h = await harness({
      providers: ['kaleyra'],
      sender: { callTimeoutMs: 1500, reserveMs: 1000, log: sinkLog((entry) => logs.push(entry)) },
    });
    try {
      let posts = 0;
      h.sender.fetch = async (input, init) => {
        const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
        // The first send of the batch goes to the hanging provider: the request leaves, no answer comes.
        const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hang`;
        if (method === 'POST' && posts++ === 0) return forward(input, init, hangingUrl);
        return forward(input, init);
      };
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await h.accept('kaleyra', { recipient: `+9198123456${String(i).padStart(2, '0')}` }));
      // 3 s per invocation: after the hung call's 1.5 s, too little is left to start another call.
      await h.drain({ concurrency: 1, functionTimeoutMs: 3000 });
      const records = await h.storage.messages.getMany(ids);
      const unknown = records.filter((r) => r.status === 'unknown');
      expect(unknown).toHaveLength(1);
      expect(unknown[0]!.error?.reason).toContain('TimeoutError');
      expect(records.filter((r) => r.status === 'accepted')).toHaveLength(4);
      expect(h.sendCalls('kaleyra')).toHaveLength(4);
      // The messages not started went back as fresh copies: no record failed, nothing counted towards the DLQ.
      expect(logs.some((entry) => String(entry.reason).startsWith('too little time left'))).toBe(true);
      // Every line names its message (the correlation id) and never the full number, only its last digits.
      expect(logs.length).toBeGreaterThan(0);
      for (const entry of logs) expect(ids).toContain(entry.correlation_id);
      expect(JSON.stringify(logs)).not.toMatch(/9198123456\d\d/);
      expect(logs.some((entry) => String(entry.recipient).endsWith('5600'))).toBe(true);
      expect(h.responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
      await h.close();
    }
  }, 30_000);

  it('still sends under a function timeout shorter than the call deadline: the deadline shrinks to fit', async () => {
    const h = await harness({ providers: ['kaleyra'], sender: { callTimeoutMs: 10_000, reserveMs: 1000 } });
    try {
      const id = await h.accept('kaleyra');
      await h.drain({ functionTimeoutMs: 4000 });
      expect((await h.storage.messages.get(id))?.status).toBe('accepted');
      expect(h.sendCalls('kaleyra')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('fails a send to an opted-out recipient fast, without calling the provider, until removed', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      await h.storage.suppressions.add('acme-kaleyra', recipientRef(secrets.recipientHashKey, PHONE).hash, {
        reason: '131050: user stopped marketing messages',
        since: new Date().toISOString(),
      });
      const id = await h.accept('kaleyra');
      await h.drain();
      expect(h.sendCalls('kaleyra')).toHaveLength(0);
      expect(await h.storage.messages.get(id)).toMatchObject({ status: 'failed', error: { reason: 'opted_out' } });
      await h.storage.suppressions.remove('acme-kaleyra', recipientRef(secrets.recipientHashKey, PHONE).hash);
      const again = await h.accept('kaleyra');
      await h.drain();
      expect((await h.storage.messages.get(again))?.status).toBe('accepted');
    } finally {
      await h.close();
    }
  });

  it('suppresses a recipient when the provider says they opted out', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      const optedOut = { call: 0 };
      const adapter = h.sender.adapterFor(h.sender.accounts.get('acme-kaleyra')!);
      h.sender.adapterFor = () => ({
        ...adapter,
        send: async () => {
          optedOut.call++;
          const { ProviderError } = await import('../../src/providers/errors.ts');
          return {
            outcome: 'rejected',
            error: new ProviderError({
              provider: 'kaleyra',
              retryClass: 'opted_out',
              code: 131050,
              reason: 'user stopped marketing messages',
            }),
          };
        },
      });
      const id = await h.accept('kaleyra');
      await h.drain();
      expect(optedOut.call).toBe(1);
      expect(await h.storage.messages.get(id)).toMatchObject({ status: 'failed', error: { reason: 'opted_out', code: 131050 } });
      expect(await h.storage.suppressions.get('acme-kaleyra', recipientRef(secrets.recipientHashKey, PHONE).hash)).toMatchObject({
        reason: 'user stopped marketing messages',
      });
    } finally {
      await h.close();
    }
  });

  it('does not send before the schedule, and never sends a cancelled message', async () => {
    const h = await harness({ providers: ['loopwave'] });
    try {
      const at = Date.now() + 2500;
      const scheduled = await h.accept('loopwave', { scheduleAt: new Date(at).toISOString() });
      const cancelled = await h.accept('loopwave', { scheduleAt: new Date(at).toISOString(), recipient: '+14155550123' });
      expect((await h.storage.messages.cancel(cancelled, new Date().toISOString())).cancelled).toBe(true);
      await h.drain();
      const calls = h.sendCalls('loopwave');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.at).toBeGreaterThanOrEqual(at - 50);
      expect((await h.storage.messages.get(scheduled))?.status).toBe('sent');
      expect((await h.storage.messages.get(cancelled))?.status).toBe('cancelled');
    } finally {
      await h.close();
    }
  }, 30_000);

  it('fails a permanent refusal with the provider’s reason, after one call', async () => {
    const h = await harness({ providers: ['livetok'] });
    try {
      h.sender.fetch = preferring('code=404, example=templateNotFound');
      const id = await h.accept('livetok');
      await h.drain();
      expect(h.sendCalls('livetok')).toHaveLength(1);
      expect(await h.storage.messages.get(id)).toMatchObject({
        status: 'failed',
        error: { class: 'permanent', status: 404, code: 'template_not_found' },
      });
      expect(await dlqDepth(h.dlqUrl)).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('spaces two messages to one recipient by the recipient gap', async () => {
    const h = await harness({ providers: ['loopwave'], limits: { recipientGapMs: 1500 } });
    try {
      await h.accept('loopwave');
      await h.accept('loopwave', { content: { kind: 'text', text: 'A second note.' } });
      await h.drain();
      const [first, second] = h.sendCalls('loopwave');
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(1500);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('holds a message the provider says not to send for 24 h in the table, due then', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      const adapter = h.sender.adapterFor(h.sender.accounts.get('acme-kaleyra')!);
      const { ProviderError } = await import('../../src/providers/errors.ts');
      h.sender.adapterFor = () => ({
        ...adapter,
        send: async () => ({
          outcome: 'rejected',
          error: new ProviderError({ provider: 'kaleyra', retryClass: 'not_before_24h', code: 131049, reason: 'per-user marketing limit' }),
        }),
      });
      const before = Date.now();
      const id = await h.accept('kaleyra');
      await h.drain();
      const record = await h.storage.messages.get(id);
      expect(record).toMatchObject({ status: 'queued', error: { code: 131049 } });
      expect(Date.parse(record!.dueAt!) - before).toBeGreaterThanOrEqual(24 * 3600_000);
    } finally {
      await h.close();
    }
  });

  it('sends only real failures to the dead-letter queue (a body that is no queue message)', async () => {
    const h = await harness({ providers: ['kaleyra'] });
    try {
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await aws.sqs.client.send(new SendMessageCommand({ QueueUrl: h.queueUrl, MessageBody: '{"not":"a queue message"}' }));
      await h.drain({ visibilityTimeoutS: 2 });
      expect(await dlqDepth(h.dlqUrl)).toBe(1);
    } finally {
      await h.close();
    }
  }, 30_000);
});

void API_KEY;
