/** LiveTok's local-only side: its mock, its local account and scenario answers; no callbacks to simulate. */
import { defineDevKit, jsonObject, text } from '../../dev-kit.ts';

const SEND = /^\/v1\/messages\/templates$/;

export const livetokDev = defineDevKit({
  name: 'livetok',
  mock: {
    port: 4010,
    messageIdPointers: [{ method: 'post', path: SEND, pointer: '/id' }],
    send: { method: 'post', path: SEND },
    recipientOf: (body) => text(jsonObject(body)?.to),
  },
  simulator: null,
  local: { account: { plan: 'pro' }, credential: (token) => `sk_test_${token}` },
  scenarios: {
    accountRefused: { status: 401, example: 'invalidApiKey', reads: { code: 'invalid_api_key' } },
    // LiveTok refuses the send of a number that is not on WhatsApp (it reports nothing later).
    undeliverable: { status: 400, example: 'invalidPhoneNumber', reads: { code: 'invalid_phone_number' } },
    examples: { rateLimited: 'rateLimitExceeded', serverError: 'internalError' },
  },
});
