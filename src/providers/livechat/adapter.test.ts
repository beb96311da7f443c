import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateMessageRecord } from '../../../generated/livechat/types.gen.ts';
import { AccountConfig, type AccountOf } from '../../config/accounts.ts';
import { SendRequest, type MessageContent } from '../../messages/send-request.ts';
import { startProviderMock, type ProviderMock } from '../../mock/provider-mock.ts';
import { classOf, closedPortUrl, preferring, resetAfterSending, recording } from '../../../test/support/provider-harness.ts';
import { findSentMessage, livechatAdapter } from './adapter.ts';

const content = SendRequest.shape.content.parse({
  kind: 'template',
  name: 'spring_offer',
  language: 'en_US',
  header: { type: 'document', media: { link: 'https://example.com/offer.pdf' }, filename: 'offer.pdf' },
  body: { first_name: 'Ana', code: 'SPRING25' },
  limitedTimeOffer: { expiresAt: '2026-12-31T23:59:59Z' },
  buttons: [
    { type: 'quick_reply', index: 0, payload: 'stop-promos' },
    { type: 'url', index: 1, text: 'n3mtql' },
    { type: 'copy_code', index: 2, code: 'SPRING25' },
  ],
}) as MessageContent;
const message = { messageId: '01JD0000000000000000000000', recipient: '+48635625362', content };
// One `:` only: Prism's Basic check refuses a password that holds one (RFC 7617 allows it).
const credential = 'acc-9f2c:pat-secret';

/** A fetch that keeps a copy of each request and each answer. */
describe('livechat adapter', () => {
  let mock: ProviderMock;
  let account: AccountOf<'livechat'>;
  beforeAll(async () => {
    mock = await startProviderMock('livechat');
    account = AccountConfig.parse({ id: 'acme-pl', provider: 'livechat', numberId: '1234', baseUrl: mock.url }) as AccountOf<'livechat'>;
  });
  afterAll(() => mock.close());

  it('sends and reports the message accepted, without a provider id (LiveChat returns none)', async () => {
    const result = await livechatAdapter.send(message, account, { credential, fetch: preferring() });
    expect(result).toEqual({ outcome: 'accepted', status: 'accepted' });
    expect(livechatAdapter.capabilities).toEqual({
      contentKinds: ['template'],
      returnsMessageId: false,
      statusCallbacks: true,
      lookup: true,
      echoesMessageId: null,
    });
  });

  it('posts Meta’s template object to the number’s path, with Basic auth and digits in `to`, never `schedule`', async () => {
    const { fetch, requests, responses } = recording();
    await livechatAdapter.send(message, account, { credential, fetch });
    expect(requests).toHaveLength(1);
    const request = requests[0]!;
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe('/whatsapp-numbers/1234/template-messages');
    expect(request.headers.get('authorization')).toBe(`Basic ${Buffer.from(credential).toString('base64')}`);
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(await request.json()).toEqual({
      to: '48635625362',
      template: {
        name: 'spring_offer',
        language: { code: 'en_US' },
        components: [
          {
            type: 'header',
            parameters: [{ type: 'document', document: { link: 'https://example.com/offer.pdf', filename: 'offer.pdf' } }],
          },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana', parameter_name: 'first_name' },
              { type: 'text', text: 'SPRING25', parameter_name: 'code' },
            ],
          },
          {
            type: 'limited_time_offer',
            parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 1798761599000 } }],
          },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'stop-promos' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'n3mtql' }] },
          { type: 'button', sub_type: 'copy_code', index: '2', parameters: [{ type: 'coupon_code', coupon_code: 'SPRING25' }] },
        ],
      },
    });
    // The mock (Prism) found nothing wrong with the request, its Basic credential included.
    expect(responses[0]!.status).toBe(200);
    expect(responses[0]!.headers.get('sl-violations')).toBeNull();
  });

  // The spec documents no error answers (`default` only): any non-2xx is read by its status alone.
  it.each([
    ['code=400', 'permanent', undefined],
    ['code=401', 'pause_sender', 'account'],
    ['code=403', 'pause_sender', 'account'],
    ['code=404', 'permanent', undefined],
    ['code=429', 'backoff', undefined],
  ])('maps an undocumented %s answer by its status to %s', async (prefer, retryClass, pauseScope) => {
    const result = await livechatAdapter.send(message, account, { credential, fetch: preferring(prefer) });
    expect(classOf(result)).toBe(retryClass);
    if (result.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(result.error.status).toBe(Number(prefer.slice(5, 8)));
    expect(result.error.pauseScope).toBe(pauseScope);
    expect(result.error.code).toBeUndefined();
    expect(result.error.message).toContain(`HTTP ${prefer.slice(5, 8)}`);
  });

  it('pauses the account when the mock itself refuses a malformed Basic credential', async () => {
    const result = await livechatAdapter.send(message, account, { credential: 'no-account-id', fetch: preferring() });
    expect(classOf(result)).toBe('pause_sender');
    expect(result.outcome === 'rejected' && result.error.status).toBe(401);
  });

  it.each(['code=500', 'code=503'])('reads an undocumented %s as an open outcome (LiveChat documents no 5xx)', async (prefer) => {
    const result = await livechatAdapter.send(message, account, { credential, fetch: preferring(prefer) });
    expect(result).toMatchObject({ outcome: 'unknown', status: Number(prefer.slice(5, 8)) });
  });

  it('reports a lost answer as unknown, never as a rejection to retry', async () => {
    expect(classOf(await livechatAdapter.send(message, account, { credential, fetch: resetAfterSending }))).toBe('unknown');
  });

  it('reports a refused connection as a back-off rejection (nothing was sent)', async () => {
    const closed = AccountConfig.parse({ ...account, baseUrl: await closedPortUrl() }) as AccountOf<'livechat'>;
    const result = await livechatAdapter.send(message, closed, { credential });
    expect(classOf(result)).toBe('backoff');
  });

  it('accepts every template feature Meta’s object carries', () => {
    expect(livechatAdapter.check(content, account)).toEqual([]);
    const imageById = { ...content, header: { type: 'image', media: { id: '1602186516975000' } }, body: ['Ana'] } as MessageContent;
    expect(livechatAdapter.check(imageById, account)).toEqual([]);
    const videoByLink = { ...content, header: { type: 'video', media: { link: 'https://example.com/a.mp4' } } } as MessageContent;
    expect(livechatAdapter.check(videoByLink, account)).toEqual([]);
    const textHeader = { ...content, header: { type: 'text', text: 'Spring' } } as MessageContent;
    expect(livechatAdapter.check(textHeader, account)).toEqual([]);
  });

  it('rejects text messages and what the registry does not hold', () => {
    expect(livechatAdapter.check({ kind: 'text', text: 'hi' }, account)).toEqual([
      { field: 'content.kind', rule: 'livechat cannot send text messages (it sends template)' },
    ]);
    const registered = AccountConfig.parse({
      ...account,
      templates: [
        { name: 'spring_offer', language: 'en_US', bodyParameters: 2, namedParameters: ['first_name', 'coupon'], header: 'document' },
      ],
    }) as AccountOf<'livechat'>;
    expect(livechatAdapter.check(content, registered)).toEqual([
      { field: 'content.body', rule: 'template "spring_offer" needs the named value(s) coupon' },
    ]);
    expect(livechatAdapter.check({ ...content, language: 'pl' } as MessageContent, registered)).toEqual([
      { field: 'content.name', rule: 'template "spring_offer" (pl) is not registered for account acme-pl' },
    ]);
  });

  it('refuses to send a text message without calling LiveChat', async () => {
    const { fetch, requests } = recording();
    const result = await livechatAdapter.send({ ...message, content: { kind: 'text', text: 'hi' } }, account, { credential, fetch });
    expect(classOf(result)).toBe('permanent');
    expect(requests).toHaveLength(0);
  });
});

describe('findSentMessage', () => {
  const after = new Date('2026-03-01T10:00:00Z');
  const record = (to: string, name: string, schedule?: string, id?: string): TemplateMessageRecord => ({
    ...(id ? { id } : {}),
    to,
    template: { name, language: { code: 'en_US' } },
    ...(schedule ? { schedule } : {}),
  });

  it('picks the one record to that recipient of that template since the send', () => {
    const ours = record('48635625362', 'spring_offer', '2026-03-01T10:00:02Z', 'ours');
    const records = [
      record('48635625362', 'spring_offer', '2026-02-27T09:00:00Z', 'last-week'),
      record('48635625362', 'appointment_reminder', '2026-03-01T10:00:03Z'),
      record('48600000000', 'spring_offer', '2026-03-01T10:00:04Z'),
      ours,
    ];
    expect(findSentMessage(records, { to: '+48635625362', templateName: 'spring_offer', after })).toBe(ours);
    expect(findSentMessage(records, { to: '48635625362', templateName: 'spring_offer', after })).toBe(ours);
    expect(findSentMessage([{ ...ours, to: '+48635625362' }], { to: '48635625362', templateName: 'spring_offer', after })?.id).toBe('ours');
  });

  it('finds nothing when no record matches', () => {
    expect(findSentMessage([], { to: '+48635625362', templateName: 'spring_offer', after })).toBeUndefined();
    expect(
      findSentMessage([record('48635625362', 'spring_offer', '2026-02-28T23:59:59Z')], {
        to: '+48635625362',
        templateName: 'spring_offer',
        after,
      }),
    ).toBeUndefined();
    expect(
      findSentMessage([{ schedule: '2026-03-01T10:00:02Z' }, {}], { to: '+48635625362', templateName: 'spring_offer', after }),
    ).toBeUndefined();
  });

  it('finds nothing when more than one record could be the send (ambiguous)', () => {
    const records = [
      record('48635625362', 'spring_offer', '2026-03-01T10:00:02Z', 'a'),
      record('48635625362', 'spring_offer', '2026-03-01T10:00:05Z', 'b'),
    ];
    expect(findSentMessage(records, { to: '+48635625362', templateName: 'spring_offer', after })).toBeUndefined();
  });

  it('never takes an undated record for the send, and counts it against a dated one', () => {
    const undated = record('48635625362', 'spring_offer', undefined, 'undated');
    const dated = record('48635625362', 'spring_offer', '2026-03-01T10:00:02Z', 'dated');
    expect(findSentMessage([undated], { to: '+48635625362', templateName: 'spring_offer', after })).toBeUndefined();
    expect(findSentMessage([undated, dated], { to: '+48635625362', templateName: 'spring_offer', after })).toBeUndefined();
    expect(
      findSentMessage([{ ...undated, schedule: 'soon' }], { to: '+48635625362', templateName: 'spring_offer', after }),
    ).toBeUndefined();
  });
});
