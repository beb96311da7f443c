/**
 * What Livechat can carry and what makes content unsendable on a Livechat account: the light part of its
 * adapter, loaded with the provider list (src/providers/index.ts); the send itself, with its generated
 * client, is in ./adapter.ts and loads on the first send.
 */
import type { AdapterContent } from '../adapter.ts';
import { checkContent, metaContentRules } from '../template.ts';
import type { LivechatAccount } from './account.ts';

const RULES = metaContentRules('livechat');

export const livechatContent: AdapterContent<LivechatAccount> = {
  provider: 'livechat',
  // No message id in the answer and nothing of ours that comes back: sends are found again
  // through the list operation (`listTemplateMessages`, `findSentMessage`).
  capabilities: { contentKinds: RULES.kinds, returnsMessageId: false, statusCallbacks: true, lookup: true, echoesMessageId: null },

  check: (content, account) => checkContent(content, account, RULES),
};
