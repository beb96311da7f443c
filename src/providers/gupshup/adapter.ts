/**
 * Gupshup's template send: a form (`application/x-www-form-urlencoded`) with the app's `source`
 * number and `src.name`, `destination` in digits without `+`, and three fields that are JSON text
 * (each ONE form field, sent so by `src/clients/gupshup.ts`): `template` `{id, params, expiration?}`,
 * `message` (the image or video header) and `postbackTexts` (quick-reply payloads). The key goes
 * in the `apikey` header.
 *
 * Gupshup names a template by its id, not by name and language, so only a template in the
 * account's registry with its `providerTemplateId` can be sent. Its body values are positional;
 * header media is an image or a video (by id or link); the only button values are quick-reply
 * postback texts; a limited-time offer's end is `template.expiration` in Unix ms. The document
 * has nothing for text or document headers, named values, or url/copy-code button values: those
 * are check() violations rather than silently dropped (see specs/gupshup.yaml).
 *
 * A 202 `{status:'success', messageId}` accepts the message; `messageId` comes back in the status
 * callbacks (`enqueued` next). Errors are `{status:'error', message}` with 400 or 401.
 */
import { createClient } from '../../../generated/gupshup/client/index.ts';
import type { TemplateMessageForm } from '../../../generated/gupshup/types.gen.ts';
import { sendTemplateMessage } from '../../clients/gupshup.ts';
import { findTemplate } from '../../config/account-fields.ts';
import type { GupshupAccount } from './account.ts';
import type { TemplateContent } from '../../messages/send-request.ts';
import type { ProviderAdapter } from '../adapter.ts';
import { gupshupContent } from './content.ts';
import { callProvider, field, type ErrorReading } from '../call.ts';
import { classifyHttpStatus, ProviderError } from '../errors.ts';
import { digitsOf } from '../template.ts';

export const gupshupAdapter: ProviderAdapter<GupshupAccount> = {
  ...gupshupContent,

  async send(message, account, connection) {
    const violations = gupshupAdapter.check(message.content, account);
    if (violations.length > 0 || message.content.kind !== 'template') {
      const reason = violations.map((v) => `${v.field}: ${v.rule}`).join('; ') || 'Gupshup sends template messages only';
      return { outcome: 'rejected', error: new ProviderError({ provider: 'gupshup', retryClass: 'permanent', reason }) };
    }
    const content = message.content;
    // check() found the template registered with its id.
    const templateId = findTemplate(account, content.name, content.language)!.providerTemplateId!;
    const client = createClient({
      baseUrl: account.baseUrl ?? 'https://api.gupshup.io',
      auth: connection.credential,
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const called = await callProvider(
      'gupshup',
      () => sendTemplateMessage({ client, body: form(content, templateId, account, digitsOf(message.recipient)) }),
      readError,
    );
    if (!called.ok) return called.result;
    const id = called.data?.messageId;
    return { outcome: 'accepted', status: 'accepted', ...(id ? { providerMessageId: id } : {}) };
  },
};

/** The send's form, for content check() has passed (positional body, image/video header, quick replies). */
function form(content: TemplateContent, templateId: string, account: GupshupAccount, destination: string): TemplateMessageForm {
  const header = content.header;
  const postbackTexts = (content.buttons ?? []).flatMap((button) =>
    button.type === 'quick_reply' ? [{ index: button.index, text: button.payload }] : [],
  );
  return {
    channel: 'whatsapp',
    source: account.source,
    'src.name': account.appName,
    destination,
    template: {
      id: templateId,
      params: Array.isArray(content.body) ? content.body : [],
      ...(content.limitedTimeOffer ? { expiration: Date.parse(content.limitedTimeOffer.expiresAt) } : {}),
    },
    ...(header?.type === 'image' ? { message: { type: 'image' as const, image: header.media } } : {}),
    ...(header?.type === 'video' ? { message: { type: 'video' as const, video: header.media } } : {}),
    ...(postbackTexts.length > 0 ? { postbackTexts } : {}),
  };
}

/** Gupshup's error body names no code: the documented statuses (400, 401) decide, with its message. */
function readError(status: number, body: unknown): ErrorReading {
  const message = field(body, 'message') ?? `HTTP ${status}`;
  switch (status) {
    case 400:
      return { retryClass: 'permanent', reason: `request refused: ${message}` };
    case 401:
      return { retryClass: 'pause_sender', pauseScope: 'account', reason: `API key rejected: ${message}` };
    default:
      return { ...classifyHttpStatus(status), reason: message };
  }
}
