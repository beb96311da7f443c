/** The providers this package speaks to; each has `specs/<name>.yaml` and `generated/<name>/`. */
export const PROVIDERS = ['livetok', 'livechat', 'gupshup', 'loopwave', 'kaleyra'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value);
}
