/** Lambda, on the push queue: delivers status pushes to callers (src/push/push.ts). */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ConfigError } from '../config/pipeline.ts';
import { deliverPush, type PushDeps } from '../push/push.ts';
import { loadOnce, runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';
import { refreshing } from './refresh.ts';

export function createPushDeps(env: RuntimeEnvironment, options: Partial<Pick<PushDeps, 'fetch' | 'timeoutMs' | 'backoffS'>> = {}): PushDeps {
  if (!env.pushQueueUrl) throw new ConfigError('environment variable PUSH_QUEUE_URL is not set');
  return {
    sqs: env.sqs,
    queueUrl: env.pushQueueUrl,
    accounts: new Map(env.config.accounts.map((account) => [account.id, account])),
    pushSecrets: env.secrets.pushSecrets,
    fetch: options.fetch ?? globalThis.fetch,
    now: env.now ?? (() => new Date()),
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.backoffS ? { backoffS: options.backoffS } : {}),
  };
}

export function pushHandler(load: () => PushDeps | Promise<PushDeps>) {
  const deps = loadOnce(load);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const ready = await deps();
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, (record: SQSRecord) => deliverPush(record, ready), processor, { context, throwOnFullBatchFailure: false });
  };
}

export const handler = refreshing(() => pushHandler(async () => createPushDeps(await runtimeFromEnvironment())));
