import { describe, expect, it } from 'vitest';
import { createClient } from '../../generated/kaleyra/client/index.ts';
import { sendLimitedTimeOfferTemplate } from '../../generated/kaleyra/sdk.gen.ts';
import {
  zErrorResponse,
  zSendLimitedTimeOfferTemplateBody,
  zSendLimitedTimeOfferTemplateResponse,
  zStatusCallback,
} from '../../generated/kaleyra/zod.gen.ts';
import { expectRejected, recordingFetch } from '../support/assertions.ts';
import { loadSpec, requestExamples, responseExamples, responseStatuses } from '../support/spec.ts';

const spec = loadSpec('kaleyra');
const SEND = '/v2/{sid}/whatsapp/{phone_number}/messages';
const sample = requestExamples(spec, SEND, 'post')[0]!.value as Record<string, any>;

const minimal = {
  messaging_object: {
    messaging_product: 'whatsapp',
    to: '919000012345',
    template: { name: 'LTO_template', language: { code: 'en_US' }, components: [] },
  },
};

/** The sample with one change inside messaging_object. */
function withMessagingObject(change: Record<string, unknown>) {
  return { ...sample, messaging_object: { ...sample.messaging_object, ...change } };
}
function withComponent(index: number, component: unknown) {
  const components = [...sample.messaging_object.template.components];
  components[index] = component;
  return withMessagingObject({ template: { ...sample.messaging_object.template, components } });
}

describe('kaleyra spec: documented examples', () => {
  it('the repaired sample request parses and says what was repaired', () => {
    const [example] = requestExamples(spec, SEND, 'post');
    expect(example?.repaired).toMatch(/extra_info/);
    const parsed = zSendLimitedTimeOfferTemplateBody.parse(example?.value);
    expect(parsed.extra_info?.ref).toBe('customer1');
    expect(parsed.messaging_object.template.components.map((c) => c.type)).toEqual([
      'header',
      'body',
      'limited_time_offer',
      'button',
      'button',
    ]);
  });

  it('the repaired 202 answer parses and carries the message id', () => {
    const [example] = responseExamples(spec, SEND, 'post', '202');
    expect(example?.repaired).toMatch(/commas/);
    expect(zSendLimitedTimeOfferTemplateResponse.parse(example?.value).data.message_id).toBe('AXXXXXXXXXXXXXXXXXXX');
  });

  it('documents exactly the 202, 400, 401 and 500 answers, and every error example parses', () => {
    expect(responseStatuses(spec, SEND, 'post')).toEqual(['202', '400', '401', '500']);
    const codes = ['400', '401', '500'].flatMap((status) =>
      responseExamples(spec, SEND, 'post', status).map((example) => zErrorResponse.parse(example.value).code),
    );
    expect(codes).toEqual(['WA400', 'E110', 'RBC001', 'WA401', 'WA-401', 'WA-401', 'WA500']);
  });

  it('every status callback example parses, NOT-SENT without a meta_object', () => {
    const examples = requestExamples(spec, 'messageStatus', 'post', 'application/json', 'webhooks');
    const parsed = examples.map((example) => zStatusCallback.parse(example.value));
    expect(parsed.map((p) => p.status)).toEqual(['DELIVERED', 'FAILED', 'NOT-SENT']);
    expect(parsed[0]?.meta_object?.value.statuses[0]?.pricing?.pricing_model).toBe('Conversation-Based Pricing');
    expect(parsed[2]?.meta_object).toBeUndefined();
  });
});

describe('kaleyra spec: documented rules reject violations', () => {
  it('accepts the minimal request and index/id as integer or string', () => {
    expect(zSendLimitedTimeOfferTemplateBody.safeParse(minimal).success).toBe(true);
    // "to": the field table's example has no "+", the sample has one: both show a working request.
    expect(zSendLimitedTimeOfferTemplateBody.safeParse(withMessagingObject({ to: '+919000012345' })).success).toBe(true);
    expect(zSendLimitedTimeOfferTemplateBody.safeParse(withMessagingObject({ to: '16123456234' })).success).toBe(true);
    const urlButton = { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'n3mtql' }] };
    expect(zSendLimitedTimeOfferTemplateBody.safeParse(withComponent(4, urlButton)).success).toBe(true);
    const header = { type: 'header', parameters: [{ type: 'image', image: { id: 1602186516975000 } }] };
    expect(zSendLimitedTimeOfferTemplateBody.safeParse(withComponent(0, header)).success).toBe(true);
  });

  it.each([
    ['messaging_object', 'is required', { extra_info: { ref: 'x' } }],
    ['messaging_object.messaging_product', 'is only "whatsapp"', withMessagingObject({ messaging_product: 'sms' })],
    ['messaging_object.messaging_product', 'is required', withMessagingObject({ messaging_product: undefined })],
    ['messaging_object.recipient_type', 'is only "individual"', withMessagingObject({ recipient_type: 'group' })],
    ['messaging_object.to', 'is E.164 (no spaces or dashes, which Meta would take)', withMessagingObject({ to: '+91 90000-12345' })],
    ['messaging_object.to', 'is E.164 (no letters: the sample is masked, not sendable)', withMessagingObject({ to: '+91xxxxxxxxx' })],
    ['messaging_object.to', 'is required', withMessagingObject({ to: undefined })],
    ['messaging_object.type', 'is only "template"', withMessagingObject({ type: 'text' })],
    ['messaging_object.template.components', 'is required', withMessagingObject({ template: { name: 'x', language: { code: 'en' } } })],
    [
      'messaging_object.template.language.code',
      'is required',
      withMessagingObject({ template: { name: 'x', language: {}, components: [] } }),
    ],
    ['extra_info.ref', 'is at most 255 characters', { ...sample, extra_info: { ref: 'r'.repeat(256) } }],
    ['extra_info.ref1', 'is at most 255 characters', { ...sample, extra_info: { ref1: 'r'.repeat(256) } }],
    ['extra_info.ref2', 'is at most 255 characters', { ...sample, extra_info: { ref2: 'r'.repeat(256) } }],
    [
      'messaging_object.template.components.2.parameters.0.limited_time_offer.expiration_time_ms',
      'is an integer (Unix ms)',
      withComponent(2, {
        type: 'limited_time_offer',
        parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: '1209600000' } }],
      }),
    ],
    [
      'messaging_object.template.components.3.parameters.0.coupon_code',
      'is at most 15 characters',
      withComponent(3, {
        type: 'button',
        sub_type: 'copy_code',
        index: 0,
        parameters: [{ type: 'coupon_code', coupon_code: 'C'.repeat(16) }],
      }),
    ],
    [
      'messaging_object.template.components.0.parameters.0.image',
      'has an id or a link',
      withComponent(0, { type: 'header', parameters: [{ type: 'image', image: { caption: 'no asset' } }] }),
    ],
  ])('%s %s', (field, _rule, body) => {
    expectRejected(zSendLimitedTimeOfferTemplateBody.safeParse(body), field);
  });

  it('wa_source is free text: an unlisted value is overridden by Kaleyra, not rejected', () => {
    expect(zSendLimitedTimeOfferTemplateBody.safeParse({ ...sample, extra_info: { wa_source: 'our-pipeline' } }).success).toBe(true);
  });
});

describe('kaleyra generated client: what goes over the wire', () => {
  it('sends api-key, the SID and sender number in the path, and the JSON body', async () => {
    const { fetch, requests } = recordingFetch(202, { code: 'WA202', message: 'Request Accepted', data: { message_id: 'A1' }, error: {} });
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendLimitedTimeOfferTemplate({
      client,
      auth: () => 'k-123',
      path: { sid: 'HXAP1691385017IN', phone_number: '+919000014497' },
      body: sample as never,
    });
    expect(result.data?.data.message_id).toBe('A1');
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('http://127.0.0.1:1/v2/HXAP1691385017IN/whatsapp/%2B919000014497/messages');
    expect(request?.headers.get('api-key')).toBe('k-123');
    expect(JSON.parse(request!.body)).toEqual(sample);
  });

  it('rejects an answer that is not the documented 202 shape', async () => {
    const { fetch } = recordingFetch(202, { code: 'WA202', data: {} });
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendLimitedTimeOfferTemplate({
      client,
      auth: () => 'k',
      path: { sid: 's', phone_number: '1' },
      body: sample as never,
    });
    expect(result.data).toBeUndefined();
    expect(result.error).toBeDefined();
  });
});
