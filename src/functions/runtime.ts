/**
 * What the handlers need, built once per cold start from configuration: clients, the store, the
 * queue, the accounts and their adapters. Configuration is read and validated here, at the edge;
 * the modules below receive typed objects.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ApiDeps } from '../api/app.ts';
import { cursorCodec } from '../api/cursor.ts';
import { ConfigError, parseConfigDocument, readConfigFile, type PipelineConfig, type PipelineSecrets } from '../config/pipeline.ts';
import { payloadCipher } from '../privacy/payload-cipher.ts';
import { adapterFor } from '../providers/index.ts';
import { PushQueue } from '../push/push.ts';
import { SendQueue } from '../queue/send-queue.ts';
import { DEFAULT_SWEEP_GRACE_MS } from '../scheduler/requeue.ts';
import { dynamoDBStorage } from '../store/dynamodb/index.ts';
import type { Storage } from '../store/repositories.ts';

export interface RuntimeEnvironment {
  config: PipelineConfig;
  secrets: PipelineSecrets;
  queueUrl: string;
  /** The caller-push queue (optional: without it, no pushes are queued). */
  pushQueueUrl?: string;
  /** Where messages, keys, pauses and pacing are kept (deployed: DynamoDB, `dynamoDBStorage`). */
  storage: Storage;
  sqs: SQSClient;
  now?: () => Date;
  /** How long a message on the queue may wait unclaimed before the sweeper enqueues it again (`SWEEP_GRACE_MS`). */
  sweepGraceMs?: number;
}

/**
 * What a handler builds on its first invocation (clients, configuration from Secrets Manager),
 * kept for the container's life once built. A build that fails (a throttled Secrets Manager, a
 * network blip) is not kept: the next invocation builds again, instead of every later invocation
 * of the container failing with the same rejection. Concurrent first uses share one build.
 */
export function loadOnce<T>(load: () => T | Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      const attempt = Promise.resolve().then(load);
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}

/** A duration in ms from the environment variable `name` (a positive integer), or `fallback` when unset. */
export function msFromEnvironment(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new ConfigError(`environment variable ${name} must be a whole number of milliseconds, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export function createApiDeps(env: RuntimeEnvironment): ApiDeps {
  const accounts = new Map(env.config.accounts.map((account) => [account.id, account]));
  const { messages, claims, due, idempotency, pauses, suppressions } = env.storage;
  return {
    messages,
    claims,
    due,
    idempotency,
    pauses,
    suppressions,
    queue: new SendQueue(env.sqs, env.queueUrl),
    accounts,
    // Cancels and operators' resolves are status changes too: pushed like the sender's and the callbacks'.
    ...(env.pushQueueUrl ? { notifier: new PushQueue(env.sqs, env.pushQueueUrl, accounts) } : {}),
    adapterFor,
    apiKeys: env.config.apiKeys,
    recipientHashKey: env.secrets.recipientHashKey,
    cipher: payloadCipher(env.secrets.payloadKey),
    cursors: cursorCodec(env.secrets.recipientHashKey),
    now: env.now ?? (() => new Date()),
    ...(env.sweepGraceMs !== undefined ? { sweepGraceMs: env.sweepGraceMs } : {}),
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is not set`);
  return value;
}

/**
 * The runtime from the process environment: `TABLE_NAME`, `QUEUE_URL`, `PUSH_QUEUE_URL`
 * (optional), `SWEEP_GRACE_MS` (optional, default 2 min), and the configuration with its secrets, either from AWS Secrets Manager
 * (`WAPK_CONFIG_SECRET_ID`, as deployed: the secret holds `{config, secrets}`; nothing secret is in
 * the environment) or from a file (`WAPK_CONFIG_FILE`, the local stack's, git-ignored). AWS
 * endpoints follow the SDK's own variables (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`).
 */
export async function runtimeFromEnvironment(): Promise<RuntimeEnvironment> {
  const secretId = process.env.WAPK_CONFIG_SECRET_ID;
  const file = process.env.WAPK_CONFIG_FILE;
  let loaded: { config: PipelineConfig; secrets: PipelineSecrets };
  if (secretId) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new ConfigError(`secret ${secretId} holds no text`);
    loaded = parseConfigDocument(JSON.parse(SecretString) as unknown, `secret ${secretId}`);
  } else if (file) {
    loaded = readConfigFile(file);
  } else {
    throw new ConfigError('set WAPK_CONFIG_SECRET_ID (deployed) or WAPK_CONFIG_FILE (local): neither is set');
  }
  return {
    ...loaded,
    storage: dynamoDBStorage({ tableName: required('TABLE_NAME') }),
    queueUrl: required('QUEUE_URL'),
    ...(process.env.PUSH_QUEUE_URL ? { pushQueueUrl: process.env.PUSH_QUEUE_URL } : {}),
    sweepGraceMs: msFromEnvironment('SWEEP_GRACE_MS', DEFAULT_SWEEP_GRACE_MS),
    sqs: new SQSClient({}),
  };
}
