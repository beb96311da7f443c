/**
 * The naive designs the bench measures against the project's, written here over the same
 * primitives (the SDK, the store, the production modules) so that no production module carries a
 * switch for them:
 *
 * - {@link NaiveSendQueue}: one SQS request per message (`SendMessage`), where the project's
 *   `SendQueue` sends batches of ten (`SendMessageBatch`);
 * - {@link naiveApplyEvents}: a separate dedupe record (a conditional put) per status event before
 *   it is applied, where the project lets the forward-only conditional write absorb repeats;
 * - {@link naiveWebhookHandler}: the webhook's steps (route, authenticity, JSON, normalise) with
 *   the naive applier in place of the project's.
 */
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fromLambdaEvent, json, problem, toLambdaResult, type HttpRequest, type HttpResponse } from '../src/api/http.ts';
import { matchRoute } from '../src/api/routes.ts';
import type { LambdaHttpHandler } from '../src/functions/api-handler.ts';
import type { StatusEvent } from '../src/messages/status-event.ts';
import { isProviderName } from '../src/providers/names.ts';
import { MAX_DELAY_S, SendQueue, type QueueEntry } from '../src/queue/send-queue.ts';
import { applyEvents, type EventFate } from '../src/status/apply.ts';
import { eventDedupeKey, KEY, providerIdKey, TTL_ATTRIBUTE } from '../src/store/table.ts';
import type { WebhookDeps } from '../src/webhooks/app.ts';
import { normaliseWebhook } from '../src/webhooks/normalise.ts';
import { verifyWebhook } from '../src/webhooks/verify.ts';

/** The send queue, one message per request. */
export class NaiveSendQueue extends SendQueue {
  private readonly client: SQSClient;

  constructor(sqs: SQSClient, queueUrl: string) {
    super(sqs, queueUrl);
    this.client = sqs;
  }

  /** Each entry in its own `SendMessage`, tried twice; returns the ids SQS did not take. */
  override async enqueue(entries: readonly QueueEntry[]): Promise<string[]> {
    const failed: string[] = [];
    for (const entry of entries) {
      const command = new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(entry.message),
        DelaySeconds: Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(entry.delaySeconds ?? 0))),
      });
      let sent = false;
      for (let attempt = 0; attempt < 2 && !sent; attempt++) {
        sent = await this.client.send(command).then(
          () => true,
          () => false,
        );
      }
      if (!sent) failed.push(entry.message.id);
    }
    return failed;
  }
}

/** What the naive applier needs beyond the project's: the table, to keep its dedupe records in. */
export interface NaiveApplyDeps extends WebhookDeps {
  dynamo: DynamoDBClient;
  tableName: string;
}

/** Statuses only the pipeline sets (src/status/apply.ts ignores a report of one): no dedupe record for them. */
const NOT_REPORTED = new Set<StatusEvent['status']>(['queued', 'scheduled', 'cancelled', 'sending']);

/**
 * Applies each event after a dedupe record of it (src/store/table.ts `eventDedupeKey`,
 * kept a week) was written for the first time; a repeat is dropped as `unchanged` before it is
 * matched. Statuses no callback reports are left to the project's applier (it ignores them).
 */
export async function naiveApplyEvents(events: readonly StatusEvent[], deps: NaiveApplyDeps): Promise<EventFate[]> {
  const fates: EventFate[] = [];
  for (const event of events) {
    if (!NOT_REPORTED.has(event.status)) {
      const about = event.providerMessageId ? providerIdKey(event.providerMessageId) : event.messageId;
      const key = `${event.account}#${event.provider}#${about}#${event.status}`;
      if (!(await firstSighting(deps.dynamo, deps.tableName, key, deps.now()))) {
        fates.push('unchanged');
        continue;
      }
    }
    fates.push(...(await applyEvents([event], deps)));
  }
  return fates;
}

/** Writes the dedupe record `key`: true if it was not there yet. */
async function firstSighting(dynamo: DynamoDBClient, tableName: string, key: string, now: Date): Promise<boolean> {
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...Object.fromEntries(Object.entries(eventDedupeKey(key)).map(([name, value]) => [name, { S: value }])),
          [TTL_ATTRIBUTE]: { N: String(Math.floor(now.getTime() / 1000) + 7 * 86_400) },
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': KEY.partition },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * A provider callback through the webhook's steps — route, account, authenticity on the raw
 * bytes, JSON, the provider's schema — applied by {@link naiveApplyEvents}. Bench traffic only:
 * a request the project would refuse gets a plain 4xx here, without the project's detail.
 */
export async function naiveWebhookRequest(request: HttpRequest, deps: NaiveApplyDeps): Promise<HttpResponse> {
  const matched = matchRoute(request.method, request.path);
  // biome-ignore lint/complexity/useOptionalChain: the explicit `!matched.route` narrows the union, so `matched.params` exists below.
  if (!matched.route || matched.route.function !== 'webhook') return problem(404, 'not_found', 'no such webhook route');
  const { provider, account: accountId, token } = matched.params;
  const account = accountId ? deps.accounts.get(accountId) : undefined;
  if (!provider || !isProviderName(provider) || !account || account.provider !== provider)
    return problem(401, 'unauthorized', 'not authenticated');
  const webhook = {
    provider,
    account: account.id,
    ...(token ? { pathToken: token } : {}),
    headers: request.headers,
    rawBody: request.rawBody,
  };
  if (!verifyWebhook(webhook, deps.webhookSecrets[account.id] ?? [], deps.now()).ok)
    return problem(401, 'unauthorized', 'not authenticated');
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return problem(400, 'invalid_json', 'body: must be valid JSON');
  }
  const normalised = normaliseWebhook(provider, account.id, body, deps.now());
  const fates = await naiveApplyEvents(normalised.events, deps);
  // At the project's level (src/webhooks/app.ts): what each event did is a debug line.
  deps.log.debug('webhook applied', {
    provider,
    account: account.id,
    events: normalised.events.length,
    fates,
    ignored: normalised.ignored,
  });
  return json(200, { received: normalised.events.length, ignored: normalised.ignored.length });
}

/** {@link naiveWebhookRequest} as a Lambda handler, like src/functions/webhook.ts `webhookHandler`. */
export function naiveWebhookHandler(deps: NaiveApplyDeps): LambdaHttpHandler {
  return async (event: APIGatewayProxyEventV2) => {
    try {
      return toLambdaResult(await naiveWebhookRequest(fromLambdaEvent(event), deps));
    } catch {
      return toLambdaResult(problem(503, 'unavailable', 'try again later'));
    }
  };
}
