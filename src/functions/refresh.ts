/**
 * A warm container's configuration has a bounded age. Handlers build their dependencies (the
 * configuration with its API keys, accounts and credentials) once and keep them; without a limit a
 * warm container would keep a revoked API key working until it is recycled. `refreshing` rebuilds
 * the handler — and so re-reads the configuration secret — on the first invocation after
 * `CONFIG_MAX_AGE_S` (default 300 s). A deploy that changes the configuration also replaces the
 * containers (`CONFIG_VERSION` changes); this bounds what is left: a key revoked by editing the
 * secret, or a container that missed the update.
 */
import { ConfigError } from '../config/pipeline.ts';

/** How long a warm container keeps its configuration, unless `CONFIG_MAX_AGE_S` says otherwise. */
export const DEFAULT_CONFIG_MAX_AGE_S = 300;

/** `CONFIG_MAX_AGE_S` in milliseconds: a whole number of seconds, 0 (read on every invocation) to 3600. */
export function configMaxAgeMs(value = process.env.CONFIG_MAX_AGE_S): number {
  if (value === undefined || value === '') return DEFAULT_CONFIG_MAX_AGE_S * 1000;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600)
    throw new ConfigError(`environment variable CONFIG_MAX_AGE_S must be whole seconds from 0 to 3600, got ${value}`);
  return seconds * 1000;
}

/**
 * A handler that is built by `build` on first use and built again once it is older than
 * `maxAgeMs`. Invocations of one container never overlap, so a rebuild never races another call.
 */
export function refreshing<A extends unknown[], R>(
  build: () => (...args: A) => R,
  options: { maxAgeMs?: number; now?: () => number } = {},
): (...args: A) => R {
  const now = options.now ?? Date.now;
  let current: { handler: (...args: A) => R; builtAt: number } | undefined;
  return (...args: A) => {
    const maxAgeMs = options.maxAgeMs ?? configMaxAgeMs();
    if (!current || now() - current.builtAt >= maxAgeMs) current = { handler: build(), builtAt: now() };
    return current.handler(...args);
  };
}
