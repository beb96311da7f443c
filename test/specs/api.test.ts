/**
 * specs/api.yaml against the real API. The spec describes code we own, so the code decides:
 * - its operations are the route table's (src/api/routes.ts), no more and no fewer;
 * - every example validates against its schema (Ajv, JSON Schema 2020-12);
 * - every documented answer of every operation has a scenario here that makes the real handlers
 *   (test/support/api-server.ts: the Lambda handlers behind the local HTTP server, in-memory
 *   store, fixed clock and secrets) give it: the status, the headers the spec requires, a body
 *   valid against the response schema and equal to the example (but for the ids accept makes);
 * - every request example is a request the real API took (or was refused with the answer shown);
 * - the caller push is what the push function really sends.
 *
 * `UPDATE_API_EXAMPLES=1 npx vitest run test/specs/api.test.ts` writes the real answers into the
 * spec's examples (review the diff); without it, a difference fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';
import { parseDocument, visit } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toQueueMessage } from '../../src/api/accept.ts';
import { malformedPath } from '../../src/api/http.ts';
import { ROUTES } from '../../src/api/routes.ts';
import { MAX_BODY_BYTES } from '../../src/messages/limits.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import { STATUSES } from '../../src/messages/status.ts';
import { payloadCipher } from '../../src/privacy/payload-cipher.ts';
import { CALLING_BACK_PROVIDERS } from '../../src/providers/index.ts';
import { PROVIDERS } from '../../src/providers/names.ts';
import { providerCallback } from '../../src/local/simulator.ts';
import { ProviderError } from '../../src/providers/errors.ts';
import { deliverPush, type StatusPush } from '../../src/push/push.ts';
import { MAX_WEBHOOK_BODY_BYTES } from '../../src/webhooks/app.ts';
import {
  API_NOW,
  API_SECRETS,
  bearer,
  ID,
  KALEYRA_PROVIDER_ID,
  PHONE,
  seedMessage,
  seedWorld,
  startApiOnLoopback,
  WEBHOOK_SECRETS,
  type ApiOnLoopback,
} from '../support/api-server.ts';
import {
  API_SPEC_FILE,
  answersOf,
  errorsOf,
  loadApiSpec,
  operationsOf,
  parametersOf,
  requestBodyOf,
  schemaValidator,
  type DocumentedAnswer,
  type SpecPath,
} from '../support/api-spec.ts';

const UPDATE = process.env.UPDATE_API_EXAMPLES === '1';
const spec = loadApiSpec();
const validator = schemaValidator(spec);
const operations = operationsOf(spec);
const answers = operations.flatMap((operation) => answersOf(spec, operation));
const answerOf = (operationId: string, status: number) => {
  const answer = answers.find((a) => a.operation.operationId === operationId && a.status === String(status));
  if (!answer) throw new Error(`the spec documents no ${status} for ${operationId}`);
  return answer;
};
const requestExample = (operationId: string, name: string): unknown => {
  const operation = operations.find((o) => o.operationId === operationId)!;
  const example = requestBodyOf(spec, operation)?.examples.find((e) => e.name === name);
  if (!example) throw new Error(`${operationId} has no request example ${name}`);
  return structuredClone(example.value);
};

// ---------------------------------------------------------------- scenarios

const MALFORMED = '%E0%A4%A';
const PUSH_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface Request {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** A JSON body (sent with `content-type: application/json`). */
  json?: unknown;
  /** A body as it is. */
  raw?: string | Buffer;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

interface Scenario {
  operationId: string;
  status: number;
  example: string;
  /** When one example is reached several ways. */
  variant?: string;
  /** The request examples (`<operationId>/<name>`) this scenario sends. */
  sends?: string[];
  /** Dotted paths of the answer that are different on every run (the ids accept makes). */
  varies?: string[];
  run(api: ApiOnLoopback, call: (request: Request) => Promise<Answer>): Promise<Answer>;
}

const kaleyraCallback = (status = 'delivered') =>
  providerCallback('kaleyra', {
    status,
    providerMessageId: KALEYRA_PROVIDER_ID,
    messageId: ID.read,
    recipient: PHONE.slice(1),
    at: 1795341300,
    secret: WEBHOOK_SECRETS['acme-kaleyra'],
  });

/** The callback each provider's request example shows, made by its dev kit's simulator with the account's secret. */
const CALLBACKS = {
  livechat: () =>
    providerCallback('livechat', {
      status: 'delivered',
      providerMessageId: 'wamid.HBgMOTE0MTU1NTUwMTIzFQIAERgSQzVGOEMyQjQ5RkE5RjY4QkE2AA==',
      recipient: '14155550123',
      at: 1795341300,
      secret: WEBHOOK_SECRETS['acme-livechat'],
      now: API_NOW,
    }),
  loopwave: () =>
    providerCallback('loopwave', {
      status: 'sent',
      providerMessageId: 'true_919812345678@c.us_3EB0C767D71D6A0F5E2A',
      recipient: PHONE.slice(1),
      at: 1795341300,
      secret: WEBHOOK_SECRETS['acme-loopwave'],
    }),
  kaleyra: () => kaleyraCallback(),
  gupshup: () =>
    providerCallback('gupshup', {
      status: 'delivered',
      providerMessageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
      recipient: '919876543210',
      at: 1795341300,
      secret: WEBHOOK_SECRETS['acme-gupshup'],
    }),
} as const;

const webhookPath = (provider: keyof typeof CALLBACKS, suffix = '') => `/v1/webhooks/${provider}/acme-${provider}${suffix}`;
const KALEYRA_TOKEN = { 'x-webhook-token': WEBHOOK_SECRETS['acme-kaleyra'] };

const invalidSend = {
  provider: 'gupshup',
  account: 'acme-gupshup',
  recipient: '+1 555',
  content: { kind: 'template', name: 'order_update', language: 'en', header: { type: 'text', text: 'Your order' }, body: ['A-17'] },
  scheduleAt: '2026-12-01 09:00',
};

const SCENARIOS: Scenario[] = [
  // sendMessages
  {
    operationId: 'sendMessages',
    status: 202,
    example: 'queued',
    sends: ['sendMessages/templateWithMedia'],
    varies: ['id'],
    run: (_, call) => call({ method: 'POST', path: '/v1/messages', json: requestExample('sendMessages', 'templateWithMedia') }),
  },
  {
    operationId: 'sendMessages',
    status: 202,
    example: 'scheduled',
    sends: ['sendMessages/scheduledText'],
    varies: ['id'],
    run: (_, call) => call({ method: 'POST', path: '/v1/messages', json: requestExample('sendMessages', 'scheduledText') }),
  },
  {
    operationId: 'sendMessages',
    status: 202,
    example: 'batch',
    sends: ['sendMessages/batch'],
    varies: ['messages.0.id', 'messages.1.id'],
    run: (_, call) => call({ method: 'POST', path: '/v1/messages', json: requestExample('sendMessages', 'batch') }),
  },
  {
    operationId: 'sendMessages',
    status: 202,
    example: 'replayed',
    sends: ['sendMessages/templateWithMedia'],
    varies: ['id'],
    async run(_, call) {
      const request = { method: 'POST', path: '/v1/messages', json: requestExample('sendMessages', 'templateWithMedia') };
      const headers = { 'idempotency-key': 'order-A-17' };
      const first = await call({ ...request, headers });
      const again = await call({ ...request, headers });
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      return again;
    },
  },
  {
    operationId: 'sendMessages',
    status: 400,
    example: 'invalidRequest',
    run: (_, call) => call({ method: 'POST', path: '/v1/messages', json: invalidSend }),
  },
  {
    operationId: 'sendMessages',
    status: 400,
    example: 'invalidBatch',
    run: (_, call) => {
      const message = requestExample('sendMessages', 'templateWithMedia') as Record<string, unknown>;
      return call({
        method: 'POST',
        path: '/v1/messages',
        json: { messages: [message, { ...message, recipient: '12' }], scheduleAt: '2026-12-01T09:00:00Z' },
      });
    },
  },
  {
    operationId: 'sendMessages',
    status: 400,
    example: 'invalidJson',
    run: (_, call) => call({ method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json' }, raw: '{nope' }),
  },
  {
    operationId: 'sendMessages',
    status: 409,
    example: 'idempotencyConflict',
    async run(_, call) {
      const headers = { 'idempotency-key': 'order-A-17' };
      const first = requestExample('sendMessages', 'templateWithMedia') as Record<string, unknown>;
      expect((await call({ method: 'POST', path: '/v1/messages', headers, json: first })).status).toBe(202);
      return call({ method: 'POST', path: '/v1/messages', headers, json: { ...first, metadata: { order: 'A-18' } } });
    },
  },
  {
    operationId: 'sendMessages',
    status: 413,
    example: 'payloadTooLarge',
    run: (_, call) =>
      call({
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json' },
        raw: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
      }),
  },
  {
    operationId: 'sendMessages',
    status: 415,
    example: 'unsupportedMediaType',
    run: (_, call) =>
      call({
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: 'to=919812345678',
      }),
  },

  // listMessages
  {
    operationId: 'listMessages',
    status: 200,
    example: 'page',
    run: (_, call) => call({ method: 'GET', path: '/v1/messages?account=acme-kaleyra&limit=1' }),
  },
  {
    operationId: 'listMessages',
    status: 200,
    example: 'nextPage',
    async run(_, call) {
      const first = (await call({ method: 'GET', path: '/v1/messages?account=acme-kaleyra&limit=1' })).body as { cursor: string };
      checkParameterExample('listMessages', 'cursor', first.cursor);
      return call({ method: 'GET', path: `/v1/messages?account=acme-kaleyra&limit=1&cursor=${first.cursor}` });
    },
  },
  {
    operationId: 'listMessages',
    status: 200,
    example: 'lastPage',
    async run(_, call) {
      let cursor: string | undefined;
      for (let page = 0; page < 2; page++) {
        const query = `account=acme-kaleyra&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
        cursor = ((await call({ method: 'GET', path: `/v1/messages?${query}` })).body as { cursor: string }).cursor;
      }
      return call({ method: 'GET', path: `/v1/messages?account=acme-kaleyra&limit=1&cursor=${cursor}` });
    },
  },
  {
    operationId: 'listMessages',
    status: 400,
    example: 'invalidQuery',
    run: (_, call) => call({ method: 'GET', path: '/v1/messages?status=lost&limit=500&sort=asc' }),
  },
  {
    operationId: 'listMessages',
    status: 400,
    example: 'invalidCursor',
    async run(_, call) {
      const first = (await call({ method: 'GET', path: '/v1/messages?account=acme-kaleyra&limit=1' })).body as { cursor: string };
      return call({ method: 'GET', path: `/v1/messages?account=acme-kaleyra&status=read&cursor=${first.cursor}` });
    },
  },

  // getMessage
  { operationId: 'getMessage', status: 200, example: 'read', run: (_, call) => call({ method: 'GET', path: `/v1/messages/${ID.read}` }) },
  {
    operationId: 'getMessage',
    status: 200,
    example: 'failed',
    run: (_, call) => call({ method: 'GET', path: `/v1/messages/${ID.failed}` }),
  },
  {
    operationId: 'getMessage',
    status: 200,
    example: 'failedOver',
    run: async (api, call) => {
      await seedFailedOver(api);
      return call({ method: 'GET', path: `/v1/messages/${FAILED_OVER}` });
    },
  },
  {
    operationId: 'getMessage',
    status: 404,
    example: 'notFound',
    run: (_, call) => call({ method: 'GET', path: `/v1/messages/${ID.missing}` }),
  },

  // cancelMessage
  {
    operationId: 'cancelMessage',
    status: 200,
    example: 'cancelled',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.scheduled}/cancel` }),
  },
  {
    operationId: 'cancelMessage',
    status: 404,
    example: 'notFound',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.missing}/cancel` }),
  },
  {
    operationId: 'cancelMessage',
    status: 409,
    example: 'notCancellable',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.read}/cancel` }),
  },

  // resolveMessage
  {
    operationId: 'resolveMessage',
    status: 200,
    example: 'resolvedFailed',
    sends: ['resolveMessage/failed'],
    run: (_, call) =>
      call({ method: 'POST', path: `/v1/messages/${ID.unknown}/resolve`, json: requestExample('resolveMessage', 'failed') }),
  },
  {
    operationId: 'resolveMessage',
    status: 200,
    example: 'resolvedSent',
    sends: ['resolveMessage/sent'],
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.unknown}/resolve`, json: requestExample('resolveMessage', 'sent') }),
  },
  {
    operationId: 'resolveMessage',
    status: 400,
    example: 'invalidBody',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.unknown}/resolve`, json: { status: 'lost', by: 'ops' } }),
  },
  {
    operationId: 'resolveMessage',
    status: 400,
    example: 'noBody',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.unknown}/resolve` }),
  },
  {
    operationId: 'resolveMessage',
    status: 400,
    example: 'invalidPath',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${MALFORMED}/resolve`, json: { status: 'sent' } }),
  },
  {
    operationId: 'resolveMessage',
    status: 404,
    example: 'notFound',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.missing}/resolve`, json: { status: 'sent' } }),
  },
  {
    operationId: 'resolveMessage',
    status: 409,
    example: 'notUnknown',
    run: (_, call) => call({ method: 'POST', path: `/v1/messages/${ID.read}/resolve`, json: { status: 'sent' } }),
  },
  {
    operationId: 'resolveMessage',
    status: 413,
    example: 'payloadTooLarge',
    run: (_, call) =>
      call({
        method: 'POST',
        path: `/v1/messages/${ID.unknown}/resolve`,
        headers: { 'content-type': 'application/json' },
        raw: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
      }),
  },
  {
    operationId: 'resolveMessage',
    status: 415,
    example: 'unsupportedMediaType',
    run: (_, call) =>
      call({
        method: 'POST',
        path: `/v1/messages/${ID.unknown}/resolve`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: 'status=sent',
      }),
  },

  // listPauses
  { operationId: 'listPauses', status: 200, example: 'pauses', run: (_, call) => call({ method: 'GET', path: '/v1/pauses' }) },

  // liftPause
  {
    operationId: 'liftPause',
    status: 200,
    example: 'lifted',
    async run(api, call) {
      // A message held under the pause goes back on the queue when it is lifted.
      const request = SendRequest.parse({
        provider: 'gupshup',
        account: 'acme-gupshup',
        recipient: '+919876543210',
        content: { kind: 'template', name: 'order_update', language: 'en', body: ['A-18', 'packed'] },
      });
      await seedMessage(api.storage, {
        id: ID.held,
        provider: 'gupshup',
        account: 'acme-gupshup',
        recipient: request.recipient,
        template: 'order_update',
        createdAt: '2026-11-22T09:58:30.000Z',
      });
      const sealed = payloadCipher(API_SECRETS.payloadKey).seal(
        JSON.stringify(toQueueMessage(request, ID.held, '2026-11-22T09:58:30.000Z')),
      );
      await api.storage.due.hold(ID.held, '2026-11-22T10:13:30.000Z', sealed, { pausedAccount: 'acme-gupshup' });
      return call({ method: 'DELETE', path: '/v1/pauses/acme-gupshup?template=order_update' });
    },
  },
  {
    operationId: 'liftPause',
    status: 400,
    example: 'invalidTemplate',
    run: (_, call) => call({ method: 'DELETE', path: '/v1/pauses/acme-gupshup?template=Order%20Update' }),
  },
  {
    operationId: 'liftPause',
    status: 400,
    example: 'invalidPath',
    run: (_, call) => call({ method: 'DELETE', path: `/v1/pauses/${MALFORMED}` }),
  },
  {
    operationId: 'liftPause',
    status: 404,
    example: 'noAccount',
    run: (_, call) => call({ method: 'DELETE', path: '/v1/pauses/acme-nowhere' }),
  },
  {
    operationId: 'liftPause',
    status: 404,
    example: 'noPause',
    run: (_, call) => call({ method: 'DELETE', path: '/v1/pauses/acme-kaleyra?template=order_update' }),
  },

  // listFailover
  {
    operationId: 'listFailover',
    status: 200,
    example: 'open',
    async run(api, call) {
      // Five 503s in a row opened Kaleyra's breaker a while ago; an operator turned its failover off since.
      const open = {
        state: 'open' as const,
        refusals: 5,
        openedAt: '2026-11-22T09:59:00.000Z',
        until: '2026-11-22T10:01:00.000Z',
        coolDownMs: 60_000,
      };
      await api.storage.routeHealth.writeBreaker('acme-kaleyra', open, 0);
      await api.storage.routeHealth.setSwitch('acme-kaleyra', { since: '2026-11-22T09:59:30.000Z', reason: 'incident 4711' });
      return call({ method: 'GET', path: '/v1/failover?account=acme-kaleyra' });
    },
  },

  // setFailover
  {
    operationId: 'setFailover',
    status: 200,
    example: 'turnedOff',
    sends: ['setFailover/off'],
    run: (_, call) => call({ method: 'PUT', path: '/v1/failover/acme-kaleyra', json: requestExample('setFailover', 'off') }),
  },
  {
    operationId: 'setFailover',
    status: 200,
    example: 'turnedOn',
    sends: ['setFailover/on'],
    async run(api, call) {
      await api.storage.routeHealth.setSwitch('acme-kaleyra', { since: '2026-11-22T09:59:30.000Z', reason: 'incident 4711' });
      return call({ method: 'PUT', path: '/v1/failover/acme-kaleyra', json: requestExample('setFailover', 'on') });
    },
  },
  {
    operationId: 'setFailover',
    status: 400,
    example: 'invalidBody',
    run: (_, call) => call({ method: 'PUT', path: '/v1/failover/acme-kaleyra', json: { failover: false, until: 'tomorrow' } }),
  },
  {
    operationId: 'setFailover',
    status: 400,
    example: 'reasonWithOn',
    run: (_, call) => call({ method: 'PUT', path: '/v1/failover/acme-kaleyra', json: { failover: 'on', reason: 'fixed' } }),
  },
  {
    operationId: 'setFailover',
    status: 400,
    example: 'invalidPath',
    run: (_, call) => call({ method: 'PUT', path: `/v1/failover/${MALFORMED}`, json: { failover: 'on' } }),
  },
  {
    operationId: 'setFailover',
    status: 413,
    example: 'payloadTooLarge',
    run: (_, call) =>
      call({
        method: 'PUT',
        path: '/v1/failover/acme-kaleyra',
        headers: { 'content-type': 'application/json' },
        raw: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
      }),
  },
  {
    operationId: 'setFailover',
    status: 415,
    example: 'unsupportedMediaType',
    run: (_, call) =>
      call({
        method: 'PUT',
        path: '/v1/failover/acme-kaleyra',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        raw: 'failover=off',
      }),
  },
  {
    operationId: 'setFailover',
    status: 404,
    example: 'noAccount',
    run: (_, call) => call({ method: 'PUT', path: '/v1/failover/acme-nowhere', json: { failover: 'off' } }),
  },

  // removeSuppression
  {
    operationId: 'removeSuppression',
    status: 200,
    example: 'removed',
    run: (_, call) => call({ method: 'DELETE', path: `/v1/suppressions/acme-kaleyra/${encodeURIComponent(PHONE)}` }),
  },
  {
    operationId: 'removeSuppression',
    status: 400,
    example: 'invalidRecipient',
    run: (_, call) => call({ method: 'DELETE', path: '/v1/suppressions/acme-kaleyra/not-a-number' }),
  },
  {
    operationId: 'removeSuppression',
    status: 400,
    example: 'invalidPath',
    run: (_, call) => call({ method: 'DELETE', path: `/v1/suppressions/acme-kaleyra/${MALFORMED}` }),
  },
  {
    operationId: 'removeSuppression',
    status: 404,
    example: 'noAccount',
    run: (_, call) => call({ method: 'DELETE', path: `/v1/suppressions/acme-nowhere/${encodeURIComponent(PHONE)}` }),
  },
  {
    operationId: 'removeSuppression',
    status: 404,
    example: 'notSuppressed',
    run: (_, call) => call({ method: 'DELETE', path: `/v1/suppressions/acme-gupshup/${encodeURIComponent(PHONE)}` }),
  },

  // receiveWebhook and receiveWebhookWithToken
  ...(['livechat', 'loopwave', 'kaleyra'] as const).map(
    (provider): Scenario => ({
      operationId: 'receiveWebhook',
      status: 200,
      example: 'received',
      variant: provider,
      sends: [`receiveWebhook/${provider}`],
      run: (_, call) => {
        const callback = CALLBACKS[provider]();
        checkRequestExample('receiveWebhook', provider, JSON.parse(callback.body));
        return call({ method: 'POST', path: webhookPath(provider, callback.pathSuffix), headers: callback.headers, raw: callback.body });
      },
    }),
  ),
  {
    operationId: 'receiveWebhookWithToken',
    status: 200,
    example: 'received',
    variant: 'gupshup',
    sends: ['receiveWebhookWithToken/gupshup'],
    run: (_, call) => {
      const callback = CALLBACKS.gupshup();
      expect(callback.pathSuffix).toBe(`/${WEBHOOK_SECRETS['acme-gupshup']}`);
      checkRequestExample('receiveWebhookWithToken', 'gupshup', JSON.parse(callback.body));
      return call({ method: 'POST', path: webhookPath('gupshup', callback.pathSuffix), headers: callback.headers, raw: callback.body });
    },
  },
  ...(['receiveWebhook', 'receiveWebhookWithToken'] as const).flatMap((operationId): Scenario[] => {
    const token = operationId === 'receiveWebhook' ? '' : `/${WEBHOOK_SECRETS['acme-kaleyra']}`;
    const headers = operationId === 'receiveWebhook' ? KALEYRA_TOKEN : {};
    const post = (
      call: (request: Request) => Promise<Answer>,
      request: Omit<Request, 'method' | 'path'>,
      path = webhookPath('kaleyra', token),
    ) => call({ method: 'POST', path, ...request, headers: { ...headers, ...request.headers } });
    return [
      {
        operationId,
        status: 400,
        example: 'malformedCallback',
        run: (_, call) => {
          const { message_id: _id, ...body } = JSON.parse(kaleyraCallback().body) as Record<string, unknown>;
          return post(call, { json: body });
        },
      },
      { operationId, status: 400, example: 'invalidJson', run: (_, call) => post(call, { raw: 'status=DELIVERED' }) },
      {
        operationId,
        status: 400,
        example: 'invalidPath',
        run: (_, call) =>
          post(
            call,
            { json: {} },
            operationId === 'receiveWebhook' ? `/v1/webhooks/kaleyra/${MALFORMED}` : webhookPath('kaleyra', `/${MALFORMED}`),
          ),
      },
      {
        operationId,
        status: 401,
        example: 'unauthorized',
        run: (_, call) =>
          call({
            method: 'POST',
            path: webhookPath('kaleyra', token ? '/not-the-token' : ''),
            headers: token ? {} : { 'x-webhook-token': 'not-the-token' },
            raw: kaleyraCallback().body,
          }),
      },
      {
        operationId,
        status: 413,
        example: 'payloadTooLarge',
        run: (_, call) => post(call, { raw: Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20) }),
      },
      {
        operationId,
        status: 415,
        example: 'unsupportedMediaType',
        run: (_, call) => post(call, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, raw: 'status=DELIVERED' }),
      },
      {
        operationId,
        status: 503,
        example: 'unavailable',
        async run(api, call) {
          api.unavailable = true;
          const callback = kaleyraCallback();
          return post(call, { raw: callback.body });
        },
      },
    ];
  }),

  // What every API operation answers alike: no key, the store out of reach, a malformed path.
  ...operations
    .filter((operation) => !operation.operationId.startsWith('receiveWebhook'))
    .flatMap((operation): Scenario[] => {
      const route = ROUTES.find((r) => r.name === operation.operationId)!;
      const path = route.path
        .replace('{id}', ID.read)
        .replace('{account}', 'acme-kaleyra')
        .replace('{recipient}', encodeURIComponent(PHONE));
      const method = route.method;
      const withPathParameter = route.path.includes('{');
      return [
        {
          operationId: operation.operationId,
          status: 401,
          example: 'unauthorized',
          run: (_, call) => call({ method, path, headers: { authorization: 'Bearer not-a-key' } }),
        },
        {
          operationId: operation.operationId,
          status: 503,
          example: 'unavailable',
          run: (api, call) => {
            api.unavailable = true;
            return call({ method, path });
          },
        },
        ...(withPathParameter &&
        operation.operationId !== 'resolveMessage' &&
        !['liftPause', 'removeSuppression', 'setFailover'].includes(operation.operationId)
          ? [
              {
                operationId: operation.operationId,
                status: 400,
                example: 'invalidPath',
                run: (_: ApiOnLoopback, call: (request: Request) => Promise<Answer>) =>
                  call({ method, path: route.path.replace('{id}', MALFORMED) }),
              },
            ]
          : []),
      ];
    }),
];

// ---------------------------------------------------------------- checking and updating examples

const document = UPDATE ? parseDocument(readFileSync(API_SPEC_FILE, 'utf8')) : undefined;
let updated = 0;

/** Marks the values that differ on every run, so an answer can be compared with its example. */
function masked(value: unknown, varies: readonly string[] = []): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const path of varies) {
    const keys = path.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const key of keys.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined;
    if (node && keys.at(-1)! in node) node[keys.at(-1)!] = '<made by accept>';
  }
  return copy;
}

/** The example at `path` must be `actual` (under UPDATE, it becomes it, keeping what varies). */
function checkExample(path: SpecPath, example: unknown, actual: unknown, varies: readonly string[] = []): void {
  if (JSON.stringify(masked(actual, varies)) === JSON.stringify(masked(example, varies))) return;
  if (document) {
    const keep = (value: unknown) => {
      // The ids accept made this run: the example keeps its own if it has them.
      if (varies.length === 0 || example === null || typeof example !== 'object') return value;
      const merged = structuredClone(value) as Record<string, unknown>;
      for (const p of varies) {
        const keys = p.split('.');
        const from = keys.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], example);
        if (typeof from !== 'string') continue;
        let node = merged;
        for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[keys.at(-1)!] = from;
      }
      return merged;
    };
    const node = document.createNode(keep(actual));
    // Times quoted: YAML 1.1 readers would take a bare one for a timestamp, not a string.
    visit(node, {
      Scalar(_, scalar) {
        if (typeof scalar.value === 'string' && /^\d{4}-\d\d-\d\dT/.test(scalar.value)) scalar.type = 'QUOTE_SINGLE';
      },
    });
    document.setIn(path, node);
    updated++;
    return;
  }
  expect(masked(actual, varies), `${path.join(' › ')} is not what the API answers (UPDATE_API_EXAMPLES=1 rewrites it)`).toEqual(
    masked(example, varies),
  );
}

function checkRequestExample(operationId: string, name: string, actual: unknown): void {
  const operation = operations.find((o) => o.operationId === operationId)!;
  const example = requestBodyOf(spec, operation)?.examples.find((e) => e.name === name);
  if (!example) throw new Error(`${operationId} has no request example ${name}`);
  checkExample(example.valuePath, example.value, actual);
}

function checkParameterExample(operationId: string, name: string, actual: unknown): void {
  const operation = operations.find((o) => o.operationId === operationId)!;
  const parameter = parametersOf(spec, operation).find((p) => p.name === name)!;
  checkExample([...parameter.at, 'example'], parameter.node.example, actual);
}

function checkAnswer(answer: DocumentedAnswer, scenario: Scenario, actual: Answer): void {
  const where = `${scenario.operationId} ${scenario.status} ${scenario.example}`;
  expect(actual.status, `${where}: ${JSON.stringify(actual.body)}`).toBe(scenario.status);
  if (answer.schemaPath) {
    const validate = validator(answer.schemaPath);
    expect(validate(actual.body) ? [] : errorsOf(validate), `${where}: the answer against its schema`).toEqual([]);
  }
  for (const header of answer.headers) {
    const value = actual.headers.get(header.name);
    if (value === null) {
      expect(header.required, `${where}: the required header ${header.name}`).toBe(false);
      continue;
    }
    const validate = validator(header.schemaPath);
    expect(validate(value) ? [] : errorsOf(validate), `${where}: header ${header.name}`).toEqual([]);
  }
  const example = answer.examples.find((e) => e.name === scenario.example);
  if (!example) throw new Error(`${where}: the spec has no such example`);
  checkExample(example.valuePath, example.value, actual.body, scenario.varies);
}

// ---------------------------------------------------------------- the tests

describe('specs/api.yaml', () => {
  it('has exactly the route table’s operations (src/api/routes.ts), by name, method and path', () => {
    const documented = operations.map((o) => `${o.operationId} ${o.method.toUpperCase()} ${o.path}`).sort();
    expect(documented).toEqual(ROUTES.map((route) => `${route.name} ${route.method} ${route.path}`).sort());
  });

  it('names the providers, the calling-back providers and the statuses of the code', () => {
    expect(spec.components.schemas.ProviderName.enum).toEqual([...PROVIDERS]);
    expect(spec.components.schemas.CallbackProviderName.enum).toEqual([...CALLING_BACK_PROVIDERS]);
    expect(spec.components.schemas.MessageStatus.enum).toEqual([...STATUSES]);
  });

  it('asks for the API key on every route but the callbacks', () => {
    expect(spec.security).toEqual([{ apiKey: [] }]);
    for (const operation of operations) {
      const callback = ROUTES.find((r) => r.name === operation.operationId)?.function === 'webhook';
      expect(operation.node.security, operation.operationId).toEqual(callback ? [] : undefined);
      if (!callback)
        expect(answerOf(operation.operationId, 401).headers).toContainEqual(
          expect.objectContaining({ name: 'www-authenticate', required: true }),
        );
    }
  });

  it('every example validates against its schema: requests, answers, parameters, headers, the push', () => {
    const problems: string[] = [];
    const check = (where: string, schemaPath: SpecPath, value: unknown) => {
      const validate = validator(schemaPath);
      if (!validate(value)) problems.push(`${where}: ${errorsOf(validate).join('; ')}`);
    };
    const every = [...operations, ...operationsOf(spec, 'webhooks')];
    let count = 0;
    for (const operation of every) {
      const body = requestBodyOf(spec, operation);
      for (const example of body?.examples ?? []) {
        check(`${operation.operationId} request ${example.name}`, body!.schemaPath, example.value);
        count++;
      }
      for (const parameter of parametersOf(spec, operation)) {
        if (parameter.node.example === undefined) continue;
        check(`${operation.operationId} parameter ${parameter.name}`, [...parameter.at, 'schema'], parameter.node.example);
        count++;
      }
      if (operation.at[0] === 'webhooks') continue;
      for (const answer of answersOf(spec, operation)) {
        for (const example of answer.examples) {
          check(`${operation.operationId} ${answer.status} ${example.name}`, answer.schemaPath!, example.value);
          count++;
        }
      }
    }
    for (const [name, header] of Object.entries(spec.components.headers as Record<string, { schema: unknown; example: unknown }>)) {
      check(`header ${name}`, ['components', 'headers', name, 'schema'], header.example);
      count++;
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(60);
  });

  it('has a scenario for every documented answer, and sends every request example', () => {
    const documented = answers
      .filter((answer) => answer.answeredBy === undefined)
      .flatMap((answer) => answer.examples.map((example) => `${answer.operation.operationId} ${answer.status} ${example.name}`));
    const covered = new Set(SCENARIOS.map((s) => `${s.operationId} ${s.status} ${s.example}`));
    expect(documented.filter((key) => !covered.has(key))).toEqual([]);
    expect([...covered].filter((key) => !documented.includes(key))).toEqual([]);
    // Every answer the handlers give has an example to show it.
    expect(
      answers.filter((answer) => answer.schemaPath && answer.examples.length === 0).map((a) => `${a.operation.operationId} ${a.status}`),
    ).toEqual([]);
    // Only API Gateway's own answers are exempt, and they say so.
    expect(answers.filter((a) => a.answeredBy).map((a) => `${a.status} ${a.answeredBy}`)).toEqual(operations.map(() => '429 api-gateway'));
    // By where each example is: a shared request body's examples serve several operations.
    const whereIs = (operation: (typeof operations)[number], name: string) =>
      requestBodyOf(spec, operation)!
        .examples.find((example) => example.name === name)!
        .valuePath.join('/');
    const requestExamples = new Set(
      operations.flatMap((operation) =>
        (requestBodyOf(spec, operation)?.examples ?? []).map((example) => whereIs(operation, example.name)),
      ),
    );
    const sent = new Set(
      SCENARIOS.flatMap((s) => s.sends ?? []).map((key) => {
        const [operationId, name] = key.split('/') as [string, string];
        return whereIs(operations.find((o) => o.operationId === operationId)!, name);
      }),
    );
    expect([...requestExamples].filter((key) => !sent.has(key))).toEqual([]);
  });

  describe('the real handlers give every documented answer', () => {
    let api: ApiOnLoopback;
    beforeAll(async () => {
      api = await startApiOnLoopback();
    });
    afterAll(async () => {
      await api?.close();
    });
    beforeEach(async () => {
      api.reset();
      api.now = API_NOW;
      api.unavailable = false;
      await seedWorld(api.storage);
    });

    const call = async (request: Request): Promise<Answer> => {
      const headers: Record<string, string> = { ...bearer(), ...request.headers };
      // A string body would go out as text/plain: raw bodies carry only the content type a scenario gives.
      let body: string | Uint8Array | undefined = typeof request.raw === 'string' ? Buffer.from(request.raw) : request.raw;
      if (request.json !== undefined) {
        body = JSON.stringify(request.json);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${api.url}${request.path}`, {
        method: request.method,
        headers,
        ...(body !== undefined ? { body: body as BodyInit } : {}),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    };

    for (const scenario of SCENARIOS) {
      const name = `${scenario.operationId} → ${scenario.status} ${scenario.example}${scenario.variant ? ` (${scenario.variant})` : ''}`;
      it(name, async () => {
        const answer = answerOf(scenario.operationId, scenario.status);
        checkAnswer(answer, scenario, await scenario.run(api, call));
      });
    }
  });

  it('the handlers’ own invalid_path answer (the local server answers before them) validates too', () => {
    const answer = malformedPath();
    const invalidPath = answerOf('getMessage', 400);
    const validate = validator(invalidPath.schemaPath!);
    const body = JSON.parse(answer.body) as { error: { code: string; violations: unknown[] } };
    expect(validate(body) ? [] : errorsOf(validate)).toEqual([]);
    expect(answer.statusCode).toBe(400);
    expect(body.error.code).toBe('invalid_path');
    expect(body.error.violations).toHaveLength(1);
  });

  describe('the caller push (webhooks.messageStatus) is what the push function sends', () => {
    const push = operationsOf(spec, 'webhooks').find((o) => o.operationId === 'pushMessageStatus')!;
    const body = requestBodyOf(spec, push)!;
    const pushes: Record<string, StatusPush> = {
      delivered: {
        v: 1,
        id: ID.read,
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        status: 'delivered',
        at: '2026-11-22T09:50:02.000Z',
        metadata: { order: 'A-17' },
      },
      failed: {
        v: 1,
        id: ID.failed,
        account: 'acme-gupshup',
        provider: 'gupshup',
        status: 'failed',
        at: '2026-11-22T09:52:03.000Z',
        error: { class: 'permanent', code: 131026, reason: 'Message undeliverable' },
      },
      // What the sender pushes for a refused send: its error as stored, the HTTP status included.
      refused: {
        v: 1,
        id: ID.queued,
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        status: 'failed',
        at: '2026-11-22T09:53:04.000Z',
        error: new ProviderError({
          provider: 'kaleyra',
          retryClass: 'permanent',
          status: 400,
          code: 'WA400',
          reason: 'payload refused: Invalid template parameters',
        }).toJSON(),
      },
      // A message that failed over: the push names the route that sent it (the sender's and the
      // callbacks' pushes, tested in test/integration/sender-failover.test.ts).
      failedOver: {
        v: 1,
        id: FAILED_OVER,
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        status: 'delivered',
        at: '2026-11-22T09:54:02.000Z',
        route: { account: 'acme-livetok', provider: 'livetok' },
      },
    };

    it.each(Object.keys(pushes))('%s', async (name) => {
      const sent: Array<{ headers: Headers; body: string }> = [];
      const config = testPushConfig();
      await deliverPush({ body: JSON.stringify(pushes[name]), attributes: {}, receiptHandle: 'r' } as unknown as SQSRecord, {
        sqs: undefined as never,
        queueUrl: 'unused',
        accounts: config,
        pushSecrets: { 'acme-kaleyra': PUSH_SECRET, 'acme-gupshup': PUSH_SECRET },
        fetch: async (_url, init) => {
          sent.push({ headers: new Headers(init?.headers), body: String(init?.body) });
          return new Response(null, { status: 204 });
        },
        now: () => API_NOW,
        timeoutMs: 1000,
      });
      expect(sent).toHaveLength(1);
      const [{ headers, body: raw }] = sent as [{ headers: Headers; body: string }];
      const validate = validator(body.schemaPath);
      const value = JSON.parse(raw) as unknown;
      expect(validate(value) ? [] : errorsOf(validate)).toEqual([]);
      for (const parameter of parametersOf(spec, push)) {
        const header = headers.get(parameter.name);
        expect(header, parameter.name).not.toBeNull();
        const check = validator([...parameter.at, 'schema']);
        expect(check(header) ? [] : errorsOf(check), parameter.name).toEqual([]);
        if (name === 'delivered') checkExample([...parameter.at, 'example'], parameter.node.example, header);
      }
      const example = body.examples.find((e) => e.name === name)!;
      checkExample(example.valuePath, example.value, value);
    });
  });

  afterAll(() => {
    if (document && updated > 0) writeFileSync(API_SPEC_FILE, document.toString({ lineWidth: 0, flowCollectionPadding: false }));
  });
});

const FAILED_OVER = '01M81AXK30H8J2M4N6Q8S0T2VW';

/**
 * A Kaleyra message that Kaleyra refused with a pause, switched to its LiveTok fallback (one
 * conditional write, as the sender makes it) and delivered there.
 */
async function seedFailedOver(api: ApiOnLoopback): Promise<void> {
  const { messages, claims } = api.storage;
  await seedMessage(api.storage, {
    id: FAILED_OVER,
    provider: 'kaleyra',
    account: 'acme-kaleyra',
    recipient: PHONE,
    template: 'otp_code',
    createdAt: '2026-11-22T09:54:00.000Z',
    steps: [['sending', '2026-11-22T09:54:00.080Z']],
  });
  const error = { class: 'pause_sender', status: 403, code: 'WA403', reason: 'sender paused: insufficient balance' };
  const since = '2026-11-22T09:54:00.250Z';
  const switched = await claims.switchRoute(FAILED_OVER, {
    from: 0,
    token: `claim-${FAILED_OVER}`,
    to: { index: 1, account: 'acme-livetok', provider: 'livetok', since },
    refused: {
      index: 0,
      account: 'acme-kaleyra',
      provider: 'kaleyra',
      since: '2026-11-22T09:54:00.000Z',
      until: since,
      outcome: 'refused',
      error,
    },
    hold: { dueAt: '2026-11-22T09:55:00.250Z', sealedPayload: 'sealed' },
  });
  expect(switched).toBe(true);
  expect(await claims.claim(FAILED_OVER, 'claim-2', '2026-11-22T09:54:00.300Z', { route: 1 })).toBe(true);
  const providerMessageId = '7c1e0b8a-5f7e-4f7c-9d25-3b7a4f0e2a11';
  const route = { provider: 'livetok' as const, account: 'acme-livetok', providerMessageId };
  await messages.applyStatus(FAILED_OVER, 'accepted', '2026-11-22T09:54:00.412Z', route);
  await messages.applyStatus(FAILED_OVER, 'sent', '2026-11-22T09:54:01.000Z');
  await messages.applyStatus(FAILED_OVER, 'delivered', '2026-11-22T09:54:02.000Z');
}

/** The two accounts with `push` configured, for the push function. */
function testPushConfig() {
  const accounts = new Map<string, never>();
  for (const id of ['acme-kaleyra', 'acme-gupshup']) accounts.set(id, { id, push: { url: 'https://caller.example.com/wapk' } } as never);
  return accounts;
}
