/**
 * Pacing shared by every concurrent sender: the buckets live in storage (src/store: a
 * `PacingRepository`), and each take is a read and a write conditional on the bucket's version
 * (optimistic concurrency), so two invocations can never spend the same token. Waiting costs no
 * write.
 *
 *   read state ─▶ take(n) in memory ─▶ write if version unchanged ─▶ granted
 *                                         └─ changed meanwhile: read again (a few times)
 *
 * Recipient gaps are one conditional step: `nextAt ≤ now` → `nextAt = now + gap`.
 */
import type { PacingRepository } from '../store/repositories.ts';
import type { Budget } from './budget.ts';
import { block, take } from './token-bucket.ts';

export interface Acquired {
  granted: number;
  waitMs: number;
}

export class Pacer {
  private readonly buckets: PacingRepository;
  private readonly random: () => number;

  constructor(buckets: PacingRepository, random: () => number = Math.random) {
    this.buckets = buckets;
    this.random = random;
  }

  /** Takes up to `want` sends from `scope`'s budget at `now`; with none granted, how long to wait. */
  async acquire(scope: string, budget: Budget, want: number, now: number): Promise<Acquired> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const stored = await this.buckets.readBucket(scope);
      const grant = take(stored.state, budget, want, now, this.random);
      if (grant.granted === 0) return { granted: 0, waitMs: grant.waitMs };
      if (await this.buckets.writeBucket(scope, grant.state, stored.version, now)) return { granted: grant.granted, waitMs: 0 };
    }
    // Heavy contention: back off briefly rather than spin.
    return { granted: 0, waitMs: 50 };
  }

  /** Nobody sends from `scope` before `untilMs` (a provider's 429 said so). */
  async block(scope: string, budget: Budget, untilMs: number, now: number): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const stored = await this.buckets.readBucket(scope);
      const state = stored.state ?? take(undefined, budget, 0, now).state;
      if ((state.notBeforeMs ?? 0) >= untilMs) return;
      if (await this.buckets.writeBucket(scope, block(state, untilMs), stored.version, now)) return;
    }
  }

  /**
   * Claims the recipient's next slot: succeeds when the last message to them was at least
   * `gapMs` ago; otherwise says how long to wait.
   */
  async acquireGap(scope: string, gapMs: number, now: number): Promise<Acquired> {
    if (gapMs <= 0) return { granted: 1, waitMs: 0 };
    const slot = await this.buckets.claimGap(scope, now, now + gapMs);
    if (slot.claimed) return { granted: 1, waitMs: 0 };
    return { granted: 0, waitMs: Math.max(1, (slot.nextAt ?? now) - now) };
  }
}
