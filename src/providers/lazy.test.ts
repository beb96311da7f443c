/**
 * The provider list is light: each module's adapter sends through a dynamic import of its
 * `adapter.ts` on the first call, and the webhook normalisers live apart (webhooks.ts). What the
 * light part declares must be what the loaded part does.
 */
import { describe, expect, it } from 'vitest';
import type { AccountBase } from '../config/account-fields.ts';
import type { ProviderAdapter } from './adapter.ts';
import { gupshupAdapter } from './gupshup/adapter.ts';
import { CALLING_BACK_PROVIDERS, PROVIDER_LIST, providerModule } from './index.ts';
import { kaleyraAdapter } from './kaleyra/adapter.ts';
import { lazyAdapter } from './lazy-adapter.ts';
import { livechatAdapter } from './livechat/adapter.ts';
import { livetokAdapter } from './livetok/adapter.ts';
import { loopwaveAdapter } from './loopwave/adapter.ts';
import { PROVIDERS, type ProviderName } from './names.ts';
import { loadWebhookSide } from './webhook-sides.ts';
import { WEBHOOKS } from './webhooks.ts';

const LOADED: Record<ProviderName, ProviderAdapter<never>> = {
  livetok: livetokAdapter,
  livechat: livechatAdapter,
  gupshup: gupshupAdapter,
  loopwave: loopwaveAdapter,
  kaleyra: kaleyraAdapter,
};

describe.each(PROVIDERS.map((name) => [name]))('%s', (name) => {
  const lazy = providerModule(name).adapter;
  const loaded = LOADED[name];

  it('declares what its loaded adapter does: the same provider, capabilities and checks; a lookup exactly where it has one', () => {
    expect(lazy.provider).toBe(loaded.provider);
    expect(lazy.capabilities).toEqual(loaded.capabilities);
    expect(lazy.check).toBe(loaded.check);
    expect(typeof lazy.lookup).toBe(typeof loaded.lookup);
    expect(lazy.capabilities.lookup).toBe(loaded.lookup !== undefined);
  });
});

describe('the webhook sides', () => {
  it('are one per provider that calls back, checked by the provider module’s own verify', () => {
    expect(Object.keys(WEBHOOKS).sort()).toEqual([...CALLING_BACK_PROVIDERS].sort());
    for (const module of PROVIDER_LIST) {
      if (module.webhook) expect(WEBHOOKS[module.name as keyof typeof WEBHOOKS].verify).toBe(module.webhook.verify);
    }
  });

  it('load on first use, once, as the listed sides: the provider module’s own verify with the normaliser', async () => {
    for (const provider of CALLING_BACK_PROVIDERS) {
      const side = await loadWebhookSide(provider);
      expect(side.verify, provider).toBe(providerModule(provider).webhook!.verify);
      expect(side.normalise, provider).toBe(WEBHOOKS[provider].normalise);
      expect(side.specSchema, provider).toBe(WEBHOOKS[provider].specSchema);
      expect(await loadWebhookSide(provider), provider).toBe(side);
    }
  });
});

describe('lazyAdapter', () => {
  const account = { id: 'a', provider: 'kaleyra' } as AccountBase;
  const message = { messageId: 'm', recipient: '+15550100', content: { kind: 'text' as const, text: 'hi' } };
  const content = {
    provider: 'kaleyra' as const,
    capabilities: { contentKinds: ['text' as const], returnsMessageId: true, statusCallbacks: false, lookup: false, echoesMessageId: null },
    check: () => [],
  };

  it('loads the sending part once, on the first send, and not before', async () => {
    let loads = 0;
    const adapter = lazyAdapter(content, async () => {
      loads++;
      return { ...content, send: async () => ({ outcome: 'accepted' as const, status: 'sent' as const }) };
    });
    expect(loads).toBe(0);
    expect(adapter.lookup).toBeUndefined();
    await Promise.all([adapter.send(message, account, { credential: 'k' }), adapter.send(message, account, { credential: 'k' })]);
    await adapter.send(message, account, { credential: 'k' });
    expect(loads).toBe(1);
  });

  it('prepare() loads the sending part ahead of the first send, once', async () => {
    let loads = 0;
    const adapter = lazyAdapter(content, async () => {
      loads++;
      return { ...content, send: async () => ({ outcome: 'accepted' as const, status: 'sent' as const }) };
    });
    await adapter.prepare!();
    expect(loads).toBe(1);
    await adapter.prepare!();
    await adapter.send(message, account, { credential: 'k' });
    expect(loads).toBe(1);
  });

  it('tries a failed load again on the next call', async () => {
    let loads = 0;
    const adapter = lazyAdapter(content, async () => {
      if (++loads === 1) throw new Error('not yet');
      return { ...content, send: async () => ({ outcome: 'accepted' as const, status: 'sent' as const }) };
    });
    await expect(adapter.send(message, account, { credential: 'k' })).rejects.toThrow('not yet');
    await expect(adapter.send(message, account, { credential: 'k' })).resolves.toMatchObject({ outcome: 'accepted' });
    expect(loads).toBe(2);
  });
});
