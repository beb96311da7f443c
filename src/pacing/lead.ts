/**
 * How far ahead of now a sender reserves a slot: long enough for what a record does between
 * taking its slot and its provider call (the recipient's gap and the claim, two conditional
 * writes). A fixed lead is right when those writes take their usual few milliseconds; when they
 * take longer (a throttled table, a busy container) every record comes to its call after its
 * slot, takes another slot (another reservation: a read and a conditional write, often refused
 * under contention), and after a few misses goes back on the queue — each miss costing writes and
 * a recipient gap spent on a slot never used.
 *
 * So the container learns its lead: each record reports the lead it would have needed (the time
 * its reservation, gap and claim took, not the time it waited), and the lead is the 90th
 * percentile of the last {@link SAMPLES} needs with a quarter added, never below the configured
 * floor (`slotLeadMs`) nor above `capMs`. A longer lead only moves slots later; the pacing
 * guarantee does not depend on it.
 */

/** How many recent needs the lead is learned from. */
export const SAMPLES = 32;

export class SlotLead {
  readonly floorMs: number;
  readonly capMs: number;
  readonly #needs: number[] = [];
  #next = 0;
  #ms: number;

  constructor(floorMs: number, capMs: number) {
    this.floorMs = floorMs;
    this.capMs = Math.max(floorMs, capMs);
    this.#ms = floorMs;
  }

  /** The lead to reserve with now. */
  get ms(): number {
    return this.#ms;
  }

  /** A record would have been ready for its call in time with a lead of `needMs`. */
  observe(needMs: number): void {
    const need = Math.max(0, needMs);
    if (this.#needs.length < SAMPLES) this.#needs.push(need);
    else this.#needs[this.#next] = need;
    this.#next = (this.#next + 1) % SAMPLES;
    const sorted = [...this.#needs].sort((a, b) => a - b);
    const p90 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!;
    this.#ms = Math.min(this.capMs, Math.max(this.floorMs, Math.ceil(p90 * 1.25)));
  }
}
