/**
 * What the handlers need, built once per cold start from configuration: clients, the store, the
 * queue, the accounts and their adapters. Configuration is read and validated here, at the edge;
 * the modules below receive typed objects.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ApiDeps } from '../api/app.ts';
import { cursorCodec } from '../api/cursor.ts';
import { parseConfigDocument, readConfigFile, type PipelineConfig, type PipelineSecrets } from '../config/pipeline.ts';
import { ConfigError } from '../errors.ts';
import { payloadCipher } from '../privacy/payload-cipher.ts';
import { adapterFor } from '../providers/index.ts';
import { PushQueue } from '../push/push.ts';
import { SendQueue } from '../queue/send-queue.ts';
import { functionEnvironment } from '../runtime/env.ts';
import { functionLog, type Log } from '../runtime/log.ts';
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
  /** The sender's claim life (`SEND_CLAIM_EXPIRY_MS`). */
  claimExpiryMs?: number;
  /** The sender's deadline for each provider call (`SEND_CALL_TIMEOUT_MS`). */
  callTimeoutMs?: number;
  /** The deployed function's name (`AWS_LAMBDA_FUNCTION_NAME`): the webhook's drift metric is counted by it. */
  functionName?: string;
}

export function createApiDeps(env: RuntimeEnvironment, options: { log?: Log } = {}): ApiDeps {
  const accounts = new Map(env.config.accounts.map((account) => [account.id, account]));
  const { messages, claims, due, idempotency, pauses, suppressions, routeHealth } = env.storage;
  return {
    messages,
    claims,
    due,
    idempotency,
    pauses,
    suppressions,
    routeHealth,
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
    // The API's two functions share these modules; a line names the function that wrote it only from the handler.
    log: options.log ?? functionLog('api'),
  };
}

/**
 * The runtime from the process environment (read once, through src/runtime/env.ts): `TABLE_NAME`,
 * `QUEUE_URL`, `PUSH_QUEUE_URL` (optional), `SWEEP_GRACE_MS`, `SEND_CLAIM_EXPIRY_MS`,
 * `SEND_CALL_TIMEOUT_MS`, and the configuration with its secrets, either from AWS Secrets Manager
 * (`WAPK_CONFIG_SECRET_ID`, as deployed: the secret holds `{config, secrets}`; nothing secret is in
 * the environment) or from a file (`WAPK_CONFIG_FILE`, the local stack's, git-ignored). AWS
 * endpoints follow the SDK's own variables (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`).
 */
export async function runtimeFromEnvironment(): Promise<RuntimeEnvironment> {
  const env = functionEnvironment();
  let loaded: { config: PipelineConfig; secrets: PipelineSecrets };
  if ('secretId' in env.configSource) {
    const { secretId } = env.configSource;
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!SecretString) throw new ConfigError(`secret ${secretId} holds no text`);
    let document: unknown;
    try {
      document = JSON.parse(SecretString);
    } catch (error) {
      throw new ConfigError(`secret ${secretId} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    loaded = parseConfigDocument(document, `secret ${secretId}`);
  } else {
    loaded = readConfigFile(env.configSource.file);
  }
  return {
    ...loaded,
    storage: dynamoDBStorage({ tableName: env.tableName }),
    queueUrl: env.queueUrl,
    ...(env.pushQueueUrl ? { pushQueueUrl: env.pushQueueUrl } : {}),
    sweepGraceMs: env.sweepGraceMs,
    claimExpiryMs: env.claimExpiryMs,
    callTimeoutMs: env.callTimeoutMs,
    ...(env.functionName !== undefined ? { functionName: env.functionName } : {}),
    sqs: new SQSClient({}),
  };
}

/** How old a warm container's configuration may get (`CONFIG_MAX_AGE_S`): the handlers' loaders refresh after it. */
export const configMaxAgeMs = (): number => functionEnvironment().configMaxAgeMs;
