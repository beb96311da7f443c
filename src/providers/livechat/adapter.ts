/**
 * LiveChat's WhatsApp integration: `{to, template}` POSTed to the number's template messages,
 * `to` in digits without `+`, `template` Meta's template object forwarded to Meta as is (so it
 * carries whatever Meta's does; button `index` a string, as Meta writes it). The path's `{id}` is
 * LiveChat's id of the business number (`account.numberId`). Auth is HTTP Basic: the credential is
 * the unencoded `<account id>:<PAT>` and the generated client base64-encodes it.
 *
 * LiveChat's optional `schedule` is never sent: our pipeline schedules messages itself.
 * The document shows no send answer (a 2xx is all there is: no message id) and no error answers
 * (the HTTP status is all there is), so status webhooks are tied to a send by reconciling through
 * the list operation: `findSentMessage` below (see specs/livechat.yaml).
 */
import { createClient } from '../../../generated/livechat/client/index.ts';
import { listTemplateMessages, sendTemplateMessage } from '../../../generated/livechat/sdk.gen.ts';
import type { Template, TemplateMessageRecord } from '../../../generated/livechat/types.gen.ts';
import type { LivechatAccount } from './account.ts';
import type { ProviderAdapter } from '../adapter.ts';
import { livechatContent } from './content.ts';
import { callProvider, type ErrorReading } from '../call.ts';
import { classifyHttpStatus, ProviderError } from '../errors.ts';
import { digitsOf, metaTemplate } from '../template.ts';

export const livechatAdapter: ProviderAdapter<LivechatAccount> = {
  ...livechatContent,

  async send(message, account, connection) {
    if (message.content.kind !== 'template') {
      return {
        outcome: 'rejected',
        error: new ProviderError({ provider: 'livechat', retryClass: 'permanent', reason: 'LiveChat sends template messages only' }),
      };
    }
    const content = message.content;
    const client = createClient({
      baseUrl: account.baseUrl ?? 'https://lwb-api.livechat-integrations.com',
      auth: connection.credential,
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const called = await callProvider(
      'livechat',
      () =>
        sendTemplateMessage({
          client,
          path: { id: account.numberId },
          body: { to: digitsOf(message.recipient), template: metaTemplate(content, { buttonIndex: 'string' }) as Template },
        }),
      readError,
    );
    if (!called.ok) return called.result;
    return { outcome: 'accepted', status: 'accepted' };
  },

  async lookup(message, account, connection, since) {
    if (message.content.kind !== 'template') return { found: false, reason: 'not a template message' };
    const client = createClient({
      baseUrl: account.baseUrl ?? 'https://lwb-api.livechat-integrations.com',
      auth: connection.credential,
      ...(connection.fetch ? { fetch: connection.fetch } : {}),
    });
    const called = await callProvider('livechat', () => listTemplateMessages({ client, path: { id: account.numberId } }), readError);
    if (!called.ok) return { found: false, reason: 'the list of template messages could not be read' };
    const match = findSentMessage(called.data ?? [], { to: message.recipient, templateName: message.content.name, after: since });
    if (!match) return { found: false, reason: 'no single matching template message in LiveChat’s list' };
    return { found: true, status: 'accepted', ...(match.id ? { providerMessageId: match.id } : {}) };
  },
};

/** LiveChat documents no error answers: the HTTP status is all a client can rely on. */
function readError(status: number): ErrorReading {
  const reading = classifyHttpStatus(status);
  const reason =
    reading.retryClass === 'pause_sender'
      ? `credentials rejected (account id:PAT, scope chats--access:rw) (HTTP ${status})`
      : reading.retryClass === 'backoff'
        ? `LiveChat unavailable or rate limiting (HTTP ${status})`
        : `request refused (HTTP ${status})`;
  return { ...reading, reason };
}

/**
 * The one record of the list operation's answer that is the send to `to` (E.164, with or without
 * `+`) of template `templateName` made at or after `after`; undefined when none is, or when more
 * than one could be (ambiguous: the message is left for an operator rather than guessed).
 *
 * Every field of a record is undocumented and optional. A record without a usable `schedule`
 * (the time LiveChat sent or will send it) cannot be told apart from an earlier send to the same
 * recipient: it counts as a candidate (making a match ambiguous) but is never the match itself.
 * `after` should be the send attempt's start, less any clock skew to allow for.
 */
export function findSentMessage(
  records: ReadonlyArray<TemplateMessageRecord>,
  wanted: { to: string; templateName: string; after: Date },
): TemplateMessageRecord | undefined {
  const to = wanted.to.replace(/\D/g, '');
  const since = wanted.after.getTime();
  const candidates = records.filter((record) => {
    if (record.to === undefined || record.to.replace(/\D/g, '') !== to) return false;
    if (record.template?.name !== wanted.templateName) return false;
    const at = sentAt(record);
    return at === undefined || at >= since;
  });
  if (candidates.length !== 1) return undefined;
  const [only] = candidates;
  return only && sentAt(only) !== undefined ? only : undefined;
}

function sentAt(record: TemplateMessageRecord): number | undefined {
  const at = record.schedule === undefined ? Number.NaN : Date.parse(record.schedule);
  return Number.isNaN(at) ? undefined : at;
}
