import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccountConfig, type AccountOf } from '../../config/accounts.ts';
import { SendRequest, type MessageContent } from '../../messages/send-request.ts';
import { startProviderMock, type ProviderMock } from '../../mock/provider-mock.ts';
import { classOf, closedPortUrl, preferring, resetAfterSending } from '../../../test/support/provider-harness.ts';
import { documentedOperations, loadSpec } from '../../../test/support/spec.ts';
import { livetokAdapter } from './adapter.ts';

const template = (input: Record<string, unknown>) =>
  SendRequest.shape.content.parse({ kind: 'template', language: 'en_US', ...input }) as MessageContent;

const content = template({
  name: 'special_offer',
  header: { type: 'image', media: { link: 'https://yoursite.com/promo.jpg' } },
  body: ['20% off', 'PROMO20'],
});
const message = { messageId: '01JD0000000000000000000000', recipient: '+14155550123', content };

/** A fetch that records each request (a clone, body unread) and the mock's answer to it. */
function recording(seen: Request[], answers: Response[] = [], prefer?: string): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    if (prefer) request.headers.set('prefer', prefer);
    seen.push(request.clone());
    const response = await globalThis.fetch(request);
    answers.push(response.clone());
    return response;
  };
}

describe('livetok adapter', () => {
  let mock: ProviderMock;
  let account: AccountOf<'livetok'>;
  beforeAll(async () => {
    mock = await startProviderMock('livetok');
    account = AccountConfig.parse({ id: 'acme-lt', provider: 'livetok', plan: 'pro', baseUrl: mock.url }) as AccountOf<'livetok'>;
  });
  afterAll(() => mock.close());
  afterEach(() => vi.useRealTimers());

  it('declares what LiveTok offers: a message id, a final synchronous `sent`, nothing after', () => {
    expect(livetokAdapter.capabilities).toEqual({
      contentKinds: ['template'],
      returnsMessageId: true,
      statusCallbacks: false,
      lookup: false,
      echoesMessageId: null,
    });
  });

  it('sends and returns `sent` with LiveTok’s message id, distinct per send', async () => {
    const first = await livetokAdapter.send(message, account, { credential: 'sk_test_k', fetch: preferring() });
    const second = await livetokAdapter.send(message, account, { credential: 'sk_test_k', fetch: preferring() });
    expect(first).toMatchObject({ outcome: 'accepted', status: 'sent' });
    expect(first.outcome === 'accepted' && first.providerMessageId).toMatch(/^msg_abc123-/);
    expect(second.outcome === 'accepted' && second.providerMessageId).toMatch(/^msg_abc123-/);
    expect(first.outcome === 'accepted' && second.outcome === 'accepted' && first.providerMessageId !== second.providerMessageId).toBe(
      true,
    );
  });

  it('sends the recipient in E.164 with `+`, the header media first and then the body values, with a Bearer key', async () => {
    const seen: Request[] = [];
    const answers: Response[] = [];
    const result = await livetokAdapter.send(message, account, { credential: 'sk_test_k', fetch: recording(seen, answers) });
    expect(result.outcome).toBe('accepted');
    // The mock (Prism) found nothing in the request that breaks the spec.
    expect(answers[0]!.headers.get('sl-violations')).toBeNull();
    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe('/v1/messages/templates');
    expect(request.headers.get('authorization')).toBe('Bearer sk_test_k');
    expect(await request.json()).toEqual({
      to: '+14155550123',
      template_name: 'special_offer',
      template_language: 'en_US',
      template_parameters: [
        { type: 'image', image: { link: 'https://yoursite.com/promo.jpg' } },
        { type: 'text', text: '20% off' },
        { type: 'text', text: 'PROMO20' },
      ],
    });
  });

  it('sends a document header by link, and no `template_parameters` for a template without values', async () => {
    const seen: Request[] = [];
    const answers: Response[] = [];
    const withDocument = template({
      name: 'invoice',
      header: { type: 'document', media: { link: 'https://yoursite.com/invoice.pdf' } },
      body: ['INV-7'],
    });
    const bare = template({ name: 'appointment_reminder' });
    await livetokAdapter.send({ ...message, content: withDocument }, account, { credential: 'k', fetch: recording(seen, answers) });
    await livetokAdapter.send({ ...message, content: bare }, account, { credential: 'k', fetch: recording(seen, answers) });
    expect(answers.map((answer) => [answer.status, answer.headers.get('sl-violations')])).toEqual([
      [200, null],
      [200, null],
    ]);
    expect(((await seen[0]!.json()) as { template_parameters: unknown }).template_parameters).toEqual([
      { type: 'document', document: { link: 'https://yoursite.com/invoice.pdf' } },
      { type: 'text', text: 'INV-7' },
    ]);
    expect(await seen[1]!.json()).toEqual({ to: '+14155550123', template_name: 'appointment_reminder', template_language: 'en_US' });
  });

  // Every documented answer of sendTemplateMessage but the 200 (the last test of this table checks that).
  const ERRORS: Array<[prefer: string, retryClass: string, code: string, pauseScope: string | undefined, reason: string]> = [
    [
      'code=400, example=errorResponseFormat',
      'permanent',
      'invalid_phone_number',
      undefined,
      'livetok: recipient refused: The phone number provided is invalid',
    ],
    [
      'code=400, example=invalidPhoneNumber',
      'permanent',
      'invalid_phone_number',
      undefined,
      'livetok: recipient refused: Phone number must be in E.164 format (e.g., +1234567890)',
    ],
    [
      'code=401, example=invalidApiKey',
      'pause_sender',
      'invalid_api_key',
      'account',
      'livetok: API key rejected: Invalid API key provided',
    ],
    [
      'code=403, example=insufficientPermissions',
      'pause_sender',
      'insufficient_permissions',
      'account',
      'livetok: API key lacks the permission: The API key does not have permission for this request',
    ],
    [
      'code=404, example=templateNotFound',
      'permanent',
      'template_not_found',
      undefined,
      "livetok: template unknown or not approved: The template 'appointment_reminder' does not exist or is not approved",
    ],
    [
      'code=429, example=rateLimitExceeded',
      'backoff',
      'rate_limit_exceeded',
      undefined,
      "livetok: rate limit (plan's hourly requests): Too many requests. Please try again later.",
    ],
    // A 500 proves nothing (the message may have gone out); LiveTok's documented 503 says the service did not take it.
    [
      'code=500, example=internalError',
      'unknown',
      'internal_error',
      undefined,
      'An internal error occurred; HTTP 500 does not prove it was not sent',
    ],
    [
      'code=503, example=serviceUnavailable',
      'backoff',
      'service_unavailable',
      undefined,
      'livetok: The service is temporarily unavailable',
    ],
  ];

  it.each(ERRORS)('maps the documented answer %s to %s', async (prefer, retryClass, code, pauseScope, reason) => {
    const result = await livetokAdapter.send(message, account, { credential: 'k', fetch: preferring(prefer) });
    expect(classOf(result)).toBe(retryClass);
    if (result.outcome === 'unknown') {
      expect(result).toMatchObject({ status: Number(prefer.slice(5, 8)), code, reason });
      return;
    }
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.code).toBe(code);
    expect(result.error.pauseScope).toBe(pauseScope);
    expect(result.error.status).toBe(Number(prefer.slice(5, 8)));
    expect(result.error.message).toBe(reason);
  });

  it('covers every documented error answer of sendTemplateMessage', () => {
    const send = documentedOperations(loadSpec('livetok')).find((op) => op.operationId === 'sendTemplateMessage')!;
    const documented = send.answers
      .filter((answer) => !answer.status.startsWith('2'))
      .map((answer) => `code=${answer.status}, example=${answer.example}`);
    expect(ERRORS.map(([prefer]) => prefer).sort()).toEqual(documented.sort());
  });

  it('reads the wait after a 429 from X-RateLimit-Reset: the documented reset is long past, so 0', async () => {
    const answers: Response[] = [];
    const result = await livetokAdapter.send(message, account, {
      credential: 'k',
      fetch: recording([], answers, 'code=429, example=rateLimitExceeded'),
    });
    expect(answers[0]!.headers.get('x-ratelimit-reset')).toBe('1640995200');
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.retryAfterMs).toBe(0);
  });

  it('reads a future X-RateLimit-Reset as the milliseconds until then', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const reset = Date.parse('2026-03-01T10:01:30Z') / 1000;
    const fetch: typeof globalThis.fetch = async () =>
      new Response(
        JSON.stringify({
          error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Too many requests. Please try again later.' },
        }),
        {
          status: 429,
          headers: {
            'content-type': 'application/json',
            'x-ratelimit-limit': '10000',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(reset),
          },
        },
      );
    const result = await livetokAdapter.send(message, account, { credential: 'k', fetch });
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.retryClass).toBe('backoff');
    expect(result.error.code).toBe('rate_limit_exceeded');
    expect(result.error.retryAfterMs).toBe(90_000);
  });

  it('falls back to the HTTP status for an undocumented code', async () => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ error: { type: 'invalid_request_error', code: 'template_paused', message: 'paused' } }), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      });
    const result = await livetokAdapter.send(message, account, { credential: 'k', fetch });
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect([result.error.retryClass, result.error.code, result.error.status]).toEqual(['permanent', 'template_paused', 404]);
  });

  it('reports a lost answer as unknown, never as a rejection to retry', async () => {
    expect(classOf(await livetokAdapter.send(message, account, { credential: 'k', fetch: resetAfterSending }))).toBe('unknown');
  });

  it('reports a refused connection as a back-off rejection (nothing was sent)', async () => {
    const closed = AccountConfig.parse({ ...account, baseUrl: await closedPortUrl() }) as AccountOf<'livetok'>;
    const result = await livetokAdapter.send(message, closed, { credential: 'k' });
    expect(classOf(result)).toBe('backoff');
    expect(result.outcome === 'rejected' && result.error.code).toBe('ECONNREFUSED');
  });

  it('accepts what LiveTok carries: image or document header by link, positional body values', () => {
    expect(livetokAdapter.check(content, account)).toEqual([]);
    expect(
      livetokAdapter.check(
        template({ name: 'invoice', header: { type: 'document', media: { link: 'https://x.example/a.pdf' } } }),
        account,
      ),
    ).toEqual([]);
    expect(livetokAdapter.check(template({ name: 'appointment_reminder' }), account)).toEqual([]);
  });

  it.each([
    ['a text message', { kind: 'text', text: 'hi' }, 'content.kind', 'livetok cannot send text messages (it sends template)'],
    [
      'a text header',
      template({ name: 't', header: { type: 'text', text: 'Hello' } }),
      'content.header.type',
      'livetok cannot carry a text header (only image, document)',
    ],
    [
      'a video header',
      template({ name: 't', header: { type: 'video', media: { link: 'https://x.example/v.mp4' } } }),
      'content.header.type',
      'livetok cannot carry a video header (only image, document)',
    ],
    [
      'header media by id',
      template({ name: 't', header: { type: 'image', media: { id: '1602186516975000' } } }),
      'content.header.media.id',
      'livetok takes header media by link only',
    ],
    [
      'a document filename',
      template({ name: 't', header: { type: 'document', media: { link: 'https://x.example/a.pdf' }, filename: 'a.pdf' } }),
      'content.header.filename',
      'livetok cannot carry a document filename (it takes the document by link only)',
    ],
    [
      'named body values',
      template({ name: 't', body: { first_name: 'Ana' } }),
      'content.body',
      'livetok takes positional body values only (a list), not named ones',
    ],
    [
      'quick-reply button values',
      template({ name: 't', buttons: [{ type: 'quick_reply', index: 0, payload: 'yes' }] }),
      'content.buttons.0.type',
      'livetok cannot carry quick_reply button values',
    ],
    [
      'url button values',
      template({ name: 't', buttons: [{ type: 'url', index: 1, text: 'abc' }] }),
      'content.buttons.0.type',
      'livetok cannot carry url button values',
    ],
    [
      'copy-code button values',
      template({ name: 't', buttons: [{ type: 'copy_code', index: 0, code: 'CODE' }] }),
      'content.buttons.0.type',
      'livetok cannot carry copy_code button values',
    ],
    [
      'a limited-time offer',
      template({ name: 't', limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' } }),
      'content.limitedTimeOffer',
      'livetok cannot carry a limited-time offer',
    ],
  ])('rejects %s in check()', (_, unsupported, field, rule) => {
    expect(livetokAdapter.check(unsupported as MessageContent, account)).toEqual([{ field, rule }]);
  });

  it('refuses at send, without calling LiveTok, content it would have to drop', async () => {
    let called = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      called += 1;
      return globalThis.fetch(input, init);
    };
    const withButton = template({ name: 't', buttons: [{ type: 'quick_reply', index: 0, payload: 'yes' }] });
    for (const unsupported of [withButton, { kind: 'text', text: 'hi' } as MessageContent]) {
      const result = await livetokAdapter.send({ ...message, content: unsupported }, account, { credential: 'k', fetch });
      expect(classOf(result)).toBe('permanent');
    }
    expect(called).toBe(0);
  });

  it('checks content against the account’s registry', () => {
    const registered = AccountConfig.parse({
      ...account,
      templates: [{ name: 'special_offer', language: 'en_US', bodyParameters: 3, header: 'image' }],
    }) as AccountOf<'livetok'>;
    expect(livetokAdapter.check(content, registered)).toEqual([
      { field: 'content.body', rule: 'template "special_offer" has 3 body variable(s); 2 given' },
    ]);
    expect(livetokAdapter.check({ ...content, name: 'other' } as MessageContent, registered)).toEqual([
      { field: 'content.name', rule: 'template "other" (en_US) is not registered for account acme-lt' },
    ]);
  });
});
