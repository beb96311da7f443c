/**
 * Lambda: `POST /v1/webhooks/{provider}/{account}[/{token}]`, the providers' status callbacks,
 * served in AWS by the function's own URL (src/api/routes.ts `entry`): every request is
 * authenticated by the handler before anything else, and gets one access line.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromLambdaEvent, problem, toLambdaResult, type HttpResponse } from '../api/http.ts';
import { matchRoute } from '../api/routes.ts';
import { PushQueue } from '../push/push.ts';
import { handleWebhookRequest, type WebhookDeps } from '../webhooks/app.ts';
import { errorLogFields } from '../errors.ts';
import { lazyLoader } from '../runtime/loader.ts';
import { functionLog, type Log } from '../runtime/log.ts';
import { requestIdOf, type HandlerOptions, type LambdaHttpHandler } from './lambda-http.ts';
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
    ...(env.functionName !== undefined ? { functionName: env.functionName } : {}),
  };
}

export function webhookHandler(load: () => WebhookDeps | Promise<WebhookDeps>, options: HandlerOptions = {}): LambdaHttpHandler {
  const deps = lazyLoader(load, options);
  const handlerLog = options.log ?? functionLog('webhook');
  return async (event: APIGatewayProxyEventV2) => {
    const started = performance.now();
    const requestId = requestIdOf(event);
    const correlation: Record<string, string> = requestId ? { correlation_id: requestId } : {};
    let log = handlerLog;
    let response: HttpResponse;
    try {
      const ready = await deps();
      log = ready.log;
      response = await handleWebhookRequest(fromLambdaEvent(event), { ...ready, log: ready.log.with(correlation) });
    } catch (error) {
      handlerLog.error('webhook failed', { ...correlation, ...errorLogFields(error) });
      // A 5xx makes the provider retry later: nothing is lost.
      response = problem(503, 'unavailable', 'try again later');
    }
    accessLine(log, event, response, performance.now() - started, correlation);
    return toLambdaResult(response);
  };
}

/**
 * The function URL's access log, written by the handler (a function URL has none of its own): one
 * line per request, as the HTTP API's access log had — the route's name, never its path (paths
 * carry callback tokens), the status, the time taken, the body's size and the caller's address.
 * A 2xx is `INFO`, anything else `WARN` (a 5xx's cause is the `ERROR` line before it).
 */
function accessLine(log: Log, event: APIGatewayProxyEventV2, response: HttpResponse, ms: number, correlation: Record<string, string>) {
  const http = event.requestContext?.http;
  const matched = matchRoute(http?.method ?? 'POST', event.rawPath ?? http?.path ?? '/');
  const fields = {
    ...correlation,
    route: matched.route?.name ?? null,
    ...(matched.route ? { account: matched.params.account } : {}),
    status: response.statusCode,
    ms: Math.round(ms),
    bytes: event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0,
    ip: http?.sourceIp ?? null,
  };
  if (response.statusCode < 300) log.info('access', fields);
  else log.warn('access', fields);
}

export const handler = webhookHandler(async () => createWebhookDeps(await runtimeFromEnvironment()), { maxAgeMs: configMaxAgeMs });
