/**
 * The names of the providers this package speaks to. Each has a module (src/providers/<name>/, in
 * the list of src/providers/index.ts; the compiler pairs the two), `specs/<name>.yaml`,
 * `generated/<name>/` and `contracts/<name>/` (src/providers/list.test.ts checks them). A leaf
 * module with no imports: the message model reads the names without depending on any provider.
 */
export const PROVIDERS = ['livetok', 'livechat', 'gupshup', 'loopwave', 'kaleyra'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** A record with one entry per provider (the one place such a record is built from the list). */
export function byProvider<T>(value: (name: ProviderName) => T): Record<ProviderName, T> {
  return Object.fromEntries(PROVIDERS.map((name) => [name, value(name)])) as Record<ProviderName, T>;
}
