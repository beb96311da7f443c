/**
 * The parts of the repositories' semantics that do not depend on where things are stored, shared
 * by the DynamoDB and in-memory implementations so that the two cannot drift apart: what a status
 * report may still change, and how a listing pages through an account's messages.
 */
import { STATUS_RANK, type MessageStatus } from '../messages/status.ts';
import { InvalidCursorError, LIST_READ_BUDGET } from './model.ts';
import type { ApplyExtra, ApplyOutcome, ListPage, ListPosition, ListQuery, MessageRecord, ReportScope, ScopedExtra } from './model.ts';
import { idOfCreatedSortKey } from './table.ts';

/**
 * Before any write: whether a report can change nothing (even the caller's possibly older copy
 * shows it), and whether it may advance the status or is history only.
 */
export function planStatusWrite(
  next: Exclude<MessageStatus, 'cancelled'>,
  at: string,
  extra: ApplyExtra,
): 'unchanged' | { mayAdvance: boolean } {
  const known = extra.known;
  const earliest = known?.times[next];
  const reached = known !== undefined && known.status !== 'cancelled' && STATUS_RANK[known.status] >= STATUS_RANK[next];
  if (reached && earliest !== undefined && earliest <= at) return 'unchanged';
  if (extra.providerMessageId && extra.provider && (extra.indexProviderMessageId ?? true) && !extra.account) {
    throw new TypeError('applyStatus: indexing a provider message id needs the account it is scoped to');
  }
  return { mayAdvance: !known || (known.status !== 'cancelled' && STATUS_RANK[known.status] < STATUS_RANK[next]) };
}

/**
 * The record after a report that did `outcome`, from the record before it (what a conditional
 * write answers with `ALL_OLD`): the same changes the write made, so no read follows it.
 */
export function recordAfter(
  before: MessageRecord,
  next: Exclude<MessageStatus, 'cancelled'>,
  at: string,
  outcome: ApplyOutcome,
  extra: ScopedExtra,
): MessageRecord {
  const after: MessageRecord = { ...before, times: { ...before.times } };
  if (extra.providerMessageId && outcome !== 'unchanged') after.providerMessageId = before.providerMessageId ?? extra.providerMessageId;
  if (outcome === 'unchanged') return after;
  after.times[next] = at;
  if (extra.error && next === 'failed') after.error = outcome === 'advanced' ? extra.error : (before.error ?? extra.error);
  if (outcome === 'advanced') {
    after.status = next;
    if (settles(next)) delete after.dueAt;
  }
  return after;
}

/** A message that reaches `status` is settled: it leaves the sweeper's `due` index and drops its sealed body. */
export const settles = (status: MessageStatus): boolean => STATUS_RANK[status] >= STATUS_RANK.unknown;

/** Statuses of a message not settled yet: the sweeper watches it (src/scheduler/requeue.ts). */
export const UNSETTLED: ReadonlySet<string> = new Set<MessageStatus>(['queued', 'scheduled', 'sending']);

/** Statuses of a message that went (or is going) to the provider: candidates for recipient matching. */
export const SENT_STATUSES: ReadonlySet<MessageStatus> = new Set(['sending', 'unknown', 'accepted', 'sent', 'failed']);

/** The range and page size of a listing: `created` values in [since, until~]. */
export function listBounds(query: ListQuery): { since: string; until: string; limit: number } {
  return { since: query.since ?? '0', until: `${query.until ?? '9999'}~`, limit: Math.min(Math.max(query.limit ?? 50, 1), 100) };
}

/** The id of a position handed out by a previous page; refused if it is not one, or lies outside the query's range. */
export function positionId(after: ListPosition, bounds: { since: string; until: string }): string {
  const id = idOfCreatedSortKey(after.created);
  if (!id || after.created < bounds.since || after.created > bounds.until) throw new InvalidCursorError();
  return id;
}

/** An account's messages newest first, as an implementation reads them: pages of index keys. */
export interface AccountIndex<K> {
  /** Up to `size` entries after `start` (from the newest without), and the last key read if the page was full. */
  page(start: K | undefined, size: number): Promise<{ entries: Array<{ id: string; key: K }>; last?: K }>;
  /** Where a listing continues after `key`. */
  position(key: K): ListPosition;
  /** The key to continue after a position of a previous page (checked with {@link positionId}). */
  startAfter(position: ListPosition): K;
  /** The records of these ids that exist. */
  read(ids: string[]): Promise<Map<string, MessageRecord>>;
}

/**
 * One page of a listing (`MessageRepository.list`). Without a status, one index page of `limit`
 * keys. With one, index pages are read until `limit` messages match, the index ends, or the read
 * budget is spent; `next` points just after the last message read for this page.
 */
export async function listAccountPage<K>(query: ListQuery, index: AccountIndex<K>): Promise<ListPage> {
  const { limit } = listBounds(query);
  let start = query.after ? index.startAfter(query.after) : undefined;
  if (!query.status) {
    const { entries, last } = await index.page(start, limit);
    const records = await index.read(entries.map((entry) => entry.id));
    const items = entries.flatMap((entry) => records.get(entry.id) ?? []);
    return { items, ...(last !== undefined ? { next: index.position(last) } : {}) };
  }

  const budget = Math.max(1, query.readBudget ?? LIST_READ_BUDGET);
  const items: MessageRecord[] = [];
  let scanned = 0;
  for (;;) {
    const { entries, last } = await index.page(start, Math.min(100, budget - scanned));
    scanned += entries.length;
    const records = await index.read(entries.map((entry) => entry.id));
    for (const [i, entry] of entries.entries()) {
      const record = records.get(entry.id);
      if (record?.status !== query.status) continue;
      items.push(record);
      if (items.length === limit) {
        const more = i < entries.length - 1 || last !== undefined;
        return { items, ...(more ? { next: index.position(entry.key) } : {}) };
      }
    }
    if (last === undefined) return { items };
    start = last;
    if (scanned >= budget) return { items, next: index.position(start) };
  }
}

/** Whether `scope` is a route the message had and left (the origin included), not another account's. */
export function scopeWasRoute(record: Pick<MessageRecord, 'account' | 'provider' | 'routes'>, scope: ReportScope): boolean {
  const was = (account: string, provider: string) => account === scope.account && provider === scope.provider;
  return was(record.account, record.provider) || (record.routes ?? []).some((route) => was(route.account, route.provider));
}
