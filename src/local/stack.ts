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
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashApiKey } from '../api/auth.ts';
import { AccountConfig } from '../config/accounts.ts';
import { parseConfigDocument, requireAccountSecrets } from '../config/pipeline.ts';
import { apiHandler } from '../functions/api-handler.ts';
import { createPushDeps, pushHandler } from '../functions/push.ts';
import { requeueDeps } from '../functions/requeue.ts';
import { createApiDeps, type RuntimeEnvironment } from '../functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../functions/webhook.ts';
import { startProviderMock, type ProviderMock } from '../mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';
import { DEFAULT_SWEEP_GRACE_MS, requeueDue } from '../scheduler/requeue.ts';
import { createQueue, ensureMessagesTable, startDynamo, startSqs, type LocalService } from './aws.ts';
import { startEventSourceMapping, type EventSourceMapping } from './event-source-mapping.ts';
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
  /** Where the config file, the DynamoDB data and the state file live (`.local`). */
  home: string;
  ports?: LocalPorts;
  /** Share of simulated messages that fail instead of being delivered. @default 0.1 */
  failureRate?: number;
  log?: (line: string) => void;
  /** How long a message on the queue may wait unclaimed before the sweeper enqueues it again. @default 2 min */
  sweepGraceMs?: number;
  /** How often the sweeper runs. @default 1 min (as deployed) */
  sweepIntervalMs?: number;
  /** The sender's invocation timeout; its claims expire after twice this, each call after a third (≤ 10 s). @default 30 s */
  senderTimeoutMs?: number;
  /**
   * A file the provider mocks append one JSON line to per answer: provider, method, path, status
   * and a SHA-256 of the request body (no phone number) — what reached the "provider", across restarts.
   */
  mockRequestLog?: string;
  /** How long the provider mocks take to answer. @default 0 */
  mockLatencyMs?: number;
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
  mkdirSync(options.home, { recursive: true });
  const configFile = join(options.home, 'config.json');
  const stateFile = join(options.home, 'state.json');
  const local = ensureLocalConfig(configFile);
  // Checked before anything starts: an account without its credential or webhook secret is named here.
  const parsed = parseConfigDocument({ config: local.config, secrets: local.secrets }, configFile);
  requireAccountSecrets(parsed.config, parsed.secrets, configFile);

  const stoppers: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const fn of stoppers.reverse()) await Promise.resolve(fn()).catch(() => {});
    rmSync(stateFile, { force: true });
  };
  try {
    const dynamo: LocalService<unknown> & Awaited<ReturnType<typeof startDynamo>> = await listenOrExplain('DynamoDB (dynalite)', ports.dynamo, () => startDynamo({ port: ports.dynamo, path: join(options.home, 'dynamo') }));
    stoppers.push(() => dynamo.close());
    const sqs = await listenOrExplain('SQS (local-aws-sqs)', ports.sqs, () => startSqs({ port: ports.sqs }));
    stoppers.push(() => sqs.close());
    await ensureMessagesTable(dynamo.client, 'messages');
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
    const deadLetterUrl = await createQueue(sqs.client, 'send-dlq');
    const queueUrl = await createQueue(sqs.client, 'send', { deadLetterArn: arn('send-dlq'), maxReceiveCount: 5, visibilityTimeoutS: 180 });
    const pushDeadLetterUrl = await createQueue(sqs.client, 'push-dlq');
    const pushQueueUrl = await createQueue(sqs.client, 'push', { deadLetterArn: arn('push-dlq'), maxReceiveCount: 8, visibilityTimeoutS: 60 });

    // The HTTP server first: the simulator needs its URL; handlers are bound once everything exists.
    const handlers: Record<string, Parameters<typeof startLocalHttp>[0]['functions'][string]> = {};
    const http: LocalHttp = await listenOrExplain('the local API', ports.http, () =>
      startLocalHttp({ functions: { accept: (e) => handlers.accept!(e), status: (e) => handlers.status!(e), webhook: (e) => handlers.webhook!(e) } }, { port: ports.http }),
    );
    stoppers.push(() => http.close());
    const webhookBase = `${http.url}/v1/webhooks`;

    const byProvider = new Map(parsed.config.accounts.map((account) => [account.provider, account]));
    const simulator = new CallbackSimulator({
      webhookBase,
      accounts: Object.fromEntries(
        parsed.config.accounts.filter((a) => parsed.secrets.webhookSecrets[a.id]?.[0]).map((a) => [a.provider, { account: a.id, secret: parsed.secrets.webhookSecrets[a.id]![0]! }]),
      ),
      failureRate: options.failureRate ?? 0.1,
      onError: (error) => log(`simulated callback failed: ${(error as Error).message}`),
    });
    stoppers.push(() => simulator.stop());

    const mocks = {} as Record<ProviderName, ProviderMock>;
    const requestLog = options.mockRequestLog;
    for (const provider of PROVIDERS) {
      const simulate = simulator.listener(provider);
      const onAnswered = requestLog
        ? (answer: Parameters<typeof simulate>[0] & { path: string }) => {
            const sha256 = createHash('sha256').update(answer.requestBody).digest('hex');
            const line = { provider, method: answer.method, path: answer.path, status: answer.status, sha256 };
            appendFileSync(requestLog, `${JSON.stringify(line)}\n`);
            simulate(answer);
          }
        : simulate;
      const port = ports.mocks[provider];
      const mockOptions = { port, onAnswered, ...(options.mockLatencyMs ? { latencyMs: options.mockLatencyMs } : {}) };
      mocks[provider] = await listenOrExplain(`the ${provider} mock`, port, () => startProviderMock(provider, mockOptions));
      stoppers.push(() => mocks[provider].close());
    }
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
      sweepGraceMs: options.sweepGraceMs ?? DEFAULT_SWEEP_GRACE_MS,
    };
    const senderTimeoutMs = options.senderTimeoutMs ?? 30_000;
    const callTimeoutMs = Math.min(10_000, Math.floor(senderTimeoutMs / 3));
    const quiet = { log: (entry: Record<string, unknown>) => entry.level === 'error' && log(`${String(entry.message)}: ${JSON.stringify({ ...entry, message: undefined })}`) };
    handlers.accept = apiHandler('accept', () => createApiDeps(env));
    handlers.status = apiHandler('status', () => createApiDeps(env));
    handlers.webhook = webhookHandler(() => createWebhookDeps(env, quiet));

    const mappings: EventSourceMapping[] = [
      startEventSourceMapping({
        sqs: sqs.client,
        queueUrl,
        queueArn: arn('send'),
        // A timed-out invocation is abandoned here, not killed: its claims outlive it by a margin.
        handler: senderHandler(() => createSenderDeps(env, { ...quiet, claimExpiryMs: 2 * senderTimeoutMs, callTimeoutMs })),
        batchSize: 10,
        maximumConcurrency: 2,
        visibilityTimeoutS: 180,
        functionTimeoutMs: senderTimeoutMs,
        onError: (e) => log(`sender: ${(e as Error).message}`),
      }),
      startEventSourceMapping({ sqs: sqs.client, queueUrl: pushQueueUrl, queueArn: arn('push'), handler: pushHandler(() => createPushDeps(env)), batchSize: 10, maximumConcurrency: 2, visibilityTimeoutS: 60, functionTimeoutMs: 30_000, onError: (e) => log(`push: ${(e as Error).message}`) }),
    ];
    stoppers.push(() => Promise.all(mappings.map((m) => m.stop())).then(() => {}));

    // The sweeper, as deployed: at start (after a crash the in-memory queue is empty, and what it
    // held comes back from the table) and then every interval, one run at a time.
    const requeue = requeueDeps(env);
    let sweeping: Promise<void> | undefined;
    const tick = () => {
      sweeping ??= requeueDue(requeue)
        .then(() => {}, (error: unknown) => log(`requeue: ${(error as Error).message}`))
        .finally(() => (sweeping = undefined));
    };
    tick();
    const timer = setInterval(tick, options.sweepIntervalMs ?? 60_000);
    stoppers.push(async () => {
      clearInterval(timer);
      await sweeping;
    });

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
