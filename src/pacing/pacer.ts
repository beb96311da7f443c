/**
 * Pacing shared by every concurrent sender: each budget's slot state lives in storage (src/store:
 * a `PacingRepository`), and a reservation is a read and a write conditional on the state's
 * version (optimistic concurrency), so two invocations can never hold the same slot. A batch
 * reserves its slots with one write; waiting costs no write.
 *
 *   read state ─▶ reserve(n) in memory ─▶ write if version unchanged ─▶ slots
 *                                            └─ changed meanwhile: read again (a few times)
 *
 * Recipient gaps are one conditional step: `nextAt ≤ at` → `nextAt = at + gap`.
 */
import type { PacingRepository } from '../store/repositories.ts';
import type { Budget } from './budget.ts';
import { block, normalise, reserve } from './slots.ts';

export interface Reserved {
  /** The slots reserved, earliest first (ms); empty when none is free within the horizon. */
  slots: number[];
  /** With no slot: how long until the next one is free. */
  waitMs: number;
}

export interface Acquired {
  granted: number;
  waitMs: number;
}

/** How old this pacer's view of a scope's block may be before {@link Pacer.blockedUntil} reads it again. */
export const BLOCK_VIEW_MAX_AGE_MS = 1000;

export class Pacer {
  private readonly store: PacingRepository;
  private readonly random: () => number;
  private readonly clock: () => number;
  /** Per scope, the block its state named when this pacer last read it, and when that was. */
  private readonly seen = new Map<string, { blockedUntilMs: number; readAt: number }>();

  constructor(store: PacingRepository, random: () => number = Math.random, clock: () => number = Date.now) {
    this.store = store;
    this.random = random;
    this.clock = clock;
  }

  /** Reads `scope`'s slot state, and keeps the block it names. */
  private async read(scope: string) {
    const stored = await this.store.readSlots(scope);
    this.seen.set(scope, { blockedUntilMs: stored.state?.blockedUntilMs ?? 0, readAt: this.clock() });
    return stored;
  }

  /**
   * Until when a provider asked `scope` to wait (a 429's reset, met by any sender), as this pacer
   * last saw it: its own reads of the state (every reservation reads it) are reused while younger
   * than `maxAgeMs`, so a busy account costs about one read a second per container, and a 429 met
   * elsewhere stops this container's sends within about that.
   */
  async blockedUntil(scope: string, maxAgeMs: number = BLOCK_VIEW_MAX_AGE_MS): Promise<number> {
    const seen = this.seen.get(scope);
    if (seen && this.clock() - seen.readAt < maxAgeMs) return seen.blockedUntilMs;
    const { state } = await this.read(scope);
    return state?.blockedUntilMs ?? 0;
  }

  /** Reserves up to `want` of `scope`'s next slots, none later than `now + horizonMs`. */
  async reserve(scope: string, budget: Budget, want: number, now: number, horizonMs: number): Promise<Reserved> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const stored = await this.read(scope);
      const reservation = reserve(normalise(stored.state, budget), budget, want, now, horizonMs, this.random);
      if (reservation.slots.length === 0) return { slots: [], waitMs: reservation.waitMs };
      if (await this.store.writeSlots(scope, reservation.state, stored.version, now)) return { slots: reservation.slots, waitMs: 0 };
    }
    // Heavy contention: back off briefly rather than spin.
    return { slots: [], waitMs: 50 };
  }

  /**
   * Whether a slot reserved earlier is still good: false when a provider has since asked `scope`
   * to wait past it (a 429's reset). One read of the slot state, no write.
   */
  async stillGood(scope: string, slotMs: number): Promise<boolean> {
    const { state } = await this.read(scope);
    const blockedUntil = state?.blockedUntilMs ?? 0;
    return blockedUntil <= slotMs;
  }

  /** Nobody sends from `scope` before `untilMs` (a provider's 429 said so). */
  async block(scope: string, budget: Budget, untilMs: number, now: number): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const stored = await this.read(scope);
      const state = normalise(stored.state, budget);
      if ((state?.notBeforeMs ?? 0) >= untilMs) return;
      if (await this.store.writeSlots(scope, block(state, untilMs), stored.version, now)) {
        this.seen.set(scope, { blockedUntilMs: Math.max(state?.blockedUntilMs ?? 0, untilMs), readAt: this.clock() });
        return;
      }
    }
  }

  /**
   * Claims the recipient's slot for a send at `at`: succeeds when the last one to them was at least
   * `gapMs` before; otherwise says how long to wait.
   */
  async acquireGap(scope: string, gapMs: number, at: number): Promise<Acquired> {
    if (gapMs <= 0) return { granted: 1, waitMs: 0 };
    const slot = await this.store.claimGap(scope, at, at + gapMs);
    if (slot.claimed) return { granted: 1, waitMs: 0 };
    return { granted: 0, waitMs: Math.max(1, (slot.nextAt ?? at) - at) };
  }
}
