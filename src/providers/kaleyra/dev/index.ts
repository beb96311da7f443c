/** Kaleyra's local-only side: its mock, and its callbacks (our id echoed in `extra_info.ref`, the token in a header). */
import { defineDevKit, jsonObject, META_UNDELIVERABLE, newToken, text } from '../../dev-kit.ts';

const SEND = /^\/v2\/[^/]+\/whatsapp\/[^/]+\/messages$/;

export const kaleyraDev = defineDevKit({
  name: 'kaleyra',
  mock: {
    port: 4014,
    messageIdPointers: [{ method: 'post', path: SEND, pointer: '/data/message_id' }],
    send: { method: 'post', path: SEND },
    recipientOf: (body) => text(jsonObject(body)?.messaging_object?.to),
  },
  simulator: {
    words: { delivered: ['sent', 'delivered', 'read'], failed: ['sent', 'failed'] },
    undeliverable: META_UNDELIVERABLE,
    newWebhookSecret: newToken,
    sentMessage(request, response, recipient) {
      const id: unknown = (response as { data?: { message_id?: unknown } } | undefined)?.data?.message_id;
      if (typeof id !== 'string') return undefined;
      const ref: unknown = jsonObject(request)?.extra_info?.ref;
      return { providerMessageId: id, recipient, ...(typeof ref === 'string' ? { messageId: ref } : {}) };
    },
    callback({ status, providerMessageId: id, messageId, recipient, at, secret, error = META_UNDELIVERABLE }) {
      const body = JSON.stringify({
        message_id: id,
        status: status.toUpperCase(),
        meta_object: {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            statuses: [
              {
                id: `wamid.${id}`,
                status,
                timestamp: String(at),
                recipient_id: recipient,
                ...(status === 'failed' ? { errors: [{ code: error.code, title: error.title }] } : {}),
              },
            ],
          },
        },
        extra_info: { message_id: id, ...(messageId ? { ref: messageId } : {}) },
      });
      return { pathSuffix: '', body, headers: { 'x-webhook-token': secret } };
    },
  },
  local: { account: { sid: 'LOCALSID', senderNumber: '+919000014497' }, credential: (token) => token },
  scenarios: {
    // Kaleyra's E110 (low balance) refuses the account until it is topped up.
    accountRefused: { status: 400, example: 'lowBalance', reads: { code: 'E110' } },
    // A wrong or revoked SID or API key: 401 RBC001 (its adapter pauses the account for it too).
    credentialRefused: { status: 401, example: 'unauthorized', reads: { code: 'RBC001' } },
    undeliverable: null,
    examples: { serverError: 'internalServerError' },
  },
});
