/** Gupshup's local-only side: its mock, and its v2 `message-event` callbacks (the token in the path). */
import { defineDevKit, newToken, text } from '../../dev-kit.ts';

const SEND = /^\/wa\/api\/v1\/template\/msg$/;
/** Gupshup's own code for a number that is not on WhatsApp. */
const UNDELIVERABLE = { code: 1002, title: 'Number does not exist on WhatsApp' };

export const gupshupDev = defineDevKit({
  name: 'gupshup',
  mock: {
    port: 4012,
    messageIdPointers: [{ method: 'post', path: SEND, pointer: '/messageId' }],
    send: { method: 'post', path: SEND },
    recipientOf: (body) => text(new URLSearchParams(body).get('destination')),
  },
  simulator: {
    words: { delivered: ['enqueued', 'sent', 'delivered', 'read'], failed: ['enqueued', 'sent', 'failed'] },
    undeliverable: UNDELIVERABLE,
    optedOut: { code: 1012, title: 'User has opted out' },
    newWebhookSecret: newToken,
    sentMessage(_request, response, recipient) {
      const id: unknown = (response as { messageId?: unknown } | undefined)?.messageId;
      return typeof id === 'string' ? { providerMessageId: id, recipient } : undefined;
    },
    callback({ status, providerMessageId: id, recipient, at, secret, error = UNDELIVERABLE }) {
      const inner =
        status === 'failed'
          ? { code: error.code, reason: error.title }
          : status === 'enqueued'
            ? { whatsappMessageId: `wamid.${id}` }
            : { ts: at };
      const ids = status === 'enqueued' ? { id } : { id: `wamid.${id}`, gsId: id };
      const body = JSON.stringify({
        app: 'DemoApp',
        timestamp: at * 1000,
        version: 2,
        type: 'message-event',
        payload: { ...ids, type: status, destination: recipient, payload: inner },
      });
      return { pathSuffix: `/${secret}`, body, headers: {} };
    },
  },
  local: {
    // Gupshup names templates by id: only a registered template can be sent.
    account: {
      source: '919163000003',
      appName: 'LocalApp',
      templates: [{ name: 'order_update', language: 'en', providerTemplateId: 'tmpl-local-1', bodyParameters: 2 }],
    },
    credential: (token) => token,
  },
  scenarios: {
    accountRefused: { status: 401, example: 'authenticationFailed', reads: { status: 401 } },
    undeliverable: null,
    examples: {},
  },
});
