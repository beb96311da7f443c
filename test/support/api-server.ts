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
import type { StoredError } from '../../src/store/model.ts';
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
