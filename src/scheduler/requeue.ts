/**
 * The scheduled re-enqueue: every minute, messages held in the table whose time has come go back
 * on the send queue. Held are far schedules, delays longer than SQS's 15 minutes, and messages
 * whose enqueue failed at accept.
 *
 *   listDue ─▶ open the sealed body ─▶ enqueue (delay = what is left, ≤ 15 min) ─▶ release the hold
 *
 * Enqueue comes before release: a crash in between re-enqueues the message next minute, and the
 * sender's claim makes the duplicate harmless. A message no longer waiting (cancelled, sent) is
 * released without being enqueued.
 */
import { QueueMessage } from '../messages/queue-message.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { MAX_DELAY_S, type SendQueue } from '../queue/send-queue.ts';
import type { MessageStore } from '../store/message-store.ts';

export interface RequeueDeps {
  store: MessageStore;
  queue: SendQueue;
  cipher: PayloadCipher;
  now(): Date;
}

export interface RequeueReport {
  requeued: number;
  released: number;
  failed: number;
}

export async function requeueDue(deps: RequeueDeps, limit = 500): Promise<RequeueReport> {
  const now = deps.now();
  const report: RequeueReport = { requeued: 0, released: 0, failed: 0 };
  const due = await deps.store.listDue(now.toISOString(), limit);
  const ready: Array<{ message: QueueMessage; dueAt: string; delaySeconds: number }> = [];
  for (const { id, dueAt } of due) {
    const held = await deps.store.getHeld(id);
    if (!held) continue;
    const waiting = held.record.status === 'queued' || held.record.status === 'scheduled';
    if (!waiting || !held.sealedPayload) {
      if (await deps.store.release(id, dueAt)) report.released++;
      continue;
    }
    const message = QueueMessage.parse(JSON.parse(deps.cipher.open(held.sealedPayload)));
    const notBefore = held.record.scheduleAt ? Date.parse(held.record.scheduleAt) : now.getTime();
    ready.push({ message, dueAt, delaySeconds: Math.min(MAX_DELAY_S, Math.max(0, (notBefore - now.getTime()) / 1000)) });
  }
  const refused = new Set(await deps.queue.enqueue(ready));
  for (const entry of ready) {
    if (refused.has(entry.message.id)) {
      report.failed++;
      continue;
    }
    await deps.store.release(entry.message.id, entry.dueAt);
    report.requeued++;
  }
  return report;
}
