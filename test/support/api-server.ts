/**
 * The real HTTP API on loopback for tests that hold it to a contract (specs/api.yaml, the CLI's
 * pact): the accept, status and webhook Lambda handlers behind the local HTTP server, over the
 * in-memory repositories (src/store/memory, held to DynamoDB's contract) and the SQS emulator, as
 * test/integration/ does. Its clock and secrets are fixed, so its answers are reproducible: the
 * same request in the same state gets the same bytes (but for the ids accept makes).
 */
import { UnavailableError } from '../../src/errors.ts';
import type { ApiDeps } from '../../src/api/app.ts';
import { type PipelineConfig, PipelineSecrets } from '../../src/config/pipeline.ts';
import { apiHandler, type LambdaHttpHandler } from '../../src/functions/api-handler.ts';
import { createApiDeps } from '../../src/functions/runtime.ts';
import { createWebhookDeps, webhookHandler } from '../../src/functions/webhook.ts';
import { startLocalHttp, type LocalHttp } from '../../src/local/http-server.ts';
import type { MessageStatus } from '../../src/messages/status.ts';
import { recipientRef } from '../../src/privacy/recipient.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { silentLog } from '../../src/runtime/log.ts';
import { memoryStorage, type MemoryStorage } from '../../src/store/memory/index.ts';
import { ACCOUNT_SCOPE, templateScope, type StoredError } from '../../src/store/model.ts';
import type { WebhookDeps } from '../../src/webhooks/app.ts';
import { API_KEY, startLocalSqs, testConfig } from './local-aws.ts';

export { API_KEY, KALEYRA_ONLY_KEY } from './local-aws.ts';

/** The time the API's clock says unless a test sets it. */
export const API_NOW = new Date('2026-11-22T10:00:00.000Z');

/** Each calling-back account's webhook secret (LiveChat's is a Standard Webhooks secret, Loopwave's an HMAC key, the others tokens). */
export const WEBHOOK_SECRETS = {
  'acme-livechat': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  'acme-loopwave': 'loopwave-hmac-key-5d41402abc4b2a76',
  'acme-gupshup': 'gupshup-token-7c4a8d09ca3762af61e5',
  'acme-kaleyra': 'kaleyra-token-e10adc3949ba59abbe56',
} as const;

/** Fixed (test-only) secrets: list cursors are HMACs under the recipient hash key, so they come out the same on every run. */
export const API_SECRETS = PipelineSecrets.parse({
  recipientHashKey: '6a09e667f3bcc908b2fb1366ea957d3e3adec17512775099da2f590b0667322a',
  payloadKey: Buffer.alloc(32, 7).toString('base64'),
  credentials: Object.fromEntries(testConfig().accounts.map((account) => [account.id, 'key'])),
  webhookSecrets: Object.fromEntries(Object.entries(WEBHOOK_SECRETS).map(([account, secret]) => [account, [secret]])),
});

export interface ApiOnLoopback {
  url: string;
  /** What the handlers read and write now ({@link reset} replaces it). */
  storage: MemoryStorage;
  now: Date;
  /** While set, each handler's dependencies fail to load, as when the store or the configuration is out of reach. */
  unavailable: boolean;
  /** Empties the storage (a fresh store, as a new deployment's). */
  reset(): void;
  close(): Promise<void>;
}

export async function startApiOnLoopback(): Promise<ApiOnLoopback> {
  const aws = await startLocalSqs();
  const config: PipelineConfig = testConfig();
  let api!: { deps: ApiDeps; webhooks: WebhookDeps; handlers: Record<'accept' | 'status' | 'webhook', LambdaHttpHandler> };
  const down = {
    accept: apiHandler('accept', failingLoad, { log: silentLog }),
    status: apiHandler('status', failingLoad, { log: silentLog }),
    webhook: webhookHandler(failingLoad, { log: silentLog }),
  };
  const state: ApiOnLoopback = {
    url: '',
    storage: memoryStorage(),
    now: API_NOW,
    unavailable: false,
    reset() {
      state.storage = memoryStorage();
      build();
    },
    close: async () => {
      await http.close();
      await aws.close();
    },
  };
  const build = () => {
    const env = { config, secrets: API_SECRETS, storage: state.storage, queueUrl: aws.queueUrl, sqs: aws.sqs.client, now: () => state.now };
    const deps = createApiDeps(env, { log: silentLog });
    const webhooks = createWebhookDeps(env, { log: silentLog });
    api = {
      deps,
      webhooks,
      handlers: {
        accept: apiHandler('accept', () => deps, { log: silentLog }),
        status: apiHandler('status', () => deps, { log: silentLog }),
        webhook: webhookHandler(() => webhooks, { log: silentLog }),
      },
    };
  };
  build();
  const route =
    (name: 'accept' | 'status' | 'webhook'): LambdaHttpHandler =>
    (event) =>
      (state.unavailable ? down : api.handlers)[name](event);
  const http: LocalHttp = await startLocalHttp({
    functions: { accept: route('accept'), status: route('status'), webhook: route('webhook') },
  });
  state.url = http.url;
  return state;
}

function failingLoad(): never {
  throw new UnavailableError('store', 'the store could not be reached (test)');
}

/** Authorization for the all-accounts key. */
export const bearer = (key: string = API_KEY) => ({ authorization: `Bearer ${key}` });

export interface SeededMessage {
  id: string;
  provider: ProviderName;
  account: string;
  recipient: string;
  template?: string;
  createdAt: string;
  scheduleAt?: string;
  metadata?: Record<string, string>;
  /** The statuses it went through after `queued`/`scheduled`, each with its time. */
  steps?: Array<[Exclude<MessageStatus, 'queued' | 'scheduled' | 'cancelled'>, string]>;
  providerMessageId?: string;
  error?: StoredError;
}

/**
 * Writes a message as accept would, then moves it the way the sender and the callbacks do: a
 * claim for `sending` (one attempt), a lost outcome for `unknown`, applied statuses for the rest.
 */
export async function seedMessage(storage: MemoryStorage, message: SeededMessage): Promise<void> {
  const { id, provider, account } = message;
  await storage.messages.createMany([
    {
      id,
      provider,
      account,
      recipient: recipientRef(API_SECRETS.recipientHashKey, message.recipient),
      kind: message.template ? 'template' : 'text',
      ...(message.template ? { template: message.template } : {}),
      status: message.scheduleAt && message.scheduleAt > message.createdAt ? 'scheduled' : 'queued',
      createdAt: message.createdAt,
      ...(message.scheduleAt ? { scheduleAt: message.scheduleAt } : {}),
      ...(message.metadata ? { metadata: message.metadata } : {}),
    },
  ]);
  for (const [status, at] of message.steps ?? []) {
    if (status === 'sending') await storage.claims.claim(id, `claim-${id}`, at);
    else if (status === 'unknown')
      await storage.claims.markUnknown(id, at, message.error?.reason ?? 'the provider did not answer', `claim-${id}`);
    else
      await storage.messages.applyStatus(id, status, at, {
        ...(message.providerMessageId ? { providerMessageId: message.providerMessageId, provider, account } : {}),
        ...(status === 'failed' && message.error ? { error: message.error } : {}),
      });
  }
}

// ---------------------------------------------------------------- a world to start from

/** The messages {@link seedWorld} writes (and ids it does not: `missing`, `held`). */
export const ID = {
  read: '01M81AK7A08BEA23QH5RW7NXJD',
  failed: '01M81APWG0F2K9T4M6P8R1V3XZ',
  queued: '01M81ATHP0C7D9E2G4H6J8K1MN',
  unknown: '01M81AY6W0Q3S5T7V9W1X2Y4Z6',
  scheduled: '01M81B1W20A1B2C3D4E5F6G7H8',
  missing: '01M81B5H80ZZZZZZZZZZZZZZZZ',
  held: '01M81B3NT0K4M6P8R0T2V4X6Z8',
};
export const PHONE = '+919812345678';
export const KALEYRA_PROVIDER_ID = 'AXXXXXXXXXXXXXXXXXXX-1-8bea23';

/**
 * Messages in every status the API shows (a Kaleyra message read, a Gupshup one failed, one
 * queued, a LiveChat one whose outcome is unknown, a Loopwave one scheduled), two pauses (the
 * Kaleyra account's, a Gupshup template's) and a suppression (on the Kaleyra account).
 */
export async function seedWorld(storage: MemoryStorage): Promise<void> {
  await seedMessage(storage, {
    id: ID.read,
    provider: 'kaleyra',
    account: 'acme-kaleyra',
    recipient: PHONE,
    template: 'lto_template',
    createdAt: '2026-11-22T09:50:00.000Z',
    metadata: { order: 'A-17' },
    providerMessageId: KALEYRA_PROVIDER_ID,
    steps: [
      ['sending', '2026-11-22T09:50:00.085Z'],
      ['accepted', '2026-11-22T09:50:00.236Z'],
      ['sent', '2026-11-22T09:50:02.000Z'],
      ['delivered', '2026-11-22T09:50:02.000Z'],
      ['read', '2026-11-22T09:50:31.000Z'],
    ],
  });
  await seedMessage(storage, {
    id: ID.failed,
    provider: 'gupshup',
    account: 'acme-gupshup',
    recipient: '+919876543210',
    template: 'order_update',
    createdAt: '2026-11-22T09:52:00.000Z',
    providerMessageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
    error: { class: 'permanent', code: 131026, reason: 'Message undeliverable' },
    steps: [
      ['sending', '2026-11-22T09:52:00.090Z'],
      ['accepted', '2026-11-22T09:52:00.301Z'],
      ['failed', '2026-11-22T09:52:03.000Z'],
    ],
  });
  await seedMessage(storage, {
    id: ID.queued,
    provider: 'kaleyra',
    account: 'acme-kaleyra',
    recipient: '+919812340000',
    template: 'lto_template',
    createdAt: '2026-11-22T09:54:00.000Z',
  });
  await seedMessage(storage, {
    id: ID.unknown,
    provider: 'livechat',
    account: 'acme-livechat',
    recipient: '+14155550123',
    template: 'appointment_reminder',
    createdAt: '2026-11-22T09:56:00.000Z',
    error: { reason: 'no answer within 10 s' },
    steps: [
      ['sending', '2026-11-22T09:56:00.070Z'],
      ['unknown', '2026-11-22T09:56:10.070Z'],
    ],
  });
  await seedMessage(storage, {
    id: ID.scheduled,
    provider: 'loopwave',
    account: 'acme-loopwave',
    recipient: PHONE,
    createdAt: '2026-11-22T09:58:00.000Z',
    scheduleAt: '2026-12-01T03:30:00.000Z',
  });
  await storage.pauses.set('acme-kaleyra', ACCOUNT_SCOPE, {
    reason: 'Account is not active',
    code: 'E110',
    since: '2026-11-22T09:55:12.000Z',
  });
  await storage.pauses.set('acme-gupshup', templateScope('order_update'), {
    reason: 'Template paused due to low quality',
    code: 132015,
    since: '2026-11-22T09:57:40.000Z',
  });
  await storage.suppressions.add('acme-kaleyra', recipientRef(API_SECRETS.recipientHashKey, PHONE).hash, {
    reason: 'Recipient opted out of marketing messages',
    code: 131050,
    since: '2026-11-22T09:51:00.000Z',
  });
}
