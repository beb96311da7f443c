/** Pacing state in memory: versioned slot states and recipients' next slots, as the DynamoDB repository keeps them. */
import type { SlotState } from '../../pacing/slots.ts';
import type { GapClaim, StoredSlots } from '../model.ts';
import type { PacingRepository } from '../repositories.ts';
import { copy, MemoryRepository } from './state.ts';

const BUCKET_TTL_S = 2 * 86_400;
const GAP_TTL_S = 3600;

export class MemoryPacingRepository extends MemoryRepository implements PacingRepository {
  async readSlots(scope: string): Promise<StoredSlots<SlotState>> {
    const bucket = this.tables.pacing.get(scope)?.bucket;
    return bucket ? { state: copy(bucket.state), version: bucket.version } : { version: 0 };
  }

  async writeSlots(scope: string, state: SlotState, version: number, now: number): Promise<boolean> {
    const current = this.tables.pacing.get(scope);
    if (version === 0 ? current !== undefined : current?.bucket?.version !== version) return false;
    // A put: the whole item is replaced.
    const expiresAt = Math.ceil(now / 1000) + BUCKET_TTL_S;
    this.tables.pacing.set(scope, { bucket: { state: copy(state), version: version + 1 }, expiresAt });
    return true;
  }

  async claimGap(scope: string, now: number, nextAt: number): Promise<GapClaim> {
    const current = this.tables.pacing.get(scope);
    if (current?.nextAt !== undefined && current.nextAt > now) return { claimed: false, nextAt: current.nextAt };
    this.tables.pacing.set(scope, { ...current, nextAt, expiresAt: Math.ceil(nextAt / 1000) + GAP_TTL_S });
    return { claimed: true };
  }
}
