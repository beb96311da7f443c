/**
 * The sweeper, run every minute (src/functions/requeue.ts; the local stack runs the same code): it
 * makes sure no accepted message is stranded. It never scans the table. It reads two things:
 *
 * - the sparse `due` index: messages not settled yet (queued, scheduled, sending) that wait for a
 *   time — held ones (far schedules, long delays, failed enqueues, paused accounts), near
 *   schedules, claims found running, messages it enqueued again — and of those only the ones whose
 *   time has come;
 * - each account's messages created since its last run up to `now − grace` (the keys-only
 *   `byAccount` index, then the records): a message put on the queue at once has no due entry, and
 *   is looked at this way, once, one grace after its creation. Most have settled by then, and cost
 *   this read only; one still unsettled is handled as a due entry would be, and gets one.
 *
 *   what it finds
 *     ├─ queued / scheduled ─▶ enqueue its sealed body (delay: what is left of its schedule, ≤ 15 min)
 *     │                        ─▶ postpone its due time to now + delay + grace
 *     ├─ sending, claim still running ─▶ postpone to the claim's end
 *     ├─ sending, claim stale ─▶ with a sealed body (providers with a lookup): enqueue it — the
 *     │                          sender marks it `unknown` and asks the provider; without: mark it
 *     │                          `unknown` here. Never sent again.
 *     └─ settled meanwhile ─▶ drop the entry
 *
 * What comes back this way: held messages whose time has come (far schedules, long delays, failed
 * enqueues, paused accounts every `pauseRecheckMs`), and any message accepted or delayed but not
 * claimed within the grace — its enqueue never happened (the accept handler died after writing the
 * record) or the queue lost it (the local stack's in-memory queue at a crash; a dead-lettered
 * copy). A message still waiting on the queue past its due time (a backlog older than the grace)
 * gets a second copy: harmless, the sender's claim lets one through.
 *
 * Enqueue comes before postpone: a crash in between enqueues it again next time, and the claim
 * makes the duplicate harmless. `requeuePaused` is the same for one paused account's held messages,
 * whatever the due times, when its pause is lifted.
 */
import type { QueueMessage } from '../messages/queue-message.ts';
import { requestSchemas } from '../messages/request-schemas.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { MAX_DELAY_S, type SendQueue } from '../queue/send-queue.ts';
import type { DueEntry, HeldMessage } from '../store/model.ts';
import type { DueRepository, SendClaimRepository } from '../store/repositories.ts';
import { DEFAULT_SWEEP_GRACE_MS } from './grace.ts';

export { DEFAULT_SWEEP_GRACE_MS } from './grace.ts';

/** Claims taken before claims carried their own end (`claimUntil`) are stale after this long. */
const LEGACY_CLAIM_EXPIRY_MS = 15 * 60_000;

/** Entries read per round; a run goes on while rounds come back full. */
const ROUND = 100;

export interface RequeueDeps {
  due: Omit<DueRepository, 'hold'>;
  claims: Pick<SendClaimRepository, 'markUnknown'>;
  queue: SendQueue;
  cipher: PayloadCipher;
  now(): Date;
  /** @default DEFAULT_SWEEP_GRACE_MS */
  graceMs?: number;
  /**
   * The accounts: their messages are looked at one grace after their creation, and their held
   * messages while paused are swept too (they come back every `pauseRecheckMs`).
   */
  accounts?: readonly string[];
}

export interface RequeueReport {
  /** Put on the queue (again). */
  requeued: number;
  /** Entries dropped: the message had settled meanwhile. */
  released: number;
  /** Could not be enqueued (SQS refused) or opened: tried again next run. */
  failed: number;
  /** Stale claims marked `unknown` here. */
  unknown: number;
  /** Claims still running: looked at again when they end. */
  postponed: number;
  requeuedIds: string[];
}

function emptyReport(): RequeueReport {
  return { requeued: 0, released: 0, failed: 0, unknown: 0, postponed: 0, requeuedIds: [] };
}

export async function requeueDue(deps: RequeueDeps, limit = 1000): Promise<RequeueReport> {
  const now = deps.now();
  const report = emptyReport();
  // What a round handles leaves the range (postponed, released, settled), so the next reads new entries.
  for (let handled = 0; handled < limit; ) {
    const wanted = Math.min(ROUND, limit - handled);
    const due = await deps.due.listDue(now.toISOString(), wanted, deps.accounts ?? []);
    if (due.length === 0) break;
    const failedBefore = report.failed;
    await sweep(due, deps, now, report);
    handled += due.length;
    // A short round read the last of them; a round where everything failed would read the same again.
    if (due.length < wanted || report.failed - failedBefore === due.length) break;
  }
  await sweepCreated(deps, now, report);
  return report;
}

/** How far back the first sweep of an account's messages by creation time looks (a new deployment, a new account). */
export const FIRST_SWEEP_LOOKBACK_MS = 3600_000;
/** Pages of an account's messages by creation time read in one run at most; the rest waits for the next. */
const CREATED_PAGES_PER_RUN = 50;

/**
 * Messages put on the queue at once have no due entry: each is looked at once, one grace after
 * its creation, by reading the accounts' messages created since the last run's position up to
 * `now − grace` (the `byAccount` index, then the records). One that is waiting, or whose claim
 * is running or stale, is handled as a due entry would be, and from then on has one. The position
 * moves on only after what it covers was handled: a run that fails is read again by the next.
 */
async function sweepCreated(deps: RequeueDeps, now: Date, report: RequeueReport): Promise<void> {
  const grace = deps.graceMs ?? DEFAULT_SWEEP_GRACE_MS;
  const until = new Date(now.getTime() - grace).toISOString();
  const end = `${until}#~`;
  for (const account of deps.accounts ?? []) {
    let position = (await deps.due.sweptUntil(account)) ?? new Date(Date.parse(until) - FIRST_SWEEP_LOOKBACK_MS).toISOString();
    if (position >= end) continue;
    for (let page = 0; page < CREATED_PAGES_PER_RUN; page++) {
      const { held, last } = await deps.due.listCreated(account, position, until, ROUND);
      await sweep(
        held.map((h) => ({ id: h.record.id, held: h })),
        deps,
        now,
        report,
      );
      position = last ?? end;
      if (!last) break;
    }
    await deps.due.markSwept(account, position);
  }
}

/** When a pause is lifted: the account's held messages go back on the queue at once. */
export async function requeuePaused(deps: RequeueDeps, account: string): Promise<RequeueReport> {
  const report = emptyReport();
  const held = await deps.due.listPaused(account);
  for (let i = 0; i < held.length; i += ROUND) await sweep(held.slice(i, i + ROUND), deps, deps.now(), report);
  return report;
}

/** What the sweeper looks at: a due entry (read now), or a message found by its creation time (read already, no entry yet). */
type SweepEntry = DueEntry | { id: string; dueAt?: undefined; held: HeldMessage };

async function sweep(entries: readonly SweepEntry[], deps: RequeueDeps, now: Date, report: RequeueReport): Promise<void> {
  const grace = deps.graceMs ?? DEFAULT_SWEEP_GRACE_MS;
  const at = now.getTime();
  const ready: Array<{ message: QueueMessage; dueAt: string | undefined; delaySeconds: number; nextDueAt: string }> = [];
  for (const entry of entries) {
    const held = 'held' in entry ? entry.held : await deps.due.getHeld(entry.id);
    if (!held) continue; // expired meanwhile
    const { record } = held;
    if (record.status === 'queued' || record.status === 'scheduled') {
      if (!held.sealedPayload) {
        // Nothing to enqueue (a record written before bodies were kept): the queue still has it, if anything.
        if (entry.dueAt !== undefined && (await deps.due.release(entry.id, entry.dueAt))) report.released++;
        continue;
      }
      const message = await open(held, deps.cipher);
      if (!message) {
        report.failed++;
        continue;
      }
      const notBefore = record.scheduleAt ? Date.parse(record.scheduleAt) : at;
      const delaySeconds = Math.min(MAX_DELAY_S, Math.max(0, Math.ceil((notBefore - at) / 1000)));
      ready.push({ message, dueAt: entry.dueAt, delaySeconds, nextDueAt: new Date(at + delaySeconds * 1000 + grace).toISOString() });
      continue;
    }
    if (record.status === 'sending') {
      const staleAt = staleTime(held, at);
      if (staleAt > at) {
        if (await deps.due.postpone(entry.id, entry.dueAt, new Date(staleAt + 1000).toISOString())) report.postponed++;
        continue;
      }
      const message = held.sealedPayload ? await open(held, deps.cipher) : undefined;
      if (message) {
        // The sender finds the stale claim, marks it unknown and looks the message up at the provider.
        ready.push({ message, dueAt: entry.dueAt, delaySeconds: 0, nextDueAt: new Date(at + grace).toISOString() });
        continue;
      }
      const reason = 'the send attempt ended without recording an outcome (crash or timeout; found by the sweeper)';
      if (await deps.claims.markUnknown(entry.id, now.toISOString(), reason, held.claim?.token)) report.unknown++;
      continue;
    }
    if (entry.dueAt !== undefined && (await deps.due.release(entry.id, entry.dueAt))) report.released++;
  }
  const refused = new Set(await deps.queue.enqueue(ready));
  for (const entry of ready) {
    if (refused.has(entry.message.id)) {
      report.failed++;
      // A message found by its creation time is not looked at that way again: a due entry, due now, keeps it watched.
      if (entry.dueAt === undefined) await deps.due.postpone(entry.message.id, undefined, now.toISOString());
      continue;
    }
    await deps.due.postpone(entry.message.id, entry.dueAt, entry.nextDueAt);
    report.requeued++;
    report.requeuedIds.push(entry.message.id);
  }
}

/** When a `sending` message's claim is stale: no call can still be under way. */
function staleTime(held: HeldMessage, now: number): number {
  const claim = held.claim;
  if (!claim) return now;
  return claim.until ? Date.parse(claim.until) : Date.parse(claim.claimedAt) + LEGACY_CLAIM_EXPIRY_MS;
}

async function open(held: HeldMessage, cipher: PayloadCipher): Promise<QueueMessage | undefined> {
  const { QueueMessage } = await requestSchemas();
  try {
    return QueueMessage.parse(JSON.parse(cipher.open(held.sealedPayload!)));
  } catch {
    // Sealed under another key, or not a queue message: left for an operator (the entry stays).
    return undefined;
  }
}
