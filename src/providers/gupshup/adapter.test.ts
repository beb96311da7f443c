import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountConfig, type AccountOf } from '../../config/accounts.ts';
import { SendRequest, type MessageContent } from '../../messages/send-request.ts';
import { startProviderMock, type ProviderMock } from '../../mock/provider-mock.ts';
import { classOf, closedPortUrl, preferring, resetAfterSending, recording } from '../../../test/support/provider-harness.ts';
import { gupshupAdapter } from './adapter.ts';

const content = SendRequest.shape.content.parse({
  kind: 'template',
  name: 'flash_sale',
  language: 'en',
  header: { type: 'image', media: { id: '1602186516975000' } },
  body: ['Pablo', 'CARIBE25'],
  limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
  buttons: [
    { type: 'quick_reply', index: 0, payload: 'interested' },
    { type: 'quick_reply', index: 2, payload: 'stop-promos' },
  ],
}) as MessageContent;
const message = { messageId: '01JD0000000000000000000000', recipient: '+917839123453', content };
const templates = [
  { name: 'flash_sale', language: 'en', providerTemplateId: '8a3b0f7e-0f3c-4c1e-9d52-2f0c4d3e1a77', bodyParameters: 2, header: 'image' },
  { name: 'video_drop', language: 'en', providerTemplateId: 'tmpl-video-1', bodyParameters: 0, header: 'video' },
  { name: 'no_id_yet', language: 'en', bodyParameters: 0 },
];

/** A fetch that keeps a copy of each request and each answer. */
describe('gupshup adapter', () => {
  let mock: ProviderMock;
  let account: AccountOf<'gupshup'>;
  beforeAll(async () => {
    mock = await startProviderMock('gupshup');
    account = AccountConfig.parse({
      id: 'acme-in',
      provider: 'gupshup',
      source: '919163123453',
      appName: 'DemoApp',
      baseUrl: mock.url,
      templates,
    }) as AccountOf<'gupshup'>;
  });
  afterAll(() => mock.close());

  it('sends and returns Gupshup’s messageId, distinct per send', async () => {
    const first = await gupshupAdapter.send(message, account, { credential: 'k', fetch: preferring() });
    const second = await gupshupAdapter.send(message, account, { credential: 'k', fetch: preferring() });
    expect(first).toMatchObject({ outcome: 'accepted', status: 'accepted' });
    expect(first.outcome === 'accepted' && first.providerMessageId).toMatch(/^message id-/);
    expect(first.outcome === 'accepted' && second.outcome === 'accepted' && first.providerMessageId !== second.providerMessageId).toBe(
      true,
    );
    expect(gupshupAdapter.capabilities).toEqual({
      contentKinds: ['template'],
      returnsMessageId: true,
      statusCallbacks: true,
      lookup: false,
      echoesMessageId: null,
    });
  });

  it('posts a form with the template id, the header and ONE postbackTexts field holding a JSON array', async () => {
    const { fetch, requests, responses } = recording();
    await gupshupAdapter.send(message, account, { credential: 'gs-key', fetch });
    expect(requests).toHaveLength(1);
    const request = requests[0]!;
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe('/wa/api/v1/template/msg');
    expect(request.headers.get('apikey')).toBe('gs-key');
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(await request.text());
    expect([...form.keys()].sort()).toEqual(['channel', 'destination', 'message', 'postbackTexts', 'source', 'src.name', 'template']);
    expect(form.getAll('postbackTexts')).toHaveLength(1);
    expect(form.get('channel')).toBe('whatsapp');
    expect(form.get('source')).toBe('919163123453');
    expect(form.get('src.name')).toBe('DemoApp');
    expect(form.get('destination')).toBe('917839123453');
    expect(JSON.parse(form.get('template')!)).toEqual({
      id: '8a3b0f7e-0f3c-4c1e-9d52-2f0c4d3e1a77',
      params: ['Pablo', 'CARIBE25'],
      expiration: 1798761599000,
    });
    expect(JSON.parse(form.get('message')!)).toEqual({ type: 'image', image: { id: '1602186516975000' } });
    expect(JSON.parse(form.get('postbackTexts')!)).toEqual([
      { index: 0, text: 'interested' },
      { index: 2, text: 'stop-promos' },
    ]);
    // The mock validated the JSON fields against the spec and found nothing wrong.
    expect(responses[0]!.status).toBe(202);
    expect(responses[0]!.headers.get('sl-violations')).toBeNull();
  });

  it('sends a video header by link, and leaves out message, postbackTexts and expiration when there are none', async () => {
    const { fetch, requests, responses } = recording();
    const video = SendRequest.shape.content.parse({
      kind: 'template',
      name: 'video_drop',
      language: 'en',
      header: { type: 'video', media: { link: 'https://example.com/offer.mp4' } },
    }) as MessageContent;
    const result = await gupshupAdapter.send({ ...message, content: video }, account, { credential: 'k', fetch });
    expect(result.outcome).toBe('accepted');
    const form = new URLSearchParams(await requests[0]!.text());
    expect(JSON.parse(form.get('template')!)).toEqual({ id: 'tmpl-video-1', params: [] });
    expect(JSON.parse(form.get('message')!)).toEqual({ type: 'video', video: { link: 'https://example.com/offer.mp4' } });
    expect(form.has('postbackTexts')).toBe(false);
    expect(responses[0]!.headers.get('sl-violations')).toBeNull();

    const bare = SendRequest.shape.content.parse({
      kind: 'template',
      name: 'flash_sale',
      language: 'en',
      body: ['Ana', 'X1'],
    }) as MessageContent;
    const plain = AccountConfig.parse({ ...account, templates: [{ ...templates[0]!, header: undefined }] }) as AccountOf<'gupshup'>;
    await gupshupAdapter.send({ ...message, content: bare }, plain, { credential: 'k', fetch });
    const bareForm = new URLSearchParams(await requests[1]!.text());
    expect([...bareForm.keys()].sort()).toEqual(['channel', 'destination', 'source', 'src.name', 'template']);
    expect(JSON.parse(bareForm.get('template')!)).toEqual({ id: '8a3b0f7e-0f3c-4c1e-9d52-2f0c4d3e1a77', params: ['Ana', 'X1'] });
  });

  // Every documented error answer of sendTemplateMessage in specs/gupshup.yaml.
  it.each([
    ['code=400, example=invalidDestination', 'permanent', undefined, 'gupshup: request refused: Invalid Destination'],
    ['code=401, example=authenticationFailed', 'pause_sender', 'account', 'gupshup: API key rejected: Authentication Failed'],
  ])('maps the documented answer %s to %s', async (prefer, retryClass, pauseScope, reason) => {
    const result = await gupshupAdapter.send(message, account, { credential: 'k', fetch: preferring(prefer) });
    expect(classOf(result)).toBe(retryClass);
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.status).toBe(Number(prefer.slice(5, 8)));
    expect(result.error.pauseScope).toBe(pauseScope);
    expect(result.error.code).toBeUndefined();
    expect(result.error.message).toBe(reason);
  });

  it('reads undocumented statuses by their class', async () => {
    const answer =
      (status: number, body: unknown): typeof globalThis.fetch =>
      async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'retry-after': '7' } });
    const throttled = await gupshupAdapter.send(message, account, {
      credential: 'k',
      fetch: answer(429, { status: 'error', message: 'Too Many Requests' }),
    });
    expect(classOf(throttled)).toBe('backoff');
    expect(throttled.outcome === 'rejected' && throttled.error.retryAfterMs).toBe(7000);
    expect(throttled.outcome === 'rejected' && throttled.error.message).toBe('gupshup: Too Many Requests');
    // A 5xx Gupshup does not document proves nothing: the message may have been sent.
    expect(classOf(await gupshupAdapter.send(message, account, { credential: 'k', fetch: answer(503, null) }))).toBe('unknown');
    const forbidden = await gupshupAdapter.send(message, account, { credential: 'k', fetch: answer(403, {}) });
    expect(classOf(forbidden)).toBe('pause_sender');
    expect(forbidden.outcome === 'rejected' && forbidden.error.message).toBe('gupshup: HTTP 403');
  });

  it('reports a lost answer as unknown, never as a rejection to retry', async () => {
    expect(classOf(await gupshupAdapter.send(message, account, { credential: 'k', fetch: resetAfterSending }))).toBe('unknown');
  });

  it('reports a refused connection as a back-off rejection (nothing was sent)', async () => {
    const closed = AccountConfig.parse({ ...account, baseUrl: await closedPortUrl() }) as AccountOf<'gupshup'>;
    const result = await gupshupAdapter.send(message, closed, { credential: 'k' });
    expect(classOf(result)).toBe('backoff');
  });

  it('accepts what Gupshup carries', () => {
    expect(gupshupAdapter.check(content, account)).toEqual([]);
    const byLink = { ...content, header: { type: 'image', media: { link: 'https://example.com/a.png' } } } as MessageContent;
    expect(gupshupAdapter.check(byLink, account)).toEqual([]);
  });

  it('rejects each content feature Gupshup cannot carry', () => {
    const check = (changes: Record<string, unknown>, on = account) =>
      gupshupAdapter.check({ ...content, ...changes } as MessageContent, on);
    const unregistered = AccountConfig.parse({ ...account, templates: [{ ...templates[0]!, header: undefined }] }) as AccountOf<'gupshup'>;
    expect(gupshupAdapter.check({ kind: 'text', text: 'hi' }, account)).toEqual([
      { field: 'content.kind', rule: 'gupshup cannot send text messages (it sends template)' },
    ]);
    expect(check({ header: { type: 'text', text: 'Sale' } }, unregistered)).toEqual([
      { field: 'content.header.type', rule: 'gupshup cannot carry a text header (only image, video)' },
    ]);
    expect(check({ header: { type: 'document', media: { id: '1' } } }, unregistered)).toEqual([
      { field: 'content.header.type', rule: 'gupshup cannot carry a document header (only image, video)' },
    ]);
    expect(check({ body: { first_name: 'Ana', code: 'X' } })).toEqual([
      { field: 'content.body', rule: 'gupshup takes positional body values only (a list), not named ones' },
    ]);
    expect(
      check({
        buttons: [
          { type: 'url', index: 0, text: 'abc' },
          { type: 'copy_code', index: 1, code: 'X1' },
          { type: 'quick_reply', index: 2, payload: 'p' },
        ],
      }),
    ).toEqual([
      { field: 'content.buttons.0.type', rule: 'gupshup cannot carry url button values' },
      { field: 'content.buttons.1.type', rule: 'gupshup cannot carry copy_code button values' },
    ]);
  });

  it('requires the template in the registry, with its Gupshup id', () => {
    const bare = AccountConfig.parse({ ...account, templates: undefined }) as AccountOf<'gupshup'>;
    expect(gupshupAdapter.check(content, bare)).toEqual([
      { field: 'content.name', rule: 'template "flash_sale" (en) is not registered for account acme-in' },
    ]);
    const noId = { kind: 'template', name: 'no_id_yet', language: 'en' } as MessageContent;
    expect(gupshupAdapter.check(noId, account)).toEqual([
      {
        field: 'content.name',
        rule: 'template "no_id_yet" (en) has no providerTemplateId in account acme-in\'s registry (Gupshup names templates by id)',
      },
    ]);
  });

  it('refuses to send what check() refuses, without calling Gupshup', async () => {
    const { fetch, requests } = recording();
    const noId = await gupshupAdapter.send({ ...message, content: { kind: 'template', name: 'no_id_yet', language: 'en' } }, account, {
      credential: 'k',
      fetch,
    });
    expect(classOf(noId)).toBe('permanent');
    expect(noId.outcome === 'rejected' && noId.error.message).toContain('has no providerTemplateId');
    const withUrl = { ...content, buttons: [{ type: 'url', index: 0, text: 'abc' }] } as MessageContent;
    expect(classOf(await gupshupAdapter.send({ ...message, content: withUrl }, account, { credential: 'k', fetch }))).toBe('permanent');
    expect(
      classOf(await gupshupAdapter.send({ ...message, content: { kind: 'text', text: 'hi' } }, account, { credential: 'k', fetch })),
    ).toBe('permanent');
    expect(requests).toHaveLength(0);
  });
});
