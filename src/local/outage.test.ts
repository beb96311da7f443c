/** `WAPK_OUTAGE`: what it reads, and what the outage's mock answers (src/local/outage.ts). */
import { describe, expect, it } from 'vitest';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { readLocalStackEnvironment } from './env.ts';
import { outageRefusal, parseOutage, withOutage } from './outage.ts';

describe('parseOutage', () => {
  it('reads a provider, an optional kind (paused by default) and an optional duration', () => {
    expect(parseOutage('kaleyra')).toEqual({ provider: 'kaleyra', kind: 'paused' });
    expect(parseOutage('kaleyra:5m')).toEqual({ provider: 'kaleyra', kind: 'paused', forMs: 300_000 });
    expect(parseOutage('livechat:throttled:90s')).toEqual({ provider: 'livechat', kind: 'throttled', forMs: 90_000 });
    expect(parseOutage('gupshup:server-error')).toEqual({ provider: 'gupshup', kind: 'server-error' });
    expect(parseOutage('livetok:paused:1h')).toEqual({ provider: 'livetok', kind: 'paused', forMs: 3_600_000 });
  });

  it('names the rule a wrong value breaks', () => {
    expect(parseOutage('acme')).toEqual({ error: expect.stringMatching(/^must start with a provider \(livetok, .*\), not "acme"$/) });
    expect(parseOutage('kaleyra:down')).toEqual({
      error: expect.stringContaining('"down" must be a kind (paused, revoked, throttled, server-error)'),
    });
    expect(parseOutage('kaleyra:paused:0s')).toMatchObject({ error: expect.stringContaining('duration') });
    expect(parseOutage('kaleyra:5m:paused')).toMatchObject({ error: expect.stringContaining('"5m:paused"') });
    expect(parseOutage('kaleyra:paused:5m:x')).toMatchObject({ error: 'must be <provider>[:<kind>][:<duration>]' });
  });

  it('is read from the environment, and a wrong one stops the start naming WAPK_OUTAGE', () => {
    expect(readLocalStackEnvironment({ WAPK_OUTAGE: 'kaleyra:paused:60s' }).WAPK_OUTAGE).toEqual({
      provider: 'kaleyra',
      kind: 'paused',
      forMs: 60_000,
    });
    expect(readLocalStackEnvironment({ WAPK_OUTAGE: '' }).WAPK_OUTAGE).toBeUndefined();
    expect(() => readLocalStackEnvironment({ WAPK_OUTAGE: 'kaleyra:later' })).toThrow(/WAPK_OUTAGE.*"later" must be a kind/);
  });
});

describe('withOutage', () => {
  // Kaleyra's send operation (its dev kit's pattern takes it: checked below).
  const send = (_provider: 'kaleyra') => ({
    method: MOCKED_PROVIDERS.kaleyra.send.method,
    path: '/v2/HXIN1/whatsapp/+919000014497/messages',
    body: '{}',
  });

  it('refuses every send of the provider within the outage with its pausing refusal, and nothing after it', () => {
    let now = 1000;
    const ordinary = () => undefined;
    const hook = withOutage('kaleyra', { provider: 'kaleyra', kind: 'paused', forMs: 60_000 }, ordinary, 1000, () => now);
    const request = send('kaleyra');
    expect(MOCKED_PROVIDERS.kaleyra.send.path.test(request.path)).toBe(true);
    const { reads: _reads, ...refusal } = DEV_KITS.kaleyra.scenarios.accountRefused;
    expect(hook(request)).toEqual({ kind: 'refuse', ...refusal });
    // Not the send: untouched.
    expect(hook({ ...request, method: 'get' })).toBeUndefined();
    now = 60_999;
    expect(hook(request)).toEqual({ kind: 'refuse', ...refusal });
    now = 61_000;
    expect(hook(request)).toBeUndefined();
  });

  it('leaves the other providers, and scenario numbers, as they are; lasts the whole run without a duration', () => {
    const scenario = { kind: 'drop' } as const;
    const hook = withOutage(
      'kaleyra',
      { provider: 'kaleyra', kind: 'throttled' },
      (r) => (r.body === 'scenario' ? scenario : undefined),
      0,
      () => 1e12,
    );
    expect(hook({ ...send('kaleyra'), body: 'scenario' })).toBe(scenario);
    expect(hook(send('kaleyra'))).toMatchObject({ kind: 'refuse', status: 429 });
    const ordinary = () => undefined;
    expect(withOutage('livechat', { provider: 'kaleyra', kind: 'paused' }, ordinary, 0)).toBe(ordinary);
    expect(withOutage('livechat', undefined, ordinary, 0)).toBe(ordinary);
  });

  it('answers each kind with the provider’s documented answer for it', () => {
    expect(outageRefusal({ provider: 'livetok', kind: 'paused' })).toEqual({ kind: 'refuse', status: 401, example: 'invalidApiKey' });
    expect(outageRefusal({ provider: 'livetok', kind: 'throttled' })).toEqual({
      kind: 'refuse',
      status: 429,
      example: 'rateLimitExceeded',
    });
    expect(outageRefusal({ provider: 'livetok', kind: 'server-error' })).toEqual({ kind: 'refuse', status: 500, example: 'internalError' });
    expect(outageRefusal({ provider: 'kaleyra', kind: 'paused' })).toEqual({ kind: 'refuse', status: 400, example: 'lowBalance' });
  });

  it('refuses the credential with `revoked`: the pausing refusal where that is the credential’s, Kaleyra’s 401 RBC001', () => {
    expect(parseOutage('kaleyra:revoked:2m')).toEqual({ provider: 'kaleyra', kind: 'revoked', forMs: 120_000 });
    expect(outageRefusal({ provider: 'kaleyra', kind: 'revoked' })).toEqual({ kind: 'refuse', status: 401, example: 'unauthorized' });
    for (const provider of ['livetok', 'livechat', 'gupshup', 'loopwave'] as const) {
      expect(DEV_KITS[provider].scenarios.accountRefused.status, provider).toBe(401);
      expect(outageRefusal({ provider, kind: 'revoked' }), provider).toEqual(outageRefusal({ provider, kind: 'paused' }));
    }
  });
});
