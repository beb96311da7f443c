/** LiveChat's local-only side: its mock, and its Standard Webhooks status callbacks. */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { defineDevKit, jsonObject, META_UNDELIVERABLE, text } from '../../dev-kit.ts';

export const livechatDev = defineDevKit({
  name: 'livechat',
  // LiveChat documents no send answer: no id to make distinct.
  mock: {
    port: 4011,
    messageIdPointers: [],
    send: { method: 'post', path: /^\/whatsapp-numbers\/[^/]+\/template-messages$/ },
    recipientOf: (body) => text(jsonObject(body)?.to),
  },
  simulator: {
    words: { delivered: ['sent', 'delivered', 'read'], failed: ['sent', 'failed'] },
    undeliverable: META_UNDELIVERABLE,
    // Standard Webhooks: `whsec_` and base64.
    newWebhookSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
    // No id in LiveChat's answer: the WhatsApp id its callbacks carry is made up here.
    sentMessage: (_request, _response, recipient) => ({ providerMessageId: `wamid.SIM${randomBytes(10).toString('hex')}`, recipient }),
    callback({ status, providerMessageId: id, recipient, at, secret, now = new Date(), error = META_UNDELIVERABLE }) {
      const body = JSON.stringify({
        type: 'message.status',
        timestamp: new Date(at * 1000).toISOString(),
        data: {
          id,
          status,
          timestamp: at,
          recipient_id: recipient,
          ...(status === 'failed' ? { errors: [{ code: error.code, title: error.title, message: error.title }] } : {}),
        },
      });
      const webhookId = `msg_${randomBytes(8).toString('hex')}`;
      const signature = new Webhook(secret).sign(webhookId, now, body);
      return {
        pathSuffix: '',
        body,
        headers: { 'webhook-id': webhookId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature },
      };
    },
  },
  // Its credential is `<account id>:<personal access token>`.
  local: { account: { numberId: '1234' }, credential: (token) => `local:${token}` },
  // A 401 of LiveChat's carries no code of its own.
  scenarios: { accountRefused: { status: 401, reads: { status: 401 } }, undeliverable: null, examples: {} },
});
