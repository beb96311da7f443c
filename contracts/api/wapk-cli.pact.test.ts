/**
 * The contract between the `wapk` CLI and our own HTTP API.
 *
 * Consumer (`wapk-cli`): the CLI's API client (src/cli/api-client.ts, the methods its commands
 * call, over the SDK generated from specs/api.yaml) is driven through every request the commands
 * make against Pact's mock server; each interaction says what the CLI sends and what of the answer
 * it relies on. The pact written must be exactly the committed one
 * (contracts/pacts/wapk-cli-wapk-api.json; `npm run pacts:update` rewrites it).
 *
 * Provider (`wapk-api`): the committed pact is replayed by Pact's Verifier against the real API
 * handlers on loopback (test/support/api-server.ts: the Lambda handlers behind the local HTTP
 * server, in-memory store), each provider state set up in that store; and compared with
 * specs/api.yaml by openapi-pact-comparator.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatchersV3, PactV4, Verifier, type V3MockServer } from '@pact-foundation/pact';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, type ApiMessage, type SendBatch, type SendRequest } from '../../src/cli/api-client.ts';
import { ApiError } from '../../src/cli/errors.ts';
import { API_KEY, ID, seedWorld, startApiOnLoopback, type ApiOnLoopback } from '../../test/support/api-server.ts';
import { API_PROVIDER, CLI_CONSUMER, pactFile, PACTS_DIR, UPDATE_PACTS } from '../support/pact-files.ts';
import { compareWithSpec } from '../support/verify.ts';

const { like, eachLike, regex, integer } = MatchersV3;

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const JSON_TYPE = { 'Content-Type': regex(/^application\/json/, 'application/json') };

/** The provider states, and how the verification makes each in the API's store. */
const STATES = {
  'the API has the usual messages, pauses and suppressions': async (api: ApiOnLoopback) => seedWorld(api.storage),
  'a send request was accepted with the Idempotency-Key order-A-17': async (api: ApiOnLoopback) => {
    const response = await fetch(`${api.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': 'order-A-17' },
      body: JSON.stringify(KALEYRA_SEND),
    });
    if (response.status !== 202) throw new Error(`the first send answered ${response.status}`);
  },
} as const;
type State = keyof typeof STATES;
const USUAL: State = 'the API has the usual messages, pauses and suppressions';

/** What `wapk send` sends for the README's example (flags: --header-image, --body ×2, --button, --metadata). */
const KALEYRA_SEND: SendRequest = {
  provider: 'kaleyra',
  account: 'acme-kaleyra',
  recipient: '+919812345678',
  content: {
    kind: 'template',
    name: 'lto_template',
    language: 'en_US',
    header: { type: 'image', media: { link: 'https://cdn.example.com/offer.png' } },
    body: ['Pablo', 'CARIBE25'],
    buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }],
  },
  metadata: { order: 'A-17' },
};

/** What `wapk send --csv` posts for a file of two rows (the second with a recipient that is not one). */
const CSV_BATCH: SendBatch = {
  messages: ['+919812345678', '+12'].map((recipient, i) => ({
    provider: 'gupshup',
    account: 'acme-gupshup',
    recipient,
    content: { kind: 'template', name: 'order_update', language: 'en', body: [`A-${17 + i}`, 'shipped'] },
  })),
};

/** A message as the CLI prints it: the fields `wapk status` shows, by type (`history` of any length), and its status exactly. */
const message = (example: Partial<ApiMessage> & Pick<ApiMessage, 'id' | 'status' | 'provider' | 'account' | 'kind'>) =>
  like({
    recipient: regex(/^…\d{4}$/, '…5678'),
    createdAt: '2026-11-22T09:50:00.000Z',
    attempts: integer(1),
    ...example,
    id: regex(ULID, example.id),
    status: regex(new RegExp(`^${example.status}$`), example.status),
    history: eachLike({ status: 'queued', at: '2026-11-22T09:50:00.000Z' }),
  });

const problem = (code: string, message: string, violations?: Array<{ field: unknown; rule: string }>) =>
  like({ error: { code, message, ...(violations ? { violations: eachLike(violations[0]) } : {}) } });

interface Interaction {
  description: string;
  state: State;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The key the request carries: the deployment's (the verification's) unless a test needs another. */
  key?: string;
  body?: unknown;
  status: number;
  responseHeaders?: Record<string, unknown>;
  response?: unknown;
  /** Drives the CLI's client against the mock server, and checks what it made of the answer. */
  run(api: ApiClient): Promise<void>;
}

const rejects = async (call: Promise<unknown>, status: number, code: string) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(status);
  expect((error as ApiError).code).toBe(code);
  return error as ApiError;
};

const INTERACTIONS: Interaction[] = [
  {
    description: 'wapk send: one template message',
    state: USUAL,
    method: 'POST',
    path: '/v1/messages',
    body: KALEYRA_SEND,
    status: 202,
    response: { id: regex(ULID, '01M81B5H80X3D9K2QF7R4TZ8WN'), status: regex(/^(queued|scheduled)$/, 'queued') },
    async run(api) {
      const { accepted, replayed } = await api.sendMessage(KALEYRA_SEND);
      expect(accepted).toEqual({ id: '01M81B5H80X3D9K2QF7R4TZ8WN', status: 'queued' });
      expect(replayed).toBe(false);
    },
  },
  {
    description: 'wapk send --idempotency-key: the same request again',
    state: 'a send request was accepted with the Idempotency-Key order-A-17',
    method: 'POST',
    path: '/v1/messages',
    headers: { 'Idempotency-Key': 'order-A-17' },
    body: KALEYRA_SEND,
    status: 202,
    responseHeaders: { 'idempotent-replayed': 'true' },
    response: { id: regex(ULID, '01M81B5H80X3D9K2QF7R4TZ8WN'), status: regex(/^(queued|scheduled)$/, 'queued') },
    async run(api) {
      const { replayed } = await api.sendMessage(KALEYRA_SEND, 'order-A-17');
      expect(replayed).toBe(true);
    },
  },
  {
    description: 'wapk send: a request the API refuses, each problem by field',
    state: USUAL,
    method: 'POST',
    path: '/v1/messages',
    body: { ...KALEYRA_SEND, recipient: '+1 555' },
    status: 400,
    response: problem('invalid_request', 'the request has 1 problem(s); nothing was accepted', [
      { field: 'recipient', rule: 'must be a valid phone number with its country code (E.164), e.g. +14155550123' },
    ]),
    async run(api) {
      const error = await rejects(api.sendMessage({ ...KALEYRA_SEND, recipient: '+1 555' }), 400, 'invalid_request');
      expect(error.violations.map((v) => v.field)).toEqual(['recipient']);
    },
  },
  {
    description: 'wapk send --csv: a batch with a refused row, named by its index',
    state: USUAL,
    method: 'POST',
    path: '/v1/messages',
    headers: { 'Idempotency-Key': 'wapk-csv-0' },
    body: CSV_BATCH,
    status: 400,
    response: problem('invalid_request', 'the request has 1 problem(s); nothing was accepted', [
      {
        field: regex(/^messages\.\d+\.[a-zA-Z.0-9]+$/, 'messages.1.recipient'),
        rule: 'must be a valid phone number with its country code (E.164), e.g. +14155550123',
      },
    ]),
    async run(api) {
      const error = await rejects(api.sendBatch(CSV_BATCH, 'wapk-csv-0'), 400, 'invalid_request');
      expect(error.violations.map((v) => v.field)).toEqual(['messages.1.recipient']);
    },
  },
  {
    description: 'wapk send --csv: a batch accepted, each row in order',
    state: USUAL,
    method: 'POST',
    path: '/v1/messages',
    headers: { 'Idempotency-Key': 'wapk-csv-0-1' },
    body: { messages: CSV_BATCH.messages.slice(0, 1) },
    status: 202,
    response: { messages: eachLike({ id: regex(ULID, '01M81B5H80X3D9K2QF7R4TZ8WQ'), status: regex(/^(queued|scheduled)$/, 'queued') }) },
    async run(api) {
      const { accepted } = await api.sendBatch({ messages: CSV_BATCH.messages.slice(0, 1) }, 'wapk-csv-0-1');
      expect(accepted.map((a) => a.status)).toEqual(['queued']);
    },
  },
  {
    description: 'wapk status: a message that was read',
    state: USUAL,
    method: 'GET',
    path: `/v1/messages/${ID.read}`,
    status: 200,
    response: message({
      id: ID.read,
      status: 'read',
      provider: 'kaleyra',
      account: 'acme-kaleyra',
      kind: 'template',
      template: 'lto_template',
      providerMessageId: 'AXXXXXXXXXXXXXXXXXXX-1-8bea23',
      metadata: { order: 'A-17' },
    }),
    async run(api) {
      const read = await api.getMessage(ID.read);
      expect(read.status).toBe('read');
      expect(read.history.length).toBeGreaterThan(0);
    },
  },
  {
    description: 'wapk status: a message that does not exist',
    state: USUAL,
    method: 'GET',
    path: `/v1/messages/${ID.missing}`,
    status: 404,
    response: problem('not_found', `no message ${ID.missing}`),
    async run(api) {
      await rejects(api.getMessage(ID.missing), 404, 'not_found');
    },
  },
  {
    description: 'wapk cancel: a scheduled message',
    state: USUAL,
    method: 'POST',
    path: `/v1/messages/${ID.scheduled}/cancel`,
    status: 200,
    response: message({
      id: ID.scheduled,
      status: 'cancelled',
      provider: 'loopwave',
      account: 'acme-loopwave',
      kind: 'text',
      scheduleAt: '2026-12-01T03:30:00.000Z',
    }),
    async run(api) {
      expect((await api.cancelMessage(ID.scheduled)).status).toBe('cancelled');
    },
  },
  {
    description: 'wapk cancel: a message already read',
    state: USUAL,
    method: 'POST',
    path: `/v1/messages/${ID.read}/cancel`,
    status: 409,
    response: problem('not_cancellable', `message ${ID.read} is read; only queued or scheduled messages can be cancelled`),
    async run(api) {
      await rejects(api.cancelMessage(ID.read), 409, 'not_cancellable');
    },
  },
  {
    description: 'wapk unknown: the account’s messages whose outcome is unknown',
    state: USUAL,
    method: 'GET',
    path: '/v1/messages',
    query: { account: 'acme-livechat', status: 'unknown', limit: '100' },
    status: 200,
    response: {
      messages: eachLike(
        message({
          id: ID.unknown,
          status: 'unknown',
          provider: 'livechat',
          account: 'acme-livechat',
          kind: 'template',
          template: 'appointment_reminder',
          lastError: { class: 'unknown', reason: 'no answer within 10 s' },
        }),
      ),
    },
    async run(api) {
      const messages = await api.listMessages({ account: 'acme-livechat', status: 'unknown' });
      expect(messages.map((m) => m.status)).toEqual(['unknown']);
    },
  },
  {
    description: 'wapk resolve: an unknown message, failed',
    state: USUAL,
    method: 'POST',
    path: `/v1/messages/${ID.unknown}/resolve`,
    body: { status: 'failed', note: 'not in the provider’s console' },
    status: 200,
    response: message({
      id: ID.unknown,
      status: 'failed',
      provider: 'livechat',
      account: 'acme-livechat',
      kind: 'template',
      template: 'appointment_reminder',
      lastError: { class: 'operator', reason: 'resolved by all: not in the provider’s console' },
    }),
    async run(api) {
      const resolved = await api.resolveMessage(ID.unknown, { status: 'failed', note: 'not in the provider’s console' });
      expect(resolved.status).toBe('failed');
    },
  },
  {
    description: 'wapk resolve: a message whose outcome is known',
    state: USUAL,
    method: 'POST',
    path: `/v1/messages/${ID.read}/resolve`,
    body: { status: 'sent' },
    status: 409,
    response: problem('not_unknown', `message ${ID.read} is read; only unknown messages are resolved by hand`),
    async run(api) {
      await rejects(api.resolveMessage(ID.read, { status: 'sent' }), 409, 'not_unknown');
    },
  },
  {
    description: 'wapk pauses: the pauses in force',
    state: USUAL,
    method: 'GET',
    path: '/v1/pauses',
    status: 200,
    response: {
      pauses: eachLike({
        account: 'acme-gupshup',
        scope: regex(/^(\*|T#[a-z0-9_]+)$/, 'T#order_update'),
        reason: 'Template paused due to low quality',
        since: '2026-11-22T09:57:40.000Z',
      }),
    },
    async run(api) {
      const pauses = await api.listPauses();
      expect(pauses[0]?.scope).toBe('T#order_update');
    },
  },
  {
    description: 'wapk pauses lift: a template’s pause',
    state: USUAL,
    method: 'DELETE',
    path: '/v1/pauses/acme-gupshup',
    query: { template: 'order_update' },
    status: 200,
    response: like({ lifted: { account: 'acme-gupshup', scope: 'T#order_update' }, requeued: 0 }),
    async run(api) {
      expect((await api.liftPause('acme-gupshup', 'order_update')).lifted.scope).toBe('T#order_update');
    },
  },
  {
    description: 'wapk pauses lift: an account without that pause',
    state: USUAL,
    method: 'DELETE',
    path: '/v1/pauses/acme-kaleyra',
    query: { template: 'order_update' },
    status: 404,
    response: problem('not_found', 'account acme-kaleyra has no pause on template order_update'),
    async run(api) {
      await rejects(api.liftPause('acme-kaleyra', 'order_update'), 404, 'not_found');
    },
  },
  {
    description: 'wapk failover: an account’s breaker and failover switch',
    state: USUAL,
    method: 'GET',
    path: '/v1/failover',
    query: { account: 'acme-kaleyra' },
    status: 200,
    response: {
      accounts: eachLike({
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        failover: regex(/^(on|off)$/, 'on'),
        breaker: like({ state: regex(/^(closed|open|half_open)$/, 'closed'), refusals: integer(0) }),
      }),
    },
    async run(api) {
      const [state] = await api.listFailover('acme-kaleyra');
      expect(state).toMatchObject({ account: 'acme-kaleyra', failover: 'on', breaker: { state: 'closed' } });
    },
  },
  {
    description: 'wapk failover off: an account’s failover turned off, with a reason',
    state: USUAL,
    method: 'PUT',
    path: '/v1/failover/acme-kaleyra',
    body: { failover: 'off', reason: 'incident 42' },
    status: 200,
    response: like({
      account: 'acme-kaleyra',
      provider: 'kaleyra',
      failover: 'off',
      disabled: { since: '2026-11-22T10:00:00.000Z', reason: 'incident 42' },
      breaker: { state: 'closed', refusals: 0 },
    }),
    async run(api) {
      const state = await api.setFailover('acme-kaleyra', { failover: 'off', reason: 'incident 42' });
      expect(state.disabled?.reason).toBe('incident 42');
    },
  },
  {
    description: 'wapk failover on: a reason, which goes only with off',
    state: USUAL,
    method: 'PUT',
    path: '/v1/failover/acme-kaleyra',
    body: { failover: 'on', reason: 'fixed' },
    status: 400,
    response: problem('invalid_request', 'the body has problems', [{ field: 'reason', rule: 'goes only with "failover": "off"' }]),
    async run(api) {
      const error = await rejects(api.setFailover('acme-kaleyra', { failover: 'on', reason: 'fixed' }), 400, 'invalid_request');
      expect(error.violations).toEqual([{ field: 'reason', rule: 'goes only with "failover": "off"' }]);
    },
  },
  {
    description: 'any command: an API key the API does not know',
    state: USUAL,
    method: 'GET',
    path: `/v1/messages/${ID.read}`,
    key: 'not-a-key-of-this-deployment',
    status: 401,
    responseHeaders: { 'www-authenticate': 'Bearer' },
    response: problem('unauthorized', 'send a valid API key as Authorization: Bearer <key>'),
    async run(api) {
      const error = await rejects(api.getMessage(ID.read), 401, 'unauthorized');
      expect(error.message).toMatch(/^the API refused the API key/);
    },
  },
];

describe('wapk CLI ↔ HTTP API contract', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'pact-wapk-api-'));
  const file = pactFile(CLI_CONSUMER, API_PROVIDER);
  const committed = join(PACTS_DIR, file);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  describe('consumer: the CLI’s client against the Pact mock server', () => {
    for (const interaction of INTERACTIONS) {
      it(interaction.description, async () => {
        const key = interaction.key ?? API_KEY;
        const pact = new PactV4({ consumer: CLI_CONSUMER, provider: API_PROVIDER, dir: outDir, logLevel: 'error' });
        await pact
          .addInteraction()
          .given(interaction.state)
          .uponReceiving(interaction.description)
          .withRequest(interaction.method, interaction.path, (request) => {
            request.headers({ Authorization: `Bearer ${key}`, ...interaction.headers });
            if (interaction.query) request.query(interaction.query);
            if (interaction.body !== undefined) request.jsonBody(interaction.body);
          })
          .willRespondWith(interaction.status, (response) => {
            response.headers({ ...JSON_TYPE, ...(interaction.responseHeaders as Record<string, string>) });
            if (interaction.response !== undefined) response.jsonBody(interaction.response);
          })
          .executeTest(async (server: V3MockServer) => {
            await interaction.run(new ApiClient({ url: server.url, key, urlSource: '--url' }));
          });
      });
    }

    it('produces exactly the committed pact', () => {
      const produced = join(outDir, file);
      if (UPDATE_PACTS) copyFileSync(produced, committed);
      expect(existsSync(committed), `${committed} is missing: run npm run pacts:update`).toBe(true);
      const strip = (text: string) => ({ ...(JSON.parse(text) as object), metadata: undefined });
      expect(
        strip(readFileSync(produced, 'utf8')),
        'the CLI no longer sends what the committed pact says: run npm run pacts:update and review the diff',
      ).toEqual(strip(readFileSync(committed, 'utf8')));
    });
  });

  describe('provider: the committed pact against the API', () => {
    it('verifies against the real API handlers, each provider state set up in their store', async () => {
      const api = await startApiOnLoopback();
      try {
        const stateHandlers = Object.fromEntries(
          Object.entries(STATES).map(([name, setUp]) => [
            name,
            async () => {
              api.reset();
              await setUp(api);
            },
          ]),
        );
        await new Verifier({
          provider: API_PROVIDER,
          providerBaseUrl: api.url,
          pactUrls: [committed],
          stateHandlers,
          logLevel: 'error',
        }).verifyProvider();
      } finally {
        await api.close();
      }
    }, 60_000);

    it('agrees with specs/api.yaml (openapi-pact-comparator)', async () => {
      const findings = await compareWithSpec('api', committed);
      expect(findings.filter((finding) => finding.type === 'error')).toEqual([]);
    });

    it('covers every request the CLI’s client makes', () => {
      const pact = JSON.parse(readFileSync(committed, 'utf8')) as { interactions: Array<{ request: { method: string; path: string } }> };
      const operations = new Set(
        pact.interactions.map(
          ({ request }) =>
            `${request.method} ${request.path
              .replace(/\/v1\/messages\/[^/]+/, '/v1/messages/{id}')
              .replace(/\/v1\/pauses\/[^/]+/, '/v1/pauses/{account}')
              .replace(/\/v1\/failover\/[^/]+/, '/v1/failover/{account}')}`,
        ),
      );
      // The ApiClient's methods, by the route each calls.
      expect([...operations].sort()).toEqual(
        [
          'DELETE /v1/pauses/{account}',
          'GET /v1/failover',
          'PUT /v1/failover/{account}',
          'GET /v1/messages',
          'GET /v1/messages/{id}',
          'GET /v1/pauses',
          'POST /v1/messages',
          'POST /v1/messages/{id}/cancel',
          'POST /v1/messages/{id}/resolve',
        ].sort(),
      );
    });
  });
});
