/**
 * The provider mocks: Prism serving each spec on an ephemeral loopback port, plus the thin layer
 * that makes send ids distinct and understands JSON text inside Gupshup's form fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient as createKaleyraClient } from '../../generated/kaleyra/client/index.ts';
import { sendLimitedTimeOfferTemplate } from '../../generated/kaleyra/sdk.gen.ts';
import { createClient as createGupshupClient } from '../../generated/gupshup/client/index.ts';
import { sendTemplateMessage as sendGupshup } from '../../src/clients/gupshup.ts';
import { startProviderMock, type ProviderMock } from '../../src/mock/provider-mock.ts';
import { PROVIDERS } from '../../src/providers/names.ts';

const kaleyraBody = {
  messaging_object: {
    messaging_product: 'whatsapp' as const,
    to: '919000012345',
    type: 'template' as const,
    template: { name: 'LTO_template', language: { code: 'en_US' }, components: [] },
  },
};
const gupshupBody = {
  channel: 'whatsapp' as const,
  source: '919163000003',
  'src.name': 'DemoApp',
  destination: '917839000003',
  template: { id: 'tmpl-1', params: ['Pablo'] },
  postbackTexts: [{ index: 0, text: 'yes' }],
};

describe('provider mocks', () => {
  const mocks = new Map<string, ProviderMock>();
  beforeAll(async () => {
    for (const provider of PROVIDERS) mocks.set(provider, await startProviderMock(provider));
  });
  afterAll(async () => {
    await Promise.all([...mocks.values()].map((mock) => mock.close()));
  });

  it('listen on distinct loopback ports', () => {
    const urls = [...mocks.values()].map((mock) => mock.url);
    expect(new Set(urls).size).toBe(PROVIDERS.length);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answer each send with a distinct message id', async () => {
    const client = createKaleyraClient({ baseUrl: mocks.get('kaleyra')!.url, auth: 'key' });
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const { data } = await sendLimitedTimeOfferTemplate({
        client,
        path: { sid: 'SID', phone_number: '919000014497' },
        body: kaleyraBody,
      });
      ids.push(data?.data.message_id);
    }
    expect(ids.every((id) => typeof id === 'string' && id.startsWith('AXXXXXXXXXXXXXXXXXXX-'))).toBe(true);
    expect(new Set(ids).size).toBe(5);
  });

  it('answer a documented error when asked with Prefer, and 401 without credentials', async () => {
    const url = `${mocks.get('kaleyra')!.url}/v2/SID/whatsapp/919000014497/messages`;
    const send = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(kaleyraBody) });
    const lowBalance = await send({ 'api-key': 'k', prefer: 'code=400, example=lowBalance' });
    expect(lowBalance.status).toBe(400);
    expect(((await lowBalance.json()) as { code: string }).code).toBe('E110');
    const anonymous = await send({});
    expect(anonymous.status).toBe(401);
  });

  it('reject a request that breaks the spec, naming the field', async () => {
    const response = await fetch(`${mocks.get('kaleyra')!.url}/v2/SID/whatsapp/919000014497/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': 'k' },
      // E.164 has no spaces or dashes (a "+" is allowed: Kaleyra's own sample sends one).
      body: JSON.stringify({ messaging_object: { ...kaleyraBody.messaging_object, to: '+91 90000-12345' } }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('sl-violations')).toContain('messaging_object.to');
  });

  it("accept Gupshup's JSON form fields sent whole, with distinct ids", async () => {
    const client = createGupshupClient({ baseUrl: mocks.get('gupshup')!.url, auth: 'key' });
    const first = await sendGupshup({ client, body: gupshupBody });
    const second = await sendGupshup({ client, body: gupshupBody });
    expect(first.response?.status).toBe(202);
    expect(first.data?.messageId).not.toBe(second.data?.messageId);
  });

  it('reject a Gupshup JSON form field that breaks its schema, and one that is not JSON', async () => {
    const url = `${mocks.get('gupshup')!.url}/wa/api/v1/template/msg`;
    const post = (form: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', apikey: 'k' },
        body: new URLSearchParams(form).toString(),
      });
    const base = { channel: 'whatsapp', source: '919163000003', 'src.name': 'DemoApp', destination: '917839000003' };
    const missingId = await post({ ...base, template: JSON.stringify({ params: ['a'] }) });
    expect(missingId.status).toBe(400);
    expect(missingId.headers.get('sl-violations')).toContain("required property 'id'");
    const notJson = await post({ ...base, template: 'id=tmpl-1' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('sl-violations')).toContain('must be JSON text');
    // The generated serializer's repeated keys (one JSON item each) are not what the spec says.
    const repeated = `${new URLSearchParams({ ...base, template: JSON.stringify({ id: 't', params: [] }) })}&postbackTexts=${encodeURIComponent('{"index":0,"text":"a"}')}&postbackTexts=${encodeURIComponent('{"index":1,"text":"b"}')}`;
    const split = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', apikey: 'k' },
      body: repeated,
    });
    expect(split.status).toBe(400);
  });

  it('report every answer to onAnswered, a refusal with a status the spec does not document too', async () => {
    const answered: Array<{ status: number; requestBody: string }> = [];
    const mock = await startProviderMock('kaleyra', {
      // Kaleyra documents no 429 (the mock's own answer) and a 500 (the spec's example).
      scenario: ({ body }) => ({ kind: 'refuse', status: body.includes('"undocumented"') ? 429 : 500 }),
      onAnswered: ({ status, requestBody }) => void answered.push({ status, requestBody }),
    });
    try {
      const send = (tag: string) =>
        fetch(`${mock.url}/v2/SID/whatsapp/919000014497/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'api-key': 'k' },
          body: JSON.stringify({ ...kaleyraBody, extra_info: { ref: tag } }),
        });
      expect((await send('undocumented')).status).toBe(429);
      expect((await send('documented')).status).toBe(500);
      expect(answered.map(({ status, requestBody }) => [status, JSON.parse(requestBody).extra_info.ref])).toEqual([
        [429, 'undocumented'],
        [500, 'documented'],
      ]);
    } finally {
      await mock.close();
    }
  });

  it('refuse a port that is taken, with the reason', async () => {
    const taken = mocks.get('livetok')!.port;
    await expect(startProviderMock('livetok', { port: taken })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('refuse a provider they have no mock of, naming the rule', async () => {
    await expect(startProviderMock('twilio' as never)).rejects.toThrow(`provider: must be one of ${PROVIDERS.join(', ')} (got "twilio")`);
  });
});
