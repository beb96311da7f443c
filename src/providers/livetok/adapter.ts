/**
 * LiveTok: its own flat dialect, not Meta's components. A template is named by `template_name` and
 * `template_language`; its values go in one ordered `template_parameters` list: the header media
 * first (an image or a document, by public link only: LiveTok documents no media ids and no
 * header text), then the body values as `{type:'text', text}`. The recipient is E.164 with its
 * `+`. The answer's `status: "sent"` is the only status LiveTok ever reports: no callbacks follow,
 * and our id travels nowhere (see specs/livetok.yaml).
 */
import { createClient } from '../../../generated/livetok/client/index.ts';
import { sendTemplateMessage } from '../../../generated/livetok/sdk.gen.ts';
import type { TemplateParameter } from '../../../generated/livetok/types.gen.ts';
import type { LivetokAccount } from './account.ts';
import type { TemplateContent } from '../../messages/send-request.ts';
import type { ProviderAdapter } from '../adapter.ts';
import { LIVETOK_5XX_REFUSALS, livetokContent } from './content.ts';
import { callProvider, field, type ErrorReading } from '../call.ts';
import { classifyHttpStatus, ProviderError } from '../errors.ts';

export const livetokAdapter: ProviderAdapter<LivetokAccount> = {
  ...livetokContent,

  async send(message, account, connection) {
    const content = message.content;
    if (content.kind !== 'template') {
      return {
        outcome: 'rejected',
        error: new ProviderError({ provider: 'livetok', retryClass: 'permanent', reason: 'LiveTok sends template messages only' }),
      };
    }
    // Never send a message with part of its content silently dropped (the registry was checked at accept).
    const [violation] = livetokContent.check(content, { ...account, templates: undefined });
    if (violation) {
      return {
        outcome: 'rejected',
        error: new ProviderError({ provider: 'livetok', retryClass: 'permanent', reason: `${violation.field}: ${violation.rule}` }),
      };
    }
    const client = createClient({
      baseUrl: account.baseUrl ?? 'https://api.livetok.ai',
      auth: connection.credential,
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const parameters = templateParameters(content);
    const called = await callProvider(
      'livetok',
      () =>
        sendTemplateMessage({
          client,
          body: {
            to: message.recipient,
            template_name: content.name,
            template_language: content.language,
            ...(parameters.length ? { template_parameters: parameters } : {}),
          },
        }),
      readError,
    );
    if (!called.ok) return called.result;
    const id = called.data?.id;
    return { outcome: 'accepted', status: 'sent', ...(id ? { providerMessageId: id } : {}) };
  },
};

/** The shared content rules, plus the one thing LiveTok's document value cannot take: a filename. */
/** The flat, ordered list LiveTok fills a template from: header media first, then body values. */
function templateParameters(content: TemplateContent): TemplateParameter[] {
  const parameters: TemplateParameter[] = [];
  const header = content.header;
  if (header && header.type === 'image' && 'link' in header.media) parameters.push({ type: 'image', image: { link: header.media.link } });
  if (header && header.type === 'document' && 'link' in header.media)
    parameters.push({ type: 'document', document: { link: header.media.link } });
  if (Array.isArray(content.body)) for (const text of content.body) parameters.push({ type: 'text', text });
  return parameters;
}

/** LiveTok's documented codes (in `error.code`) decide where they are known; the HTTP status otherwise. */
function readError(status: number, body: unknown): ErrorReading {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  const code = field(error, 'code');
  const message = field(error, 'message') ?? `HTTP ${status}`;
  switch (code) {
    case 'invalid_phone_number':
      return { retryClass: 'permanent', code, reason: `recipient refused: ${message}` };
    case 'template_not_found':
      // Templates are approved per provider and number: this sender's, not the content's (another route may carry it).
      return { retryClass: 'permanent', code, sender: true, reason: `template unknown or not approved: ${message}` };
    case 'invalid_api_key':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `API key rejected: ${message}` };
    case 'rate_limit_exceeded':
      return { retryClass: 'backoff', code, reason: `rate limit (plan's hourly requests): ${message}` };
    default: {
      const refused = LIVETOK_5XX_REFUSALS.includes(status) ? { refused: true } : {};
      return {
        ...classifyHttpStatus(status),
        ...(code ? { code } : {}),
        ...refused,
        reason: status === 403 ? `API key lacks the permission: ${message}` : message,
      };
    }
  }
}
