/**
 * Kaleyra v2: Meta's message object in `messaging_object`, our id in `extra_info.ref` (echoed in
 * reports and callbacks) and in Meta's `biz_opaque_callback_data`. The path's `{phone_number}` is
 * the business's sender number (see specs/kaleyra.yaml).
 */
import { createClient } from '../../../generated/kaleyra/client/index.ts';
import { sendLimitedTimeOfferTemplate } from '../../../generated/kaleyra/sdk.gen.ts';
import type { Template } from '../../../generated/kaleyra/types.gen.ts';
import type { KaleyraAccount } from './account.ts';
import type { ProviderAdapter } from '../adapter.ts';
import { kaleyraContent } from './content.ts';
import { callProvider, field, type ErrorReading } from '../call.ts';
import { classifyHttpStatus, ProviderError } from '../errors.ts';
import { digitsOf, metaTemplate } from '../template.ts';

export const kaleyraAdapter: ProviderAdapter<KaleyraAccount> = {
  ...kaleyraContent,

  async send(message, account, connection) {
    if (message.content.kind !== 'template') {
      return {
        outcome: 'rejected',
        error: new ProviderError({ provider: 'kaleyra', retryClass: 'permanent', reason: 'Kaleyra sends template messages only' }),
      };
    }
    const client = createClient({
      baseUrl: account.baseUrl ?? `https://${account.pod}`,
      auth: connection.credential,
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const called = await callProvider(
      'kaleyra',
      () =>
        sendLimitedTimeOfferTemplate({
          client,
          path: { sid: account.sid, phone_number: account.senderNumber },
          body: {
            messaging_object: {
              messaging_product: 'whatsapp',
              recipient_type: 'individual',
              to: digitsOf(message.recipient),
              type: 'template',
              template: metaTemplate(message.content as Extract<typeof message.content, { kind: 'template' }>, {
                buttonIndex: 'integer',
              }) as Template,
              biz_opaque_callback_data: message.messageId,
            },
            extra_info: { ref: message.messageId },
          },
        }),
      readError,
    );
    if (!called.ok) return called.result;
    const id = called.data?.data.message_id;
    return { outcome: 'accepted', status: 'accepted', ...(id ? { providerMessageId: id } : {}) };
  },
};

/** Kaleyra's own codes decide where they are documented; the HTTP status otherwise. */
function readError(status: number, body: unknown): ErrorReading {
  const code = field(body, 'code');
  const message = field(body, 'message') ?? `HTTP ${status}`;
  switch (code) {
    case 'E110':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `low balance: ${message}` };
    case 'RBC001':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `credentials rejected (SID or API key): ${message}` };
    case 'WA401':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `sender number not in the account: ${message}` };
    case 'WA-401':
      return { retryClass: 'pause_sender', pauseScope: 'account', code, reason: `API not available for the account or number: ${message}` };
    case 'WA400':
      return { retryClass: 'permanent', code, reason: `payload refused: ${message}` };
    case 'WA500':
      return { retryClass: 'backoff', code, reason: message };
    default:
      return { ...classifyHttpStatus(status), ...(code ? { code } : {}), reason: message };
  }
}
