/**
 * A warm container re-reads its configuration once it is older than CONFIG_MAX_AGE_S: an API key
 * revoked in the configuration stops working within that time, not when the container is recycled.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../api/auth.ts';
import type { ApiDeps } from '../api/app.ts';
import { apiHandler } from './api-handler.ts';
import { configMaxAgeMs, refreshing } from './refresh.ts';

const KEY = 'key-to-revoke';
const getMessage = {
  rawPath: '/v1/messages/01JB0000000000000000000000',
  headers: { authorization: `Bearer ${KEY}` },
  requestContext: { http: { method: 'GET' } },
} as unknown as APIGatewayProxyEventV2;

describe('configuration age in warm containers', () => {
  it('stops a revoked API key once the container’s copy of the configuration is older than the maximum age', async () => {
    let clock = 0;
    let keys = [{ id: 'k', sha256: hashApiKey(KEY), accounts: '*' as const }];
    let reads = 0;
    // What the handler would read from the secret: the key list as it is at that moment.
    const load = (): ApiDeps => {
      reads++;
      return {
        apiKeys: keys,
        messages: { get: async () => undefined } as unknown as ApiDeps['messages'],
        accounts: new Map(),
        now: () => new Date(clock),
      } as unknown as ApiDeps;
    };
    const handler = refreshing(() => apiHandler('status', load), { maxAgeMs: 300_000, now: () => clock });

    expect((await handler(getMessage)).statusCode).toBe(404); // authenticated: no such message
    keys = []; // revoked
    clock = 299_999;
    expect((await handler(getMessage)).statusCode).toBe(404); // the container's copy is still fresh
    clock = 300_000;
    expect((await handler(getMessage)).statusCode).toBe(401);
    expect(reads).toBe(2);
  });

  it('reads CONFIG_MAX_AGE_S: 300 s by default, whole seconds up to an hour, otherwise a clear error', () => {
    expect(configMaxAgeMs(undefined)).toBe(300_000);
    expect(configMaxAgeMs('60')).toBe(60_000);
    expect(configMaxAgeMs('0')).toBe(0);
    expect(() => configMaxAgeMs('5m')).toThrow('environment variable CONFIG_MAX_AGE_S must be whole seconds from 0 to 3600, got 5m');
    expect(() => configMaxAgeMs('7200')).toThrow(/CONFIG_MAX_AGE_S/);
  });
});
