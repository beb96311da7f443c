/**
 * Template content as the Meta-backed providers want it, and the checks every adapter applies
 * before a send: the content kinds its provider carries, and the account's template registry.
 */
import { findTemplate, type AccountBase } from '../config/account-fields.ts';
import type { MessageContent, TemplateContent, Violation } from '../messages/send-request.ts';
import type { ProviderName } from './names.ts';

export interface ContentRules {
  provider: ProviderName;
  kinds: ReadonlyArray<MessageContent['kind']>;
  namedBody: boolean;
  headerTypes: ReadonlyArray<NonNullable<TemplateContent['header']>['type']>;
  buttonTypes: ReadonlyArray<NonNullable<TemplateContent['buttons']>[number]['type']>;
  limitedTimeOffer: boolean;
  /** Header media by uploaded id, by link, or both. */
  mediaBy: ReadonlyArray<'id' | 'link'>;
  /** The provider names templates by an id only the registry knows (Gupshup). */
  requiresRegistry?: boolean;
}

/** What Meta's template object carries: the rules of the providers that forward it (LiveChat, Kaleyra). */
export function metaContentRules(provider: ProviderName): ContentRules {
  return {
    provider,
    kinds: ['template'],
    namedBody: true,
    headerTypes: ['text', 'image', 'video', 'document'],
    buttonTypes: ['quick_reply', 'url', 'copy_code'],
    limitedTimeOffer: true,
    mediaBy: ['id', 'link'],
  };
}

/** Everything in `content` that `rules` (the provider) or the account's registry cannot take. */
export function checkContent(content: MessageContent, account: AccountBase, rules: ContentRules): Violation[] {
  const violations: Violation[] = [];
  const no = (field: string, rule: string) => violations.push({ field: `content.${field}`, rule });
  if (!rules.kinds.includes(content.kind)) {
    no('kind', `${rules.provider} cannot send ${content.kind} messages (it sends ${rules.kinds.join(', ')})`);
    return violations;
  }
  if (content.kind !== 'template') return violations;

  if (content.header && !rules.headerTypes.includes(content.header.type)) {
    no(
      'header.type',
      `${rules.provider} cannot carry a ${content.header.type} header${rules.headerTypes.length ? ` (only ${rules.headerTypes.join(', ')})` : ''}`,
    );
  } else if (content.header && content.header.type !== 'text') {
    const by = 'id' in content.header.media ? 'id' : 'link';
    if (!rules.mediaBy.includes(by)) no(`header.media.${by}`, `${rules.provider} takes header media by ${rules.mediaBy.join(' or ')} only`);
  }
  if (content.body && !Array.isArray(content.body) && !rules.namedBody) {
    no('body', `${rules.provider} takes positional body values only (a list), not named ones`);
  }
  content.buttons?.forEach((button, i) => {
    if (!rules.buttonTypes.includes(button.type)) no(`buttons.${i}.type`, `${rules.provider} cannot carry ${button.type} button values`);
  });
  if (content.limitedTimeOffer && !rules.limitedTimeOffer) no('limitedTimeOffer', `${rules.provider} cannot carry a limited-time offer`);

  const registered = findTemplate(account, content.name, content.language);
  if (!registered) {
    if (account.templates || rules.requiresRegistry) {
      no('name', `template "${content.name}" (${content.language}) is not registered for account ${account.id}`);
    }
    return violations;
  }
  const given = content.body === undefined ? 0 : Array.isArray(content.body) ? content.body.length : Object.keys(content.body).length;
  if (given !== registered.bodyParameters) {
    no('body', `template "${content.name}" has ${registered.bodyParameters} body variable(s); ${given} given`);
  }
  if (registered.namedParameters && content.body && !Array.isArray(content.body)) {
    const missing = registered.namedParameters.filter((name) => !(name in (content.body as Record<string, string>)));
    if (missing.length) no('body', `template "${content.name}" needs the named value(s) ${missing.join(', ')}`);
  }
  const headerRefused = violations.some((v) => v.field.startsWith('content.header'));
  if (registered.header && content.header?.type !== registered.header && !headerRefused) {
    no(
      'header',
      `template "${content.name}" has a ${registered.header} header; ${content.header ? `a ${content.header.type} header` : 'none'} given`,
    );
  }
  return violations;
}

/** Meta's template object for our template content (LiveChat, Kaleyra). */
export function metaTemplate(content: TemplateContent, options: { buttonIndex: 'string' | 'integer' }) {
  const index = (n: number) => (options.buttonIndex === 'integer' ? n : String(n));
  const components: Array<Record<string, unknown>> = [];
  const header = content.header;
  if (header?.type === 'text') {
    components.push({ type: 'header', parameters: [{ type: 'text', text: header.text }] });
  } else if (header) {
    const media = { ...header.media, ...(header.type === 'document' && header.filename ? { filename: header.filename } : {}) };
    components.push({ type: 'header', parameters: [{ type: header.type, [header.type]: media }] });
  }
  if (content.body) {
    const parameters = Array.isArray(content.body)
      ? content.body.map((text) => ({ type: 'text', text }))
      : Object.entries(content.body).map(([name, text]) => ({ type: 'text', text, parameter_name: name }));
    components.push({ type: 'body', parameters });
  }
  if (content.limitedTimeOffer) {
    components.push({
      type: 'limited_time_offer',
      parameters: [
        { type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: Date.parse(content.limitedTimeOffer.expiresAt) } },
      ],
    });
  }
  for (const button of content.buttons ?? []) {
    const parameter =
      button.type === 'quick_reply'
        ? { type: 'payload', payload: button.payload }
        : button.type === 'url'
          ? { type: 'text', text: button.text }
          : { type: 'coupon_code', coupon_code: button.code };
    components.push({ type: 'button', sub_type: button.type, index: index(button.index), parameters: [parameter] });
  }
  return { name: content.name, language: { code: content.language }, components };
}

/** E.164 without the `+`: how LiveChat, Gupshup, Loopwave and Kaleyra's `to` write a number. */
export function digitsOf(e164: string): string {
  return e164.replace(/^\+/, '');
}
