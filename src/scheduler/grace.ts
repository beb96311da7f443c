/**
 * The sweeper's default grace, in a module of its own: the environment's reader (src/runtime/env.ts)
 * needs the number in every function, not the sweeper and the queue message's schemas with it.
 */

/** How long a message put on the queue may wait unclaimed before the sweeper enqueues it again. */
export const DEFAULT_SWEEP_GRACE_MS = 120_000;
