/**
 * Loopwave: a self-hosted WhatsApp CRM driving a connected WhatsApp number, not the Cloud API. It
 * sends free text only (no templates): `{to, text, from?}`, `to` in digits with the country code
 * (no `+`), `from` the account's session (connected number) id, else the first ready number. The
 * key goes as `Authorization: Bearer lw_live_…` only (the spec also allows `X-API-Key`; one scheme
 * is enough). The 202 answer `{status:"sent", to, from}` carries no message id; the message can be
 * found later in `GET /chats/{chatId}/messages`, and webhooks report it (see specs/loopwave.yaml).
 * Deployments are self-hosted: the account's `baseUrl` is required.
 */
import { createClient } from '../../../generated/loopwave/client/index.ts';
import { listChatMessages, sendMessage } from '../../../generated/loopwave/sdk.gen.ts';
import type { LoopwaveAccount } from './account.ts';
import type { ProviderAdapter } from '../adapter.ts';
import { loopwaveContent } from './content.ts';
import { callProvider, field, type ErrorReading } from '../call.ts';
import { classifyHttpStatus, ProviderError } from '../errors.ts';
import { digitsOf } from '../template.ts';

export const loopwaveAdapter: ProviderAdapter<LoopwaveAccount> = {
  ...loopwaveContent,

  async send(message, account, connection) {
    const content = message.content;
    if (content.kind !== 'text') {
      return {
        outcome: 'rejected',
        error: new ProviderError({
          provider: 'loopwave',
          retryClass: 'permanent',
          reason: 'Loopwave sends text messages only (no templates)',
        }),
      };
    }
    const client = createClient({
      baseUrl: account.baseUrl,
      // Bearer only: the operation also lists X-API-Key, which would send the key twice.
      auth: (scheme) => (scheme.type === 'http' ? connection.credential : undefined),
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const called = await callProvider(
      'loopwave',
      () =>
        sendMessage({
          client,
          body: { to: digitsOf(message.recipient), text: content.text, ...(account.sessionId ? { from: account.sessionId } : {}) },
        }),
      readError,
    );
    if (!called.ok) return called.result;
    return { outcome: 'accepted', status: 'sent' };
  },

  /** Finds our text among the chat's newest messages sent from the business since the attempt. */
  async lookup(message, account, connection, since) {
    const content = message.content;
    if (content.kind !== 'text') return { found: false, reason: 'not a text message' };
    const client = createClient({
      baseUrl: account.baseUrl,
      auth: (scheme) => (scheme.type === 'http' ? connection.credential : undefined),
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const chatId = `${digitsOf(message.recipient)}@s.whatsapp.net`;
    const called = await callProvider(
      'loopwave',
      () =>
        listChatMessages({
          client,
          path: { chatId },
          query: { limit: 50, ...(account.sessionId ? { sessionId: account.sessionId } : {}) },
        }),
      readError,
    );
    if (!called.ok) return { found: false, reason: 'the chat’s messages could not be read' };
    // Loopwave's timestamps are Unix seconds: allow the second the attempt started in.
    const after = Math.floor(since.getTime() / 1000) - 1;
    const matches = (called.data?.data ?? []).filter((m) => m.fromMe && m.body === content.text && m.timestamp >= after);
    if (matches.length !== 1)
      return {
        found: false,
        reason: matches.length ? 'several identical messages since the attempt' : 'no such message in the chat since the attempt',
      };
    return { found: true, status: 'sent', providerMessageId: matches[0]!.messageId };
  },
};

/** Loopwave's documented codes (the body's `error`) decide where they are known; the HTTP status otherwise. */
function readError(status: number, body: unknown): ErrorReading {
  const code = field(body, 'error');
  const message = field(body, 'message') ?? `HTTP ${status}`;
  switch (code) {
    case 'invalid_input':
      return { retryClass: 'permanent', code, reason: `request refused: ${message}` };
    case 'invalid_api_key':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `API key rejected: ${message}` };
    case 'license_locked':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `Loopwave licence expired or revoked: ${message}` };
    case 'insufficient_scope':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `API key lacks the messages:write scope: ${message}` };
    case 'no_ready_session':
      return { retryClass: 'backoff', code, reason: `no connected WhatsApp number is ready: ${message}` };
    case 'rate_limited':
      return { retryClass: 'backoff', code, reason: `rate limit (120 requests per minute per key): ${message}` };
    default:
      // Loopwave documents 402 and 409 for these causes only: read a bare status the same way.
      if (status === 402)
        return { retryClass: 'pause_sender', pauseScope: 'account', ...(code ? { code } : {}), reason: `payment required: ${message}` };
      if (status === 409) return { retryClass: 'backoff', ...(code ? { code } : {}), reason: message };
      return { ...classifyHttpStatus(status), ...(code ? { code } : {}), reason: message };
  }
}
