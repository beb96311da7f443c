/** Lambda, on the push queue: delivers status pushes to callers (src/push/push.ts). */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EnvironmentError, errorLogFields } from '../errors.ts';
import { deliverPush, PushFailedError, type PushDeps } from '../push/push.ts';
import { lazyLoader } from '../runtime/loader.ts';
import { functionLog } from '../runtime/log.ts';
import type { HandlerOptions } from './api-handler.ts';
import { configMaxAgeMs, runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';

export function createPushDeps(
  env: RuntimeEnvironment,
  options: Partial<Pick<PushDeps, 'fetch' | 'timeoutMs' | 'backoffS' | 'random'>> = {},
): PushDeps {
  if (!env.pushQueueUrl) throw new EnvironmentError([{ variable: 'PUSH_QUEUE_URL', rule: 'is not set' }]);
  return {
    sqs: env.sqs,
    queueUrl: env.pushQueueUrl,
    accounts: new Map(env.config.accounts.map((account) => [account.id, account])),
    pushSecrets: env.secrets.pushSecrets,
    fetch: options.fetch ?? globalThis.fetch,
    now: env.now ?? (() => new Date()),
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.backoffS ? { backoffS: options.backoffS } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
}

/**
 * The handler over `deps` (built on first use; a failed build is tried again by the next
 * invocation). A push the caller did not take fails its record, logged as a warning (the caller's
 * endpoint failing is not our error; the push dead-letter queue's alarm tells when it gives up):
 * SQS tries it again after the backoff. A record that is no push at all is logged as an error.
 */
export function pushHandler(load: () => PushDeps | Promise<PushDeps>, options: HandlerOptions = {}) {
  const deps = lazyLoader(load, options);
  const log = options.log ?? functionLog('push');
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const ready = await deps();
    const processor = new BatchProcessor(EventType.SQS);
    const handleRecord = (record: SQSRecord) =>
      deliverPush(record, ready).catch((error: unknown) => {
        if (error instanceof PushFailedError) {
          // `webhook-id` is `<message id>.<status>`; the caller's URL stays out (it may hold a token).
          const messageId = error.webhookId.slice(0, error.webhookId.lastIndexOf('.'));
          log.warn('push not delivered', { correlation_id: messageId, webhookId: error.webhookId, reason: error.reason });
        } else {
          log.error('record failed', { sqsMessageId: record.messageId, ...errorLogFields(error) });
        }
        throw error;
      });
    return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
  };
}

export const handler = pushHandler(async () => createPushDeps(await runtimeFromEnvironment()), { maxAgeMs: configMaxAgeMs });
