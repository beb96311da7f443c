/**
 * What Livetok can carry and what makes content unsendable on a Livetok account: the light part of its
 * adapter, loaded with the provider list (src/providers/index.ts); the send itself, with its generated
 * client, is in ./adapter.ts and loads on the first send.
 */
import type { MessageContent, Violation } from '../../messages/send-request.ts';
import type { AdapterContent } from '../adapter.ts';
import { checkContent, type ContentRules } from '../template.ts';
import type { LivetokAccount } from './account.ts';

/**
 * LiveTok's 503 `service_unavailable`: livetok.txt lists it among its API's own answers ("Service
 * Unavailable"): the service did not take the request, so the message may be sent again.
 */
export const LIVETOK_5XX_REFUSALS: readonly number[] = [503];

const RULES: ContentRules = {
  provider: 'livetok',
  kinds: ['template'],
  namedBody: false,
  headerTypes: ['image', 'document'],
  buttonTypes: [],
  limitedTimeOffer: false,
  mediaBy: ['link'],
};

export const livetokContent: AdapterContent<LivetokAccount> = {
  provider: 'livetok',
  capabilities: { contentKinds: RULES.kinds, returnsMessageId: true, statusCallbacks: false, lookup: false, echoesMessageId: null },

  check: (content, account) => check(content, account),
};

function check(content: MessageContent, account: LivetokAccount): Violation[] {
  const violations = checkContent(content, account, RULES);
  // LiveTok's document value is `{link}` only: a filename would be dropped without a word.
  if (content.kind === 'template' && content.header?.type === 'document' && content.header.filename) {
    violations.push({
      field: 'content.header.filename',
      rule: 'livetok cannot carry a document filename (it takes the document by link only)',
    });
  }
  return violations;
}
