/**
 * An adapter whose sending part loads on first use: its content checks and capabilities come with
 * the provider list (./<name>/content.ts), its send and lookup — the generated client and the
 * provider's dialect (./<name>/adapter.ts) — with a dynamic import on the first call, so a function
 * that never sends (accept, status, the webhook) never evaluates them, and the sender evaluates only
 * the providers it sends to.
 */
import type { AccountBase } from '../config/account-fields.ts';
import type { AdapterContent, ProviderAdapter } from './adapter.ts';

export function lazyAdapter<A extends AccountBase>(
  content: AdapterContent<A>,
  load: () => Promise<ProviderAdapter<A>>,
): ProviderAdapter<A> {
  let loading: Promise<ProviderAdapter<A>> | undefined;
  // A failed load (never expected: the module is in the bundle) is tried again by the next call.
  const loaded = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    ...content,
    send: async (message, account, connection) => (await loaded()).send(message, account, connection),
    // The sender loads it before taking a slot: an import between the slot and the call would make the call late.
    prepare: async () => {
      await loaded();
    },
    // Whether the provider can look a send up is part of its capabilities (list.test.ts checks the loaded adapter agrees).
    ...(content.capabilities.lookup
      ? {
          lookup: async (message, account, connection, since) => {
            const adapter = await loaded();
            if (!adapter.lookup) throw new TypeError(`the ${content.provider} adapter declares lookup but has none`);
            return adapter.lookup(message, account, connection, since);
          },
        }
      : {}),
  } satisfies ProviderAdapter<A>;
}
