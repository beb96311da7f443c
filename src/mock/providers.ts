/**
 * What the provider mocks need to know beyond the specs: the fixed port of each mock for
 * `npm run mock` (documented in the README), where each send answer carries the provider's
 * message id (which the mock makes distinct per request), and which operation is the send and
 * where its request names the recipient (for scenario numbers and the callback simulator).
 */
import type { ProviderName } from '../providers/names.ts';

export type { ProviderName };

export interface MockedProvider {
  port: number;
  /** Successful answers of these operations get a fresh message id at the JSON pointer. */
  messageIdPointers: Array<{ method: string; path: RegExp; pointer: string }>;
  /** The send operation. */
  send: { method: string; path: RegExp };
  /** The recipient of a send request's raw body, as the provider writes it; undefined if unreadable. */
  recipientOf(body: string): string | undefined;
}

const json = (body: string): Record<string, any> | undefined => {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' ? (value as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
};
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

const LIVETOK_SEND = /^\/v1\/messages\/templates$/;
const GUPSHUP_SEND = /^\/wa\/api\/v1\/template\/msg$/;
const KALEYRA_SEND = /^\/v2\/[^/]+\/whatsapp\/[^/]+\/messages$/;

export const MOCKED_PROVIDERS: Record<ProviderName, MockedProvider> = {
  livetok: {
    port: 4010,
    messageIdPointers: [{ method: 'post', path: LIVETOK_SEND, pointer: '/id' }],
    send: { method: 'post', path: LIVETOK_SEND },
    recipientOf: (body) => text(json(body)?.to),
  },
  // LiveChat documents no send answer and Loopwave's carries no id: nothing to make distinct.
  livechat: {
    port: 4011,
    messageIdPointers: [],
    send: { method: 'post', path: /^\/whatsapp-numbers\/[^/]+\/template-messages$/ },
    recipientOf: (body) => text(json(body)?.to),
  },
  gupshup: {
    port: 4012,
    messageIdPointers: [{ method: 'post', path: GUPSHUP_SEND, pointer: '/messageId' }],
    send: { method: 'post', path: GUPSHUP_SEND },
    recipientOf: (body) => text(new URLSearchParams(body).get('destination')),
  },
  loopwave: {
    port: 4013,
    messageIdPointers: [],
    send: { method: 'post', path: /^\/api\/v1\/messages$/ },
    // Digits, or a full jid (`…@s.whatsapp.net`).
    recipientOf: (body) => text(text(json(body)?.to)?.split('@')[0]),
  },
  kaleyra: {
    port: 4014,
    messageIdPointers: [{ method: 'post', path: KALEYRA_SEND, pointer: '/data/message_id' }],
    send: { method: 'post', path: KALEYRA_SEND },
    recipientOf: (body) => text(json(body)?.messaging_object?.to),
  },
};
