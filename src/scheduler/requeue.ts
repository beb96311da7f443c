/**
 * The sweeper, run every minute (src/functions/requeue.ts; the local stack runs the same code): it
 * makes sure no accepted message is stranded. It reads only the sparse `due` index — messages not
 * settled yet (queued, scheduled, sending), and of those only the ones whose time has come — never
 * the table.
 *
 *   listDue (the ordinary entries, and each paused account's held messages)
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
import { QueueMessage } from '../messages/queue-message.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { MAX_DELAY_S, type SendQueue } from '../queue/send-queue.ts';
import type { DueEntry, HeldMessage } from '../store/model.ts';
import type { DueRepository, SendClaimRepository } from '../store/repositories.ts';

/** How long a message put on the queue may wait unclaimed before the sweeper enqueues it again. */
export const DEFAULT_SWEEP_GRACE_MS = 120_000;

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
  /** The accounts whose held messages (while paused) are swept too (their messages come back every `pauseRecheckMs`). */
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
  return report;
}

/** When a pause is lifted: the account's held messages go back on the queue at once. */
export async function requeuePaused(deps: RequeueDeps, account: string): Promise<RequeueReport> {
  const report = emptyReport();
  const held = await deps.due.listPaused(account);
  for (let i = 0; i < held.length; i += ROUND) await sweep(held.slice(i, i + ROUND), deps, deps.now(), report);
  return report;
}

async function sweep(entries: readonly DueEntry[], deps: RequeueDeps, now: Date, report: RequeueReport): Promise<void> {
  const grace = deps.graceMs ?? DEFAULT_SWEEP_GRACE_MS;
  const at = now.getTime();
  const ready: Array<{ message: QueueMessage; dueAt: string; delaySeconds: number; nextDueAt: string }> = [];
  for (const entry of entries) {
    const held = await deps.due.getHeld(entry.id);
    if (!held) continue; // expired meanwhile
    const { record } = held;
    if (record.status === 'queued' || record.status === 'scheduled') {
      if (!held.sealedPayload) {
        // Nothing to enqueue (a record written before bodies were kept): the queue still has it, if anything.
        if (await deps.due.release(entry.id, entry.dueAt)) report.released++;
        continue;
      }
      const message = open(held, deps.cipher);
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
      const message = held.sealedPayload ? open(held, deps.cipher) : undefined;
      if (message) {
        // The sender finds the stale claim, marks it unknown and looks the message up at the provider.
        ready.push({ message, dueAt: entry.dueAt, delaySeconds: 0, nextDueAt: new Date(at + grace).toISOString() });
        continue;
      }
      const reason = 'the send attempt ended without recording an outcome (crash or timeout; found by the sweeper)';
      if (await deps.claims.markUnknown(entry.id, now.toISOString(), reason, held.claim?.token)) report.unknown++;
      continue;
    }
    if (await deps.due.release(entry.id, entry.dueAt)) report.released++;
  }
  const refused = new Set(await deps.queue.enqueue(ready));
  for (const entry of ready) {
    if (refused.has(entry.message.id)) {
      report.failed++;
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

function open(held: HeldMessage, cipher: PayloadCipher): QueueMessage | undefined {
  try {
    return QueueMessage.parse(JSON.parse(cipher.open(held.sealedPayload!)));
  } catch {
    // Sealed under another key, or not a queue message: left for an operator (the entry stays).
    return undefined;
  }
}
