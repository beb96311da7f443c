/** Idempotency keys in memory: first writer wins, an expired key is free again. */
import type { IdempotencyClaim } from '../model.ts';
import type { IdempotencyRepository } from '../repositories.ts';
import { IDEMPOTENCY_TTL_S } from '../table.ts';
import { compositeKey, MemoryRepository } from './state.ts';

export class MemoryIdempotencyRepository extends MemoryRepository implements IdempotencyRepository {
  async claim(account: string, key: string, requestHash: string, messageIds: readonly string[], now: Date): Promise<IdempotencyClaim> {
    const nowS = Math.floor(now.getTime() / 1000);
    const at = compositeKey(account, key);
    const taken = this.tables.idempotency.get(at);
    if (!taken || taken.expiresAt < nowS) {
      const createdAt = now.toISOString();
      const expiresAt = nowS + IDEMPOTENCY_TTL_S;
      this.tables.idempotency.set(at, { requestHash, messageIds: [...messageIds], complete: false, createdAt, expiresAt });
      return { claimed: true };
    }
    return { claimed: false, requestHash: taken.requestHash, messageIds: [...taken.messageIds], complete: taken.complete };
  }

  async complete(account: string, key: string): Promise<void> {
    const at = compositeKey(account, key);
    const taken = this.tables.idempotency.get(at);
    if (taken) taken.complete = true;
    // As DynamoDB's update does, a key that is not there is written, with the flag only (and no expiry).
    else
      this.tables.idempotency.set(at, { requestHash: 'undefined', messageIds: [], complete: true, createdAt: '', expiresAt: Number.NaN });
  }
}
