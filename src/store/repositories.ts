/**
 * Storage behind interfaces: one small repository per kind of item (and, for the message, per
 * concern). Every module outside src/store depends on these — the narrowest part it needs — never
 * on an implementation. Two implementations pass the same contract suite (test/store/contract.ts):
 * DynamoDB (src/store/dynamodb/, one table: src/store/table.ts) and in-memory (src/store/memory/).
 *
 * Each state rule is one atomic step of the implementation (a conditional write in DynamoDB), so
 * concurrent writers — accept, sender, webhooks, sweeper, operators — never need a lock, and a
 * repeated or late write changes nothing it should not.
 */
import type { MessageStatus } from '../messages/status.ts';
import type { SlotState } from '../pacing/slots.ts';
import type { ProviderName } from '../providers/names.ts';
import type {
  ApplyExtra,
  ApplyOutcome,
  Claim,
  CreatedPage,
  DueEntry,
  GapClaim,
  HeldMessage,
  HoldSpec,
  IdempotencyClaim,
  ListPage,
  ListQuery,
  MessageRecord,
  NewMessage,
  Pause,
  ReportScope,
  ScopedExtra,
  ScopedOutcome,
  PauseDetails,
  PauseScope,
  RouteHealth,
  RouteSwitch,
  BreakerState,
  FailoverSwitch,
  StoredSlots,
  StoredError,
  Suppression,
  UnknownDetails,
} from './model.ts';

/** Message records: written at accept, read by everyone, moved forward by status reports. */
export interface MessageRepository {
  /** Writes new records. With `onlyIfMissing`, a record that exists already is left as it is (replays). */
  createMany(messages: readonly NewMessage[], options?: { onlyIfMissing?: boolean }): Promise<void>;
  /** The record; `consistent: false` may answer a slightly old copy, at half the cost where that does no harm. */
  get(id: string, options?: { consistent?: boolean }): Promise<MessageRecord | undefined>;
  /** The records of `ids` (no repeats) that exist, in the order of `ids`. */
  getMany(ids: readonly string[], options?: { consistent?: boolean }): Promise<MessageRecord[]>;
  /**
   * A page of an account's messages, newest first, optionally of one status and within
   * [since, until]. With a status, records are read until `limit` match, the account's messages
   * end, or `readBudget` were read — then the page may hold fewer than `limit` (even none) and
   * `next` says where to go on. `next` always points just after the last message read for the
   * page, so following it skips nothing and repeats nothing. A position that is not one a page
   * returned throws {@link import('./model.ts').InvalidCursorError}.
   */
  list(query: ListQuery): Promise<ListPage>;
  /**
   * Cancels a message that is still waiting:
   *   queued/scheduled ──cancel──▶ cancelled   (anything else: refused, nothing changes)
   */
  cancel(id: string, at: string): Promise<{ cancelled: true } | { cancelled: false; current?: MessageStatus }>;
  /**
   * Applies one status report with the status table's rules (src/messages/status.ts
   * `applyReport`): the message moves forward only, and each status keeps its earliest time.
   *
   *   advance: rank(current) < rank(next), not cancelled → status = next, times[next] = at
   *   history: otherwise, times[next] = at if it has none or a later one → 'recorded'
   *
   * A message that settles (unknown or beyond) leaves the sweeper's `due` index. The failure that
   * moves a message to `failed` sets its error; a later, non-advancing one only if it has none.
   * The provider id is kept once (the first wins), and indexed for the account's callbacks.
   */
  applyStatus(id: string, next: Exclude<MessageStatus, 'cancelled'>, at: string, extra?: ApplyExtra): Promise<ApplyOutcome>;
  /**
   * {@link applyStatus} for a report about `scope.account`'s message of `scope.provider` (a status
   * callback), without reading the record first: the conditional write checks the scope too, so a
   * message of another account or provider is `foreign` and nothing changes. The write's answer
   * gives the record (as it is after the report) — what was read before to match, bind and push.
   * With `providerMessageId`, a message without one gets it in the same write (first wins).
   */
  applyScoped(
    id: string,
    next: Exclude<MessageStatus, 'cancelled'>,
    at: string,
    scope: ReportScope,
    extra?: ScopedExtra,
  ): Promise<ScopedOutcome>;
}

/** The sender's claim on a message: of two deliveries of a queue message, only one calls the provider. */
export interface SendClaimRepository {
  /**
   * Claims a waiting message for one send attempt, before the provider call:
   *
   *   queued/scheduled ──claim(token)──▶ sending    (anything else: refused, no call)
   *
   * `until` is when the claim is stale (no call can still be under way). The message keeps its
   * `due` entry, so the sweeper finds a claim whose invocation died. The sealed body is dropped
   * unless `keepPayload` (providers with a lookup: a stale claim goes back to a sender, which
   * looks the message up at the provider). With `route`, only while that route owns the send
   * (0: the origin; a switch meanwhile refuses the claim).
   */
  claim(id: string, token: string, at: string, options?: { until?: string; keepPayload?: boolean; route?: number }): Promise<boolean>;
  /**
   * Gives a claim back after the provider refused the send (nothing was sent): the message waits
   * again (`queued`), with the reason kept. Only the holder of the claim can, and only while it is
   * sending. `hold` sets, in the same step, when the sweeper looks at it again.
   */
  unclaim(id: string, token: string, error: StoredError, hold?: HoldSpec): Promise<boolean>;
  /**
   * Gives a claim back before any provider call was made (its slot passed, the provider asked the
   * account to wait meanwhile): the message waits again (`queued`), held as `hold` says, the
   * attempt its claim counted taken back and its last error left as it was. Only the holder of
   * the claim can, and only while it is sending.
   */
  release(id: string, token: string, hold: HoldSpec): Promise<boolean>;
  /**
   * Marks a send whose outcome was lost (`unknown`): the provider may or may not have the message.
   * From `sending` only (and with the claim's token when given); it is never resent blindly.
   */
  markUnknown(id: string, at: string, reason: string, token?: string, details?: UnknownDetails): Promise<boolean>;
  /**
   * Moves the send to another route (failover), in one step, only if the message is still unsent
   * and still owned by the route that refused (`from`):
   *
   *   sending under `token`, route `from` ──switch──▶ queued, route `to`
   *   queued/scheduled, route `from` (no token) ──switch──▶ same status, route `to`
   *
   * The refused route is appended to the message's `routes`, its error kept, and `hold` sets when
   * the sweeper looks at it again. Anything else (sent, settled, claimed by another, switched
   * already): refused, nothing changes.
   */
  switchRoute(id: string, change: RouteSwitch): Promise<boolean>;
  /** The current claim of a message that is `sending`. */
  claimOf(id: string): Promise<Claim | undefined>;
}

/** The sweeper's index of unsettled messages and when to look at each (src/scheduler/requeue.ts). */
export interface DueRepository {
  /**
   * Sets when the sweeper looks at a waiting message, with its sealed queue body: the end of a
   * hold (far schedule, long delay, pause), or the time by which a message put on the queue should
   * have been claimed. Refused (false) if the message is no longer waiting. The record is kept
   * for the retention after `dueAt`, so a long hold never outlives it.
   */
  hold(id: string, dueAt: string, sealedPayload: string, options?: { pausedAccount?: string }): Promise<boolean>;
  /**
   * Entries whose time has come (`dueAt` ≤ `until`), at most `limit`: the ordinary ones, then
   * those of `pausedAccounts` (their held messages come back every recheck).
   */
  listDue(until: string, limit?: number, pausedAccounts?: readonly string[]): Promise<DueEntry[]>;
  /** Every entry held for a paused account, whatever its time (lifting the pause re-enqueues them). */
  listPaused(account: string, limit?: number): Promise<DueEntry[]>;
  /** A message's record with what the sweeper needs: its sealed queue body and its current claim. */
  getHeld(id: string): Promise<HeldMessage | undefined>;
  /**
   * Moves a message's due time on (out of a paused account's entries), if it is still
   * `fromDueAt`: a change made meanwhile (a new hold, a claim's outcome) is not undone. From
   * `undefined` (a message found by its creation time), it gives a message that has no entry and
   * is not settled its first.
   */
  postpone(id: string, fromDueAt: string | undefined, toDueAt: string): Promise<boolean>;
  /** Ends a hold (the entry and the sealed body), if its due time is still `dueAt`. */
  release(id: string, dueAt: string): Promise<boolean>;
  /**
   * The messages put on the queue without a due entry, which the sweeper looks at once, one grace
   * after their creation: `account`'s messages created after position `after` (a previous page's
   * `last`, or an ISO time) up to `until` (an ISO time, inclusive), oldest first, `limit` of them
   * read; of those, the ones not settled and without a due entry, with their sealed bodies. Read
   * from the `byAccount` index and the records, eventually consistent (what the sweeper writes on
   * what it finds is conditional).
   */
  listCreated(account: string, after: string, until: string, limit?: number): Promise<CreatedPage>;
  /** How far (a `listCreated` position) the sweeper has looked at `account`'s messages by creation time; none yet: undefined. */
  sweptUntil(account: string): Promise<string | undefined>;
  /** Records how far the sweeper has looked at `account`'s messages by creation time. */
  markSwept(account: string, position: string): Promise<void>;
}

/** Idempotency keys of the accept API, per account, kept at least 24 h. */
export interface IdempotencyRepository {
  /**
   * Claims a key for a request; first writer wins. If the key is taken and has not expired,
   * answers what it was taken for. An expired key is free again.
   */
  claim(account: string, key: string, requestHash: string, messageIds: readonly string[], now: Date): Promise<IdempotencyClaim>;
  /** Marks a claimed key's request as fully accepted (records written, messages enqueued or held). */
  complete(account: string, key: string): Promise<void>;
}

/** Pauses: an account, or one of its templates, stopped until an operator lifts it. */
export interface PauseRepository {
  /** Pauses `scope` of the account (again: the new details replace the old). */
  set(account: string, scope: PauseScope, pause: PauseDetails): Promise<void>;
  /** The account's pauses in force. */
  list(account: string): Promise<Pause[]>;
  /** Lifts a pause; true if there was one. */
  lift(account: string, scope: PauseScope): Promise<boolean>;
}

/** Recipients who opted out of an account: later sends to them fail fast until removed. */
export interface SuppressionRepository {
  add(account: string, recipientHash: string, suppression: Suppression & { code?: string | number }): Promise<void>;
  /** May answer a slightly old copy. */
  get(account: string, recipientHash: string): Promise<Suppression | undefined>;
  /** True if there was one. */
  remove(account: string, recipientHash: string): Promise<boolean>;
}

/**
 * Matching callbacks to messages (src/status/apply.ts). Every lookup is scoped to the account the
 * callback was authenticated for: another account's mapping is never read or replaced.
 */
export interface CallbackIndexRepository {
  /**
   * Our message id for `account`'s provider id of it: an alias (read strongly consistent, so a
   * send result and an early callback never miss each other), else a record's own provider id.
   */
  findMessageId(account: string, provider: ProviderName, providerMessageId: string): Promise<string | undefined>;
  /** Whether an account other than `account` has an alias for any of these ids (a misrouted callback). */
  takenElsewhere(account: string, provider: ProviderName, providerMessageIds: readonly string[]): Promise<boolean>;
  /** Records provider ids of `account`'s message (the send answer's, the WhatsApp id), for later callbacks. */
  addAliases(account: string, provider: ProviderName, aliases: readonly string[], messageId: string, now: Date): Promise<void>;
  /**
   * `account`'s messages indexed by recipient (`NewMessage.indexRecipient`) to the recipient with
   * hash `recipientHash`, created in [since, until], sent or being sent and without a provider id
   * yet: the candidates for a callback from a provider whose send answer carries no id.
   */
  unmatchedTo(account: string, recipientHash: string, since: string, until: string): Promise<string[]>;
  /**
   * Keeps a callback of `account` for a provider id not known yet, applied when the send result
   * lands. One per status, the first kept wins: repeats cannot grow what is kept. Kept a week.
   */
  keepPending(account: string, provider: ProviderName, providerMessageId: string, event: { status: string }, now: Date): Promise<void>;
  /** The callbacks `account` kept for a provider id, removed (one taker gets each). */
  takePending(account: string, provider: ProviderName, providerMessageId: string): Promise<unknown[]>;
}

/**
 * Pacing state shared by every concurrent sender (src/pacing/slots.ts has the arithmetic): each
 * budget's slot state with a version for optimistic concurrency, and recipients' next free slot.
 */
export interface PacingRepository {
  /** The slot state of `scope` (version 0: none yet). */
  readSlots(scope: string): Promise<StoredSlots<SlotState>>;
  /** Writes the slot state if its version is still `version` (0: still none); false if it changed meanwhile. */
  writeSlots(scope: string, state: SlotState, version: number, now: number): Promise<boolean>;
  /** Takes `scope`'s slot if it is free at `now` (none, or `nextAt` ≤ now), making it `nextAt`; else the `nextAt` found. */
  claimGap(scope: string, now: number, nextAt: number): Promise<GapClaim>;
}

/**
 * Accounts as routes (src/sender/breaker.ts): each account's breaker and the operator's failover
 * switch, in one item per account, shared by every sender. The breaker's transitions are writes
 * on the version read (optimistic concurrency), so of two workers opening it, taking its probe or
 * closing it, one wins and the other reads again.
 */
export interface RouteHealthRepository {
  /** The account's route health, read strongly consistent (version 0: nothing kept yet). */
  get(account: string): Promise<RouteHealth>;
  /** Writes the account's breaker if the version is still `version` (0: still nothing kept); false if it changed meanwhile. */
  writeBreaker(account: string, breaker: BreakerState, version: number): Promise<boolean>;
  /**
   * Turns the account's failover off (`disabled`) or on again (undefined). The operator's word
   * wins: no condition, but the version moves on, so a breaker write based on an older read is
   * refused and read again. Answers the switch as it was before.
   */
  setSwitch(account: string, disabled: FailoverSwitch | undefined): Promise<FailoverSwitch | undefined>;
}

/** Every repository, for wiring (src/functions/runtime.ts); modules take only the ones they use. */
export interface Storage {
  messages: MessageRepository;
  claims: SendClaimRepository;
  due: DueRepository;
  idempotency: IdempotencyRepository;
  pauses: PauseRepository;
  suppressions: SuppressionRepository;
  callbacks: CallbackIndexRepository;
  pacing: PacingRepository;
  routeHealth: RouteHealthRepository;
}
