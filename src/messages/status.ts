/**
 * The one status table of the pipeline: every part (accept, sender, webhooks, API, CLI, infra)
 * speaks these words and moves a message only forward by their ranks.
 *
 *   queued ─┐
 *           ├─▶ sending ─▶ unknown ─▶ accepted ─▶ sent ─▶ failed ─▶ delivered ─▶ read
 * scheduled ┘
 *      └──────────▶ cancelled (only from queued/scheduled; final)
 *
 * A message's current status is the highest-ranked one it has reached. A late `sent` does not
 * undo `failed`; a `delivered` or `read` after `failed` is evidence of delivery and wins. Each
 * status keeps the earliest time it was reported.
 */
import type { ProviderName } from '../providers/names.ts';

export const STATUSES = ['queued', 'scheduled', 'cancelled', 'sending', 'unknown', 'accepted', 'sent', 'failed', 'delivered', 'read'] as const;
export type MessageStatus = (typeof STATUSES)[number];

/** Rank of each status; `cancelled` is outside the ladder (see {@link advances}). */
export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  queued: 0,
  scheduled: 0,
  cancelled: 0,
  sending: 1,
  unknown: 2,
  accepted: 3,
  sent: 4,
  failed: 5,
  delivered: 6,
  read: 7,
};

/** Statuses from which a message may still be cancelled (and claimed for sending). */
export const WAITING_STATUSES: readonly MessageStatus[] = ['queued', 'scheduled'];

/** Statuses after which nothing is sent again for the message. */
export const FINAL_STATUSES: readonly MessageStatus[] = ['cancelled', 'failed', 'delivered', 'read'];

/** Whether a message at `current` (or not yet recorded) moves to `next`. */
export function advances(current: MessageStatus | undefined, next: MessageStatus): boolean {
  if (current === undefined) return true;
  if (current === 'cancelled') return false;
  if (next === 'cancelled') return WAITING_STATUSES.includes(current);
  return STATUS_RANK[next] > STATUS_RANK[current];
}

/** Per-status earliest times, as kept on a message. */
export type StatusTimes = Partial<Record<MessageStatus, string>>;

/**
 * The reference semantics of applying one status report (`at` an ISO-8601 UTC time) to a
 * message's (status, times): what the store's conditional writes implement, and what the
 * property tests compare them with. Nothing changes a cancelled message; a report that does not
 * advance the status is still history, and every status keeps its earliest time.
 */
export function applyReport(state: { status?: MessageStatus; times: StatusTimes }, next: MessageStatus, at: string): { status?: MessageStatus; times: StatusTimes } {
  if (state.status === 'cancelled') return state;
  if (next === 'cancelled' && !advances(state.status, next)) return state;
  const earliest = state.times[next];
  const times = earliest !== undefined && earliest <= at ? state.times : { ...state.times, [next]: at };
  return { status: advances(state.status, next) ? next : state.status, times };
}

/**
 * Each provider's own status words, mapped onto the table. `null` means the word is known and
 * carries no status of ours (Gupshup's `deleted`: the user deleted a delivered message).
 */
export const PROVIDER_STATUS_WORDS: Readonly<Record<ProviderName, Readonly<Record<string, MessageStatus | null>>>> = {
  // LiveTok's synchronous answer is the only status it reports.
  livetok: { sent: 'sent' },
  livechat: { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' },
  gupshup: { enqueued: 'accepted', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', deleted: null },
  // The 202 of a send says `sent`; broadcast recipients are pending, sent or failed.
  loopwave: { pending: 'accepted', sent: 'sent', failed: 'failed' },
  // NOT-SENT: Kaleyra never handed the message to Meta.
  kaleyra: { SENT: 'sent', DELIVERED: 'delivered', READ: 'read', FAILED: 'failed', 'NOT-SENT': 'failed' },
};

/**
 * What each provider reports about a message, as data: the status its send answer gives, and the
 * statuses its callbacks bring afterwards (what src/webhooks/normalise.ts makes of them). LiveTok
 * reports nothing after its synchronous `sent`; Loopwave's `message.created` says no more than
 * `sent` (its `failed` is for broadcast recipients, which this pipeline does not send).
 */
export const PROVIDER_REPORTS: Readonly<Record<ProviderName, { answer: 'accepted' | 'sent'; callbacks: readonly MessageStatus[] }>> = {
  livetok: { answer: 'sent', callbacks: [] },
  livechat: { answer: 'accepted', callbacks: ['sent', 'delivered', 'read', 'failed'] },
  gupshup: { answer: 'accepted', callbacks: ['accepted', 'sent', 'delivered', 'read', 'failed'] },
  loopwave: { answer: 'sent', callbacks: ['sent'] },
  kaleyra: { answer: 'accepted', callbacks: ['sent', 'delivered', 'read', 'failed'] },
};

/** The last status `provider` reports on a message that goes well: `read`, or `sent` for LiveTok and Loopwave. */
export function lastReportedStatus(provider: ProviderName): MessageStatus {
  const { answer, callbacks } = PROVIDER_REPORTS[provider];
  const reported = [answer, ...callbacks].filter((status) => status !== 'failed');
  return reported.reduce((last, status) => (STATUS_RANK[status] > STATUS_RANK[last] ? status : last));
}

/**
 * Whether a message of `provider` at `status` will change no more by itself — what a watcher
 * waits for: cancelled, failed, the provider's last reported status (or beyond), or `unknown`
 * where no callback can come to settle it (only an operator can).
 */
export function isSettled(provider: ProviderName, status: MessageStatus): boolean {
  if (status === 'cancelled' || status === 'failed') return true;
  if (status === 'unknown') return PROVIDER_REPORTS[provider].callbacks.length === 0;
  return STATUS_RANK[status] >= STATUS_RANK[lastReportedStatus(provider)];
}

/** Our status for a provider's word; `undefined` for a word we do not know (callers report it). */
export function statusFromProviderWord(provider: ProviderName, word: string): MessageStatus | null | undefined {
  const words = PROVIDER_STATUS_WORDS[provider];
  return Object.hasOwn(words, word) ? words[word] : undefined;
}
