/** The sweeper's `due` entries in memory: kept on each message, as DynamoDB keeps them on its item. */
import type { DueEntry, HeldMessage } from '../model.ts';
import type { DueRepository } from '../repositories.ts';
import { messageExpiresAt } from '../table.ts';
import { copy, recordOf, MemoryRepository, type StoredMessage } from './state.ts';

export class MemoryDueRepository extends MemoryRepository implements DueRepository {
  async hold(id: string, dueAt: string, sealedPayload: string, options: { pausedAccount?: string } = {}): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (!message || (message.record.status !== 'queued' && message.record.status !== 'scheduled')) return false;
    message.due = { at: dueAt, ...(options.pausedAccount ? { pausedAccount: options.pausedAccount } : {}) };
    message.payload = sealedPayload;
    message.expiresAt = messageExpiresAt({ dueAt });
    return true;
  }

  async listDue(until: string, limit = 100, pausedAccounts: readonly string[] = []): Promise<DueEntry[]> {
    const groups = [undefined, ...pausedAccounts].map((account) => this.entries((due) => due.pausedAccount === account && due.at <= until));
    return groups.flat().slice(0, limit);
  }

  async listPaused(account: string, limit = 1000): Promise<DueEntry[]> {
    return this.entries((due) => due.pausedAccount === account).slice(0, limit);
  }

  async getHeld(id: string): Promise<HeldMessage | undefined> {
    const message = this.tables.messages.get(id);
    if (!message) return undefined;
    return {
      record: recordOf(message),
      ...(message.payload !== undefined ? { sealedPayload: message.payload } : {}),
      ...(message.claim ? { claim: copy(message.claim) } : {}),
    };
  }

  async postpone(id: string, fromDueAt: string, toDueAt: string): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (message?.due?.at !== fromDueAt) return false;
    message.due = { at: toDueAt };
    return true;
  }

  async release(id: string, dueAt: string): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (message?.due?.at !== dueAt) return false;
    delete message.due;
    delete message.payload;
    return true;
  }

  /** Entries whose `due` matches, oldest first. */
  private entries(matches: (due: NonNullable<StoredMessage['due']>) => boolean): DueEntry[] {
    return [...this.tables.messages.values()]
      .flatMap((message) => (message.due && matches(message.due) ? [{ id: message.record.id, dueAt: message.due.at }] : []))
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
  }
}
