/**
 * What the provider mocks need to know beyond the specs: the fixed port of each mock for
 * `npm run mock` (documented in the README), and where each send answer carries the provider's
 * message id, which the mock makes distinct per request.
 */
import type { ProviderName } from '../providers/names.ts';

export type { ProviderName };

export interface MockedProvider {
  port: number;
  /** Successful answers of these operations get a fresh message id at the JSON pointer. */
  messageIdPointers: Array<{ method: string; path: RegExp; pointer: string }>;
}

export const MOCKED_PROVIDERS: Record<ProviderName, MockedProvider> = {
  livetok: { port: 4010, messageIdPointers: [{ method: 'post', path: /^\/v1\/messages\/templates$/, pointer: '/id' }] },
  // LiveChat documents no send answer and Loopwave's carries no id: nothing to make distinct.
  livechat: { port: 4011, messageIdPointers: [] },
  gupshup: { port: 4012, messageIdPointers: [{ method: 'post', path: /^\/wa\/api\/v1\/template\/msg$/, pointer: '/messageId' }] },
  loopwave: { port: 4013, messageIdPointers: [] },
  kaleyra: { port: 4014, messageIdPointers: [{ method: 'post', path: /^\/v2\/[^/]+\/whatsapp\/[^/]+\/messages$/, pointer: '/data/message_id' }] },
};
