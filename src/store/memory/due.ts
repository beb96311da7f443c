/** The sweeper's `due` entries in memory: kept on each message, as DynamoDB keeps them on its item. */
import type { CreatedPage, DueEntry, HeldMessage } from '../model.ts';
import type { DueRepository } from '../repositories.ts';
import { UNSETTLED } from '../rules.ts';
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
    return message ? this.heldOf(message) : undefined;
  }

  private heldOf(message: StoredMessage): HeldMessage {
    return {
      record: recordOf(message),
      ...(message.payload !== undefined ? { sealedPayload: message.payload } : {}),
      ...(message.claim ? { claim: copy(message.claim) } : {}),
    };
  }

  async postpone(id: string, fromDueAt: string | undefined, toDueAt: string): Promise<boolean> {
    const message = this.tables.messages.get(id);
    if (!message || message.due?.at !== fromDueAt) return false;
    if (fromDueAt === undefined && !UNSETTLED.has(message.record.status)) return false;
    message.due = { at: toDueAt };
    return true;
  }

  async listCreated(account: string, after: string, until: string, limit = 100): Promise<CreatedPage> {
    // As the `byAccount` index orders them, after `after` (positions continue from `after!`) up to the end of `until`.
    const page = [...this.tables.messages.values()]
      .filter((m) => m.record.account === account && m.created > `${after}!` && m.created <= `${until}#~`)
      .sort((a, b) => (a.created < b.created ? -1 : 1))
      .slice(0, limit);
    const held = page.flatMap((m) => (m.due || !UNSETTLED.has(m.record.status) ? [] : [this.heldOf(m)]));
    return { held, ...(page.length === limit ? { last: page[page.length - 1]!.created } : {}) };
  }

  async sweptUntil(account: string): Promise<string | undefined> {
    return this.tables.sweeps.get(account);
  }

  async markSwept(account: string, position: string): Promise<void> {
    this.tables.sweeps.set(account, position);
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
