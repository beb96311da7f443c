/** The callback index in memory: aliases and kept callbacks per account, and the messages' own provider ids and recipients. */
import type { ProviderName } from '../../providers/names.ts';
import type { CallbackIndexRepository } from '../repositories.ts';
import { owningRoute } from '../model.ts';
import { SENT_STATUSES } from '../rules.ts';
import { MESSAGE_TTL_S } from '../table.ts';
import { compositeKey, copy, MemoryRepository, type StoredAlias } from './state.ts';

/** Kept callbacks expire after a week. */
const PENDING_TTL_S = 7 * 86_400;

export class MemoryCallbackIndexRepository extends MemoryRepository implements CallbackIndexRepository {
  async findMessageId(account: string, provider: ProviderName, providerMessageId: string): Promise<string | undefined> {
    const alias = this.tables.aliases.get(compositeKey(provider, providerMessageId))?.get(account);
    if (alias) return alias.messageId;
    const indexed = compositeKey(provider, account, providerMessageId);
    for (const message of this.tables.messages.values()) if (message.providerIdIndex === indexed) return message.record.id;
    return undefined;
  }

  async takenElsewhere(account: string, provider: ProviderName, providerMessageIds: readonly string[]): Promise<boolean> {
    const holders = (id: string) => [...(this.tables.aliases.get(compositeKey(provider, id))?.keys() ?? [])];
    return providerMessageIds.some((id) => holders(id).some((other) => other !== account));
  }

  async addAliases(account: string, provider: ProviderName, aliases: readonly string[], messageId: string, now: Date): Promise<void> {
    const expiresAt = Math.floor(now.getTime() / 1000) + MESSAGE_TTL_S;
    for (const alias of aliases) {
      const key = compositeKey(provider, alias);
      const byAccount = this.tables.aliases.get(key) ?? new Map<string, StoredAlias>();
      byAccount.set(account, { messageId, expiresAt });
      this.tables.aliases.set(key, byAccount);
    }
  }

  async unmatchedTo(account: string, recipientHash: string, since: string, until: string): Promise<string[]> {
    const end = `${until}~`;
    return [...this.tables.messages.values()]
      .filter((m) => m.recipientIndexed && owningRoute(m.record).account === account && m.record.recipient.hash === recipientHash)
      .filter((m) => m.created >= since && m.created <= end)
      .sort((a, b) => (a.created < b.created ? -1 : 1))
      .filter((m) => m.record.providerMessageId === undefined && SENT_STATUSES.has(m.record.status))
      .map((m) => m.record.id);
  }

  async keepPending(account: string, provider: ProviderName, providerMessageId: string, event: { status: string }, now: Date) {
    const key = compositeKey(provider, account, providerMessageId);
    const kept = this.tables.pending.get(key) ?? { slots: new Map<string, unknown>(), expiresAt: 0 };
    if (!kept.slots.has(event.status)) kept.slots.set(event.status, copy(event));
    kept.expiresAt = Math.floor(now.getTime() / 1000) + PENDING_TTL_S;
    this.tables.pending.set(key, kept);
  }

  async takePending(account: string, provider: ProviderName, providerMessageId: string): Promise<unknown[]> {
    const key = compositeKey(provider, account, providerMessageId);
    const kept = this.tables.pending.get(key);
    if (!kept) return [];
    this.tables.pending.delete(key);
    return [...kept.slots.values()];
  }
}
