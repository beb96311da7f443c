import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountConfig, type AccountOf } from '../../config/accounts.ts';
import { SendRequest, type MessageContent } from '../../messages/send-request.ts';
import { startProviderMock, type ProviderMock } from '../../mock/provider-mock.ts';
import { classOf, closedPortUrl, preferring, resetAfterSending } from '../../../test/support/provider-harness.ts';
import { documentedOperations, loadSpec } from '../../../test/support/spec.ts';
import { loopwaveAdapter } from './adapter.ts';

const content = SendRequest.shape.content.parse({ kind: 'text', text: 'Hi! Thanks for reaching out.' }) as MessageContent;
const message = { messageId: '01JD0000000000000000000000', recipient: '+919812345678', content };
const KEY = 'lw_live_k';

/** A fetch that records each request (a clone, body unread) and the mock's answer to it. */
function recording(seen: Request[], answers: Response[] = []): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    seen.push(request.clone());
    const response = await globalThis.fetch(request);
    answers.push(response.clone());
    return response;
  };
}

describe('loopwave adapter', () => {
  let mock: ProviderMock;
  let account: AccountOf<'loopwave'>;
  beforeAll(async () => {
    mock = await startProviderMock('loopwave');
    account = AccountConfig.parse({
      id: 'acme-lw',
      provider: 'loopwave',
      baseUrl: mock.url,
      sessionId: 'n1a2b3c',
    }) as AccountOf<'loopwave'>;
  });
  afterAll(() => mock.close());

  it('declares what Loopwave offers: free text, no id in the answer, webhooks and a chat lookup', () => {
    expect(loopwaveAdapter.capabilities).toEqual({
      contentKinds: ['text'],
      returnsMessageId: false,
      statusCallbacks: true,
      lookup: true,
      echoesMessageId: null,
    });
  });

  it('sends and returns `sent` without a provider message id (Loopwave returns none)', async () => {
    const result = await loopwaveAdapter.send(message, account, { credential: KEY, fetch: preferring() });
    expect(result).toEqual({ outcome: 'accepted', status: 'sent' });
  });

  it('sends digits without `+`, the text and the session as `from`, with the key as Bearer only', async () => {
    const seen: Request[] = [];
    const answers: Response[] = [];
    const result = await loopwaveAdapter.send(message, account, { credential: KEY, fetch: recording(seen, answers) });
    expect(result.outcome).toBe('accepted');
    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe('/api/v1/messages');
    expect(request.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(request.headers.get('x-api-key')).toBeNull();
    expect(await request.json()).toEqual({ to: '919812345678', text: 'Hi! Thanks for reaching out.', from: 'n1a2b3c' });
    // The mock (Prism) took the request as the spec's, and answered 202.
    expect([answers[0]!.status, answers[0]!.headers.get('sl-violations')]).toEqual([202, null]);
  });

  it('leaves `from` out when the account names no session (Loopwave picks the first ready number)', async () => {
    const seen: Request[] = [];
    const anySession = AccountConfig.parse({ id: 'acme-lw', provider: 'loopwave', baseUrl: mock.url }) as AccountOf<'loopwave'>;
    await loopwaveAdapter.send(message, anySession, { credential: KEY, fetch: recording(seen) });
    expect(await seen[0]!.json()).toEqual({ to: '919812345678', text: 'Hi! Thanks for reaching out.' });
  });

  // Every documented error answer of sendMessage (the next test checks the list against the spec).
  const ERRORS: Array<
    [prefer: string, retryClass: string, code: string, pauseScope: string | undefined, retryAfterMs: number | undefined, reason: string]
  > = [
    [
      'code=400, example=invalidInput',
      'permanent',
      'invalid_input',
      undefined,
      undefined,
      'loopwave: request refused: The request body or parameters are invalid.',
    ],
    [
      'code=401, example=invalidApiKey',
      'pause_sender',
      'invalid_api_key',
      'account',
      undefined,
      'loopwave: API key rejected: Missing, malformed, or disabled key.',
    ],
    [
      'code=402, example=licenseLocked',
      'pause_sender',
      'license_locked',
      'account',
      undefined,
      'loopwave: Loopwave licence expired or revoked: License expired/revoked in enforce mode.',
    ],
    [
      'code=403, example=insufficientScope',
      'pause_sender',
      'insufficient_scope',
      'account',
      undefined,
      'loopwave: API key lacks the messages:write scope: The key lacks the scope for this endpoint.',
    ],
    [
      'code=409, example=noReadySession',
      'backoff',
      'no_ready_session',
      undefined,
      undefined,
      'loopwave: no connected WhatsApp number is ready: No connected WhatsApp number is ready.',
    ],
    [
      'code=429, example=rateLimited',
      'backoff',
      'rate_limited',
      undefined,
      42_000,
      'loopwave: rate limit (120 requests per minute per key): Too many requests for this key.',
    ],
  ];

  it.each(ERRORS)('maps the documented answer %s to %s', async (prefer, retryClass, code, pauseScope, retryAfterMs, reason) => {
    const result = await loopwaveAdapter.send(message, account, { credential: KEY, fetch: preferring(prefer) });
    expect(classOf(result)).toBe(retryClass);
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.code).toBe(code);
    expect(result.error.pauseScope).toBe(pauseScope);
    expect(result.error.status).toBe(Number(prefer.slice(5, 8)));
    expect(result.error.retryAfterMs).toBe(retryAfterMs);
    expect(result.error.message).toBe(reason);
  });

  it('covers every documented error answer of sendMessage', () => {
    const send = documentedOperations(loadSpec('loopwave')).find((op) => op.operationId === 'sendMessage')!;
    const documented = send.answers
      .filter((answer) => !answer.status.startsWith('2'))
      .map((answer) => `code=${answer.status}, example=${answer.example}`);
    expect(ERRORS.map(([prefer]) => prefer).sort()).toEqual(documented.sort());
  });

  it.each([
    [402, 'pause_sender', 'account'],
    [409, 'backoff', undefined],
    [404, 'permanent', undefined],
  ])('reads a bare %i (no Loopwave body, e.g. from a proxy) by its status', async (status, retryClass, pauseScope) => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response('<html>oops</html>', { status, headers: { 'content-type': 'text/html' } });
    const result = await loopwaveAdapter.send(message, account, { credential: KEY, fetch });
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect([result.error.retryClass, result.error.pauseScope, result.error.status, result.error.code]).toEqual([
      retryClass,
      pauseScope,
      status,
      undefined,
    ]);
  });

  it('reads a bare 502 (e.g. from a proxy) as an open outcome: the request may have been forwarded', async () => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response('<html>oops</html>', { status: 502, headers: { 'content-type': 'text/html' } });
    const result = await loopwaveAdapter.send(message, account, { credential: KEY, fetch });
    expect(result).toMatchObject({ outcome: 'unknown', status: 502 });
  });

  it('reports a lost answer as unknown, never as a rejection to retry', async () => {
    expect(classOf(await loopwaveAdapter.send(message, account, { credential: KEY, fetch: resetAfterSending }))).toBe('unknown');
  });

  it('reports a refused connection as a back-off rejection (nothing was sent)', async () => {
    const closed = AccountConfig.parse({ ...account, baseUrl: await closedPortUrl() }) as AccountOf<'loopwave'>;
    const result = await loopwaveAdapter.send(message, closed, { credential: KEY });
    expect(classOf(result)).toBe('backoff');
    expect(result.outcome === 'rejected' && result.error.code).toBe('ECONNREFUSED');
  });

  it('accepts text and rejects template content in check()', () => {
    expect(loopwaveAdapter.check(content, account)).toEqual([]);
    const template = SendRequest.shape.content.parse({
      kind: 'template',
      name: 'appointment_reminder',
      language: 'en_US',
      body: ['Ana'],
    }) as MessageContent;
    expect(loopwaveAdapter.check(template, account)).toEqual([
      { field: 'content.kind', rule: 'loopwave cannot send template messages (it sends text)' },
    ]);
  });

  it('refuses template content at send without calling Loopwave', async () => {
    let called = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      called += 1;
      return globalThis.fetch(input, init);
    };
    const template = SendRequest.shape.content.parse({
      kind: 'template',
      name: 'appointment_reminder',
      language: 'en_US',
    }) as MessageContent;
    const result = await loopwaveAdapter.send({ ...message, content: template }, account, { credential: KEY, fetch });
    expect(classOf(result)).toBe('permanent');
    expect(called).toBe(0);
  });
});
