/**
 * Loopwave's document (loopwave.txt, "Endpoints"): its samples as printed — each request body and
 * the answer printed right after it, the path and query values of its cURLs, and the error
 * format. See ./types.ts.
 */
import type { DocumentSample } from './types.ts';

const HEALTH_200 = `{ "ok": true, "version": "1.0.0" }`;
const SEND_REQUEST = `{
"to": "919812345678",
"text": "Hi! Thanks for reaching out."
}`;
const SEND_202 = `{ "status": "sent", "to": "919812345678@s.whatsapp.net", "from": "n1a2b3c" }`;
const CHATS_200 = `{
"data": [
{
"sessionId": "n1a2b3c",
"chatId": "919812345678@s.whatsapp.net",
"name": "Asha Rao",
"isGroup": false,
"status": "open",
"assignee": null,
"assigneeName": null,
"unreadCount": 2,
"lastMessage": "Refund please",
"lastTimestamp": 1751193300
}
]
}`;
const CHAT_MESSAGES_200 = `{
"data": [
{
"messageId": "ABCD1234",
"sessionId": "n1a2b3c",
"chatId": "919812345678@s.whatsapp.net",
"body": "Refund please",
"type": "chat",
"author": "919812345678@s.whatsapp.net",
"fromMe": false,
"hasMedia": false,
"timestamp": 1751193300
}
]
}`;
const CONTACTS_200 = `{
"data": [
{
"id": "c_1a2b3c",
"name": "Asha Rao",
"phone": "919812345678",
"email": "asha@example.com",
"company": "Acme",
"location": "Bengaluru",
"owner": "agent-7",
"tags": ["website", "wholesale"],
"lifecycle": "vip",
"lifetimeValue": "₹12,000",
"notes": "Prefers WhatsApp over email."
}
]
}`;
const CREATE_CONTACT_REQUEST = `{
"name": "Asha Rao",
"phone": "919812345678",
"email": "asha@example.com",
"lifecycle": "lead",
"tags": ["website"]
}`;
const CREATE_CONTACT_2XX = `{
"data": {
"id": "c_1a2b3c",
"name": "Asha Rao",
"phone": "919812345678",
"email": "asha@example.com",
"tags": ["website"],
"lifecycle": "lead"
}
}`;
const TICKETS_200 = `{
"data": [
{
"id": "t_9f8e7d",
"ref": "TKT-2041",
"subject": "Refund not received",
"customerName": "Asha Rao",
"customerPhone": "919812345678",
"status": "open",
"priority": "high",
"assignee": "agent-7",
"tag": "chat"
}
]
}`;
const CREATE_TICKET_REQUEST = `{
"subject": "Refund not received",
"customerName": "Asha Rao",
"customerPhone": "919812345678",
"priority": "high"
}`;
const CREATE_TICKET_2XX = `{
"data": {
"id": "t_9f8e7d",
"ref": "TKT-2041",
"subject": "Refund not received",
"customerName": "Asha Rao",
"customerPhone": "919812345678",
"status": "open",
"priority": "high",
"tag": "api"
}
}`;
const CREATE_BROADCAST_REQUEST = `{
"name": "October offer",
"sessionId": "n1a2b3c",
"message": "Hi {{name}}, here is 10% off this week.",
"recipients": [
{ "chatId": "919812345678@s.whatsapp.net", "name": "Asha" }
]
}`;
const CREATE_BROADCAST_2XX = `{
"data": {
"id": "b_5e4d3c",
"name": "October offer",
"sessionId": "n1a2b3c",
"message": "Hi {{name}}, here is 10% off this week.",
"status": "queued",
"total": 1,
"sentCount": 0,
"failedCount": 0
}
}`;

const req = (where: string, operation: string, printed: string): DocumentSample => ({
  where,
  against: { request: operation },
  printed,
});
const res = (where: string, operation: string, status: string, printed: string): DocumentSample => ({
  where,
  against: { response: operation, status },
  printed,
});

/** "Error responses": every endpoint's shared errors, the format `{ "error": "...", "message": "..." }` filled from the table. */
const ERRORS: ReadonlyArray<[status: string, error: string, meaning: string]> = [
  ['400', 'invalid_input', 'The request body or parameters are invalid.'],
  ['401', 'invalid_api_key', 'Missing, malformed, or disabled key.'],
  ['402', 'license_locked', 'License expired/revoked in enforce mode (writes only).'],
  ['403', 'insufficient_scope', 'The key lacks the scope for this endpoint.'],
  ['409', 'no_ready_session', 'No connected WhatsApp number is ready (send only).'],
  ['429', 'rate_limited', 'Per-key rate limit exceeded (120/min).'],
];

export const loopwaveSamples: DocumentSample[] = [
  res('Liveness check: answer', 'GET /api/v1/health', '200', HEALTH_200),
  req('Send a WhatsApp message: request', 'POST /api/v1/messages', SEND_REQUEST),
  res('Send a WhatsApp message: answer', 'POST /api/v1/messages', '202', SEND_202),
  res('List chats: answer', 'GET /api/v1/chats', '200', CHATS_200),
  {
    where: 'List chats: ?limit=50',
    against: { parameter: 'GET /api/v1/chats', in: 'query', name: 'limit' },
    printed: '50',
    format: 'integer',
  },
  res('List messages in a chat: answer', 'GET /api/v1/chats/{chatId}/messages', '200', CHAT_MESSAGES_200),
  {
    where: 'List messages in a chat: the chatId path value',
    against: { parameter: 'GET /api/v1/chats/{chatId}/messages', in: 'path', name: 'chatId' },
    printed: '919812345678@s.whatsapp.net',
    format: 'text',
  },
  {
    where: 'List messages in a chat: ?limit=20',
    against: { parameter: 'GET /api/v1/chats/{chatId}/messages', in: 'query', name: 'limit' },
    printed: '20',
    format: 'integer',
  },
  res('List contacts: answer', 'GET /api/v1/contacts', '200', CONTACTS_200),
  {
    where: 'List contacts: ?stage=vip',
    against: { parameter: 'GET /api/v1/contacts', in: 'query', name: 'stage' },
    printed: 'vip',
    format: 'text',
  },
  req('Create a contact: request', 'POST /api/v1/contacts', CREATE_CONTACT_REQUEST),
  res('Create a contact: answer', 'POST /api/v1/contacts', '2XX', CREATE_CONTACT_2XX),
  res('List tickets: answer', 'GET /api/v1/tickets', '200', TICKETS_200),
  {
    where: 'List tickets: ?status=open',
    against: { parameter: 'GET /api/v1/tickets', in: 'query', name: 'status' },
    printed: 'open',
    format: 'text',
  },
  req('Create a ticket: request', 'POST /api/v1/tickets', CREATE_TICKET_REQUEST),
  res('Create a ticket: answer', 'POST /api/v1/tickets', '2XX', CREATE_TICKET_2XX),
  req('Create and queue a broadcast: request', 'POST /api/v1/broadcasts', CREATE_BROADCAST_REQUEST),
  res('Create and queue a broadcast: answer', 'POST /api/v1/broadcasts', '2XX', CREATE_BROADCAST_2XX),
  ...ERRORS.map(
    ([status, error, meaning]): DocumentSample => ({
      where: `Error responses: ${status} ${error}`,
      against: { response: status === '402' ? 'POST /api/v1/contacts' : 'POST /api/v1/messages', status },
      printed: '{ "error": "...", "message": "..." }',
      placeholders: { '"error": "..."': `"error": "${error}"`, '"message": "..."': `"message": "${meaning}"` },
    }),
  ),
];
