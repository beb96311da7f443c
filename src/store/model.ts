/**
 * What the repositories (src/store/repositories.ts) store and answer, in the pipeline's words:
 * no table, key or attribute name appears here. The DynamoDB implementations (src/store/dynamodb/)
 * map these to items (src/store/table.ts has every key); the in-memory ones (src/store/memory/)
 * keep them as they are.
 */
import type { MessageContent } from '../messages/send-request.ts';
import type { MessageStatus, StatusTimes } from '../messages/status.ts';
import type { RecipientRef } from '../privacy/recipient.ts';
import { WapkError } from '../errors.ts';
import type { ProviderName } from '../providers/names.ts';

/** How many messages one filtered page of `MessageRepository.list` reads at most. */
export const LIST_READ_BUDGET = 1000;

/** The error kept on a message: the provider's, in our words. */
export interface StoredError {
  class?: string;
  status?: number;
  code?: string | number;
  reason: string;
}

export interface NewMessage {
  id: string;
  provider: ProviderName;
  account: string;
  recipient: RecipientRef;
  kind: MessageContent['kind'];
  template?: string;
  status: 'queued' | 'scheduled';
  /** When it was accepted (ISO-8601 UTC). */
  createdAt: string;
  scheduleAt?: string;
  metadata?: Record<string, string>;
  idempotencyKey?: string;
  /** Make it findable by recipient (providers whose callbacks are matched by recipient and time). */
  indexRecipient?: boolean;
  /**
   * Its sealed queue body (for the sweeper, src/scheduler/requeue.ts, to enqueue it again) and,
   * with `at`, its entry in the `due` index: when the sweeper looks at it if nothing else has. A
   * message put on the queue at once has no entry (none to write now, none to remove when it
   * settles): the sweeper finds it by its creation time, one grace later (`DueRepository.listCreated`).
   */
  due?: { at?: string; sealedPayload: string };
}

/**
 * A route of a message that is not its origin: which fallback account owns the send (the origin's
 * `fallbacks`, src/config/routes.ts; index 1 is the first) and since when. The message stays its
 * origin account's (API, listing, push); callbacks apply only from the route that owns the send.
 */
export interface RouteRef {
  index: number;
  account: string;
  provider: ProviderName;
  since: string;
}

/** A route that provably refused the message, and why: the message then moved to a later route. */
export interface RouteAttempt {
  /** 0: the origin account. */
  index: number;
  account: string;
  provider: ProviderName;
  /** When it took the send over (the origin: when the message was accepted). */
  since: string;
  /** When it refused. */
  until: string;
  outcome: 'refused' | 'blocked';
  error: StoredError;
  /**
   * Why it moved on (src/sender/failover-decision.ts): `pause_sender`, `sender_refused`, `blocked`
   * or `breaker` (the route's breaker was open). Absent on routes left before it was kept.
   */
  trigger?: 'pause_sender' | 'sender_refused' | 'blocked' | 'breaker';
}

/**
 * Moves the send of a message that is unsent and still owned by the route `from` to the route
 * `to`, in one conditional write (`SendClaimRepository.switchRoute`).
 */
export interface RouteSwitch {
  /** The route that refused (0: the origin): only while it still owns the send. */
  from: number;
  /**
   * The refusing attempt's claim: from `sending` under it (the message waits again, on `to`).
   * Without: from waiting (queued or scheduled), for a route blocked too long.
   */
  token?: string;
  to: RouteRef;
  /** The route that refused, kept in the message's `routes`. */
  refused: RouteAttempt;
  /** When the sweeper looks at it again, with its sealed body (as after any refusal). */
  hold: HoldSpec;
  /**
   * For a route whose provider's callbacks are matched by recipient (`NewMessage.indexRecipient`):
   * the recipient's hash, to make the message findable by recipient under the new route's account.
   */
  indexRecipient?: string;
}

export interface MessageRecord extends Omit<NewMessage, 'status' | 'indexRecipient' | 'due'> {
  status: MessageStatus;
  times: StatusTimes;
  attempts: number;
  error?: StoredError;
  providerMessageId?: string;
  /**
   * While the message is unsettled (queued, scheduled, sending): when the sweeper looks at it if
   * nothing else has — the end of a hold (far schedule, long delay, pause, failed enqueue), or the
   * time by which a message on the queue should have been claimed.
   */
  dueAt?: string;
  updatedAt?: string;
  /** The fallback route that owns the send; absent: the origin (`account`, `provider`). */
  route?: RouteRef;
  /** The routes that refused it, in order. */
  routes?: RouteAttempt[];
}

/**
 * The fallback route that owns a message's send, as the caller push names it: its account and
 * provider, and the trigger that moved the message there (the last route it left); none: the origin.
 */
export function pushedRoute(
  record: Pick<MessageRecord, 'route' | 'routes'>,
): { account: string; provider: ProviderName; trigger?: NonNullable<RouteAttempt['trigger']> } | undefined {
  if (!record.route) return undefined;
  const trigger = record.routes?.at(-1)?.trigger;
  return { account: record.route.account, provider: record.route.provider, ...(trigger ? { trigger } : {}) };
}

/** The account and provider whose route owns a message's send: its `route`, else its origin. */
export function owningRoute(record: Pick<MessageRecord, 'account' | 'provider' | 'route'>): {
  index: number;
  account: string;
  provider: ProviderName;
} {
  return record.route ?? { index: 0, account: record.account, provider: record.provider };
}

export interface ListQuery {
  account: string;
  status?: MessageStatus;
  since?: string;
  until?: string;
  /** Continue after this position (a previous page's `next`). */
  after?: ListPosition;
  limit?: number;
  /** With `status`: how many messages one page reads at most. @default LIST_READ_BUDGET */
  readBudget?: number;
}

/**
 * Where a page of a listing ended: `<ISO time>#<message id>` of its last entry (the time the
 * message was created), opaque to callers. The API hands it out only sealed in a signed cursor
 * (src/api/cursor.ts).
 */
export interface ListPosition {
  created: string;
}

export interface ListPage {
  items: MessageRecord[];
  next?: ListPosition;
}

/** What a pause stops: the whole account, or one of its templates. */
export type PauseScope = { kind: 'account' } | { kind: 'template'; template: string };

export const ACCOUNT_SCOPE: PauseScope = Object.freeze({ kind: 'account' });

export const templateScope = (template: string): PauseScope => ({ kind: 'template', template });

/** Whether a pause in `scope` stops a message of `template` (none: not a template message). */
export function pauseCovers(scope: PauseScope, template: string | undefined): boolean {
  return scope.kind === 'account' || (template !== undefined && scope.template === template);
}

export interface PauseDetails {
  reason: string;
  code?: string | number;
  since: string;
}

export interface Pause extends PauseDetails {
  account: string;
  scope: PauseScope;
}

/**
 * A route account's breaker (src/sender/breaker.ts has its rules): closed, it counts the
 * sender's consecutive proven refusals; open, messages that have a next route skip the account
 * until `until`; half-open, one message (the probe, `probe.token`) is sent there while the others
 * keep failing over, until its answer or its lease's end (`probe.until`).
 */
export interface BreakerState {
  state: 'closed' | 'open' | 'half_open';
  /** Consecutive proven refusals of the sender while closed (an accepted send sets it back to 0). */
  refusals: number;
  /** When it opened (last). */
  openedAt?: string;
  /** Open: when its cool-down ends (then the next message probes). */
  until?: string;
  /** The cool-down it opened with (ms): doubled by a failed probe, up to the account's maximum. */
  coolDownMs?: number;
  /** Half-open: the message sent as the probe (its claim on the probe) and when its lease ends. */
  probe?: { token: string; until: string };
}

/** An operator's switch that turns an account's failover off (no redeploy): its messages never leave their route. */
export interface FailoverSwitch {
  since: string;
  reason: string;
}

/** What is kept about an account as a route: its breaker, the operator's switch, and a version for optimistic concurrency (0: none yet). */
export interface RouteHealth {
  breaker?: BreakerState;
  disabled?: FailoverSwitch;
  version: number;
}

export interface Suppression {
  reason: string;
  since: string;
}

export type ApplyOutcome = 'advanced' | 'recorded' | 'unchanged';

/** What `applyStatus` takes besides the status and its time. */
export interface ApplyExtra {
  error?: StoredError;
  providerMessageId?: string;
  provider?: ProviderName;
  /** The message's account: the provider-id index is scoped to it (required when indexing). */
  account?: string;
  /** Also make it findable by the provider id (callbacks that carry only this id). @default true */
  indexProviderMessageId?: boolean;
  /**
   * The record as the caller last read it. Statuses only move forward and times only get
   * earlier, so a write that even this (possibly older) copy shows would change nothing is
   * skipped: a repeated callback then costs a read, not two failed writes.
   */
  known?: Pick<MessageRecord, 'status' | 'times'>;
}

/** Whose message a scoped report must be about: the account the callback was authenticated for, and its provider. */
export interface ReportScope {
  account: string;
  provider: ProviderName;
}

/** What `applyScoped` takes besides the status, its time and the scope. */
export interface ScopedExtra {
  error?: StoredError;
  /** The provider's id of the message: kept if it has none yet (not indexed: the caller adds the alias). */
  providerMessageId?: string;
}

/**
 * What a scoped report did. Applied or not, the record as it is after the report (from the write's
 * own answer: no read first); `boundProviderMessageId` when this report gave the message its
 * provider id. `missing`: no such message; `foreign`: a message of another account or provider —
 * nothing changed.
 */
export type ScopedOutcome =
  | { outcome: ApplyOutcome; record: MessageRecord; boundProviderMessageId: boolean }
  | { outcome: 'missing' | 'foreign' };

/** One entry of the `due` index: a message and when the sweeper looks at it. */
export interface DueEntry {
  id: string;
  dueAt: string;
}

/** A send attempt's claim on a message. */
export interface Claim {
  token: string;
  claimedAt: string;
  /** When the claim is stale: no call can still be under way (absent on claims older than this field). */
  until?: string;
}

/**
 * When the sweeper looks at a message again and its sealed body (`DueRepository.hold`). With
 * `pausedAccount`, the entry waits with the paused account's other held messages, which lifting
 * the pause re-enqueues at once (`DueRepository.listPaused`).
 */
export interface HoldSpec {
  dueAt: string;
  sealedPayload: string;
  pausedAccount?: string;
}

/** What an answer that left the outcome open said, kept with the `unknown` status. */
export type UnknownDetails = Pick<StoredError, 'status' | 'code'>;

export interface HeldMessage {
  record: MessageRecord;
  sealedPayload?: string;
  claim?: Claim;
}

/** A page of an account's messages by creation time, for the sweeper (`DueRepository.listCreated`). */
export interface CreatedPage {
  /** The unsettled messages of the page without a due entry, oldest first. */
  held: HeldMessage[];
  /** Where the page ended (a position to continue after), if more may follow within the range. */
  last?: string;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; messageIds: string[]; complete: boolean };

/** A budget's pacing state as stored: its slots and a version for optimistic concurrency (0: none yet). */
export interface StoredSlots<S> {
  state?: S;
  version: number;
}

export type GapClaim = { claimed: true } | { claimed: false; nextAt?: number };

/** A listing position that is not one a previous page returned (or outside the query's range). */
export class InvalidCursorError extends WapkError {
  override readonly name = 'InvalidCursorError';
  readonly kind = 'invalid_cursor';
  /** Written for the API caller: the listing answers it as a 400. */
  readonly visible = true;
  constructor() {
    super('cursor: must be a cursor returned by a previous page');
  }
}
