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
export const STATUSES = [
  'queued',
  'scheduled',
  'cancelled',
  'sending',
  'unknown',
  'accepted',
  'sent',
  'failed',
  'delivered',
  'read',
] as const;
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
export function applyReport(
  state: { status?: MessageStatus; times: StatusTimes },
  next: MessageStatus,
  at: string,
): { status?: MessageStatus; times: StatusTimes } {
  if (state.status === 'cancelled') return state;
  if (next === 'cancelled' && !advances(state.status, next)) return state;
  const earliest = state.times[next];
  const times = earliest !== undefined && earliest <= at ? state.times : { ...state.times, [next]: at };
  return { status: advances(state.status, next) ? next : state.status, times };
}
