import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountConfig, type AccountOf } from '../../config/accounts.ts';
import { SendRequest, type MessageContent } from '../../messages/send-request.ts';
import { startProviderMock, type ProviderMock } from '../../mock/provider-mock.ts';
import { classOf, closedPortUrl, preferring, resetAfterSending } from '../../../test/support/provider-harness.ts';
import { KALEYRA_LTO_CONTENT } from '../../../test/support/fixtures.ts';
import { kaleyraAdapter } from './adapter.ts';

const content = SendRequest.shape.content.parse(KALEYRA_LTO_CONTENT) as MessageContent;
const message = { messageId: '01JD0000000000000000000000', recipient: '+919812345678', content };

describe('kaleyra adapter', () => {
  let mock: ProviderMock;
  let account: AccountOf<'kaleyra'>;
  beforeAll(async () => {
    mock = await startProviderMock('kaleyra');
    account = AccountConfig.parse({
      id: 'acme-in',
      provider: 'kaleyra',
      sid: 'HXIN1691385017IN',
      senderNumber: '+919000014497',
      baseUrl: mock.url,
    }) as AccountOf<'kaleyra'>;
  });
  afterAll(() => mock.close());

  it('sends and returns Kaleyra’s message id, distinct per send', async () => {
    const first = await kaleyraAdapter.send(message, account, { credential: 'k', fetch: preferring() });
    const second = await kaleyraAdapter.send(message, account, { credential: 'k', fetch: preferring() });
    expect(first).toMatchObject({ outcome: 'accepted', status: 'accepted' });
    expect(first.outcome === 'accepted' && first.providerMessageId).toMatch(/^AXXXXXXXXXXXXXXXXXXX-/);
    expect(first.outcome === 'accepted' && second.outcome === 'accepted' && first.providerMessageId !== second.providerMessageId).toBe(
      true,
    );
  });

  it('puts our id in extra_info.ref and biz_opaque_callback_data, the sender number in the path', async () => {
    const seen: Request[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push(request.clone());
      return globalThis.fetch(request);
    };
    await kaleyraAdapter.send(message, account, { credential: 'k', fetch });
    const body = (await seen[0]!.json()) as { messaging_object: Record<string, unknown>; extra_info: Record<string, unknown> };
    expect(new URL(seen[0]!.url).pathname).toBe('/v2/HXIN1691385017IN/whatsapp/%2B919000014497/messages');
    expect(body.extra_info.ref).toBe(message.messageId);
    expect(body.messaging_object.biz_opaque_callback_data).toBe(message.messageId);
    expect(body.messaging_object.to).toBe('919812345678');
  });

  it.each([
    ['code=400, example=incorrectPayload', 'permanent', 'WA400', undefined],
    ['code=400, example=lowBalance', 'pause_sender', 'E110', 'account'],
    ['code=401, example=unauthorized', 'pause_sender', 'RBC001', 'account'],
    ['code=401, example=unauthorizedPhoneNumber', 'pause_sender', 'WA401', 'account'],
    ['code=401, example=unauthorisedAccountType', 'pause_sender', 'WA-401', 'account'],
    ['code=401, example=unauthorizedPhoneNumberVersion', 'pause_sender', 'WA-401', 'account'],
  ])('maps the documented answer %s to %s', async (prefer, retryClass, code, pauseScope) => {
    const result = await kaleyraAdapter.send(message, account, { credential: 'k', fetch: preferring(prefer) });
    expect(classOf(result)).toBe(retryClass);
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.code).toBe(code);
    expect(result.error.pauseScope).toBe(pauseScope);
    expect(result.error.status).toBe(Number(prefer.slice(5, 8)));
  });

  it('reports a WA500 as an open outcome: "try again later" does not say the message was not sent', async () => {
    const result = await kaleyraAdapter.send(message, account, {
      credential: 'k',
      fetch: preferring('code=500, example=internalServerError'),
    });
    expect(result).toMatchObject({ outcome: 'unknown', status: 500, code: 'WA500' });
  });

  it('reports a lost answer as unknown, never as a rejection to retry', async () => {
    expect(classOf(await kaleyraAdapter.send(message, account, { credential: 'k', fetch: resetAfterSending }))).toBe('unknown');
  });

  it('reports a refused connection as a back-off rejection (nothing was sent)', async () => {
    const closed = AccountConfig.parse({ ...account, baseUrl: await closedPortUrl() }) as AccountOf<'kaleyra'>;
    const result = await kaleyraAdapter.send(message, closed, { credential: 'k' });
    expect(classOf(result)).toBe('backoff');
  });

  it('checks content against its registry before any send', () => {
    const registered = AccountConfig.parse({
      ...account,
      templates: [{ name: 'lto_template', language: 'en_US', bodyParameters: 3, header: 'image' }],
    }) as AccountOf<'kaleyra'>;
    expect(kaleyraAdapter.check(content, registered)).toEqual([
      { field: 'content.body', rule: 'template "lto_template" has 3 body variable(s); 2 given' },
    ]);
    expect(kaleyraAdapter.check({ kind: 'text', text: 'hi' }, account)).toEqual([
      { field: 'content.kind', rule: 'kaleyra cannot send text messages (it sends template)' },
    ]);
    expect(kaleyraAdapter.check({ ...content, name: 'other' } as MessageContent, registered)).toEqual([
      { field: 'content.name', rule: 'template "other" (en_US) is not registered for account acme-in' },
    ]);
  });
});
