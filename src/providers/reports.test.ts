import { describe, expect, it } from 'vitest';
import { STATUS_RANK, STATUSES, type MessageStatus } from '../messages/status.ts';
import { isSettled, lastReportedStatus, PROVIDERS, providerModule, statusFromProviderWord, type ProviderName } from './index.ts';

describe('what each provider reports', () => {
  it('agrees with the adapters: callbacks only where the adapter says the provider calls back', () => {
    for (const provider of PROVIDERS) {
      const { statusCallbacks } = providerModule(provider).adapter.capabilities;
      expect(providerModule(provider).reports.callbacks.length > 0, provider).toBe(statusCallbacks);
    }
  });

  it('agrees with the status words: callbacks bring only statuses the provider has words for, and every word of a Meta provider', () => {
    for (const provider of PROVIDERS) {
      const words = new Set(Object.values(providerModule(provider).statusWords).filter((status) => status !== null));
      for (const status of providerModule(provider).reports.callbacks) expect(words.has(status), `${provider} ${status}`).toBe(true);
    }
    // The providers whose callbacks bring Meta's delivery statuses: each of their words is one of them.
    for (const provider of PROVIDERS.filter((p) => providerModule(p).reports.callbacks.includes('delivered'))) {
      const words = new Set(Object.values(providerModule(provider).statusWords).filter((status) => status !== null));
      expect(new Set(providerModule(provider).reports.callbacks), provider).toEqual(words);
    }
  });

  it('ends at read, or at sent for LiveTok and Loopwave (pinned from their documents)', () => {
    const pinned: Partial<Record<ProviderName, MessageStatus>> = {
      livetok: 'sent',
      livechat: 'read',
      gupshup: 'read',
      loopwave: 'sent',
      kaleyra: 'read',
    };
    for (const [provider, status] of Object.entries(pinned) as Array<[ProviderName, MessageStatus]>) {
      expect(lastReportedStatus(provider), provider).toBe(status);
    }
  });

  it('ends every provider at the highest status it reports, which settles its messages and nothing before it does', () => {
    for (const provider of PROVIDERS) {
      const { answer, callbacks } = providerModule(provider).reports;
      const last = lastReportedStatus(provider);
      expect([answer, ...callbacks], provider).toContain(last);
      expect(last, provider).not.toBe('failed');
      expect(isSettled(provider, last), provider).toBe(true);
      for (const status of [answer, ...callbacks]) {
        const before = status !== 'failed' && STATUS_RANK[status] < STATUS_RANK[last];
        if (before) expect(isSettled(provider, status), `${provider} ${status}`).toBe(false);
      }
    }
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

  it('maps every provider word onto the table', () => {
    expect(statusFromProviderWord('gupshup', 'enqueued')).toBe('accepted');
    expect(statusFromProviderWord('gupshup', 'deleted')).toBeNull();
    expect(statusFromProviderWord('kaleyra', 'NOT-SENT')).toBe('failed');
    expect(statusFromProviderWord('loopwave', 'pending')).toBe('accepted');
    expect(statusFromProviderWord('livetok', 'sent')).toBe('sent');
    expect(statusFromProviderWord('livechat', 'queued')).toBeUndefined();
    expect(statusFromProviderWord('livechat', 'constructor')).toBeUndefined();
    for (const provider of PROVIDERS) {
      for (const status of Object.values(providerModule(provider).statusWords)) if (status !== null) expect(STATUSES).toContain(status);
    }
  });

  it('has a webhook side exactly where the provider reports by callback', () => {
    for (const provider of PROVIDERS) {
      const module = providerModule(provider);
      expect(module.webhook !== null, provider).toBe(module.reports.callbacks.length > 0);
    }
  });
});
