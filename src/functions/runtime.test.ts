/**
 * A cold start that fails once (Secrets Manager throttled, a network blip) must not poison the
 * container: the next invocation builds again. Tested on every handler kind (the loader itself:
 * src/runtime/loader.test.ts).
 */
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ApiDeps } from '../api/app.ts';
import { UnavailableError } from '../errors.ts';
import { silentLog } from '../runtime/log.ts';
import type { SenderDeps } from '../sender/sender.ts';
import type { WebhookDeps } from '../webhooks/app.ts';
import { apiHandler } from './api-handler.ts';
import { pushHandler } from './push.ts';
import type { PushDeps } from '../push/push.ts';
import { requeueHandler } from './requeue.ts';
import type { RequeueDeps } from '../scheduler/requeue.ts';
import { senderHandler } from './sender.ts';
import { webhookHandler } from './webhook.ts';

/** A load that fails the first `failures` times (like a throttled Secrets Manager), then returns `value`. */
function flaky<T>(value: T, failures = 1) {
  const state = { calls: 0 };
  const load = async () => {
    state.calls++;
    if (state.calls <= failures) throw new UnavailableError('secrets', 'ThrottlingException: Rate exceeded');
    return value;
  };
  return { load, state };
}

const httpEvent = (path: string, method = 'GET', body?: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method, path } },
    ...(body !== undefined ? { body } : {}),
  }) as unknown as APIGatewayProxyEventV2;

const context = { getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const sqsEvent: SQSEvent = {
  Records: [
    {
      messageId: 'm-1',
      receiptHandle: 'r',
      body: 'not a queue message',
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:1:q',
      awsRegion: 'us-east-1',
    },
  ],
};

describe('a failed cold start recovers on the next invocation', () => {
  it('API handlers: 503 (retry) once, then the request is served', async () => {
    const { load, state } = flaky({ apiKeys: [] } as unknown as ApiDeps);
    const handler = apiHandler('status', load, { log: silentLog });
    expect((await handler(httpEvent('/v1/messages/01JABCDEFGHJKMNPQRSTVWXYZ0'))).statusCode).toBe(503);
    // Served: the route ran (no API key sent → 401), instead of the cached rejection's 503.
    expect((await handler(httpEvent('/v1/messages/01JABCDEFGHJKMNPQRSTVWXYZ0'))).statusCode).toBe(401);
    expect(state.calls).toBe(2);
  });

  it('the webhook handler: 503 once, then the callback is checked', async () => {
    const { load } = flaky({ accounts: new Map(), webhookSecrets: {}, log: silentLog } as unknown as WebhookDeps);
    const handler = webhookHandler(load, { log: silentLog });
    const event = httpEvent('/v1/webhooks/kaleyra/acme', 'POST', '{}');
    expect((await handler(event)).statusCode).toBe(503);
    // Checked: an account it does not know answers like a failed check.
    expect((await handler(event)).statusCode).toBe(401);
  });

  it('the sender: the failed invocation fails (its batch comes back), the next processes its records', async () => {
    const { load } = flaky({ log: silentLog } as unknown as SenderDeps);
    const handler = senderHandler(load);
    await expect(handler(sqsEvent, context)).rejects.toThrow('Rate exceeded');
    // Processed: the record that is no queue message is reported as the one failure.
    expect(await handler(sqsEvent, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });

  it('the push function and the sweeper likewise', async () => {
    const push = pushHandler(flaky({} as PushDeps).load, { log: silentLog });
    await expect(push(sqsEvent, context)).rejects.toThrow('Rate exceeded');
    expect(await push(sqsEvent, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });

    const due = { listDue: async () => [] } as unknown as RequeueDeps['due'];
    const claims = {} as RequeueDeps['claims'];
    const sweeperDeps = { due, claims, queue: {} as RequeueDeps['queue'], cipher: {} as RequeueDeps['cipher'], now: () => new Date() };
    const sweep = requeueHandler(flaky(sweeperDeps).load, { log: silentLog });
    await expect(sweep()).rejects.toThrow('Rate exceeded');
    expect(await sweep()).toMatchObject({ requeued: 0, unknown: 0 });
  });
});
