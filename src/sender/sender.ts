/**
 * Sending one queued message, exactly once towards the provider and within its limits.
 *
 *   read record (create it if a producer enqueued directly)
 *     ├─ already claimed, sent or final ───────────────▶ done, no call
 *     ├─ not yet due (schedule) / paused / paced ──────▶ delayed (a new queue copy or a hold)
 *     ├─ recipient opted out ──────────────────────────▶ failed `opted_out`, no call
 *     ├─ too little time left in the invocation ───────▶ a fresh copy on the queue, no call
 *     ▼
 *   claim (conditional write: queued/scheduled → sending) ── lost the race ─▶ done, no call
 *     ▼
 *   provider call (with a deadline) ─▶ accepted/sent ─▶ record it
 *                 ├▶ refused (proven: 4xx, a documented 503, no connection):
 *                 │     permanent → failed · opted out → failed + suppress
 *                 │     back off / per recipient / 24 h / pause → give the claim back, delay
 *                 └▶ open (no answer, timeout, 500/502/504) ─▶ unknown (never resent blindly),
 *                       looked up where the provider can; or, for an account with
 *                       `retryAmbiguous`, given back and retried like a back-off
 *
 * A crash after the claim leaves the message `sending`; a later delivery of the same queue
 * message, or the sweeper (src/scheduler/requeue.ts), finds the claim past its end and marks it
 * `unknown` instead of sending again. A delay is a new copy of the message on the queue (or,
 * beyond SQS's 15 minutes or while paused, a hold in the table), and the original is deleted:
 * waiting never counts towards the receive count that sends a message to the dead-letter queue.
 * Each delay keeps the message's due time (the sweeper's `due` index) after the copy's, so the
 * sweeper enqueues it again only if the copy is lost. Only what cannot be processed at all (a body
 * that is not a queue message, a store that keeps failing) fails the record.
 */
import { randomUUID } from 'node:crypto';
import type { AccountConfig } from '../config/accounts.ts';
import { UnavailableError } from '../errors.ts';
import type { QueueMessage } from '../messages/queue-message.ts';
import { requestSchemas } from '../messages/request-schemas.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { maskPhone, recipientRef } from '../privacy/recipient.ts';
import { matchedByRecipient } from '../providers/adapter.ts';
import type { OutgoingMessage, ProviderAdapter, ProviderConnection, SendResult } from '../providers/adapter.ts';
import { ProviderError } from '../providers/errors.ts';
import { defaultResetMs, pacingFor, recipientSpacingMs, type Budget } from '../pacing/budget.ts';
import type { SlotLead } from '../pacing/lead.ts';
import type { Pacer } from '../pacing/pacer.ts';
import { spacingOf } from '../pacing/slots.ts';
import { MAX_DELAY_S, type SendQueue } from '../queue/send-queue.ts';
import type { StatusNotifier } from '../push/push.ts';
import { backoffMs, type BackoffPolicy } from '../runtime/backoff.ts';
import { deadlineSignal } from '../runtime/deadline.ts';
import type { Log } from '../runtime/log.ts';
import { applyKeptEvents, type ApplyDeps } from '../status/apply.ts';
import {
  currentRoute,
  failoverOnBreaker,
  failoverOnRefusal,
  failoverWhenBlocked,
  failoverWhenPaused,
  type RouteView,
  waitOnRoute,
} from './failover.ts';
import { guardRoute, noteOutcome, passBreaker, type HealthCache } from './route-guard.ts';
import { ACCOUNT_SCOPE, pauseCovers, templateScope } from '../store/model.ts';
import type { Claim, MessageRecord, NewMessage, Pause, StoredError } from '../store/model.ts';
import type { DueRepository, MessageRepository, PauseRepository, RouteHealthRepository } from '../store/repositories.ts';
import type { SendClaimRepository, SuppressionRepository } from '../store/repositories.ts';

/** What the sender reads and writes (and, for callbacks kept before the send result, what applying them does). */
export interface SenderStorage extends Pick<ApplyDeps, 'callbacks'> {
  messages: Pick<MessageRepository, 'get' | 'createMany' | 'applyStatus' | 'applyScoped'>;
  claims: SendClaimRepository;
  due: Pick<DueRepository, 'hold'>;
  pauses: Pick<PauseRepository, 'list' | 'set'>;
  suppressions: Pick<SuppressionRepository, 'get' | 'add'>;
  /** Route accounts' breakers and failover switches (./route-guard.ts). */
  routeHealth: RouteHealthRepository;
}

export interface SenderDeps extends SenderStorage {
  pacer: Pacer;
  queue: SendQueue;
  cipher: PayloadCipher;
  accounts: ReadonlyMap<string, AccountConfig>;
  adapterFor(account: AccountConfig): ProviderAdapter;
  credentials: Readonly<Record<string, string>>;
  recipientHashKey: string;
  /** For tests and mocks: how adapters reach providers. */
  fetch?: typeof globalThis.fetch;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Reserves slots up to this far ahead and waits for them in the invocation; a later one waits on the queue. */
  maxInlineWaitMs: number;
  /**
   * How far ahead of now a reservation starts: the time a record takes from taking its slot to its
   * provider call (the claim's write). On a busy account the next slot is later anyway; on an idle
   * one the first send waits this long.
   */
  slotLeadMs: number;
  /**
   * The lead this container has learned (src/pacing/lead.ts): `slotLeadMs` while the writes take
   * their usual time, longer while they do not. Without one, the lead is `slotLeadMs`.
   */
  lead?: SlotLead;
  /** A claim older than this cannot belong to a call still under way (≥ the function timeout). */
  claimExpiryMs: number;
  /** How often a paused account's held messages look again whether the pause was lifted (lifting it re-enqueues them at once). */
  pauseRecheckMs: number;
  /**
   * Each provider call (and lookup) is aborted after this long, or sooner where the invocation
   * would end first; an aborted call's outcome is `unknown`.
   */
  callTimeoutMs: number;
  /**
   * Time kept at the end of an invocation for recording a call's outcome. A call starts only if it
   * can still have at least half its deadline before that reserve (half of what the invocation
   * allowed at its start, if that is less); otherwise its message goes back on the queue.
   */
  reserveMs: number;
  /** How long a message put on the queue may wait unclaimed before the sweeper enqueues it again. */
  sweepGraceMs: number;

  /** Draws in [0, 1) for the backoff's jitter (`Math.random` by default); tests pin them. */
  random?: () => number;
  /** Where the sender's lines go (src/runtime/log.ts); each message's carry its id, account and masked recipient. */
  log: Log;
  /** Where status changes go for the caller push, if anywhere. */
  notifier?: StatusNotifier;
}

export type Outcome =
  | { kind: 'sent'; status: 'accepted' | 'sent' }
  | { kind: 'failed'; reason: string }
  | { kind: 'delayed'; delayMs: number; reason: string }
  | { kind: 'unknown'; reason: string }
  | { kind: 'skipped'; reason: string };

/** A retryable refusal without a hint: up to 2^attempt s (≤ 15 min), at least 1 s, full jitter. */
export const REFUSAL_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 15 * 60_000, minMs: 1000 };
/** Meta's pair rate limit: up to 2^attempts times the recipient gap (≥ 6 s), never less than the gap itself. */
const recipientBackoff = (gapMs: number): BackoffPolicy => ({ baseMs: gapMs, capMs: gapMs * 2 ** 5, minMs: gapMs });

/** What the records of one batch share: pauses read once per account, slots reserved in bulk, the invocation's time. */
export interface BatchContext {
  pauses: Map<string, Promise<Pause[]>>;
  /** Per account, the records of this batch that have not taken a slot yet (one reservation asks for them all). */
  wanting: Map<string, number>;
  /** Per account, slots reserved for this batch and not taken yet, earliest first (ms). */
  slots: Map<string, number[]>;
  /** Per account, how many reservations this batch made: the first is for the account's first record alone. */
  reservations: Map<string, number>;
  /** Per account, until when a provider's 429 (met by a record of this batch) holds its other records back. */
  blockedUntil: Map<string, number>;
  /** Per account, the end of the last turn at its slots taken by a record of this batch (records side by side take turns). */
  turns?: Map<string, Promise<void>>;
  /** What is left of the invocation (Lambda's `context.getRemainingTimeInMillis`); unbounded without. */
  remainingMs?: () => number;
  /** What was left when the batch started: a call needs at least half the deadline it could have had then. */
  startRemainingMs?: number;
  /** Per account, its breaker and failover switch as this batch last read or wrote them (./route-guard.ts). */
  routeHealth?: HealthCache;
}

export function newBatchContext(remainingMs?: () => number): BatchContext {
  return {
    pauses: new Map(),
    wanting: new Map(),
    slots: new Map(),
    reservations: new Map(),
    blockedUntil: new Map(),
    ...(remainingMs ? { remainingMs, startRemainingMs: remainingMs() } : {}),
  };
}

/**
 * A fetch whose every request is aborted after `ms` (the abort reads as no answer: `unknown`).
 * The deadline goes in `init`, never into a `new Request(input, { signal })` handed to fetch: a
 * Request made here and then dropped can be garbage-collected with the link between its signal and
 * ours, and the call then waits forever (src/runtime/deadline.test.ts shows it under forced GC).
 */
export function withDeadline(fetch: typeof globalThis.fetch, ms: number): typeof globalThis.fetch {
  return (input, init) => {
    const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return fetch(input, { ...init, signal: deadlineSignal(ms, own) });
  };
}

/** Waits for the batch's previous turn at `account`'s bucket; `done` ends this one. */
async function takeTurnAsync(batch: BatchContext, account: string): Promise<{ done(): void }> {
  if (!batch.turns) batch.turns = new Map();
  const turns = batch.turns;
  const before = turns.get(account) ?? Promise.resolve();
  let done!: () => void;
  turns.set(
    account,
    new Promise<void>((resolve) => {
      done = resolve;
    }),
  );
  await before;
  return { done };
}

/**
 * Counts each account's records in the batch: once the account's first record has its answer, the
 * others reserve their slots together, with one write (src/pacing/pacer.ts).
 */
export function planBatch(bodies: readonly string[], batch: BatchContext): void {
  for (const body of bodies) {
    // Only the account is needed here: each record is validated properly when it is sent.
    const raw = safeJson(body) as { request?: { account?: unknown }; slot?: unknown } | undefined;
    const account = raw?.request?.account;
    // A copy carrying its slot takes none of the batch's (if its slot was lost, it reserves alone).
    if (typeof account === 'string' && typeof raw?.slot !== 'string') batch.wanting.set(account, (batch.wanting.get(account) ?? 0) + 1);
  }
}

/** The default `slotLeadMs`: two conditional writes (the recipient's gap, the claim) at DynamoDB's usual latency. */
export const DEFAULT_SLOT_LEAD_MS = 25;

/** The longest lead a container learns (src/pacing/lead.ts): past it, the writes are the problem, not the lead (and an idle account would wait that long for its first send). */
export const MAX_SLOT_LEAD_MS = 500;

/**
 * The default `maxInlineWaitMs`: how far ahead a batch reserves its slots and waits for them in the
 * invocation. A campaign keeps each number's slots reserved ahead by the invocations in flight;
 * 3 s lets a batch of 100 (25 a number: 0.3 s of slots at 80/s) line up behind the others'
 * reservations instead of going back on the queue, so enough invocations keep every slot taken
 * without churning the queue, and the campaign's last batches (up to a batching window late) still
 * find slots right after the others'. With 1 s the line held 78 slots a number: a few invocations
 * more than the rate needs put thousands of messages back, a few fewer left slots idle
 * (bench/campaign.ts; docs/operations.md, "Sizing the sender").
 */
export const DEFAULT_MAX_INLINE_WAIT_MS = 3000;

/**
 * How long a record whose next slot is `waitMs` away (from `takeSlot`) waits on the queue: until
 * the slot is within its reach (`maxInlineWaitMs` past the reservation's lead), not until the slot
 * itself. The queue's delays are whole seconds, rounded up, so waiting the whole `waitMs` brought
 * the copy back up to a second after its slot — and a slot nobody takes on time is lost, as the
 * next is spaced from the one taken: on an hourly limit, one slot every 3.6 s, that left a tenth
 * of the limit unused (bench/pacing-windows.ts). With `maxInlineWaitMs` ≥ 1 s the copy comes back
 * between `slotLeadMs + maxInlineWaitMs` and `slotLeadMs` before its slot: it reserves the slot
 * and waits for it in the invocation. Which slots exist is the pacer's alone: this only decides
 * when to look again.
 */
export function queueWaitForSlot(waitMs: number, deps: Pick<SenderDeps, 'slotLeadMs' | 'lead' | 'maxInlineWaitMs'>): number {
  return Math.max(1, waitMs - leadMs(deps) - deps.maxInlineWaitMs);
}

/** How far ahead of now a reservation starts: the container's learned lead, else `slotLeadMs`. */
export function leadMs(deps: Pick<SenderDeps, 'slotLeadMs' | 'lead'>): number {
  return deps.lead?.ms ?? deps.slotLeadMs;
}

/**
 * Carried slots (sparse limits, below). A record whose next slot is out of reach goes back on the queue until it is near.
 * Were it only to look again then, every such record would look at each slot and one would get it
 * — every one computes the same next free slot, so a backlog stays invisible to each: against a
 * slow limit the queue churns (20 copies per send with a backlog of 20 against 20/min; 200 with
 * 200). So it reserves its slot now, up to {@link FAR_HORIZON_MS} ahead, and its copy carries it,
 * sealed with the payload key (`QueueMessage.slot`: a producer cannot forge one): it comes back
 * once, before its slot, and sends at it without another reservation; a backlog reserves in turn.
 * Nobody else can take that slot, so a copy that comes back more than δ late leaves it unused (it
 * then reserves again), and a provider's 429 since (the account's block) voids the slots it covers.
 */
/**
 * Only where slots are sparse — one per `maxInlineWaitMs` or slower: 80/s is not, 20/min is — are
 * they carried: there a copy is alone at its slot and comes back to an idle consumer. Where they
 * are dense, the consumers are busy with the records that take them, a copy may come back late, and
 * a carried slot missed is lost to everyone; there the records in flight take the slots as they
 * come (each looks again about once a second it waits), and the backlog waits in the queue unread.
 */
function intervalMs(budget: Budget): number {
  return Math.max(...budget.windows.map((window) => spacingOf(window, budget).intervalUs)) / 1000;
}

/** How far ahead a carried slot may be: its copy's delay stays within SQS's 15 minutes. */
export const FAR_HORIZON_MS = MAX_DELAY_S * 1000;

interface CarriedSlot {
  id: string;
  /** The account whose slot it is (a message that failed over to another route has none there). */
  account: string;
  at: number;
}

/** The slot `message`'s copy carries, if it opens and is this message's. */
function carriedSlot(message: QueueMessage, deps: Pick<SenderDeps, 'cipher'>): number | undefined {
  if (!message.slot) return undefined;
  try {
    const carried = JSON.parse(deps.cipher.open(message.slot)) as Partial<CarriedSlot>;
    const ours = carried.id === message.id && carried.account === message.request.account;
    return ours && typeof carried.at === 'number' && Number.isFinite(carried.at) ? carried.at : undefined;
  } catch {
    return undefined;
  }
}

/** `message` without a carried slot (what is held in the table, and what a copy without one carries). */
function withoutSlot(message: QueueMessage): QueueMessage {
  const { slot: _slot, ...plain } = message;
  return plain;
}

/** How many later slots a record takes when it keeps missing its own (then it goes back on the queue). */
const MAX_SLOT_RETAKES = 3;

/** A record's part in its account's slots: whether it has asked for one yet. */
interface SlotTicket {
  asked: boolean;
  /** The record's account, once its body is read. */
  account?: string;
}

/**
 * The next slot of `account` for this record: one the batch holds, or a reservation — for the
 * account's first record alone, then for every record of the batch still wanting one. A held slot
 * that passed more than δ ago is dropped (a late send would crowd the next slot). Reservations
 * start `slotLeadMs` ahead: the time a record takes from taking its slot to its call (the recipient's gap, the claim).
 */
async function takeSlot(
  batch: BatchContext,
  account: string,
  budget: Budget,
  ticket: SlotTicket,
  deps: SenderDeps,
): Promise<{ at: number; since: number } | { waitMs: number }> {
  if (!ticket.asked) {
    ticket.asked = true;
    batch.wanting.set(account, Math.max(0, (batch.wanting.get(account) ?? 1) - 1));
  }
  const turn = await takeTurnAsync(batch, account);
  try {
    const now = deps.now();
    const held = batch.slots.get(account) ?? [];
    while (held.length > 0 && held[0]! < now - (budget.arrivalJitterMs ?? 0)) held.shift();
    if (held.length === 0) {
      const made = batch.reservations.get(account) ?? 0;
      batch.reservations.set(account, made + 1);
      const want = made === 0 ? 1 : 1 + (batch.wanting.get(account) ?? 0);
      const lead = leadMs(deps);
      const reserved = await deps.pacer.reserve(`acct#${account}`, budget, want, now + lead, deps.maxInlineWaitMs);
      if (reserved.slots.length === 0) return { waitMs: reserved.waitMs + lead };
      held.push(...reserved.slots);
      batch.slots.set(account, held);
    }
    return { at: held.shift()!, since: now };
  } finally {
    turn.done();
  }
}

/**
 * The record's slot: the one its copy carries, if still good (not passed by more than δ, not
 * voided by a block since) and within reach — else the account's next one (`takeSlot`). A slot
 * out of reach sends the record back on the queue (`delay`), carrying one reserved now (or the one
 * it carries, if it came back early).
 */
async function slotFor(
  message: QueueMessage,
  batch: BatchContext,
  budget: Budget,
  ticket: SlotTicket,
  deps: SenderDeps,
  delay: (delayMs: number, reason: string, options?: DelayOptions) => Promise<Outcome>,
): Promise<{ at: number; since: number } | { at: number; carried: true } | { outcome: Outcome }> {
  const account = message.request.account;
  const scope = `acct#${account}`;
  const carried = carriedSlot(message, deps);
  if (carried !== undefined && carried >= deps.now() - (budget.arrivalJitterMs ?? 0) && (await deps.pacer.stillGood(scope, carried))) {
    const waitMs = carried - deps.now();
    if (waitMs <= leadMs(deps) + deps.maxInlineWaitMs) return { at: carried, carried: true };
    return { outcome: await delay(queueWaitForSlot(waitMs, deps), 'account rate limit (its slot is reserved)', { slot: message.slot! }) };
  }
  const next = await takeSlot(batch, account, budget, ticket, deps);
  if ('at' in next) return next;
  if (intervalMs(budget) < deps.maxInlineWaitMs) return { outcome: await delay(queueWaitForSlot(next.waitMs, deps), 'account rate limit') };
  const ahead = await deps.pacer.reserve(scope, budget, 1, deps.now() + leadMs(deps), FAR_HORIZON_MS);
  const at = ahead.slots[0];
  if (at === undefined) return { outcome: await delay(queueWaitForSlot(ahead.waitMs + leadMs(deps), deps), 'account rate limit') };
  const slot = deps.cipher.seal(JSON.stringify({ id: message.id, account, at } satisfies CarriedSlot));
  return { outcome: await delay(queueWaitForSlot(at - deps.now(), deps), 'account rate limit (its slot reserved ahead)', { slot }) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function sendQueuedMessage(body: string, deps: SenderDeps, batch: BatchContext = newBatchContext()): Promise<Outcome> {
  const ticket: SlotTicket = { asked: false };
  try {
    return await sendOne(body, deps, batch, ticket);
  } finally {
    // A record that ends without a slot (sent already, paused, delayed…) is no longer wanting one.
    const { account } = ticket;
    if (!ticket.asked && account !== undefined && batch.wanting.has(account))
      batch.wanting.set(account, Math.max(0, batch.wanting.get(account)! - 1));
  }
}

async function sendOne(body: string, deps: SenderDeps, batch: BatchContext, ticket: SlotTicket): Promise<Outcome> {
  const raw: unknown = JSON.parse(body);
  const named = (raw as { request?: { account?: unknown } } | null)?.request?.account;
  if (typeof named === 'string') ticket.account = named;
  const message = (await requestSchemas()).QueueMessage.parse(raw);
  const { request } = message;
  const account = deps.accounts.get(request.account);
  const now = () => new Date(deps.now()).toISOString();
  const recipient = recipientRef(deps.recipientHashKey, request.recipient);
  // Never the full number: its country code and last digits.
  const log = deps.log.with({
    correlation_id: message.id,
    messageId: message.id,
    account: request.account,
    provider: request.provider,
    recipient: maskPhone(request.recipient),
  });

  // Read eventually consistent (half a read unit): statuses only move forward, so an old copy shows
  // an earlier one at worst, and the claim — a conditional write — refuses a message that moved on.
  // Two answers need the latest copy: none (created below) and `sending` (a claim given back since
  // makes it wait again).
  let record = await deps.messages.get(message.id, { consistent: false });
  if (!record || record.status === 'sending') record = await deps.messages.get(message.id);
  if (!record) {
    // A producer enqueued directly: the record starts here, watched by the sweeper like an accepted one.
    const byRecipient = account ? matchedByRecipient(deps.adapterFor(account)) : false;
    const due = { at: new Date(deps.now() + deps.sweepGraceMs).toISOString(), sealedPayload: deps.cipher.seal(JSON.stringify(message)) };
    const created: NewMessage = { ...newRecord(message, recipient, now()), due, ...(byRecipient ? { indexRecipient: true } : {}) };
    await deps.messages.createMany([created], { onlyIfMissing: true });
    record = await deps.messages.get(message.id);
    if (!record) throw new UnavailableError('store', `record ${message.id} could not be created`);
  }
  if (!account || account.provider !== request.provider)
    return withoutRoute(message, record, `account ${request.account} is not configured for ${request.provider}`, deps, log);
  const route = currentRoute(message, record, account, deps.accounts);
  if ('error' in route) return withoutRoute(message, record, route.error, deps, log);
  return sendOnRoute({ message, record, route, recipient, log, ticket }, deps, batch);
}

/**
 * A message whose account or route was removed from the configuration. Waiting, it fails. Being
 * sent (a claim), its outcome cannot be looked up without the route: once the claim is stale it
 * ends `unknown` — not `failed`, the call may have gone out — instead of staying `sending` for ever.
 * Anything further along is left as it is.
 */
async function withoutRoute(message: QueueMessage, record: MessageRecord, reason: string, deps: SenderDeps, log: Log): Promise<Outcome> {
  const now = () => new Date(deps.now()).toISOString();
  if (record.status === 'queued' || record.status === 'scheduled') {
    await deps.messages.applyStatus(message.id, 'failed', now(), { error: { class: 'permanent', reason } });
    return { kind: 'failed', reason };
  }
  if (record.status !== 'sending') return { kind: 'skipped', reason: `already ${record.status}` };
  const claimed = await deps.claims.claimOf(message.id);
  const staleAt = claimStaleAt(claimed, deps);
  if (staleAt > deps.now()) {
    const knownDueAt = record.dueAt ?? new Date(Date.parse(record.createdAt) + deps.sweepGraceMs).toISOString();
    return delayMessage(withoutSlot(message), staleAt - deps.now() + 1000, 'a send attempt is under way', deps, log, {
      knownDueAt,
      watch: false,
    });
  }
  const unknown = `the send attempt ended without recording an outcome, and ${reason}: it cannot be looked up`;
  if (!(await deps.claims.markUnknown(message.id, now(), unknown, claimed?.token)))
    return { kind: 'skipped', reason: 'resolved meanwhile' };
  log.warn('stale claim on a route no longer configured: outcome unknown', { reason });
  return { kind: 'unknown', reason: unknown };
}

/** When a claim is stale (no call under it can still be under way): its `until`, else its time plus the claim expiry; none: now. */
function claimStaleAt(claimed: Claim | undefined, deps: Pick<SenderDeps, 'claimExpiryMs'>): number {
  if (!claimed) return 0;
  return claimed.until ? Date.parse(claimed.until) : Date.parse(claimed.claimedAt) + deps.claimExpiryMs;
}

/** What {@link sendOnRoute} starts from: the message, its record as read, and the route that owns its send. */
interface RouteStart {
  message: QueueMessage;
  record: MessageRecord;
  route: RouteView;
  recipient: { hash: string; last4: string };
  log: Log;
  ticket: SlotTicket;
}

/**
 * Sends the message through the route that owns it (its origin account unless it failed over):
 * the route's account, provider, pauses, pacing and content; the message itself (the queue body,
 * the push) stays its origin's.
 */
async function sendOnRoute(start: RouteStart, deps: SenderDeps, batch: BatchContext): Promise<Outcome> {
  const { message, record, recipient, ticket } = start;
  const { request, account } = start.route;
  const routed = start.route.index === 0 ? message : { ...message, request };
  const log = start.route.index === 0 ? start.log : start.log.with({ route: start.route.index, routeAccount: account.id });
  if (start.route.index > 0) moveTicketToRoute(batch, ticket, request.account);
  const pausesCache = batch.pauses;
  const now = () => new Date(deps.now()).toISOString();

  // Without a due entry, the sweeper looks at the message one grace after its creation.
  const knownDueAt = record.dueAt ?? new Date(Date.parse(record.createdAt) + deps.sweepGraceMs).toISOString();
  const delay = (delayMs: number, reason: string, options: DelayOptions = {}) =>
    delayMessage(withoutSlot(message), delayMs, reason, deps, log, { knownDueAt, ...options });
  const adapter = deps.adapterFor(account);
  // A call's deadline ends before the invocation's reserve. A call that could only have half the
  // deadline a fresh invocation gives (a short function timeout shortens both) waits for the next.
  const deadlineWith = (remaining: number | undefined) =>
    remaining === undefined ? deps.callTimeoutMs : Math.min(deps.callTimeoutMs, remaining - deps.reserveMs);
  const callDeadline = () => deadlineWith(batch.remainingMs?.());
  const timeIsShort = () => callDeadline() < Math.max(250, deadlineWith(batch.startRemainingMs) / 2);

  if (record.status === 'sending') {
    const claimed = await deps.claims.claimOf(message.id);
    const staleAt = claimStaleAt(claimed, deps);
    // Another invocation may still be calling the provider: look again once its time is up.
    if (staleAt > deps.now()) return delay(staleAt - deps.now() + 1000, 'a send attempt is under way', { watch: false });
    // The attempt that claimed it ended between the claim and recording the outcome.
    const reason = 'the send attempt ended without recording an outcome (crash or timeout)';
    if (!(await deps.claims.markUnknown(message.id, now(), reason, claimed?.token)))
      return { kind: 'skipped', reason: 'resolved meanwhile' };
    log.warn('stale claim: outcome unknown', { reason });
    if (timeIsShort()) return { kind: 'unknown', reason: `${reason}; no time left in this invocation to look it up` };
    const since = new Date(claimed ? Date.parse(claimed.claimedAt) : deps.now());
    return reconcile(routed, account, adapter, since, deps, log, reason, callDeadline());
  }
  if (record.status !== 'queued' && record.status !== 'scheduled') return { kind: 'skipped', reason: `already ${record.status}` };

  if (request.scheduleAt && Date.parse(request.scheduleAt) > deps.now())
    return delay(Date.parse(request.scheduleAt) - deps.now(), 'scheduled');

  const suppressed = await suppressedOnRoute(start, deps);
  if (suppressed) {
    await deps.messages.applyStatus(message.id, 'failed', now(), { error: { class: 'opted_out', reason: 'opted_out' } });
    log.info('recipient opted out: not sent');
    return { kind: 'failed', reason: 'opted_out' };
  }

  // A message that can fail over consults its route account's breaker and the failover switches (./route-guard.ts).
  if (!batch.routeHealth) batch.routeHealth = new Map();
  const healthCache = batch.routeHealth;
  const guard = await guardRoute(start.route, deps, healthCache);
  // Failover turned off by an operator: the message behaves as without fallbacks.
  const route: RouteView = guard?.off ? { ...start.route, failoverOff: true } : start.route;

  if (!pausesCache.has(request.account)) pausesCache.set(request.account, deps.pauses.list(request.account));
  const pauses = await pausesCache.get(request.account)!;
  const template = request.content.kind === 'template' ? request.content.name : undefined;
  const pause = pauses.find((p) => pauseCovers(p.scope, template));
  // Held with the paused account's messages: lifting the pause re-enqueues it at once.
  if (pause) {
    const failover = await failoverWhenPaused(pause, record.status, { message, route, recipientHash: recipient.hash, log }, deps);
    if (failover && 'outcome' in failover) return failover.outcome;
    // A message with a later route looks again in time to fail over (on the queue, not with the paused account's).
    if (failover)
      return delay(Math.min(deps.pauseRecheckMs, failover.recheckMs), `paused: ${pause.reason} (fails over after failoverAfter)`);
    return delay(deps.pauseRecheckMs, `paused: ${pause.reason}`, { pausedAccount: request.account });
  }

  // Not paused (a paused account is never probed: its pause is lifted by an operator). An open
  // breaker sends the message straight to its next route, without a call here.
  if (guard) {
    const passage = await passBreaker(guard, deps, healthCache, log);
    if (passage.kind === 'skip') {
      const moved = await failoverOnBreaker(passage.until, record.status, { message, route, recipientHash: recipient.hash, log }, deps);
      if (moved) return moved;
    }
  }

  // The provider asked the account to wait (a 429's reset, met here or elsewhere): a message with a
  // later route moves on once it has waited failoverAfter on this one, else looks again then.
  const blockedTill = route.origin.fallbacks?.length ? await deps.pacer.blockedUntil(`acct#${request.account}`) : 0;
  if (blockedTill > deps.now()) {
    const failover = await failoverWhenBlocked(record.status, record.error, { message, route, recipientHash: recipient.hash, log }, deps);
    if (failover && 'outcome' in failover) return failover.outcome;
    if (failover)
      return delay(Math.min(blockedTill - deps.now(), failover.recheckMs), 'the provider asked to wait (fails over after failoverAfter)');
  }

  // Not started is better than cut off: the message goes back as a fresh copy (no receive counted).
  if (timeIsShort()) return delay(0, 'too little time left in this invocation for a call');
  const pacing = pacingFor(account);
  const blockedUntil = () => batch.blockedUntil.get(request.account) ?? 0;
  if (blockedUntil() > deps.now()) return delay(blockedUntil() - deps.now(), 'the provider asked to wait (another record of this batch)');
  // The adapter's module loads now, not between the slot and the call (its first send would be late).
  await adapter.prepare?.();
  const first = await slotFor(routed, batch, pacing.account, ticket, deps, delay);
  if ('outcome' in first) return first.outcome;
  let slot = first.at;
  // The recipient's gap, plus room for both sends' arrival jitter, for a send at the slot
  // (refused, the slot goes unused: rare, and safe).
  const gap = await deps.pacer.acquireGap(`rcpt#${request.account}#${recipient.hash}`, recipientSpacingMs(pacing), slot);
  if (gap.granted === 0) return delay(Math.max(1, slot + gap.waitMs - deps.now()), 'recipient gap');
  // From taking the slot (its turn at the batch's slots come: waiting for it is not the lead's).
  const beforeClaimMs = 'since' in first ? deps.now() - first.since : 0;

  // Until the claim's turn: the claim is the second half of the lead. Waiting costs no write, and
  // a reason to hold back found now (the provider asked to wait) counts no attempt.
  const claimAt = slot - leadMs(deps) / 2;
  if (claimAt > deps.now()) await deps.sleep(claimAt - deps.now());
  if (blockedUntil() > deps.now()) return delay(blockedUntil() - deps.now(), 'the provider asked to wait (another record of this batch)');
  // Another record of this batch was refused in a way that pauses the account (the batch's copy of
  // its pauses was dropped then, to be read again once): this one looks again before it sends, and
  // goes back on the queue, where the pause holds it (or moves it to its next route), if it covers it.
  if (!pausesCache.has(request.account)) pausesCache.set(request.account, deps.pauses.list(request.account));
  if ((await pausesCache.get(request.account)!).some((p) => pauseCovers(p.scope, template)))
    return delay(0, 'the account was paused meanwhile (another record of this batch)');
  // A 429 met by another invocation since this batch reserved: its slots inside the block are void
  // (as a carried slot's are), and the batch's others hold back too.
  const elsewhere = await deps.pacer.blockedUntil(`acct#${request.account}`);
  if (elsewhere > slot) {
    batch.slots.delete(request.account);
    batch.blockedUntil.set(request.account, Math.max(blockedUntil(), elsewhere));
    return delay(Math.max(1, elsewhere - deps.now()), 'the provider asked to wait (another invocation met its limit)');
  }
  if (timeIsShort()) return delay(0, 'too little time left in this invocation for a call');

  const claim = randomUUID();
  const claimUntil = new Date(deps.now() + deps.maxInlineWaitMs + leadMs(deps) + deps.claimExpiryMs).toISOString();
  // Providers with a lookup keep the sealed body while sending: a stale claim goes back to a sender, which asks the provider.
  const claimOptions = { until: claimUntil, keepPayload: adapter.capabilities.lookup, ...routeCondition(route) };
  const claimStarted = deps.now();
  if (!(await deps.claims.claim(message.id, claim, now(), claimOptions))) {
    return { kind: 'skipped', reason: 'claimed by another delivery' };
  }
  // The lead this record needed: its reservation and gap before the claim's turn, its claim in the
  // half of the lead after (a carried slot was reserved long ago: it says nothing about the lead).
  const claimMs = deps.now() - claimStarted;
  if (!('carried' in first)) deps.lead?.observe(Math.max(beforeClaimMs + claimMs, 2 * claimMs));
  const context: RefusalContext = {
    message,
    account,
    template,
    recipientHash: recipient.hash,
    claim,
    record,
    route,
    log,
    // Once the pause is written (not before: a record reading the pauses meanwhile would keep the old list).
    paused: () => pausesCache.delete(request.account),
  };
  // No call made: the claim is released (its attempt taken back, the last error kept).
  const holdBack = (delayMs: number, reason: string) => giveBack(context, undefined, delayMs, reason, deps, log);
  // The call starts within δ of its slot. A claim slower than its lead, or a timer that woke late
  // (a busy event loop), takes a later slot instead: a late call would crowd the next slot's window.
  const lateness = pacing.account.arrivalJitterMs ?? 0;
  for (let retakes = 0; ; retakes++) {
    if (slot > deps.now()) await deps.sleep(slot - deps.now());
    if (deps.now() <= slot + lateness) break;
    if (retakes === MAX_SLOT_RETAKES) return holdBack(0, 'its slots passed before the call could start (a busy event loop)');
    const again = await takeSlot(batch, request.account, pacing.account, ticket, deps);
    if ('waitMs' in again) return holdBack(queueWaitForSlot(again.waitMs, deps), 'account rate limit (its slot passed before the call)');
    // A retake needs a lead as long as its own reservation took.
    deps.lead?.observe(deps.now() - again.since);
    slot = again.at;
  }
  // Another record of the batch met the provider's 429 during the claim: this one is not sent into it.
  if (blockedUntil() > deps.now())
    return holdBack(blockedUntil() - deps.now(), 'the provider asked to wait (another record of this batch)');
  const attemptStarted = new Date(deps.now());

  const outgoing: OutgoingMessage = { messageId: message.id, recipient: request.recipient, content: request.content };
  const connection = connectionFor(account, deps, callDeadline());
  let result: SendResult;
  try {
    result = await adapter.send(outgoing, account, connection);
  } catch (error) {
    result = { outcome: 'unknown', reason: `the adapter failed: ${(error as Error).message}` };
  }

  switch (result.outcome) {
    case 'accepted': {
      const at = now();
      // The index on provider ids serves callbacks that bring nothing else; where the provider
      // echoes our id (Kaleyra) or an alias item is written below (Gupshup), it would be a wasted write.
      const outcome = await deps.messages.applyStatus(
        message.id,
        result.status,
        at,
        result.providerMessageId
          ? { provider: request.provider, providerMessageId: result.providerMessageId, indexProviderMessageId: false }
          : {},
      );
      if (outcome === 'advanced') await notify(deps, message, result.status, at, undefined, route);
      // The account takes messages: a breaker that counted refusals, or was open, is closed.
      if (guard) await noteOutcome(guard, { kind: 'accepted' }, deps, healthCache, log);
      if (result.providerMessageId && adapter.capabilities.statusCallbacks && !adapter.capabilities.echoesMessageId) {
        // Callbacks can come before this answer is stored: write the id where they look, then
        // apply those that were kept meanwhile (src/status/apply.ts explains the ordering).
        await deps.callbacks.addAliases(request.account, request.provider, [result.providerMessageId], message.id, new Date(deps.now()));
        const { messages, callbacks, pauses, suppressions } = deps;
        await applyKeptEvents(request.account, request.provider, result.providerMessageId, message.id, {
          messages,
          callbacks,
          pauses,
          suppressions,
          recipientHashKey: deps.recipientHashKey,
          now: () => new Date(deps.now()),
          ...(deps.notifier ? { notifier: deps.notifier } : {}),
        });
      }
      // Each send is in the table; the log's INFO line is the batch's (src/functions/sender.ts).
      log.debug('sent', { status: result.status });
      return { kind: 'sent', status: result.status };
    }
    case 'unknown': {
      if (account.retryAmbiguous) {
        // The account chose delivery over the risk of a duplicate: retried like a back-off.
        const { status, code, retryAfterMs } = result;
        const reason = `${result.reason} (retried: the account retries open outcomes)`;
        const error = new ProviderError({
          provider: request.provider,
          retryClass: 'backoff',
          reason,
          ...definedOnly({ status, code, retryAfterMs }),
        });
        return refused(error, context, deps, log);
      }
      const details = definedOnly({ status: result.status, code: result.code });
      const stored: StoredError = { class: 'unknown', reason: result.reason, ...details };
      if (await deps.claims.markUnknown(message.id, now(), result.reason, claim, details)) {
        await notify(deps, message, 'unknown', now(), stored, route);
      }
      log.warn('send outcome unknown', { reason: result.reason, status: result.status });
      if (timeIsShort()) return { kind: 'unknown', reason: `${result.reason}; no time left in this invocation to look it up` };
      return reconcile(routed, account, adapter, attemptStarted, deps, log, result.reason, callDeadline());
    }
    case 'rejected': {
      // Slots reserved for the batch were reserved before the provider said to wait: the batch's
      // other records hold back instead of spending them into more 429s.
      const resetMs = accountResetMs(result.error, pacing.account);
      if (resetMs !== undefined) {
        batch.slots.delete(request.account);
        batch.blockedUntil.set(request.account, Math.max(blockedUntil(), deps.now() + resetMs));
      }
      if (guard && refusesRoute(result.error)) {
        const breaker = await noteOutcome(guard, { kind: 'refused' }, deps, healthCache, log);
        if (breaker?.state === 'open' && breaker.until) context.breakerUntil = Date.parse(breaker.until);
      }
      return refused(result.error, context, deps, log);
    }
  }
}

/** How the adapter reaches the provider: the account's credential, and every request under the call's deadline. */
function connectionFor(account: AccountConfig, deps: SenderDeps, deadlineMs: number): ProviderConnection {
  return { credential: deps.credentials[account.id] ?? '', fetch: withDeadline(deps.fetch ?? globalThis.fetch, Math.max(1, deadlineMs)) };
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A refusal that proves the account will not take messages now (what a breaker counts): a back-off, or a permanent refusal of the sender. */
function refusesRoute(error: ProviderError): boolean {
  return error.retryClass === 'backoff' || (error.retryClass === 'permanent' && error.senderRefused);
}

interface RefusalContext {
  message: QueueMessage;
  account: AccountConfig;
  template: string | undefined;
  recipientHash: string;
  claim: string;
  record: MessageRecord;
  /** The route the refused attempt was on (its account is `account`). */
  route: RouteView;
  log: Log;
  /** After the refusal paused the account (or a template): the batch's other records read its pauses again. */
  paused?: () => void;
  /** The route account's breaker is open (this refusal opened it, or was the failed probe) until then. */
  breakerUntil?: number;
}

async function refused(error: ProviderError, c: RefusalContext, deps: SenderDeps, log: Log): Promise<Outcome> {
  const stored: StoredError = error.toJSON();
  const now = new Date(deps.now()).toISOString();
  log.warn('provider refused', { class: error.retryClass, status: error.status, code: error.code });
  const waitAgain = (delayMs: number, reason: string, pausedAccount?: string) =>
    giveBack(c, stored, delayMs, reason, deps, log, pausedAccount);
  if (error.retryClass === 'pause_sender') {
    await pauseRoute(error, c, deps, log);
    c.paused?.();
  }
  // A refusal of the sender may move the message to its next route (an account without fallbacks: never).
  const failedOver = await failoverOnRefusal(error, c, deps);
  if (failedOver) return failedOver;
  if (c.breakerUntil !== undefined && error.retryClass === 'backoff') {
    // The refusal opened the account's breaker: the message moves on now, as the next ones will.
    if (error.retryAfterMs !== undefined)
      await deps.pacer.block(`acct#${c.account.id}`, pacingFor(c.account).account, deps.now() + error.retryAfterMs, deps.now());
    const moved = await failoverOnBreaker(c.breakerUntil, 'sending', c, deps, error);
    if (moved) return moved;
  }
  switch (error.retryClass) {
    case 'permanent':
      if ((await deps.messages.applyStatus(c.message.id, 'failed', now, { error: stored })) === 'advanced')
        await notify(deps, c.message, 'failed', now, stored, c.route);
      return { kind: 'failed', reason: stored.reason };
    case 'opted_out':
      if ((await deps.messages.applyStatus(c.message.id, 'failed', now, { error: { ...stored, reason: 'opted_out' } })) === 'advanced')
        await notify(deps, c.message, 'failed', now, { ...stored, reason: 'opted_out' }, c.route);
      await deps.suppressions.add(c.account.id, c.recipientHash, {
        reason: stored.reason,
        since: now,
        ...(error.code !== undefined ? { code: error.code } : {}),
      });
      return { kind: 'failed', reason: 'opted_out' };
    case 'backoff': {
      const resetMs = accountResetMs(error, pacingFor(c.account).account);
      if (resetMs !== undefined) {
        // The provider named its reset, or said 429 (the account's shortest window): nobody on this account sends before it.
        await deps.pacer.block(`acct#${c.account.id}`, pacingFor(c.account).account, deps.now() + resetMs, deps.now());
        // The account waits the reset whole; a message with a later route comes back in time to fail over (./failover.ts).
        return waitAgain(waitOnRoute(Math.max(1000, resetMs), c, deps), `provider asked to wait (${error.status ?? error.code})`);
      }
      // A message with a later route comes back in time to fail over (./failover.ts).
      const waitMs = waitOnRoute(backoffMs(c.record.attempts + 1, REFUSAL_BACKOFF, deps.random), c, deps);
      return waitAgain(waitMs, `provider unavailable (${error.status ?? error.code})`);
    }
    case 'per_recipient': {
      const gapMs = Math.max(pacingFor(c.account).recipientGapMs, 6000);
      return waitAgain(backoffMs(c.record.attempts, recipientBackoff(gapMs), deps.random), 'recipient rate limit');
    }
    case 'not_before_24h':
      return waitAgain(24 * 3600_000, 'per-user marketing limit: not before 24 h');
    case 'pause_sender':
      // Paused above: once the claim is given back, no other delivery may find the account unpaused.
      return waitAgain(deps.pauseRecheckMs, `paused: ${stored.reason}`, c.account.id);
  }
}

/**
 * How long the whole account waits after a `backoff` refusal: the reset the provider named, else,
 * for a 429 (the account over its limit), the account's shortest window; none for other refusals
 * (a 503, no connection: only the message backs off).
 */
function accountResetMs(error: ProviderError, budget: Budget): number | undefined {
  if (error.retryClass !== 'backoff') return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  return error.status === 429 ? defaultResetMs(budget) : undefined;
}

/** Pauses the refusing account (or template), before the claim is given back or the message moves on. */
async function pauseRoute(error: ProviderError, c: RefusalContext, deps: SenderDeps, log: Log): Promise<void> {
  const scope = error.pauseScope === 'template' && c.template ? templateScope(c.template) : ACCOUNT_SCOPE;
  const stored = error.toJSON();
  await deps.pauses.set(c.account.id, scope, {
    reason: stored.reason,
    since: new Date(deps.now()).toISOString(),
    ...(error.code !== undefined ? { code: error.code } : {}),
  });
  log.error('sending paused', { scope, reason: stored.reason });
}

/** The claim's route condition: only for an origin with fallbacks (without, the claim is as it always was). */
function routeCondition(route: RouteView): { route?: number } {
  return route.origin.fallbacks?.length ? { route: route.index } : {};
}

/** Whether the recipient opted out of the route's account or, on a fallback, of the origin's. */
async function suppressedOnRoute(start: RouteStart, deps: SenderDeps): Promise<boolean> {
  const { route, recipient } = start;
  if (await deps.suppressions.get(route.account.id, recipient.hash)) return true;
  return route.index > 0 && (await deps.suppressions.get(route.origin.id, recipient.hash)) !== undefined;
}

/** A record sent through a fallback takes its slots there: it no longer counts among its origin's records wanting one. */
function moveTicketToRoute(batch: BatchContext, ticket: SlotTicket, routeAccount: string): void {
  const origin = ticket.account;
  if (!ticket.asked && origin !== undefined && batch.wanting.has(origin))
    batch.wanting.set(origin, Math.max(0, batch.wanting.get(origin)! - 1));
  ticket.account = routeAccount;
  ticket.asked = false;
  batch.wanting.set(routeAccount, (batch.wanting.get(routeAccount) ?? 0) + 1);
}

/**
 * Gives the claim back after a refusal (nothing was sent) and sets, in the same write, when the
 * sweeper looks at the message again; then puts a delayed copy on the queue, unless the wait is a
 * hold in the table (beyond SQS's 15 minutes, or a pause).
 */
/**
 * Gives the claim back and puts the message on the queue again after `delayMs` (or holds it with
 * its paused account): after a refusal, with the provider's error (`unclaim`); with none, when no
 * call was made (`release`: the attempt taken back).
 */
async function giveBack(
  c: RefusalContext,
  stored: StoredError | undefined,
  delayMs: number,
  reason: string,
  deps: SenderDeps,
  log: Log,
  pausedAccount?: string,
): Promise<Outcome> {
  const seconds = Math.ceil(delayMs / 1000);
  const onQueue = !pausedAccount && seconds <= MAX_DELAY_S;
  const dueAt = new Date(deps.now() + delayMs + (onQueue ? deps.sweepGraceMs : 0)).toISOString();
  const sealedPayload = deps.cipher.seal(JSON.stringify(withoutSlot(c.message)));
  const hold = { dueAt, sealedPayload, ...(pausedAccount ? { pausedAccount } : {}) };
  const given = stored ? deps.claims.unclaim(c.message.id, c.claim, stored, hold) : deps.claims.release(c.message.id, c.claim, hold);
  if (!(await given)) {
    // The claim outlived its end and was marked unknown meanwhile: it stays so (never moved backwards).
    return { kind: 'skipped', reason: 'the claim was no longer held' };
  }
  if (onQueue) {
    const refusedIds = await deps.queue.enqueue([{ message: withoutSlot(c.message), delaySeconds: seconds }]);
    // Not lost: the sweeper enqueues it at its due time. Failing the record brings the original back sooner.
    if (refusedIds.length > 0) throw new UnavailableError('queue', 'the delayed copy could not be enqueued');
  }
  log.info('delayed', { delayMs, reason });
  return { kind: 'delayed', delayMs, reason };
}

/** For a lost outcome: where the provider can be asked, asks; only a match moves the message on. */
async function reconcile(
  message: QueueMessage,
  account: AccountConfig,
  adapter: ProviderAdapter,
  since: Date,
  deps: SenderDeps,
  log: Log,
  reason: string,
  deadlineMs = deps.callTimeoutMs,
): Promise<Outcome> {
  if (!adapter.capabilities.lookup || !adapter.lookup) {
    return { kind: 'unknown', reason: `${reason}; ${account.provider} has no lookup: an operator must resolve it` };
  }
  const outgoing: OutgoingMessage = { messageId: message.id, recipient: message.request.recipient, content: message.request.content };
  const found = await adapter.lookup(outgoing, account, connectionFor(account, deps, deadlineMs), since);
  if (!found.found) {
    log.warn('lookup found nothing', { reason: found.reason });
    return { kind: 'unknown', reason: `${reason}; lookup: ${found.reason}` };
  }
  await deps.messages.applyStatus(
    message.id,
    found.status,
    new Date(deps.now()).toISOString(),
    found.providerMessageId ? { provider: account.provider, account: account.id, providerMessageId: found.providerMessageId } : {},
  );
  log.info('lookup found the message', { status: found.status });
  return { kind: 'sent', status: found.status };
}

interface DelayOptions {
  /** Hold it in the table with this paused account's messages instead of the queue. */
  pausedAccount?: string;
  /** The sealed slot the queue copy carries (a hold in the table carries none). */
  slot?: string;
  /** Keep the sweeper's due time after the copy's. @default true (false for a message being sent). */
  watch?: boolean;
  /** The message's due time as last read. */
  knownDueAt?: string;
}

/**
 * Delays the message: a new copy on the queue with the delay (≤ 15 min), or a hold in the table
 * for longer or while paused; the caller then deletes the original. A copy on the queue moves the
 * message's due time after the copy's (one write, only when the due time would come first), so the
 * sweeper enqueues it again only if the copy is lost. If nothing can be written, the error fails
 * the record and SQS delivers the original again.
 */
async function delayMessage(
  message: QueueMessage,
  delayMs: number,
  reason: string,
  deps: SenderDeps,
  log: Log,
  options: DelayOptions,
): Promise<Outcome> {
  const seconds = Math.ceil(delayMs / 1000);
  const at = deps.now();
  const sealed = () => deps.cipher.seal(JSON.stringify(message));
  if (!options.pausedAccount && seconds <= MAX_DELAY_S) {
    const copy = options.slot ? { ...message, slot: options.slot } : message;
    const refusedIds = await deps.queue.enqueue([{ message: copy, delaySeconds: seconds }]);
    if (refusedIds.length > 0) throw new UnavailableError('queue', 'the delayed copy could not be enqueued');
    const wanted = at + delayMs + deps.sweepGraceMs / 2;
    if (options.watch !== false && (!options.knownDueAt || Date.parse(options.knownDueAt) < wanted)) {
      await deps.due.hold(message.id, new Date(at + delayMs + deps.sweepGraceMs).toISOString(), sealed());
    }
  } else {
    const dueAt = new Date(at + delayMs).toISOString();
    if (!(await deps.due.hold(message.id, dueAt, sealed(), options.pausedAccount ? { pausedAccount: options.pausedAccount } : {}))) {
      return { kind: 'skipped', reason: 'no longer waiting' };
    }
  }
  log.info('delayed', { delayMs, reason });
  return { kind: 'delayed', delayMs, reason };
}

async function notify(
  deps: SenderDeps,
  message: QueueMessage,
  status: 'accepted' | 'sent' | 'failed' | 'unknown',
  at: string,
  error?: StoredError,
  /** The route the status came from: named in the push when it is not the origin. */
  route?: Pick<RouteView, 'index' | 'request' | 'trigger'>,
): Promise<void> {
  if (!deps.notifier) return;
  const { request } = message;
  await deps.notifier.notify({
    id: message.id,
    account: request.account,
    provider: request.provider,
    status,
    at,
    ...(error ? { error } : {}),
    ...(route && route.index > 0
      ? {
          route: { account: route.request.account, provider: route.request.provider, ...(route.trigger ? { trigger: route.trigger } : {}) },
        }
      : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
  });
}

function newRecord(message: QueueMessage, recipient: { hash: string; last4: string }, at: string): NewMessage {
  const { request } = message;
  return {
    id: message.id,
    provider: request.provider,
    account: request.account,
    recipient,
    kind: request.content.kind,
    ...(request.content.kind === 'template' ? { template: request.content.name } : {}),
    status: request.scheduleAt && Date.parse(request.scheduleAt) > Date.parse(at) ? 'scheduled' : 'queued',
    createdAt: message.acceptedAt,
    ...(request.scheduleAt ? { scheduleAt: new Date(request.scheduleAt).toISOString() } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
  };
}
