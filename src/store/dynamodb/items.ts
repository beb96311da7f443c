/**
 * Message records as items of the messages table, and back. Pure (no SDK): accept uses
 * {@link heldItemBytes} to refuse, before writing anything, a message whose item would not fit.
 */
import type { MessageContent } from '../../messages/send-request.ts';
import { STATUS_RANK, type MessageStatus, type StatusTimes } from '../../messages/status.ts';
import type { ProviderName } from '../../providers/names.ts';
import { dynamoItemBytes } from '../item-size.ts';
import type { Claim, MessageRecord, NewMessage, RouteAttempt, RouteRef, StoredError } from '../model.ts';
import { createdSortKey, dueShard, INDEX, messageExpiresAt, messageKey, recipientIndexValue, TTL_ATTRIBUTE } from '../table.ts';

type Item = Record<string, unknown>;

/** The attributes of a message item that hold its claim. */
export const CLAIM_ATTRIBUTES = 'claimToken, claimedAt, claimUntil';

export function toItem(message: NewMessage): Item {
  return {
    ...messageKey(message.id),
    id: message.id,
    provider: message.provider,
    account: message.account,
    [INDEX.byAccount.sort]: createdSortKey(message.createdAt, message.id),
    rcpt: message.recipient.hash,
    rcptLast: message.recipient.last4,
    kind: message.kind,
    template: message.template,
    status: message.status,
    rank: STATUS_RANK[message.status],
    at: { [message.status]: message.createdAt },
    attempts: 0,
    createdAt: message.createdAt,
    scheduleAt: message.scheduleAt,
    meta: message.metadata,
    idem: message.idempotencyKey,
    ...(message.indexRecipient ? { [INDEX.byRecipient.partition]: recipientIndexValue(message.account, message.recipient.hash) } : {}),
    ...(message.due ? { payload: message.due.sealedPayload } : {}),
    ...(message.due?.at ? { [INDEX.due.partition]: dueShard(message.id), [INDEX.due.sort]: message.due.at } : {}),
    [TTL_ATTRIBUTE]: messageExpiresAt({ ...message, ...(message.due?.at ? { dueAt: message.due.at } : {}) }),
  };
}

export function fromItem(item: Item): MessageRecord {
  const optional = <T>(key: string, value: T | undefined) => (value === undefined || value === null ? {} : { [key]: value });
  return {
    id: String(item.id),
    provider: item.provider as ProviderName,
    account: String(item.account),
    recipient: { hash: String(item.rcpt), last4: String(item.rcptLast) },
    kind: item.kind as MessageContent['kind'],
    status: item.status as MessageStatus,
    times: (item.at ?? {}) as StatusTimes,
    attempts: Number(item.attempts ?? 0),
    createdAt: String(item.createdAt),
    ...optional('template', item.template as string | undefined),
    ...optional('scheduleAt', item.scheduleAt as string | undefined),
    ...optional('metadata', item.meta as Record<string, string> | undefined),
    ...optional('idempotencyKey', item.idem as string | undefined),
    ...optional('error', item.error as StoredError | undefined),
    ...optional('providerMessageId', item.providerMessageId as string | undefined),
    ...optional('dueAt', item[INDEX.due.sort] as string | undefined),
    ...optional('updatedAt', item.updatedAt as string | undefined),
    ...optional('route', item.route as RouteRef | undefined),
    ...optional('routes', item.routes as RouteAttempt[] | undefined),
  } as MessageRecord;
}

export function claimFrom(item: Item): Claim {
  const until = typeof item.claimUntil === 'string' ? { until: item.claimUntil } : {};
  return { token: String(item.claimToken), claimedAt: String(item.claimedAt), ...until };
}

/**
 * The size of a message's item once held in the table with its sealed queue body
 * (`queueBodyBytes` of UTF-8 JSON → AES-GCM with a 12-byte IV and 16-byte tag → base64), as
 * DynamoDB counts it: what accept checks against the item limit before writing anything.
 */
export function heldItemBytes(message: NewMessage, queueBodyBytes: number): number {
  const sealedChars = 4 * Math.ceil((12 + 16 + queueBodyBytes) / 3);
  const held = { ...toItem(message), [INDEX.due.partition]: dueShard(message.id), [INDEX.due.sort]: message.createdAt };
  return dynamoItemBytes(held) + 'payload'.length + sealedChars;
}
