/** Lambda: `POST /v1/webhooks/{provider}/{account}[/{token}]`, the providers' status callbacks. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromLambdaEvent, problem, toLambdaResult } from '../api/http.ts';
import { PushQueue } from '../push/push.ts';
import { handleWebhookRequest, type WebhookDeps } from '../webhooks/app.ts';
import { loadOnce, runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';
import { refreshing } from './refresh.ts';
import type { LambdaHttpHandler } from './api-handler.ts';

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
    log: options.log ?? ((entry) => console.log(JSON.stringify(entry))),
  };
}

export function webhookHandler(load: () => WebhookDeps | Promise<WebhookDeps>): LambdaHttpHandler {
  const deps = loadOnce(load);
  return async (event: APIGatewayProxyEventV2) => {
    try {
      return toLambdaResult(await handleWebhookRequest(fromLambdaEvent(event), await deps()));
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', message: 'webhook failed', error: (error as Error).message }));
      // A 5xx makes the provider retry later: nothing is lost.
      return toLambdaResult(problem(503, 'unavailable', 'try again later'));
    }
  };
}

export const handler = refreshing(() => webhookHandler(async () => createWebhookDeps(await runtimeFromEnvironment())));
