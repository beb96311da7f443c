/** Lambda: `POST /v1/webhooks/{provider}/{account}[/{token}]`, the providers' status callbacks. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromLambdaEvent, problem, toLambdaResult } from '../api/http.ts';
import { PushQueue } from '../push/push.ts';
import { handleWebhookRequest, type WebhookDeps } from '../webhooks/app.ts';
import { errorLogFields } from '../errors.ts';
import { lazyLoader } from '../runtime/loader.ts';
import { functionLog } from '../runtime/log.ts';
import { requestIdOf, type HandlerOptions, type LambdaHttpHandler } from './api-handler.ts';
import { configMaxAgeMs, runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';

export function createWebhookDeps(env: RuntimeEnvironment, options: Partial<Pick<WebhookDeps, 'log'>> = {}): WebhookDeps {
  const accounts = new Map(env.config.accounts.map((account) => [account.id, account]));
  return {
    messages: env.storage.messages,
    callbacks: env.storage.callbacks,
    suppressions: env.storage.suppressions,
    pauses: env.storage.pauses,
    accounts,
    webhookSecrets: env.secrets.webhookSecrets,
    recipientHashKey: env.secrets.recipientHashKey,
    ...(env.pushQueueUrl ? { notifier: new PushQueue(env.sqs, env.pushQueueUrl, accounts) } : {}),
    now: env.now ?? (() => new Date()),
    log: options.log ?? functionLog('webhook'),
  };
}

export function webhookHandler(load: () => WebhookDeps | Promise<WebhookDeps>, options: HandlerOptions = {}): LambdaHttpHandler {
  const deps = lazyLoader(load, options);
  const log = options.log ?? functionLog('webhook');
  return async (event: APIGatewayProxyEventV2) => {
    const requestId = requestIdOf(event);
    const correlation = requestId ? { correlation_id: requestId } : {};
    try {
      const ready = await deps();
      return toLambdaResult(await handleWebhookRequest(fromLambdaEvent(event), { ...ready, log: ready.log.with(correlation) }));
    } catch (error) {
      log.error('webhook failed', { ...correlation, ...errorLogFields(error) });
      // A 5xx makes the provider retry later: nothing is lost.
      return toLambdaResult(problem(503, 'unavailable', 'try again later'));
    }
  };
}

export const handler = webhookHandler(async () => createWebhookDeps(await runtimeFromEnvironment()), { maxAgeMs: configMaxAgeMs });
