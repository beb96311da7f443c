/** The sender's claims in memory: the transitions of the DynamoDB repository's conditional writes. */
import { STATUS_RANK } from '../../messages/status.ts';
import { owningRoute, type Claim, type HoldSpec, type RouteSwitch, type StoredError, type UnknownDetails } from '../model.ts';
import type { SendClaimRepository } from '../repositories.ts';
import { copy, MemoryRepository } from './state.ts';

export class MemorySendClaimRepository extends MemoryRepository implements SendClaimRepository {
  async claim(
    id: string,
    token: string,
    at: string,
    options: { until?: string; keepPayload?: boolean; route?: number } = {},
  ): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (!message || (message.record.status !== 'queued' && message.record.status !== 'scheduled')) return false;
    if (options.route !== undefined && owningRoute(message.record).index !== options.route) return false;
    const until = options.until ?? message.claim?.until;
    message.record.status = 'sending';
    message.rank = STATUS_RANK.sending;
    message.claim = { token, claimedAt: at, ...(until ? { until } : {}) };
    message.record.attempts += 1;
    message.record.times.sending ??= at;
    if (!options.keepPayload) delete message.payload;
    return true;
  }

  async unclaim(id: string, token: string, error: StoredError, hold?: HoldSpec): Promise<boolean> {
    return this.#requeue(id, token, { error, ...(hold ? { hold } : {}) });
  }

  async release(id: string, token: string, hold: HoldSpec): Promise<boolean> {
    return this.#requeue(id, token, { hold, uncount: true });
  }

  /** A claim given back by its holder, as the DynamoDB repository's `requeue`. */
  #requeue(id: string, token: string, change: { error?: StoredError; hold?: HoldSpec; uncount?: boolean }): boolean {
    const message = this.tables.messages.get(id);
    if (message?.record.status !== 'sending' || message.claim?.token !== token) return false;
    const { error, hold, uncount } = change;
    message.record.status = 'queued';
    message.rank = STATUS_RANK.queued;
    if (error) message.record.error = copy(error);
    if (uncount) message.record.attempts -= 1;
    if (hold) {
      message.due = { at: hold.dueAt, ...(hold.pausedAccount ? { pausedAccount: hold.pausedAccount } : {}) };
      message.payload = hold.sealedPayload;
    }
    delete message.claim;
    return true;
  }

  async markUnknown(id: string, at: string, reason: string, token?: string, details: UnknownDetails = {}): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (message?.record.status !== 'sending') return false;
    if (token && message.claim?.token !== token) return false;
    message.record.status = 'unknown';
    message.rank = STATUS_RANK.unknown;
    message.record.times.unknown ??= at;
    message.record.error = { class: 'unknown', ...copy(details), reason };
    delete message.due;
    delete message.payload;
    return true;
  }

  async switchRoute(id: string, change: RouteSwitch): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (!message || owningRoute(message.record).index !== change.from) return false;
    const { status } = message.record;
    if (
      change.token !== undefined
        ? status !== 'sending' || message.claim?.token !== change.token
        : status !== 'queued' && status !== 'scheduled'
    )
      return false;
    if (status === 'sending') {
      message.record.status = 'queued';
      message.rank = STATUS_RANK.queued;
    }
    message.record.route = copy(change.to);
    message.record.routes = [...(message.record.routes ?? []), copy(change.refused)];
    message.record.error = copy(change.refused.error);
    message.due = { at: change.hold.dueAt, ...(change.hold.pausedAccount ? { pausedAccount: change.hold.pausedAccount } : {}) };
    message.payload = change.hold.sealedPayload;
    message.recipientIndexed = change.indexRecipient !== undefined;
    delete message.claim;
    return true;
  }

  async claimOf(id: string): Promise<Claim | undefined> {
    const claim = this.tables.messages.get(id)?.claim;
    return claim ? copy(claim) : undefined;
  }
}
