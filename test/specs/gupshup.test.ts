/**
 * specs/gupshup.yaml against its generated client: the document's examples (and the public-docs
 * callback examples) parse with the generated zod schemas, each documented rule rejects a
 * violating request, and the SDK puts the documented method, path, auth header and form body on
 * the wire — with `template`, `message` and `postbackTexts` each as ONE field of JSON text.
 */
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { createClient } from '../../generated/gupshup/client/index.ts';
import { sendTemplateMessage as generatedSendTemplateMessage } from '../../generated/gupshup/sdk.gen.ts';
import {
  zErrorResponse,
  zMessageEventV2,
  zMessageEventV3,
  zReceiveMessageEventV2WebhookRequest,
  zReceiveMessageEventV3WebhookRequest,
  zSendTemplateMessageBody,
  zSendTemplateMessageResponse,
} from '../../generated/gupshup/zod.gen.ts';
import { gupshupFormBodySerializer, sendTemplateMessage } from '../../src/clients/gupshup.ts';
import { expectRejected, recordingFetch } from '../support/assertions.ts';
import { loadSpec, requestExamples, responseExamples, responseStatuses, type Json } from '../support/spec.ts';

const spec = loadSpec('gupshup');
const PATH = '/wa/api/v1/template/msg';
const FORM = 'application/x-www-form-urlencoded';

describe('gupshup spec: documented examples parse with the generated schemas', () => {
  it('documents exactly 202, 400 and 401', () => {
    expect(responseStatuses(spec, PATH, 'post').sort()).toEqual(['202', '400', '401']);
  });

  const requests = requestExamples(spec, PATH, 'post', FORM);
  it('has the cURL example (repaired) and the two built from the tables', () => {
    expect(requests.map((e) => e.name).sort()).toEqual(['curl', 'noMediaNoPostback', 'videoHeader']);
    expect(requests.find((e) => e.name === 'curl')?.repaired).toMatch(/placeholder/);
  });
  it.each(requests.map((e) => [e.name, e.value] as const))('request example %s parses', (_name, value) => {
    expect(zSendTemplateMessageBody.safeParse(value).error?.issues).toBeUndefined();
  });

  const responses: Array<[string, ZodType, string]> = [
    ['202', zSendTemplateMessageResponse, 'success'],
    ['400', zErrorResponse, 'Invalid Destination'],
    ['401', zErrorResponse, 'Authentication Failed'],
  ];
  it.each(responses)('%s example parses and carries the documented text', (status, schema, text) => {
    const examples = responseExamples(spec, PATH, 'post', status);
    expect(examples).toHaveLength(1);
    const value = examples[0]!.value as Record<string, Json>;
    expect(schema.safeParse(value).success).toBe(true);
    expect(status === '202' ? value.status : value.message).toBe(text);
  });

  const v2 = requestExamples(spec, 'messageEventV2', 'post', 'application/json', 'webhooks');
  it('has one v2 callback example per event type, each parsing', () => {
    const types = v2.map((e) => zMessageEventV2.parse(e.value).payload.type);
    expect(types.sort()).toEqual(['deleted', 'delivered', 'enqueued', 'failed', 'read', 'sent']);
    for (const e of v2) expect(zReceiveMessageEventV2WebhookRequest.safeParse({ body: e.value }).success).toBe(true);
  });

  const v3 = requestExamples(spec, 'messageEventV3', 'post', 'application/json', 'webhooks');
  it('has one v3 callback example per status, each parsing', () => {
    const statuses = v3.flatMap((e) =>
      zMessageEventV3.parse(e.value).entry.flatMap((entry) => entry.changes.flatMap((c) => c.value.statuses.map((s) => s.status))),
    );
    expect(statuses.sort()).toEqual(['delivered', 'enqueued', 'failed', 'read', 'sent']);
    for (const e of v3) expect(zReceiveMessageEventV3WebhookRequest.safeParse({ body: e.value }).success).toBe(true);
  });
});

/** The least the document lets a client send: the required form fields, a template without expiration. */
const minimal = {
  channel: 'whatsapp',
  source: '919163xxxxx3',
  'src.name': 'DemoApp',
  destination: '917839xxxxx3',
  template: { id: 'template_id', params: [] as string[] },
};

type Case = [field: string, rule: string, body: Record<string, unknown>];
const without = (key: string): Record<string, unknown> => Object.fromEntries(Object.entries(minimal).filter(([k]) => k !== key));
const withField = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...minimal, ...patch });
const withTemplate = (patch: Record<string, unknown>): Record<string, unknown> =>
  withField({ template: { ...minimal.template, ...patch } });

describe('gupshup spec: each documented rule rejects a violating request', () => {
  it('accepts the minimal valid request (expiration, message and postbackTexts omitted)', () => {
    expect(zSendTemplateMessageBody.safeParse(minimal).success).toBe(true);
  });

  const cases: Case[] = [
    ['channel', 'required (the cURL always sends it)', without('channel')],
    ['channel', 'only whatsapp', withField({ channel: 'sms' })],
    ['source', 'required', without('source')],
    ['source', 'string', withField({ source: 919163000003 })],
    ['src.name', 'required', without('src.name')],
    ['destination', 'required', without('destination')],
    ['template', 'required', without('template')],
    ['template.id', 'required', withField({ template: { params: [] } })],
    ['template.params', 'required', withField({ template: { id: 'template_id' } })],
    ['template.params.0', 'items are strings', withTemplate({ params: [1] })],
    ['template.expiration', 'integer', withTemplate({ expiration: 1644912000000.5 })],
    ['template.expiration', 'a number, not text', withTemplate({ expiration: '1644912000000' })],
    [
      'message',
      'image or video header only',
      withField({ message: { type: 'document', document: { link: 'https://example.com/a.pdf' } } }),
    ],
    ['message.image', 'image header needs its image object', withField({ message: { type: 'image' } })],
    ['message.image', 'type image carries `image`, not `video`', withField({ message: { type: 'image', video: { id: 'm1' } } })],
    ['message.image.id', 'media needs id or link', withField({ message: { type: 'image', image: {} } })],
    ['message.image.id', 'media id is a string', withField({ message: { type: 'image', image: { id: 123 } } })],
    ['message.video.link', 'link is a URL', withField({ message: { type: 'video', video: { link: 'not a url' } } })],
    ['postbackTexts', 'an array', withField({ postbackTexts: { index: 0, text: 'hello' } })],
    ['postbackTexts.0.index', 'required', withField({ postbackTexts: [{ text: 'hello' }] })],
    ['postbackTexts.0.index', '0-based (minimum 0)', withField({ postbackTexts: [{ index: -1, text: 'hello' }] })],
    ['postbackTexts.0.index', 'integer', withField({ postbackTexts: [{ index: 0.5, text: 'hello' }] })],
    ['postbackTexts.0.text', 'required', withField({ postbackTexts: [{ index: 0 }] })],
  ];
  it.each(cases)('%s: %s', (field, _rule, body) => {
    expectRejected(zSendTemplateMessageBody.safeParse(body), field);
  });

  const enqueued = requestExamples(spec, 'messageEventV2', 'post', 'application/json', 'webhooks').find((e) => e.name === 'enqueued')!
    .value as { payload: Record<string, unknown> };
  const sentV3 = requestExamples(spec, 'messageEventV3', 'post', 'application/json', 'webhooks').find((e) => e.name === 'sent')!
    .value as Record<string, unknown>;
  const v3Status = (patch: Record<string, unknown>) => {
    const copy = structuredClone(sentV3) as { entry: Array<{ changes: Array<{ value: { statuses: Array<Record<string, unknown>> } }> }> };
    Object.assign(copy.entry[0]!.changes[0]!.value.statuses[0]!, patch);
    return copy;
  };
  const callbackCases: Array<[string, string, ZodType, unknown]> = [
    ['version', 'v2 is version 2', zMessageEventV2, { ...enqueued, version: 3 }],
    ['payload.type', 'known event types only', zMessageEventV2, { ...enqueued, payload: { ...enqueued.payload, type: 'bounced' } }],
    [
      'payload.payload.whatsappMessageId',
      'enqueued carries the WhatsApp id',
      zMessageEventV2,
      { ...enqueued, payload: { ...enqueued.payload, payload: {} } },
    ],
    [
      'payload.payload.ts',
      'sent/delivered/read carry ts',
      zMessageEventV2,
      { ...enqueued, payload: { ...enqueued.payload, type: 'read', payload: {} } },
    ],
    [
      'payload.payload.code',
      'failed carries an integer code',
      zMessageEventV2,
      { ...enqueued, payload: { ...enqueued.payload, type: 'failed', payload: { code: '1002', reason: 'x' } } },
    ],
    ['gs_app_id', 'v3 carries the Gupshup app id', zMessageEventV3, { ...sentV3, gs_app_id: undefined }],
    ['entry.0.changes.0.value.statuses.0.status', 'known statuses only', zMessageEventV3, v3Status({ status: 'played' })],
    [
      'entry.0.changes.0.value.statuses.0.timestamp',
      'digits or an integer',
      zMessageEventV3,
      v3Status({ timestamp: '2022-02-15T10:00:00Z' }),
    ],
  ];
  it.each(callbackCases)('callback %s: %s', (field, _rule, schema, body) => {
    expectRejected(schema.safeParse(body), field);
  });
});

describe('gupshup SDK: what goes over the wire', () => {
  const body = {
    channel: 'whatsapp' as const,
    source: '919163000003',
    'src.name': 'DemoApp',
    destination: '917839000003',
    template: { id: 'c4b1f2e0-offer', params: ['Pablo', '25%'], expiration: 1644912000000 },
    message: { type: 'image' as const, image: { link: 'https://example.com/offer.jpg' } },
    postbackTexts: [
      { index: 0, text: 'yes please' },
      { index: 1, text: 'not now' },
    ],
  };
  const accepted = { status: 'success', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' };

  function expectEnvelope(request: { method: string; url: string; headers: Headers }) {
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe(PATH);
    expect(request.headers.get('apikey')).toBe('2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a');
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.headers.get('content-type')).toBe(FORM);
  }

  function expectScalarsAndJsonFields(form: URLSearchParams) {
    expect(form.get('channel')).toBe('whatsapp');
    expect(form.get('source')).toBe('919163000003');
    expect(form.get('src.name')).toBe('DemoApp');
    expect(form.get('destination')).toBe('917839000003');
    expect(form.getAll('template')).toHaveLength(1);
    expect(JSON.parse(form.get('template')!)).toEqual(body.template);
    expect(form.getAll('message')).toHaveLength(1);
    expect(JSON.parse(form.get('message')!)).toEqual(body.message);
  }

  it('sends the form with template/message as JSON text and postbackTexts as ONE JSON-array field (gupshupFormBodySerializer)', async () => {
    const { fetch, requests } = recordingFetch(202, accepted);
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await generatedSendTemplateMessage({
      client,
      auth: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a',
      body,
      ...gupshupFormBodySerializer,
    });

    expect(requests).toHaveLength(1);
    const request = requests[0]!;
    expectEnvelope(request);
    const form = new URLSearchParams(request.body);
    expectScalarsAndJsonFields(form);
    expect(form.getAll('postbackTexts')).toHaveLength(1);
    expect(JSON.parse(form.get('postbackTexts')!)).toEqual(body.postbackTexts);
    expect([...form.keys()].sort()).toEqual(['channel', 'destination', 'message', 'postbackTexts', 'source', 'src.name', 'template']);
    expect(result.response?.status).toBe(202);
    expect(result.data).toEqual(accepted);
  });

  it('the src/clients/gupshup.ts wrapper uses that serializer by default', async () => {
    const { fetch, requests } = recordingFetch(202, accepted);
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    await sendTemplateMessage({ client, auth: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a', body });
    expectEnvelope(requests[0]!);
    const form = new URLSearchParams(requests[0]!.body);
    expectScalarsAndJsonFields(form);
    expect(form.getAll('postbackTexts')).toHaveLength(1);
    expect(JSON.parse(form.get('postbackTexts')!)).toEqual(body.postbackTexts);
  });

  it('omits fields left undefined (no message, no postbackTexts)', () => {
    const form = new URLSearchParams(gupshupFormBodySerializer.bodySerializer({ ...minimal, message: undefined }));
    expect([...form.keys()].sort()).toEqual(['channel', 'destination', 'source', 'src.name', 'template']);
    expect(JSON.parse(form.get('template')!)).toEqual({ id: 'template_id', params: [] });
  });

  // Why the wrapper exists: if hey-api ever honours `encoding` or stops splitting arrays, this
  // fails and the wrapper can go.
  it('the generated default serializer splits postbackTexts into one field per item (known hey-api behaviour)', async () => {
    const { fetch, requests } = recordingFetch(202, accepted);
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    await generatedSendTemplateMessage({ client, auth: '2xxc4x4xx2c94xxxc2f9xx9d43xxxx8a', body });
    const form = new URLSearchParams(requests[0]!.body);
    expectScalarsAndJsonFields(form);
    expect(form.getAll('postbackTexts').map((field) => JSON.parse(field))).toEqual(body.postbackTexts);
  });

  it('surfaces the documented 401 body as the error', async () => {
    const { fetch } = recordingFetch(401, { status: 'error', message: 'Authentication Failed' });
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendTemplateMessage({ client, auth: 'wrong', body });
    expect(result.response?.status).toBe(401);
    expect(zErrorResponse.parse(result.error)).toEqual({ status: 'error', message: 'Authentication Failed' });
  });

  it('refuses to send a body that breaks the spec (validator on)', async () => {
    const { fetch, requests } = recordingFetch(202, accepted);
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendTemplateMessage({ client, auth: 'k', body: { ...body, postbackTexts: [{ index: -1, text: 'x' }] } });
    expect(requests).toHaveLength(0);
    expect(result.response).toBeUndefined();
    expect((result.error as { issues?: Array<{ path: PropertyKey[] }> }).issues?.map((i) => i.path.join('.'))).toEqual([
      'body.postbackTexts.0.index',
    ]);
  });
});
