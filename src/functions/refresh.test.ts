/**
 * A warm container re-reads its configuration once it is older than CONFIG_MAX_AGE_S: an API key
 * revoked in the configuration stops working within that time, not when the container is recycled.
 * (The loader's rules: src/runtime/loader.test.ts; reading CONFIG_MAX_AGE_S: src/runtime/env.test.ts.)
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../api/auth.ts';
import type { ApiDeps } from '../api/app.ts';
import { silentLog } from '../runtime/log.ts';
import { apiHandler } from './api-handler.ts';

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
        log: silentLog,
      } as unknown as ApiDeps;
    };
    const handler = apiHandler('status', load, { maxAgeMs: 300_000, now: () => clock, log: silentLog });

    expect((await handler(getMessage)).statusCode).toBe(404); // authenticated: no such message
    keys = []; // revoked
    clock = 299_999;
    expect((await handler(getMessage)).statusCode).toBe(404); // the container's copy is still fresh
    clock = 300_000;
    expect((await handler(getMessage)).statusCode).toBe(401);
    expect(reads).toBe(2);
  });
});
