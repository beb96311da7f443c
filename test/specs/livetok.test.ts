/**
 * specs/livetok.yaml against its generated client: the document's examples parse with the
 * generated zod schemas, each documented rule rejects a violating request, and the SDK puts the
 * documented method, path, auth header and body on the wire.
 */
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { createClient } from '../../generated/livetok/client/index.ts';
import {
  createKnowledgeEntry,
  deleteKnowledgeEntry,
  importKnowledgeEntries,
  listKnowledgeEntries,
  sendTemplateMessage,
  updateKnowledgeEntry,
} from '../../generated/livetok/sdk.gen.ts';
import {
  zCreateKnowledgeEntryBody,
  zCreateKnowledgeEntryResponse,
  zDeleteKnowledgeEntryResponse,
  zErrorResponse,
  zImportKnowledgeEntriesBody,
  zImportKnowledgeEntriesResponse,
  zListKnowledgeEntriesQuery,
  zListKnowledgeEntriesResponse,
  zSendTemplateMessageBody,
  zSendTemplateMessageResponse,
  zUpdateKnowledgeEntryBody,
  zUpdateKnowledgeEntryResponse,
} from '../../generated/livetok/zod.gen.ts';
import { loadSpec, requestExamples, responseExamples, responseStatuses } from '../support/spec.ts';

const spec = loadSpec('livetok');

interface Operation {
  path: string;
  method: string;
  body?: ZodType;
  ok: ZodType;
  /** How many request / 200 examples the document shows for this operation. */
  requestExampleCount: number;
  okExampleCount: number;
  errors: string[];
}

const COMMON_ERRORS = ['400', '401', '403', '429', '500', '503'];

const operations: Operation[] = [
  {
    path: '/v1/messages/templates',
    method: 'post',
    body: zSendTemplateMessageBody,
    ok: zSendTemplateMessageResponse,
    requestExampleCount: 7,
    okExampleCount: 3,
    errors: [...COMMON_ERRORS, '404'],
  },
  {
    path: '/v1/knowledge',
    method: 'get',
    ok: zListKnowledgeEntriesResponse,
    requestExampleCount: 0,
    okExampleCount: 1,
    errors: COMMON_ERRORS,
  },
  {
    path: '/v1/knowledge',
    method: 'post',
    body: zCreateKnowledgeEntryBody,
    ok: zCreateKnowledgeEntryResponse,
    requestExampleCount: 1,
    okExampleCount: 1,
    errors: COMMON_ERRORS,
  },
  {
    path: '/v1/knowledge/{id}',
    method: 'patch',
    body: zUpdateKnowledgeEntryBody,
    ok: zUpdateKnowledgeEntryResponse,
    requestExampleCount: 1,
    okExampleCount: 0,
    errors: [...COMMON_ERRORS, '404'],
  },
  {
    path: '/v1/knowledge/{id}',
    method: 'delete',
    ok: zDeleteKnowledgeEntryResponse,
    requestExampleCount: 0,
    okExampleCount: 1,
    errors: [...COMMON_ERRORS, '404'],
  },
  {
    path: '/v1/knowledge/bulk',
    method: 'post',
    body: zImportKnowledgeEntriesBody,
    ok: zImportKnowledgeEntriesResponse,
    requestExampleCount: 1,
    okExampleCount: 1,
    errors: COMMON_ERRORS,
  },
];

describe('livetok spec: documented examples', () => {
  for (const op of operations) {
    const label = `${op.method.toUpperCase()} ${op.path}`;

    if (op.body) {
      const body = op.body;
      it(`${label}: every request example parses with the generated body schema`, () => {
        const examples = requestExamples(spec, op.path, op.method);
        expect(examples).toHaveLength(op.requestExampleCount);
        for (const example of examples) {
          const result = body.safeParse(example.value);
          expect(result.success, `${example.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        }
      });
    }

    it(`${label}: every 200 example parses with the generated response schema`, () => {
      const examples = op.okExampleCount > 0 ? responseExamples(spec, op.path, op.method, '200') : [];
      expect(examples).toHaveLength(op.okExampleCount);
      for (const example of examples) {
        const result = op.ok.safeParse(example.value);
        expect(result.success, `${example.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
      }
    });

    it(`${label}: declares exactly 200 and the documented error statuses, error examples parse as ErrorResponse`, () => {
      expect(responseStatuses(spec, op.path, op.method).sort()).toEqual(['200', ...op.errors].sort());
      for (const status of op.errors) {
        for (const example of responseExamples(spec, op.path, op.method, status)) {
          const result = zErrorResponse.safeParse(example.value);
          expect(result.success, `${status} ${example.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
        }
      }
    });
  }

  it("attaches the document's four common error bodies to the send operation", () => {
    const codes = ['400', '401', '404', '429'].flatMap((status) =>
      responseExamples(spec, '/v1/messages/templates', 'post', status).map(
        (example) => `${status}:${(example.value as { error: { code: string } }).error.code}`,
      ),
    );
    expect(codes.sort()).toEqual(
      [
        '400:invalid_phone_number',
        '400:invalid_phone_number',
        '401:invalid_api_key',
        '404:template_not_found',
        '429:rate_limit_exceeded',
      ].sort(),
    );
  });

  it("has no x-repaired example (none of the document's examples needed a repair)", () => {
    const all = operations.flatMap((op) => [
      ...(op.body ? requestExamples(spec, op.path, op.method) : []),
      ...responseStatuses(spec, op.path, op.method).flatMap((status) =>
        status === '200' && op.okExampleCount === 0 ? [] : responseExamples(spec, op.path, op.method, status),
      ),
    ]);
    expect(all.filter((example) => example.repaired)).toEqual([]);
  });

  it('puts the rate-limit headers on 200 and 429 responses', () => {
    const paths = spec.paths as Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    const send = paths['/v1/messages/templates']!.post!.responses;
    expect(Object.keys(send['200']!.headers ?? {}).sort()).toEqual(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']);
    const responses = (spec.components as { responses: Record<string, { headers?: object }> }).responses;
    expect(Object.keys(responses.RateLimitExceeded!.headers ?? {}).sort()).toEqual([
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ]);
  });
});

type Case = [schema: string, field: string, rule: string, value: unknown, path: (string | number)[]];

const send = { to: '+1234567890', template_name: 'appointment_reminder', template_language: 'en_US' };
const { to: _to, ...sendWithoutTo } = send;
const { template_name: _name, ...sendWithoutName } = send;
const { template_language: _language, ...sendWithoutLanguage } = send;
const entry = { question: 'Q?', answer: 'A.' };

const schemas: Record<string, ZodType> = {
  send: zSendTemplateMessageBody,
  sent: zSendTemplateMessageResponse,
  list: zListKnowledgeEntriesQuery,
  create: zCreateKnowledgeEntryBody,
  update: zUpdateKnowledgeEntryBody,
  bulk: zImportKnowledgeEntriesBody,
  error: zErrorResponse,
};

const cases: Case[] = [
  ['send', 'to', 'required', sendWithoutTo, ['to']],
  ['send', 'to', 'E.164 needs the leading +', { ...send, to: '1234567890' }, ['to']],
  ['send', 'to', 'E.164 country code does not start with 0', { ...send, to: '+0234567890' }, ['to']],
  ['send', 'to', 'E.164 has at most 15 digits', { ...send, to: '+1234567890123456' }, ['to']],
  ['send', 'to', 'E.164 has digits only', { ...send, to: '+1 234 567 890' }, ['to']],
  ['send', 'template_name', 'required', sendWithoutName, ['template_name']],
  ['send', 'template_language', 'required', sendWithoutLanguage, ['template_language']],
  ['send', 'template_parameters', 'is an array', { ...send, template_parameters: { type: 'text', text: 'x' } }, ['template_parameters']],
  [
    'send',
    'template_parameters[].type',
    'is text, image or document',
    { ...send, template_parameters: [{ type: 'video', video: { link: 'https://x.test/v.mp4' } }] },
    ['template_parameters', 0, 'type'],
  ],
  [
    'send',
    'template_parameters[].text',
    'required for type text',
    { ...send, template_parameters: [{ type: 'text' }] },
    ['template_parameters', 0, 'text'],
  ],
  [
    'send',
    'template_parameters[].image',
    'required for type image',
    { ...send, template_parameters: [{ type: 'image' }] },
    ['template_parameters', 0, 'image'],
  ],
  [
    'send',
    'template_parameters[].image.link',
    'is a URL',
    { ...send, template_parameters: [{ type: 'image', image: { link: 'not a url' } }] },
    ['template_parameters', 0, 'image', 'link'],
  ],
  [
    'send',
    'template_parameters[].document.link',
    'required',
    { ...send, template_parameters: [{ type: 'document', document: {} }] },
    ['template_parameters', 0, 'document', 'link'],
  ],
  [
    'sent',
    'status',
    'is always sent',
    { id: 'msg_1', status: 'delivered', to: '+1234567890', template_name: 'x', created_at: '2024-03-15T10:30:00Z' },
    ['status'],
  ],
  ['list', 'limit', 'max 100', { limit: 101 }, ['limit']],
  ['list', 'limit', 'at least 1', { limit: 0 }, ['limit']],
  ['list', 'limit', 'an integer', { limit: 20.5 }, ['limit']],
  ['list', 'tags', 'a list of strings', { tags: [1] }, ['tags', 0]],
  ['create', 'question', 'required', { answer: 'A.' }, ['question']],
  ['create', 'answer', 'required', { question: 'Q?' }, ['answer']],
  ['create', 'tags', 'an array of strings', { ...entry, tags: 'payment' }, ['tags']],
  ['update', 'answer', 'a string', { answer: 42 }, ['answer']],
  ['update', 'tags', 'an array of strings', { tags: [true] }, ['tags', 0]],
  ['bulk', 'entries', 'required', {}, ['entries']],
  ['bulk', 'entries[].answer', 'required', { entries: [{ question: 'Q?' }] }, ['entries', 0, 'answer']],
  ['error', 'error.code', 'required', { error: { type: 'invalid_request_error', message: 'm' } }, ['error', 'code']],
];

describe('livetok spec: documented rules reject violating values', () => {
  it.each(cases)('%s: %s (%s) rejects %j', (schemaName, _field, _rule, value, path) => {
    const result = schemas[schemaName]!.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('accepts the minimal valid requests', () => {
    expect(zSendTemplateMessageBody.safeParse(send).success).toBe(true);
    expect(zSendTemplateMessageBody.safeParse({ ...send, to: '+123456789012345' }).success).toBe(true);
    expect(zCreateKnowledgeEntryBody.safeParse(entry).success).toBe(true);
    expect(zUpdateKnowledgeEntryBody.safeParse({}).success).toBe(true);
    expect(zImportKnowledgeEntriesBody.safeParse({ entries: [entry] }).success).toBe(true);
    expect(zListKnowledgeEntriesQuery.parse({})).toEqual({ limit: 20 });
    expect(zListKnowledgeEntriesQuery.parse({ limit: 100 })).toEqual({ limit: 100 });
  });
});

describe('livetok SDK on the wire', () => {
  interface Captured {
    method: string;
    url: URL;
    authorization: string | null;
    contentType: string | null;
    body: string;
  }

  function fakeClient(responseBody: unknown, status = 200) {
    const captured: Captured[] = [];
    const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      captured.push({
        method: request.method,
        url: new URL(request.url),
        authorization: request.headers.get('authorization'),
        contentType: request.headers.get('content-type'),
        body: await request.text(),
      });
      return new Response(JSON.stringify(responseBody), { status, headers: { 'Content-Type': 'application/json' } });
    };
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch: fakeFetch, auth: 'sk_test_abc123' });
    return { client, captured };
  }

  const sentBody = requestExamples(spec, '/v1/messages/templates', 'post').find((example) => example.name === 'templateWithMedia')!.value;
  const sentResponse = responseExamples(spec, '/v1/messages/templates', 'post', '200').find(
    (example) => example.name === 'templateWithMedia',
  )!.value;

  it('sendTemplateMessage POSTs the body as JSON to /v1/messages/templates with the bearer key', async () => {
    const { client, captured } = fakeClient(sentResponse);
    const result = await sendTemplateMessage({ client, body: sentBody as never });
    expect(captured).toHaveLength(1);
    const [request] = captured;
    expect(request!.method).toBe('POST');
    expect(request!.url.pathname).toBe('/v1/messages/templates');
    expect(request!.url.search).toBe('');
    expect(request!.authorization).toBe('Bearer sk_test_abc123');
    expect(request!.contentType).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual(sentBody);
    expect(result.data).toEqual(sentResponse);
  });

  it('sendTemplateMessage refuses a non-E.164 number before anything goes over the wire', async () => {
    const { client, captured } = fakeClient(sentResponse);
    const result = await sendTemplateMessage({ client, body: { ...send, to: '1234567890' } });
    expect(captured).toHaveLength(0);
    expect((result.error as unknown as { issues: { path: unknown[] }[] }).issues.map((issue) => issue.path)).toContainEqual(['body', 'to']);
  });

  it('sendTemplateMessage rejects a 200 whose status is not "sent"', async () => {
    const { client, captured } = fakeClient({ ...(sentResponse as object), status: 'queued' });
    const result = await sendTemplateMessage({ client, body: send });
    expect(captured).toHaveLength(1);
    expect(result.data).toBeUndefined();
    expect((result.error as unknown as { issues: { path: unknown[] }[] }).issues.map((issue) => issue.path)).toContainEqual(['status']);
  });

  it('listKnowledgeEntries sends limit and comma-separated tags as query parameters', async () => {
    const list = responseExamples(spec, '/v1/knowledge', 'get', '200')[0]!.value;
    const { client, captured } = fakeClient(list);
    const result = await listKnowledgeEntries({ client, query: { limit: 50, tags: ['hours', 'general'], starting_after: 'kb_abc123' } });
    const [request] = captured;
    expect(request!.method).toBe('GET');
    expect(request!.url.pathname).toBe('/v1/knowledge');
    expect(request!.url.searchParams.get('limit')).toBe('50');
    expect(request!.url.searchParams.getAll('tags')).toEqual(['hours,general']);
    expect(request!.url.searchParams.get('starting_after')).toBe('kb_abc123');
    expect(request!.authorization).toBe('Bearer sk_test_abc123');
    expect(result.data).toEqual(list);
  });

  it('the knowledge operations use their documented methods and paths', async () => {
    const { client, captured } = fakeClient({ id: 'kb_abc123', deleted: true });
    await deleteKnowledgeEntry({ client, path: { id: 'kb_abc123' } });
    await updateKnowledgeEntry({ client, path: { id: 'kb_abc123' }, body: { answer: 'Open till 7 PM.' } });
    const created = responseExamples(spec, '/v1/knowledge', 'post', '200')[0]!.value;
    const imported = responseExamples(spec, '/v1/knowledge/bulk', 'post', '200')[0]!.value;
    await createKnowledgeEntry({ client: fakeClient(created).client, body: entry }).then((r) => expect(r.data).toEqual(created));
    const bulk = fakeClient(imported);
    await importKnowledgeEntries({ client: bulk.client, body: { entries: [entry] } });
    expect(captured.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'DELETE /v1/knowledge/kb_abc123',
      'PATCH /v1/knowledge/kb_abc123',
    ]);
    expect(JSON.parse(captured[1]!.body)).toEqual({ answer: 'Open till 7 PM.' });
    expect(bulk.captured.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(['POST /v1/knowledge/bulk']);
    expect(JSON.parse(bulk.captured[0]!.body)).toEqual({ entries: [entry] });
  });
});
