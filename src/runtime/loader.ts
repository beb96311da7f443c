/**
 * What a handler builds on its first invocation (clients, the configuration from Secrets Manager,
 * the accounts and their adapters), kept for the container's life — with three rules:
 *
 * - **once**: concurrent first uses share one build;
 * - **retry after a failure**: a build that fails (a throttled Secrets Manager, a network blip) is
 *   not kept, so the next invocation builds again instead of every later invocation failing with
 *   the same rejection;
 * - **refresh**: a build older than `maxAgeMs` is replaced on the next use. Without a limit a warm
 *   container would keep a revoked API key working until it is recycled; with `CONFIG_MAX_AGE_S`
 *   (default 300 s) the configuration secret is read again within that time. (A deploy that
 *   changes the configuration also replaces the containers; this bounds what is left: a key
 *   revoked by editing the secret, or a container that missed the update.)
 *
 * Every handler (src/functions/) loads its dependencies through this.
 */

export interface LoaderOptions {
  /**
   * How old a build may get before the next use builds again (a function: read when needed, so
   * that reading it may fail like the build). Without it, a build is kept for good.
   */
  maxAgeMs?: number | (() => number);
  /** The clock, in ms (`Date.now` by default); tests move it. */
  now?: () => number;
}

export type Loader<T> = () => Promise<T>;

/** `load`, run on first use and again after a failure or once its result is older than `maxAgeMs`. */
export function lazyLoader<T>(load: () => T | Promise<T>, options: LoaderOptions = {}): Loader<T> {
  const now = options.now ?? Date.now;
  const { maxAgeMs } = options;
  const maxAge = typeof maxAgeMs === 'number' ? () => maxAgeMs : maxAgeMs;
  let current: { value: Promise<T>; builtAt: number } | undefined;
  return () => {
    const at = now();
    const stale = current !== undefined && maxAge !== undefined && at - current.builtAt >= maxAge();
    if (!current || stale) {
      const build = { value: Promise.resolve().then(load), builtAt: at };
      current = build;
      build.value.catch(() => {
        // Only this build is forgotten: a newer one that started meanwhile stays.
        if (current === build) current = undefined;
      });
    }
    return current.value;
  };
}
