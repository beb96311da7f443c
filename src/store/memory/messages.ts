/** Message records in memory: the same rules as the DynamoDB repository's conditional writes (test/store/contract.ts). */
import { STATUS_RANK, type MessageStatus } from '../../messages/status.ts';
import {
  owningRoute,
  type ApplyExtra,
  type ApplyOutcome,
  type ListPage,
  type ListQuery,
  type MessageRecord,
  type NewMessage,
} from '../model.ts';
import type { ReportScope, ScopedExtra, ScopedOutcome } from '../model.ts';
import type { MessageRepository } from '../repositories.ts';
import { listAccountPage, listBounds, planStatusWrite, positionId, scopeWasRoute, settles } from '../rules.ts';
import { createdSortKey, messageExpiresAt } from '../table.ts';
import { compositeKey, copy, recordOf, MemoryRepository, type StoredMessage } from './state.ts';

export class MemoryMessageRepository extends MemoryRepository implements MessageRepository {
  async createMany(messages: readonly NewMessage[], options: { onlyIfMissing?: boolean } = {}): Promise<void> {
    refuseRepeats(messages.map((message) => message.id));
    for (const message of messages) {
      if (options.onlyIfMissing && this.tables.messages.has(message.id)) continue;
      this.tables.messages.set(message.id, storedOf(message));
    }
  }

  async get(id: string): Promise<MessageRecord | undefined> {
    const message = this.tables.messages.get(id);
    return message ? recordOf(message) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<MessageRecord[]> {
    refuseRepeats(ids);
    return ids.flatMap((id) => {
      const message = this.tables.messages.get(id);
      return message ? [recordOf(message)] : [];
    });
  }

  async list(query: ListQuery): Promise<ListPage> {
    const bounds = listBounds(query);
    // The account's messages in the range, newest first, as the `byAccount` index holds them.
    const inRange = () =>
      [...this.tables.messages.values()]
        .filter((m) => m.record.account === query.account && m.created >= bounds.since && m.created <= bounds.until)
        .map((m) => m.created)
        .sort()
        .reverse();
    return listAccountPage<string>(query, {
      page: async (start, size) => {
        const keys = inRange().filter((created) => start === undefined || created < start);
        const entries = keys.slice(0, size).map((created) => ({ id: created.slice(created.indexOf('#') + 1), key: created }));
        // As a DynamoDB query: a page that reached its limit says where it ended, even if nothing follows.
        return { entries, ...(entries.length === size ? { last: entries[entries.length - 1]!.key } : {}) };
      },
      position: (created) => ({ created }),
      startAfter: (after) => {
        positionId(after, bounds);
        return after.created;
      },
      read: async (ids) => new Map((await this.getMany(ids)).map((record) => [record.id, record])),
    });
  }

  async cancel(id: string, at: string): Promise<{ cancelled: true } | { cancelled: false; current?: MessageStatus }> {
    const message = this.tables.messages.get(id);
    if (!message) return { cancelled: false };
    const current = message.record.status;
    if (current !== 'queued' && current !== 'scheduled') return { cancelled: false, current };
    message.record.status = 'cancelled';
    message.rank = STATUS_RANK.cancelled;
    message.record.times.cancelled = at;
    message.record.updatedAt = at;
    delete message.due;
    delete message.payload;
    return { cancelled: true };
  }

  async applyStatus(id: string, next: Exclude<MessageStatus, 'cancelled'>, at: string, extra: ApplyExtra = {}): Promise<ApplyOutcome> {
    return this.apply(id, next, at, extra);
  }

  async applyScoped(
    id: string,
    next: Exclude<MessageStatus, 'cancelled'>,
    at: string,
    scope: ReportScope,
    extra: ScopedExtra = {},
  ): Promise<ScopedOutcome> {
    const message = this.tables.messages.get(id);
    if (!message) return { outcome: 'missing' };
    const owner = owningRoute(message.record);
    if (owner.account !== scope.account || owner.provider !== scope.provider) {
      // A route that refused the message (it never had it): nothing changes, and it is not another account's.
      const wasRoute = scopeWasRoute(message.record, scope);
      return wasRoute ? { outcome: 'unchanged', record: recordOf(message), boundProviderMessageId: false } : { outcome: 'foreign' };
    }
    const hadProviderId = message.record.providerMessageId !== undefined;
    const { providerMessageId, ...rest } = extra;
    const outcome = this.apply(id, next, at, rest);
    // The provider id is kept (first wins) whatever the report did, not indexed.
    if (providerMessageId) message.record.providerMessageId ??= providerMessageId;
    return { outcome, record: recordOf(message), boundProviderMessageId: !hadProviderId && message.record.providerMessageId !== undefined };
  }

  /** applyStatus as one synchronous step (no await: atomic, as the conditional write is). */
  private apply(id: string, next: Exclude<MessageStatus, 'cancelled'>, at: string, extra: ApplyExtra): ApplyOutcome {
    const plan = planStatusWrite(next, at, extra);
    if (plan === 'unchanged') return 'unchanged';
    const message = this.tables.messages.get(id);
    if (!message || message.record.status === 'cancelled') return 'unchanged';
    const record = message.record;
    const keepProviderId = () => {
      if (!extra.providerMessageId || !extra.provider) return;
      record.providerMessageId ??= extra.providerMessageId;
      if (!(extra.indexProviderMessageId ?? true)) return;
      message.providerIdIndex ??= compositeKey(extra.provider, extra.account!, extra.providerMessageId);
    };
    // advance: rank(current) < rank(next), not cancelled
    if (plan.mayAdvance && message.rank < STATUS_RANK[next]) {
      record.status = next;
      message.rank = STATUS_RANK[next];
      record.times[next] = at;
      if (extra.error && next === 'failed') record.error = copy(extra.error);
      keepProviderId();
      if (settles(next)) {
        delete message.due;
        delete message.payload;
      }
      return 'advanced';
    }
    // history: the status has no time yet, or a later one
    const earliest = record.times[next];
    if (earliest !== undefined && earliest <= at) return 'unchanged';
    record.times[next] = at;
    if (extra.error && next === 'failed') record.error ??= copy(extra.error);
    keepProviderId();
    return 'recorded';
  }
}

function storedOf(message: NewMessage): StoredMessage {
  const { indexRecipient, due, status, ...fields } = copy(message);
  const record: StoredMessage['record'] = { ...fields, status, times: { [status]: message.createdAt }, attempts: 0 };
  for (const key of Object.keys(record) as Array<keyof typeof record>) if (record[key] === undefined) delete record[key];
  return {
    record,
    rank: STATUS_RANK[status],
    created: createdSortKey(message.createdAt, message.id),
    recipientIndexed: indexRecipient === true,
    ...(due ? { payload: due.sealedPayload } : {}),
    ...(due?.at ? { due: { at: due.at } } : {}),
    expiresAt: messageExpiresAt({ ...message, ...(due?.at ? { dueAt: due.at } : {}) }),
  };
}

/** DynamoDB refuses a batch that names an item twice: so does this. */
function refuseRepeats(ids: readonly string[]): void {
  if (new Set(ids).size !== ids.length) throw new RangeError('the same message id appears twice in one batch');
}
