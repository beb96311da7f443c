/**
 * Kaleyra's live drift check (docs/drift.md). Its API has only the send, so two probes that cannot
 * send anything: a wrong API key (on a message to a fictional number, with a template that does
 * not exist), answered 401 `RBC001`; and a body without a recipient, answered 400 `WA400`.
 */
import { defineLiveKit, FICTIONAL_RECIPIENT, PROBE_TEMPLATE } from '../../../verify/kit.ts';
import type { KaleyraAccount } from '../account.ts';

const template = {
  name: PROBE_TEMPLATE,
  language: { code: 'en' },
  components: [{ type: 'body', parameters: [{ type: 'text', text: 'probe' }] }],
};
const path = (account: KaleyraAccount) => ({ sid: account.sid, phone_number: account.senderNumber });
const json = (value: unknown) => ({ mediaType: 'application/json', text: JSON.stringify(value) });

export const kaleyraLive = defineLiveKit<'kaleyra', KaleyraAccount>({
  name: 'kaleyra',
  accountFields: [
    { field: 'sid', what: 'the account SID (the console shows it with the API key)' },
    { field: 'senderNumber', what: "the business's WhatsApp number registered with Kaleyra, E.164" },
    { field: 'pod', what: 'the regional API host: api.in.kaleyra.io (default), api.ap.kaleyra.io or api.eu.kaleyra.io' },
  ],
  origin: (account) => `https://${account.pod}`,
  checks: [
    {
      kind: 'probe',
      name: 'wrong credential',
      operationId: 'sendLimitedTimeOfferTemplate',
      credential: 'wrong',
      expect: { status: 401, code: { pointer: '/code', values: ['RBC001'] } },
      request: (account) => ({
        path: path(account),
        body: json({
          messaging_object: {
            messaging_product: 'whatsapp',
            recipient_type: 'individual',
            to: FICTIONAL_RECIPIENT,
            type: 'template',
            template,
          },
        }),
      }),
    },
    {
      kind: 'probe',
      name: 'malformed body',
      operationId: 'sendLimitedTimeOfferTemplate',
      credential: 'given',
      expect: { status: 400, code: { pointer: '/code', values: ['WA400'] } },
      // No `to` (required): there is no one to send it to.
      request: (account) => ({
        path: path(account),
        body: json({ messaging_object: { messaging_product: 'whatsapp', type: 'template', template } }),
      }),
    },
  ],
});
