import { describe, expect, it } from 'vitest';
import { createClient } from '../../generated/livechat/client/index.ts';
import { listTemplateMessages, sendTemplateMessage } from '../../generated/livechat/sdk.gen.ts';
import {
  zListTemplateMessagesResponse,
  zMessageStatusEvent,
  zSendTemplateMessageBody,
  zSendTemplateMessageResponse,
} from '../../generated/livechat/zod.gen.ts';
import { expectRejected, recordingFetch } from '../support/assertions.ts';
import { loadSpec, requestExamples, responseExamples } from '../support/spec.ts';

const spec = loadSpec('livechat');
const SEND = '/whatsapp-numbers/{id}/template-messages';

const minimal = {
  to: '48635625362',
  template: { name: 'appointment_reminder', language: { code: 'en_US' } },
};

describe('livechat spec: documented examples', () => {
  it('every send request example parses with the generated schema', () => {
    const examples = requestExamples(spec, SEND, 'post');
    expect(examples.map((e) => e.name)).toEqual(['appointmentReminder', 'scheduled']);
    for (const example of examples) expect(zSendTemplateMessageBody.safeParse(example.value).success, example.name).toBe(true);
  });

  it('the inferred send and list answers parse', () => {
    for (const example of responseExamples(spec, SEND, 'post', '200')) {
      expect(zSendTemplateMessageResponse.safeParse(example.value).success).toBe(true);
    }
    for (const example of responseExamples(spec, SEND, 'get', '200')) {
      expect(zListTemplateMessagesResponse.safeParse(example.value).success).toBe(true);
    }
  });

  it('the four documented status webhooks parse, keeping their integer timestamps and CBP pricing', () => {
    const examples = requestExamples(spec, 'messageStatus', 'post', 'application/json', 'webhooks');
    expect(examples.map((e) => e.name)).toEqual(['sent', 'delivered', 'read', 'failed']);
    const parsed = examples.map((e) => zMessageStatusEvent.parse(e.value));
    expect(parsed.map((p) => p.data.status)).toEqual(['sent', 'delivered', 'read', 'failed']);
    expect(parsed[0]?.data.timestamp).toBe(1727862637);
    expect(parsed[0]?.data.pricing?.pricing_model).toBe('CBP');
    expect(parsed[3]?.data.errors?.[0]?.code).toBe(131026);
  });

  it("accepts Meta's string timestamp, PMP pricing and a business-scoped user id", () => {
    const event = {
      type: 'message.status',
      timestamp: '2026-01-02T09:50:37.917941416Z',
      data: {
        id: 'wamid.X',
        status: 'delivered',
        timestamp: '1767347437',
        recipient_user_id: 'US.13491208655302741918',
        pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
      },
    };
    expect(zMessageStatusEvent.safeParse(event).success).toBe(true);
  });
});

describe('livechat spec: documented rules reject violations', () => {
  it('accepts the minimal request', () => {
    expect(zSendTemplateMessageBody.safeParse(minimal).success).toBe(true);
  });

  it.each([
    ['to', 'has no "+"', { ...minimal, to: '+48635625362' }],
    ['to', 'is digits with a country code', { ...minimal, to: '48 635 625 362' }],
    ['to', 'is required', { template: minimal.template }],
    ['template', 'is required', { to: minimal.to }],
    ['template.name', 'is required', { ...minimal, template: { language: { code: 'en_US' } } }],
    ['template.language.code', 'is required', { ...minimal, template: { name: 'x', language: {} } }],
    ['schedule', 'is an RFC 3339 date-time', { ...minimal, schedule: '2024-10-03 09:00' }],
    [
      'template.components.0.parameters.0.coupon_code',
      'is at most 15 characters',
      {
        ...minimal,
        template: {
          ...minimal.template,
          components: [
            { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'X'.repeat(16) }] },
          ],
        },
      },
    ],
  ])('%s %s', (field, _rule, body) => {
    expectRejected(zSendTemplateMessageBody.safeParse(body), field);
  });

  it('a status webhook must be of type message.status with a known status', () => {
    const event = requestExamples(spec, 'messageStatus', 'post', 'application/json', 'webhooks')[0]!.value as Record<string, any>;
    expectRejected(zMessageStatusEvent.safeParse({ ...event, type: 'message.created' }), 'type');
    expectRejected(zMessageStatusEvent.safeParse({ ...event, data: { ...event.data, status: 'queued' } }), 'data.status');
  });
});

describe('livechat generated client: what goes over the wire', () => {
  it('sends Basic auth, the number id in the path and the JSON body', async () => {
    const { fetch, requests } = recordingFetch(200, {});
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendTemplateMessage({
      client,
      auth: () => '12345:pat-token',
      path: { id: 'n42' },
      body: { ...minimal, schedule: '2024-10-03T09:00:00+02:00' },
    });
    expect(result.response?.status).toBe(200);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('http://127.0.0.1:1/whatsapp-numbers/n42/template-messages');
    expect(request?.headers.get('authorization')).toBe(`Basic ${Buffer.from('12345:pat-token').toString('base64')}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({ ...minimal, schedule: '2024-10-03T09:00:00+02:00' });
  });

  it('refuses to send a request that breaks the spec, before any network call', async () => {
    const { fetch, requests } = recordingFetch(200, {});
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendTemplateMessage({ client, auth: () => 'a:b', path: { id: 'n42' }, body: { ...minimal, to: '+48635625362' } });
    expect(result.response).toBeUndefined();
    expect((result.error as { issues: Array<{ path: string[] }> }).issues[0]?.path).toEqual(['body', 'to']);
    expect(requests).toHaveLength(0);
  });

  it('lists with GET on the same path', async () => {
    const { fetch, requests } = recordingFetch(200, [{ to: '48635625362' }]);
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await listTemplateMessages({ client, auth: () => 'a:b', path: { id: 'n42' } });
    expect(requests[0]?.method).toBe('GET');
    expect(requests[0]?.url).toBe('http://127.0.0.1:1/whatsapp-numbers/n42/template-messages');
    expect(result.data).toEqual([{ to: '48635625362' }]);
  });
});
