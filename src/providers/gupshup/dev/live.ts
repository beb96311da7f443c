/**
 * Gupshup's live drift check (docs/drift.md). Its API has only the send, so two probes that cannot
 * send anything: a wrong API key (on a message to a fictional number, with a template id that does
 * not exist), answered 401; and a form without `destination`, answered 400.
 */
import { defineLiveKit, FICTIONAL_RECIPIENT, PROBE_TEMPLATE } from '../../../verify/kit.ts';
import type { GupshupAccount } from '../account.ts';

const form = (fields: Record<string, string>) => ({
  mediaType: 'application/x-www-form-urlencoded',
  text: new URLSearchParams(fields).toString(),
});
const sender = (account: GupshupAccount) => ({ channel: 'whatsapp', source: account.source, 'src.name': account.appName });
const template = JSON.stringify({ id: PROBE_TEMPLATE, params: [] });

export const gupshupLive = defineLiveKit<'gupshup', GupshupAccount>({
  name: 'gupshup',
  accountFields: [
    { field: 'source', what: "the app's WhatsApp number, digits with the country code" },
    { field: 'appName', what: 'the name of the Gupshup app the number belongs to' },
  ],
  checks: [
    {
      kind: 'probe',
      name: 'wrong credential',
      operationId: 'sendTemplateMessage',
      credential: 'wrong',
      expect: { status: 401 },
      request: (account) => ({ body: form({ ...sender(account), destination: FICTIONAL_RECIPIENT, template }) }),
    },
    {
      kind: 'probe',
      name: 'malformed body',
      operationId: 'sendTemplateMessage',
      credential: 'given',
      expect: { status: 400 },
      // No `destination` (required): there is no one to send it to.
      request: (account) => ({ body: form({ ...sender(account), template }) }),
    },
  ],
});
