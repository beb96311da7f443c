/**
 * What the handlers need, built once per cold start from configuration: clients, the store, the
 * queue, the accounts and their adapters. Configuration is read and validated here, at the edge;
 * the modules below receive typed objects.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ApiDeps } from '../api/app.ts';
import { cursorCodec } from '../api/cursor.ts';
import { ConfigError, parseConfigDocument, readConfigFile, type PipelineConfig, type PipelineSecrets } from '../config/pipeline.ts';
import { payloadCipher } from '../privacy/payload-cipher.ts';
import { adapterFor } from '../providers/registry.ts';
import { PushQueue } from '../push/push.ts';
import { SendQueue } from '../queue/send-queue.ts';
import { MessageStore } from '../store/message-store.ts';

export interface RuntimeEnvironment {
  config: PipelineConfig;
  secrets: PipelineSecrets;
  tableName: string;
  queueUrl: string;
  /** The caller-push queue (optional: without it, no pushes are queued). */
  pushQueueUrl?: string;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  now?: () => Date;
}

export function createApiDeps(env: RuntimeEnvironment): ApiDeps {
  const accounts = new Map(env.config.accounts.map((account) => [account.id, account]));
  return {
    store: new MessageStore(env.dynamo, env.tableName),
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
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is not set`);
  return value;
}

/**
 * The runtime from the process environment: `TABLE_NAME`, `QUEUE_URL`, `PUSH_QUEUE_URL`
 * (optional), and the configuration with its secrets, either from AWS Secrets Manager
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
    tableName: required('TABLE_NAME'),
    queueUrl: required('QUEUE_URL'),
    ...(process.env.PUSH_QUEUE_URL ? { pushQueueUrl: process.env.PUSH_QUEUE_URL } : {}),
    dynamo: new DynamoDBClient({}),
    sqs: new SQSClient({}),
  };
}
