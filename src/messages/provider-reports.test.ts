import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../providers/names.ts';
import { PROVIDER_REGISTRY } from '../providers/registry.ts';
import { isSettled, lastReportedStatus, PROVIDER_REPORTS, PROVIDER_STATUS_WORDS } from './status.ts';

describe('what each provider reports', () => {
  it('agrees with the adapters: callbacks only where the adapter says the provider calls back', () => {
    for (const provider of PROVIDERS) {
      const { statusCallbacks } = PROVIDER_REGISTRY[provider].adapter.capabilities;
      expect(PROVIDER_REPORTS[provider].callbacks.length > 0, provider).toBe(statusCallbacks);
    }
  });

  it('agrees with the status words: callbacks bring only statuses the provider has words for, and every word of a Meta provider', () => {
    for (const provider of PROVIDERS) {
      const words = new Set(Object.values(PROVIDER_STATUS_WORDS[provider]).filter((status) => status !== null));
      for (const status of PROVIDER_REPORTS[provider].callbacks) expect(words.has(status), `${provider} ${status}`).toBe(true);
    }
    for (const provider of ['livechat', 'gupshup', 'kaleyra'] as const) {
      const words = new Set(Object.values(PROVIDER_STATUS_WORDS[provider]).filter((status) => status !== null));
      expect(new Set(PROVIDER_REPORTS[provider].callbacks), provider).toEqual(words);
    }
  });

  it('ends at read, or at sent for LiveTok and Loopwave', () => {
    const last = Object.fromEntries(PROVIDERS.map((p) => [p, lastReportedStatus(p)]));
    expect(last).toEqual({ livetok: 'sent', livechat: 'read', gupshup: 'read', loopwave: 'sent', kaleyra: 'read' });
  });

  it('settles a message at its provider’s last status, a failure, a cancel, or an unknown nothing can call back about', () => {
    expect(isSettled('livechat', 'delivered')).toBe(false);
    expect(isSettled('livechat', 'read')).toBe(true);
    expect(isSettled('livetok', 'sent')).toBe(true);
    expect(isSettled('loopwave', 'sent')).toBe(true);
    expect(isSettled('kaleyra', 'accepted')).toBe(false);
    for (const provider of PROVIDERS) {
      expect(isSettled(provider, 'failed')).toBe(true);
      expect(isSettled(provider, 'cancelled')).toBe(true);
      expect(isSettled(provider, 'queued')).toBe(false);
    }
    expect(isSettled('livetok', 'unknown')).toBe(true);
    expect(isSettled('kaleyra', 'unknown')).toBe(false);
  });
});
