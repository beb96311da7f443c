/** Loopwave's local-only side: its mock, and its signed `message.created` webhook. */
import { createHmac, randomBytes } from 'node:crypto';
import { defineDevKit, jsonObject, META_UNDELIVERABLE, newToken, text } from '../../dev-kit.ts';

const PORT = 4013;

export const loopwaveDev = defineDevKit({
  name: 'loopwave',
  // Loopwave's answer carries no id: nothing to make distinct. The recipient is digits, or a full jid (`…@s.whatsapp.net`).
  mock: {
    port: PORT,
    messageIdPointers: [],
    send: { method: 'post', path: /^\/api\/v1\/messages$/ },
    recipientOf: (body) => text(text(jsonObject(body)?.to)?.split('@')[0]),
  },
  simulator: {
    // `message.created` is all Loopwave says about a message it sent.
    words: { delivered: ['sent'], failed: ['sent'] },
    undeliverable: META_UNDELIVERABLE,
    newWebhookSecret: newToken,
    sentMessage: (_request, _response, recipient) => ({ providerMessageId: `SIM${randomBytes(6).toString('hex')}`, recipient }),
    callback({ providerMessageId: id, recipient, at, secret }) {
      const body = JSON.stringify({
        event: 'message.created',
        timestamp: new Date(at * 1000).toISOString(),
        data: {
          messageId: id,
          sessionId: 'n1a2b3c',
          chatId: `${recipient}@s.whatsapp.net`,
          body: '(text)',
          type: 'chat',
          author: 'n1a2b3c',
          fromMe: true,
          hasMedia: false,
          timestamp: at,
        },
      });
      return {
        pathSuffix: '',
        body,
        headers: { 'x-loopwave-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
      };
    },
  },
  // Loopwave has no default origin: an account says where its instance is.
  local: { account: { baseUrl: `http://127.0.0.1:${PORT}`, sessionId: 'n1a2b3c' }, credential: (token) => `lw_live_${token}` },
  scenarios: {
    accountRefused: { status: 401, example: 'invalidApiKey', reads: { code: 'invalid_api_key' } },
    undeliverable: null,
    examples: { rateLimited: 'rateLimited' },
  },
});
