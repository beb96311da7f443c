/** Suppressions (opted-out recipients) in memory. */
import type { Suppression } from '../model.ts';
import type { SuppressionRepository } from '../repositories.ts';
import { compositeKey, copy, MemoryRepository } from './state.ts';

export class MemorySuppressionRepository extends MemoryRepository implements SuppressionRepository {
  async add(account: string, recipientHash: string, suppression: Suppression & { code?: string | number }): Promise<void> {
    this.tables.suppressions.set(compositeKey(account, recipientHash), copy(suppression));
  }

  async get(account: string, recipientHash: string): Promise<Suppression | undefined> {
    const found = this.tables.suppressions.get(compositeKey(account, recipientHash));
    return found ? { reason: found.reason, since: found.since } : undefined;
  }

  async remove(account: string, recipientHash: string): Promise<boolean> {
    return this.tables.suppressions.delete(compositeKey(account, recipientHash));
  }
}
