/**
 * The operator's failover switch and breaker read through the real API handlers on loopback
 * (test/support/api-server.ts: in-memory store, fixed clock): scoped to the key's accounts, every
 * bad input a 400 naming the field and the rule, and what it writes is what the sender reads.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, KALEYRA_ONLY_KEY, startApiOnLoopback, type ApiOnLoopback } from '../support/api-server.ts';

let api: ApiOnLoopback;
beforeAll(async () => {
  api = await startApiOnLoopback();
});
afterAll(() => api.close());
beforeEach(() => api.reset());

async function call(method: string, path: string, body?: unknown, key = API_KEY, raw?: string) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('the failover switch (operator API)', () => {
  it('turns an account’s failover off and on again, kept where the sender reads it, with who and why', async () => {
    const off = await call('PUT', '/v1/failover/acme-kaleyra', { failover: 'off', reason: 'incident 42' });
    expect(off).toEqual({
      status: 200,
      body: {
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        failover: 'off',
        disabled: { since: '2026-11-22T10:00:00.000Z', reason: 'incident 42' },
        breaker: { state: 'closed', refusals: 0 },
      },
    });
    expect((await api.storage.routeHealth.get('acme-kaleyra')).disabled).toEqual({
      since: '2026-11-22T10:00:00.000Z',
      reason: 'incident 42',
    });
    // Without a reason, the key that turned it off is named.
    await call('PUT', '/v1/failover/acme-kaleyra', { failover: 'off' });
    expect((await api.storage.routeHealth.get('acme-kaleyra')).disabled?.reason).toBe('turned off with key all');
    const on = await call('PUT', '/v1/failover/acme-kaleyra', { failover: 'on' });
    expect(on.body).toEqual({ account: 'acme-kaleyra', provider: 'kaleyra', failover: 'on', breaker: { state: 'closed', refusals: 0 } });
    expect((await api.storage.routeHealth.get('acme-kaleyra')).disabled).toBeUndefined();
  });

  it('shows an account’s breaker as the sender left it, and keeps it when the switch changes', async () => {
    const halfOpen = {
      state: 'half_open' as const,
      refusals: 5,
      openedAt: '2026-11-22T09:58:00.000Z',
      until: '2026-11-22T09:59:00.000Z',
      coolDownMs: 60_000,
      probe: { token: 'secret-token', until: '2026-11-22T10:00:20.000Z' },
    };
    await api.storage.routeHealth.writeBreaker('acme-kaleyra', halfOpen, 0);
    const list = await call('GET', '/v1/failover?account=acme-kaleyra');
    expect(list.body.accounts).toEqual([
      {
        account: 'acme-kaleyra',
        provider: 'kaleyra',
        failover: 'on',
        // The probe's lease, not its token; no cool-down end while half-open.
        breaker: {
          state: 'half_open',
          refusals: 5,
          openedAt: '2026-11-22T09:58:00.000Z',
          coolDownMs: 60_000,
          probeUntil: '2026-11-22T10:00:20.000Z',
        },
      },
    ]);
    await call('PUT', '/v1/failover/acme-kaleyra', { failover: 'off' });
    expect((await api.storage.routeHealth.get('acme-kaleyra')).breaker).toEqual(halfOpen);
  });

  it('is scoped to the key’s accounts: another account answers as one that does not exist', async () => {
    expect(await call('PUT', '/v1/failover/acme-gupshup', { failover: 'off' }, KALEYRA_ONLY_KEY)).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no account acme-gupshup' } },
    });
    expect((await api.storage.routeHealth.get('acme-gupshup')).version).toBe(0);
    expect((await call('GET', '/v1/failover?account=acme-gupshup', undefined, KALEYRA_ONLY_KEY)).body).toEqual({ accounts: [] });
    expect((await call('GET', '/v1/failover?account=acme-nowhere')).body).toEqual({ accounts: [] });
    expect((await call('PUT', '/v1/failover/acme-kaleyra', { failover: 'off' }, KALEYRA_ONLY_KEY)).status).toBe(200);
  });

  it.each<[string, unknown, Array<{ field: string; rule: string }>]>([
    ['no switch', {}, [{ field: 'failover', rule: 'must be "on" (messages may fail over) or "off" (they stay on their route)' }]],
    [
      'a boolean',
      { failover: false },
      [{ field: 'failover', rule: 'must be "on" (messages may fail over) or "off" (they stay on their route)' }],
    ],
    ['an empty reason', { failover: 'off', reason: '' }, [{ field: 'reason', rule: 'must not be empty' }]],
    ['a reason too long', { failover: 'off', reason: 'x'.repeat(501) }, [{ field: 'reason', rule: 'must be at most 500 characters' }]],
    ['a reason with on', { failover: 'on', reason: 'fixed' }, [{ field: 'reason', rule: 'goes only with "failover": "off"' }]],
    ['an unknown field', { failover: 'off', until: '1h' }, [{ field: '(body)', rule: 'unknown field(s): until' }]],
  ])('refuses %s with a 400 naming the field and the rule, and changes nothing', async (_name, body, violations) => {
    const answer = await call('PUT', '/v1/failover/acme-kaleyra', body);
    expect(answer).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: 'the body has problems', violations } } });
    expect((await api.storage.routeHealth.get('acme-kaleyra')).version).toBe(0);
  });

  it('refuses a body that is not JSON, and none', async () => {
    expect((await call('PUT', '/v1/failover/acme-kaleyra', undefined, API_KEY, '{off')).body.error.code).toBe('invalid_json');
    expect((await call('PUT', '/v1/failover/acme-kaleyra')).body.error).toMatchObject({ code: 'invalid_request' });
  });
});
