/**
 * What Loopwave can carry and what makes content unsendable on a Loopwave account: the light part of its
 * adapter, loaded with the provider list (src/providers/index.ts); the send itself, with its generated
 * client, is in ./adapter.ts and loads on the first send.
 */
import type { AdapterContent } from '../adapter.ts';
import { checkContent, type ContentRules } from '../template.ts';
import type { LoopwaveAccount } from './account.ts';

const RULES: ContentRules = {
  provider: 'loopwave',
  kinds: ['text'],
  namedBody: false,
  headerTypes: [],
  buttonTypes: [],
  limitedTimeOffer: false,
  mediaBy: [],
};

export const loopwaveContent: AdapterContent<LoopwaveAccount> = {
  provider: 'loopwave',
  capabilities: { contentKinds: RULES.kinds, returnsMessageId: false, statusCallbacks: true, lookup: true, echoesMessageId: null },

  check: (content, account) => checkContent(content, account, RULES),
};
