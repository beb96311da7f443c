/**
 * A virtual clock for benchmarks: a discrete-event scheduler. Code under test reads `now()` and
 * waits with `sleep(ms)` (the sender's `deps.now` and `deps.sleep`, the provider stub's, the SQS
 * fake's); `run()` moves time on only when everything in flight is waiting on this clock: it lets
 * the process settle (every promise continuation, then a pass of the event loop), fires the
 * earliest timer (ties in the order they were set), and again. So an hour of traffic runs in
 * seconds of CPU, a wait ends exactly when it is due (no timer that fires late on a loaded
 * machine), and a run's figures depend on its seeds, not on the machine. A dev tool: never
 * imported from src/.
 *
 * What it assumes: the code it drives waits on nothing real — no socket, no real timer — between
 * two of its waits (in-memory storage, the SQS fake, the provider stub). Work that is still running
 * on a real timer when `run()` looks is not waited for: `settleRounds` passes of the event loop.
 */

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

export interface VirtualTimer {
  done: Promise<void>;
  /** The timer will not fire (`done` then never settles). */
  cancel(): void;
}

/** A binary min-heap of timers by (at, seq). */
class TimerHeap {
  private readonly items: Timer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Timer | undefined {
    return this.items[0];
  }

  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && before(items[left]!, items[least]!)) least = left;
        if (right < items.length && before(items[right]!, items[least]!)) least = right;
        if (least === i) break;
        [items[i], items[least]] = [items[least]!, items[i]!];
        i = least;
      }
    }
    return top;
  }
}

const before = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock {
  private current: number;
  private readonly timers = new TimerHeap();
  private seq = 0;
  private readonly settleRounds: number;
  /** Timers fired so far: the run's events. */
  fired = 0;

  constructor(startMs: number, options: { settleRounds?: number } = {}) {
    this.current = startMs;
    this.settleRounds = Math.max(1, options.settleRounds ?? 1);
  }

  /** The virtual time, ms. */
  readonly now = (): number => this.current;

  /** Resolves when the clock reaches now + `ms` (at once, in clock order, for `ms` ≤ 0). */
  readonly sleep = (ms: number): Promise<void> => this.timer(ms).done;

  /** A wait that can be called off (a long poll that a new message ends early). */
  timer(ms: number): VirtualTimer {
    let fire!: () => void;
    const done = new Promise<void>((resolve) => {
      fire = resolve;
    });
    const timer: Timer = { at: this.current + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: this.seq++, fire, cancelled: false };
    this.timers.push(timer);
    return {
      done,
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Lets everything in flight run until it waits on this clock (or on nothing). */
  async settle(): Promise<void> {
    for (let i = 0; i < this.settleRounds; i++) await turn();
  }

  /**
   * Fires timers in time order until none is left, or the next is after `untilMs` (the clock then
   * stays at the last one fired), or `stop()` says so (looked at between events).
   */
  async run(options: { untilMs?: number; stop?: () => boolean } = {}): Promise<void> {
    const until = options.untilMs ?? Number.POSITIVE_INFINITY;
    for (;;) {
      await this.settle();
      if (options.stop?.()) return;
      let next = this.timers.peek();
      while (next?.cancelled) {
        this.timers.pop();
        next = this.timers.peek();
      }
      if (!next || next.at > until) return;
      this.timers.pop();
      this.current = Math.max(this.current, next.at);
      this.fired += 1;
      next.fire();
    }
  }
}

/** A seeded generator in [0, 1) (mulberry32): the same draws every run. */
export function seeded(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
