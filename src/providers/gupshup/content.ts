/**
 * What Gupshup can carry and what makes content unsendable on a Gupshup account: the light part of its
 * adapter, loaded with the provider list (src/providers/index.ts); the send itself, with its generated
 * client, is in ./adapter.ts and loads on the first send.
 */
import { findTemplate } from '../../config/account-fields.ts';
import type { AdapterContent } from '../adapter.ts';
import { checkContent, type ContentRules } from '../template.ts';
import type { GupshupAccount } from './account.ts';

const RULES: ContentRules = {
  provider: 'gupshup',
  kinds: ['template'],
  namedBody: false,
  headerTypes: ['image', 'video'],
  buttonTypes: ['quick_reply'],
  limitedTimeOffer: true,
  mediaBy: ['id', 'link'],
  requiresRegistry: true,
};

export const gupshupContent: AdapterContent<GupshupAccount> = {
  provider: 'gupshup',
  capabilities: { contentKinds: RULES.kinds, returnsMessageId: true, statusCallbacks: true, lookup: false, echoesMessageId: null },

  check(content, account) {
    const violations = checkContent(content, account, RULES);
    if (content.kind !== 'template') return violations;
    const registered = findTemplate(account, content.name, content.language);
    if (registered && !registered.providerTemplateId) {
      violations.push({
        field: 'content.name',
        rule: `template "${content.name}" (${content.language}) has no providerTemplateId in account ${account.id}'s registry (Gupshup names templates by id)`,
      });
    }
    return violations;
  },
};
