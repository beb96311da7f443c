/**
 * Loopwave spec: the document's examples parse with the generated zod schemas, each documented
 * rule rejects a violating request, the error table is applied as the spec's description reads
 * it, and the generated SDK puts the documented method, path, auth header and body on the wire.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createClient } from '../../generated/loopwave/client/index.ts';
import { createContact, listChatMessages, sendMessage } from '../../generated/loopwave/sdk.gen.ts';
import {
  zBroadcastProgressEvent,
  zCreateBroadcastBody,
  zCreateBroadcastResponse,
  zCreateContactBody,
  zCreateContactResponse,
  zCreateTicketBody,
  zCreateTicketResponse,
  zGetHealthResponse,
  zInsufficientScopeError,
  zInvalidApiKeyError,
  zInvalidInputError,
  zLicenseLockedError,
  zListChatMessagesPath,
  zListChatMessagesQuery,
  zListChatMessagesResponse,
  zListChatsQuery,
  zListChatsResponse,
  zListContactsQuery,
  zListContactsResponse,
  zListTicketsQuery,
  zListTicketsResponse,
  zLoopwaveSignature,
  zMessageCreatedEvent,
  zNoReadySessionError,
  zRateLimitedError,
  zSendMessageBody,
  zSendMessageResponse,
} from '../../generated/loopwave/zod.gen.ts';
import { expectRejected, recordingFetch } from '../support/assertions.ts';
import { deref, loadSpec, requestExamples, responseExamples, responseStatuses, type Json } from '../support/spec.ts';

const spec = loadSpec('loopwave');
const KEY = 'lw_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';

type Schema = z.ZodType;
type Operation = {
  path: string;
  method: string;
  success: string;
  response: Schema;
  request?: Schema;
  scope: string | null;
  write: boolean;
};

const operations: Operation[] = [
  { path: '/api/v1/health', method: 'get', success: '200', response: zGetHealthResponse, scope: null, write: false },
  {
    path: '/api/v1/messages',
    method: 'post',
    success: '202',
    response: zSendMessageResponse,
    request: zSendMessageBody,
    scope: 'messages:write',
    write: true,
  },
  { path: '/api/v1/chats', method: 'get', success: '200', response: zListChatsResponse, scope: 'chats:read', write: false },
  {
    path: '/api/v1/chats/{chatId}/messages',
    method: 'get',
    success: '200',
    response: zListChatMessagesResponse,
    scope: 'chats:read',
    write: false,
  },
  { path: '/api/v1/contacts', method: 'get', success: '200', response: zListContactsResponse, scope: 'contacts:read', write: false },
  {
    path: '/api/v1/contacts',
    method: 'post',
    success: '2XX',
    response: zCreateContactResponse,
    request: zCreateContactBody,
    scope: 'contacts:write',
    write: true,
  },
  { path: '/api/v1/tickets', method: 'get', success: '200', response: zListTicketsResponse, scope: 'tickets:read', write: false },
  {
    path: '/api/v1/tickets',
    method: 'post',
    success: '2XX',
    response: zCreateTicketResponse,
    request: zCreateTicketBody,
    scope: 'tickets:write',
    write: true,
  },
  {
    path: '/api/v1/broadcasts',
    method: 'post',
    success: '2XX',
    response: zCreateBroadcastResponse,
    request: zCreateBroadcastBody,
    scope: 'broadcasts:write',
    write: true,
  },
];

/** Error bodies: hey-api makes no per-operation zod schema for them, so the components' schemas are used. */
const errorSchemas: Record<string, Schema> = {
  '400': zInvalidInputError,
  '401': zInvalidApiKeyError,
  '402': zLicenseLockedError,
  '403': zInsufficientScopeError,
  '409': zNoReadySessionError,
  '429': zRateLimitedError,
};

const label = (op: Operation) => `${op.method.toUpperCase()} ${op.path}`;

function operationObject(op: Operation): Record<string, Json> {
  const paths = spec.paths as Record<string, Record<string, Record<string, Json>>>;
  const found = paths[op.path]?.[op.method];
  if (!found) throw new Error(`${label(op)} missing from the spec`);
  return found;
}

function responseObject(op: Operation, status: string): Record<string, Json> {
  const responses = operationObject(op).responses as Record<string, Json>;
  return deref(spec, responses[status]) as Record<string, Json>;
}

describe('loopwave spec: documented examples', () => {
  it('covers every operation of the document, with the version prefix in the path and the origin in servers', () => {
    const paths = spec.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(operations.map(label).sort());
    const [server] = spec.servers as Array<{ url: string; variables: Record<string, { default: string }> }>;
    expect(server?.url).toBe('https://{domain}');
    expect(server?.variables.domain?.default).toBe('loopwave.example.com');
  });

  it.each(operations.filter((op) => op.request))('$method $path: every request example parses with the request schema', (op) => {
    const examples = requestExamples(spec, op.path, op.method);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const result = op.request!.safeParse(example.value);
      expect(result.success, `${example.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it.each(operations)('$method $path: every response and error example parses with its schema', (op) => {
    const statuses = responseStatuses(spec, op.path, op.method);
    expect(statuses).toContain(op.success);
    for (const status of statuses) {
      const schema = status === op.success ? op.response : errorSchemas[status];
      expect(schema, `${label(op)} ${status} has no schema in this test`).toBeDefined();
      const examples = responseExamples(spec, op.path, op.method, status);
      expect(examples.length, `${label(op)} ${status} examples`).toBeGreaterThan(0);
      for (const example of examples) {
        const result = schema!.safeParse(example.value);
        expect(result.success, `${label(op)} ${status} ${example.name}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
      }
    }
  });

  it('the webhook examples parse with the event schemas and carry a well-formed signature header', () => {
    const cases: Array<[string, Schema]> = [
      ['message.created', zMessageCreatedEvent],
      ['broadcast.progress', zBroadcastProgressEvent],
    ];
    for (const [event, schema] of cases) {
      const examples = requestExamples(spec, event, 'post', 'application/json', 'webhooks');
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        expect(schema.safeParse(example.value).success, `${event} ${example.name}`).toBe(true);
        // What a receiver verifies: sha256=<hex HMAC-SHA256 of the raw body>.
        const raw = JSON.stringify(example.value);
        const signature = `sha256=${createHmac('sha256', 'whsec-test').update(raw).digest('hex')}`;
        expect(zLoopwaveSignature.safeParse(signature).success).toBe(true);
      }
    }
  });

  it('has no repaired examples: every documented example already follows the document', () => {
    const repaired = operations
      .flatMap((op) => [
        ...(op.request ? requestExamples(spec, op.path, op.method) : []),
        ...responseStatuses(spec, op.path, op.method).flatMap((status) => responseExamples(spec, op.path, op.method, status)),
      ])
      .filter((example) => example.repaired);
    expect(repaired).toEqual([]);
  });
});

describe('loopwave spec: scopes, errors and rate-limit headers', () => {
  it.each(operations)('$method $path: declares its scope in x-required-scope and its description', (op) => {
    const operation = operationObject(op);
    expect(operation['x-required-scope']).toBe(op.scope);
    expect(String(operation.description)).toContain(op.scope ? `\`${op.scope}\`` : 'no scope needed');
    expect(operation.security, 'operations inherit the two alternative schemes').toBeUndefined();
  });

  it('accepts either key header: bearer or X-API-Key, as alternatives', () => {
    expect(spec.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    const schemes = (spec.components as Record<string, Record<string, Json>>).securitySchemes!;
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.apiKeyHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it.each(operations)('$method $path: shared errors on every endpoint, 402 on writes only, 409 on send only', (op) => {
    const expected = ['400', '401', '403', '429', ...(op.write ? ['402'] : []), ...(op.path === '/api/v1/messages' ? ['409'] : [])];
    expect(
      responseStatuses(spec, op.path, op.method)
        .filter((status) => status !== op.success)
        .sort(),
    ).toEqual(expected.sort());
  });

  it.each(operations)('$method $path: X-RateLimit-Remaining on every response, Retry-After on the 429', (op) => {
    for (const status of responseStatuses(spec, op.path, op.method)) {
      const headers = (responseObject(op, status).headers ?? {}) as Record<string, Json>;
      expect(Object.keys(headers), `${label(op)} ${status}`).toContain('X-RateLimit-Remaining');
      if (status === '429') {
        const retryAfter = deref(spec, headers['Retry-After']) as Record<string, Json>;
        expect(retryAfter).toMatchObject({ required: true, schema: { type: 'integer' }, 'x-source': 'public-docs' });
      } else {
        expect(Object.keys(headers), `${label(op)} ${status}`).not.toContain('Retry-After');
      }
    }
  });
});

const minimal = {
  send: { to: '919812345678', text: 'Hi' },
  contact: { name: 'Asha Rao', phone: '919812345678' },
  ticket: { subject: 'Refund not received' },
  broadcast: {
    name: 'October offer',
    sessionId: 'n1a2b3c',
    message: 'Hi {{name}}',
    recipients: [{ chatId: '919812345678@s.whatsapp.net' }],
  },
};

function without(value: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _dropped, ...rest } = value;
  return rest;
}

const recipients = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ chatId: `91981234${String(i).padStart(4, '0')}@s.whatsapp.net` }));

describe('loopwave spec: documented rules reject violating requests', () => {
  it('minimal valid requests pass (and a ticket priority defaults to med)', () => {
    expect(zSendMessageBody.safeParse(minimal.send).success).toBe(true);
    expect(zSendMessageBody.safeParse({ ...minimal.send, to: '919812345678@s.whatsapp.net', from: 'n1a2b3c' }).success).toBe(true);
    // "or a full WhatsApp jid": a group's, as the chat list gives it, too.
    expect(zSendMessageBody.safeParse({ ...minimal.send, to: '120363025246125486@g.us' }).success).toBe(true);
    expect(zCreateContactBody.safeParse(minimal.contact).success).toBe(true);
    expect(zCreateTicketBody.parse(minimal.ticket).priority).toBe('med');
    expect(zCreateBroadcastBody.safeParse(minimal.broadcast).success).toBe(true);
    expect(zCreateBroadcastBody.safeParse({ ...minimal.broadcast, recipients: recipients(5000) }).success).toBe(true);
    expect(zListChatsQuery.parse({}).limit).toBe(200);
    expect(zListChatMessagesQuery.parse({}).limit).toBe(50);
    expect(zListChatMessagesPath.safeParse({ chatId: '120363025246125486@g.us' }).success).toBe(true);
  });

  const cases: Array<[string, Schema, unknown, string]> = [
    // POST /messages
    ['to is required', zSendMessageBody, without(minimal.send, 'to'), 'to'],
    ['to: digits with country code, no +', zSendMessageBody, { ...minimal.send, to: '+919812345678' }, 'to'],
    ['to: no spaces or dashes', zSendMessageBody, { ...minimal.send, to: '91 98123-45678' }, 'to'],
    ['to: digits or a jid (user@server)', zSendMessageBody, { ...minimal.send, to: 'Asha Rao' }, 'to'],
    ['text is required', zSendMessageBody, without(minimal.send, 'text'), 'text'],
    ['text is a string', zSendMessageBody, { ...minimal.send, text: 42 }, 'text'],
    ['from is a string', zSendMessageBody, { ...minimal.send, from: 7 }, 'from'],
    // POST /contacts
    ['contact name is required', zCreateContactBody, without(minimal.contact, 'name'), 'name'],
    ['contact phone is required', zCreateContactBody, without(minimal.contact, 'phone'), 'phone'],
    ['contact email is an email address', zCreateContactBody, { ...minimal.contact, email: 'asha-at-example' }, 'email'],
    ['contact lifecycle enum', zCreateContactBody, { ...minimal.contact, lifecycle: 'prospect' }, 'lifecycle'],
    ['contact tags are strings', zCreateContactBody, { ...minimal.contact, tags: [1] }, 'tags.0'],
    // POST /tickets
    ['ticket subject is required', zCreateTicketBody, {}, 'subject'],
    ['ticket status enum', zCreateTicketBody, { ...minimal.ticket, status: 'pending' }, 'status'],
    ['ticket priority enum', zCreateTicketBody, { ...minimal.ticket, priority: 'medium' }, 'priority'],
    // POST /broadcasts
    ['broadcast name is required', zCreateBroadcastBody, without(minimal.broadcast, 'name'), 'name'],
    ['broadcast sessionId is required', zCreateBroadcastBody, without(minimal.broadcast, 'sessionId'), 'sessionId'],
    ['broadcast message is required', zCreateBroadcastBody, without(minimal.broadcast, 'message'), 'message'],
    ['broadcast recipients are required', zCreateBroadcastBody, without(minimal.broadcast, 'recipients'), 'recipients'],
    ['broadcast recipients: at least 1', zCreateBroadcastBody, { ...minimal.broadcast, recipients: [] }, 'recipients'],
    ['broadcast recipients: at most 5000', zCreateBroadcastBody, { ...minimal.broadcast, recipients: recipients(5001) }, 'recipients'],
    [
      'broadcast recipient chatId is required',
      zCreateBroadcastBody,
      { ...minimal.broadcast, recipients: [{ name: 'Asha' }] },
      'recipients.0.chatId',
    ],
    [
      'broadcast recipient chatId is a jid',
      zCreateBroadcastBody,
      { ...minimal.broadcast, recipients: [{ chatId: '919812345678' }] },
      'recipients.0.chatId',
    ],
    // query and path parameters
    ['chats limit is an integer', zListChatsQuery, { limit: 1.5 }, 'limit'],
    ['chat messages limit is an integer', zListChatMessagesQuery, { limit: 'twenty' }, 'limit'],
    ['chat messages chatId is a jid', zListChatMessagesPath, { chatId: '919812345678' }, 'chatId'],
    ['contacts stage enum', zListContactsQuery, { stage: 'prospect' }, 'stage'],
    ['tickets status enum', zListTicketsQuery, { status: 'pending' }, 'status'],
    // error bodies and webhooks
    ['a 400 body says invalid_input', zInvalidInputError, { error: 'rate_limited', message: 'x' }, 'error'],
    ['an error body has a message', zRateLimitedError, { error: 'rate_limited' }, 'message'],
    ['webhook signature is sha256=<64 hex>', zLoopwaveSignature, 'sha256=ABCDEF', ''],
    [
      'broadcast.progress recipient status is pending/sent/failed',
      zBroadcastProgressEvent,
      { event: 'broadcast.progress', data: { recipient: { status: 'delivered' } }, timestamp: '2026-06-29T10:15:00.000Z' },
      'data.recipient.status',
    ],
    ['webhook timestamp is ISO-8601', zMessageCreatedEvent, { event: 'message.created', data: {}, timestamp: 1751193300 }, 'timestamp'],
  ];

  it.each(cases)('%s', (_rule, schema, value, field) => {
    expectRejected(schema.safeParse(value), field);
  });
});

describe('loopwave SDK on the wire', () => {
  it('sendMessage: POST /api/v1/messages with the bearer key and the JSON body, and parses the 202', async () => {
    const { fetch, requests } = recordingFetch(202, { status: 'sent', to: '919812345678@s.whatsapp.net', from: 'n1a2b3c' });
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await sendMessage({
      client,
      auth: (scheme) => (scheme.type === 'http' ? KEY : undefined),
      body: { to: '919812345678', text: 'Hi! Thanks for reaching out.' },
    });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('http://127.0.0.1:1/api/v1/messages');
    expect(request!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
    expect(request!.headers.get('x-api-key')).toBeNull();
    expect(request!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({ to: '919812345678', text: 'Hi! Thanks for reaching out.' });
    expect(result.response?.status).toBe(202);
    expect(result.data).toEqual({ status: 'sent', to: '919812345678@s.whatsapp.net', from: 'n1a2b3c' });
  });

  it('sendMessage: an invalid `to` is rejected before anything goes over the wire', async () => {
    const { fetch, requests } = recordingFetch(202, {});
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    await expect(sendMessage({ client, auth: KEY, body: { to: '+919812345678', text: 'Hi' }, throwOnError: true })).rejects.toThrow();
    expect(requests).toHaveLength(0);
  });

  it('listChatMessages: GET /api/v1/chats/{jid}/messages with X-API-Key and the query', async () => {
    const { fetch, requests } = recordingFetch(200, { data: [] });
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await listChatMessages({
      client,
      auth: (scheme) => (scheme.type === 'apiKey' ? KEY : undefined),
      path: { chatId: '919812345678@s.whatsapp.net' },
      query: { limit: 20 },
    });
    const [request] = requests;
    expect(request!.method).toBe('GET');
    const url = new URL(request!.url);
    expect(decodeURIComponent(url.pathname)).toBe('/api/v1/chats/919812345678@s.whatsapp.net/messages');
    expect(url.searchParams.get('limit')).toBe('20');
    expect(request!.headers.get('x-api-key')).toBe(KEY);
    expect(request!.headers.get('authorization')).toBeNull();
    expect(result.data).toEqual({ data: [] });
  });

  it('createContact: a 201 counts as the documented 2XX success and its body is validated', async () => {
    const created = { data: { id: 'c_1a2b3c', name: 'Asha Rao', phone: '919812345678' } };
    const { fetch, requests } = recordingFetch(201, created);
    const client = createClient({ baseUrl: 'http://127.0.0.1:1', fetch });
    const result = await createContact({ client, auth: KEY, body: { name: 'Asha Rao', phone: '919812345678' } });
    expect(requests[0]!.url).toBe('http://127.0.0.1:1/api/v1/contacts');
    expect(JSON.parse(requests[0]!.body)).toEqual({ name: 'Asha Rao', phone: '919812345678' });
    expect(result.data).toEqual(created);

    const broken = recordingFetch(201, { data: { id: 'c_1a2b3c', name: 'Asha Rao' } });
    await expect(
      createContact({
        client: createClient({ baseUrl: 'http://127.0.0.1:1', fetch: broken.fetch }),
        auth: KEY,
        body: minimal.contact,
        throwOnError: true,
      }),
    ).rejects.toThrow();
  });
});
