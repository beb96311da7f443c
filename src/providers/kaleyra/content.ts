/**
 * What Kaleyra can carry and what makes content unsendable on a Kaleyra account: the light part of its
 * adapter, loaded with the provider list (src/providers/index.ts); the send itself, with its generated
 * client, is in ./adapter.ts and loads on the first send.
 */
import type { AdapterContent } from '../adapter.ts';
import { checkContent, metaContentRules } from '../template.ts';
import type { KaleyraAccount } from './account.ts';

const RULES = metaContentRules('kaleyra');

export const kaleyraContent: AdapterContent<KaleyraAccount> = {
  provider: 'kaleyra',
  capabilities: {
    contentKinds: RULES.kinds,
    returnsMessageId: true,
    statusCallbacks: true,
    lookup: false,
    echoesMessageId: 'extra_info.ref',
  },

  check: (content, account) => checkContent(content, account, RULES),
};
