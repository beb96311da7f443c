/**
 * The whole pipeline on one machine, with the same handler code that runs in Lambda: a Prism
 * mock per provider (with simulated status callbacks), dynalite for DynamoDB (kept on disk),
 * local-aws-sqs for the queues, the accept/status/webhook handlers behind one HTTP server, the
 * sender and push handlers driven by the local event source mapping, and the scheduled re-enqueue.
 *
 * Configuration comes from `<home>/config.json`, created with random keys and secrets on first
 * run (git-ignored). Every account talks to the local mock of its provider, whatever baseUrl the
 * file says.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hashApiKey } from '../api/auth.ts';
import { AccountConfig } from '../config/accounts.ts';
import { parseConfigDocument } from '../config/pipeline.ts';
import { apiHandler } from '../functions/api-handler.ts';
import { createPushDeps, pushHandler } from '../functions/push.ts';
import { requeueDeps } from '../functions/requeue.ts';
import { createApiDeps, type RuntimeEnvironment } from '../functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../functions/webhook.ts';
import { startProviderMock, type ProviderMock } from '../mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';
import { requeueDue } from '../scheduler/requeue.ts';
import { createQueue, ensureMessagesTable, startDynamo, startSqs, type LocalService } from './aws.ts';
import { homeAt, lockHome } from './home.ts';
import { startEventSourceMapping, type EventSourceMapping } from './event-source-mapping.ts';
import { scenarioAnswers } from './scenarios.ts';
import { startLocalHttp, type LocalHttp } from './http-server.ts';
import { CallbackSimulator } from './simulator.ts';

export interface LocalPorts {
  http: number;
  dynamo: number;
  sqs: number;
  mocks: Record<ProviderName, number>;
}

export const DEFAULT_PORTS: LocalPorts = {
  http: 3000,
  dynamo: 8000,
  sqs: 9324,
  mocks: Object.fromEntries(PROVIDERS.map((p) => [p, MOCKED_PROVIDERS[p].port])) as Record<ProviderName, number>,
};

export const EPHEMERAL_PORTS: LocalPorts = { http: 0, dynamo: 0, sqs: 0, mocks: Object.fromEntries(PROVIDERS.map((p) => [p, 0])) as Record<ProviderName, number> };

export interface LocalStackOptions {
  /** Where the config file, the DynamoDB data and the state file live (src/local/home.ts). */
  home: string;
  ports?: LocalPorts;
  /** Share of simulated messages that fail instead of being delivered (scenario numbers excepted). @default 0.1 */
  failureRate?: number;
  /** How long the timeout scenario's mock holds a request before dropping it. @default 40_000 */
  scenarioHoldMs?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  webhookBase: string;
  apiKey: string;
  configFile: string;
  stateFile: string;
  mocks: Record<ProviderName, string>;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  queueUrl: string;
  deadLetterUrl: string;
  pushQueueUrl: string;
  pushDeadLetterUrl: string;
  stop(): Promise<void>;
}

export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

interface LocalFile {
  apiKey: string;
  config: unknown;
  secrets: unknown;
}

/** The local config: one account per provider, random keys; written once, then read. */
export function ensureLocalConfig(file: string): LocalFile {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalFile;
  const apiKey = `wapk_local_${randomBytes(18).toString('base64url')}`;
  const token = () => randomBytes(24).toString('base64url');
  const local: LocalFile = {
    apiKey,
    config: {
      accounts: [
        { id: 'local-livetok', provider: 'livetok', plan: 'pro' },
        { id: 'local-livechat', provider: 'livechat', numberId: '1234' },
        { id: 'local-gupshup', provider: 'gupshup', source: '919163000003', appName: 'LocalApp', templates: [{ name: 'order_update', language: 'en', providerTemplateId: 'tmpl-local-1', bodyParameters: 2 }] },
        { id: 'local-loopwave', provider: 'loopwave', baseUrl: 'http://127.0.0.1:4013', sessionId: 'n1a2b3c' },
        { id: 'local-kaleyra', provider: 'kaleyra', sid: 'LOCALSID', senderNumber: '+919000014497' },
      ],
      apiKeys: [{ id: 'local', sha256: hashApiKey(apiKey), accounts: '*' }],
    },
    secrets: {
      recipientHashKey: randomBytes(32).toString('hex'),
      payloadKey: randomBytes(32).toString('base64'),
      credentials: { 'local-livetok': `sk_test_${token()}`, 'local-livechat': `local:${token()}`, 'local-gupshup': token(), 'local-loopwave': `lw_live_${token()}`, 'local-kaleyra': token() },
      webhookSecrets: { 'local-livechat': [`whsec_${randomBytes(24).toString('base64')}`], 'local-gupshup': [token()], 'local-loopwave': [token()], 'local-kaleyra': [token()] },
    },
  };
  writeFileSync(file, `${JSON.stringify(local, null, 2)}\n`);
  chmodSync(file, 0o600);
  return local;
}

/** Like Promise.all, but waits for every promise to settle (so each started service is known) before throwing the first failure. */
async function settleAll<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

async function listenOrExplain<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortTakenError(`port ${port} (${what}) is taken: stop what uses it, or choose another port (see README, "Local stack")`);
    throw new Error(`${what} failed to start: ${(error as Error).message}`);
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const ports = options.ports ?? DEFAULT_PORTS;
  const log = options.log ?? (() => {});
  const home = homeAt(options.home);
  mkdirSync(home.dir, { recursive: true });
  // One stack per home: a second one would find the DynamoDB files locked and crash half-way.
  const unlock = lockHome(home);
  const { configFile, stateFile } = home;

  const stoppers: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const fn of stoppers.reverse()) await Promise.resolve(fn()).catch(() => {});
    stoppers.length = 0;
    rmSync(stateFile, { force: true });
    unlock();
  };
  try {
    const local = ensureLocalConfig(configFile);
    const parsed = parseConfigDocument({ config: local.config, secrets: local.secrets }, configFile);
    const byProvider = new Map(parsed.config.accounts.map((account) => [account.provider, account]));

    // The HTTP server first: the simulator needs its URL; handlers are bound once everything exists.
    const handlers: Record<string, Parameters<typeof startLocalHttp>[0]['functions'][string]> = {};
    const http: LocalHttp = await listenOrExplain('the local API', ports.http, () =>
      startLocalHttp({ functions: { accept: (e) => handlers.accept!(e), status: (e) => handlers.status!(e), webhook: (e) => handlers.webhook!(e) } }, { port: ports.http }),
    );
    stoppers.push(() => http.close());
    const webhookBase = `${http.url}/v1/webhooks`;
    const simulator = new CallbackSimulator({
      webhookBase,
      accounts: Object.fromEntries(
        parsed.config.accounts.filter((a) => parsed.secrets.webhookSecrets[a.id]?.[0]).map((a) => [a.provider, { account: a.id, secret: parsed.secrets.webhookSecrets[a.id]![0]! }]),
      ),
      failureRate: options.failureRate ?? 0.1,
      onError: (error) => log(`simulated callback failed: ${(error as Error).message}`),
    });
    stoppers.push(() => simulator.stop());
    const scenarios = scenarioAnswers({ holdMs: options.scenarioHoldMs ?? 40_000 });

    // The emulators and the five mocks start together: each waits on files and sockets the others
    // do not need. Whatever started is stopped again if anything fails.
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
    const started = <T extends { close(): Promise<void> }>(service: Promise<T>) =>
      service.then((running) => {
        stoppers.push(() => running.close());
        return running;
      });
    const [dynamo, queues, ...mockList] = await settleAll([
      started(listenOrExplain('DynamoDB (dynalite)', ports.dynamo, () => startDynamo({ port: ports.dynamo, path: home.dynamoDir }))).then(async (service) => {
        await ensureMessagesTable(service.client, 'messages');
        return service;
      }),
      started(listenOrExplain('SQS (local-aws-sqs)', ports.sqs, () => startSqs({ port: ports.sqs }))).then(async (service) => {
        const [deadLetterUrl, pushDeadLetterUrl] = await Promise.all([createQueue(service.client, 'send-dlq'), createQueue(service.client, 'push-dlq')]);
        const [queueUrl, pushQueueUrl] = await Promise.all([
          createQueue(service.client, 'send', { deadLetterArn: arn('send-dlq'), maxReceiveCount: 5, visibilityTimeoutS: 180 }),
          createQueue(service.client, 'push', { deadLetterArn: arn('push-dlq'), maxReceiveCount: 8, visibilityTimeoutS: 60 }),
        ]);
        return { service, deadLetterUrl, queueUrl, pushDeadLetterUrl, pushQueueUrl };
      }),
      ...PROVIDERS.map((provider) =>
        started(
          listenOrExplain(`the ${provider} mock`, ports.mocks[provider], () =>
            startProviderMock(provider, { port: ports.mocks[provider], beforeReply: simulator.listener(provider), scenario: scenarios(provider) }),
          ),
        ),
      ),
    ] as const);
    const sqs = queues.service;
    const { deadLetterUrl, queueUrl, pushDeadLetterUrl, pushQueueUrl } = queues;
    const mocks = Object.fromEntries(PROVIDERS.map((provider, i) => [provider, mockList[i] as ProviderMock])) as Record<ProviderName, ProviderMock>;
    // Every account talks to its provider's local mock.
    const accounts = parsed.config.accounts.map((account) => AccountConfig.parse({ ...account, baseUrl: mocks[account.provider].url }));
    const env: RuntimeEnvironment = {
      config: { ...parsed.config, accounts },
      secrets: parsed.secrets,
      tableName: 'messages',
      queueUrl,
      pushQueueUrl,
      dynamo: dynamo.client,
      sqs: sqs.client,
    };
    const quiet = { log: (entry: Record<string, unknown>) => entry.level === 'error' && log(`${String(entry.message)}: ${JSON.stringify({ ...entry, message: undefined })}`) };
    handlers.accept = apiHandler('accept', () => createApiDeps(env));
    handlers.status = apiHandler('status', () => createApiDeps(env));
    handlers.webhook = webhookHandler(() => createWebhookDeps(env, quiet));

    const mappings: EventSourceMapping[] = [
      startEventSourceMapping({ sqs: sqs.client, queueUrl, queueArn: arn('send'), handler: senderHandler(() => createSenderDeps(env, { ...quiet, claimExpiryMs: 60_000 })), batchSize: 10, maximumConcurrency: 2, visibilityTimeoutS: 180, functionTimeoutMs: 30_000, onError: (e) => log(`sender: ${(e as Error).message}`) }),
      startEventSourceMapping({ sqs: sqs.client, queueUrl: pushQueueUrl, queueArn: arn('push'), handler: pushHandler(() => createPushDeps(env)), batchSize: 10, maximumConcurrency: 2, visibilityTimeoutS: 60, functionTimeoutMs: 30_000, onError: (e) => log(`push: ${(e as Error).message}`) }),
    ];
    stoppers.push(() => Promise.all(mappings.map((m) => m.stop())).then(() => {}));

    const requeue = requeueDeps(env);
    const tick = () => void requeueDue(requeue).catch((error: unknown) => log(`requeue: ${(error as Error).message}`));
    tick();
    const timer = setInterval(tick, 60_000);
    stoppers.push(() => clearInterval(timer));

    const stack: LocalStack = {
      apiUrl: http.url,
      webhookBase,
      apiKey: local.apiKey,
      configFile,
      stateFile,
      mocks: Object.fromEntries(PROVIDERS.map((p) => [p, mocks[p].url])) as Record<ProviderName, string>,
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      queueUrl,
      deadLetterUrl,
      pushQueueUrl,
      pushDeadLetterUrl,
      stop,
    };
    const { stop: _stop, apiKey: _key, ...state } = stack;
    writeFileSync(stateFile, `${JSON.stringify({ ...state, pid: process.pid, accounts: Object.fromEntries([...byProvider].map(([p, a]) => [p, a.id])) }, null, 2)}\n`);
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}
