import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WebhookDeps } from '../webhooks/app.ts';
import { handleWebhookRequest } from '../webhooks/app.ts';
import { handleApiRequest, type ApiDeps } from './app.ts';
import type { HttpRequest } from './http.ts';
import { entryOf, matchRoute, ROUTES, routesServedBy } from './routes.ts';

const request = (method: string, path: string): HttpRequest => ({ method, path, headers: {}, query: {}, rawBody: Buffer.alloc(0) });

describe('entry points', () => {
  it('serves provider callbacks by the webhook function’s URL and every other route by the HTTP API', () => {
    expect(routesServedBy('functionUrl').map((route) => route.name)).toEqual(['receiveWebhook', 'receiveWebhookWithToken']);
    expect(routesServedBy('httpApi').every((route) => route.function !== 'webhook')).toBe(true);
    expect(routesServedBy('httpApi').length + routesServedBy('functionUrl').length).toBe(ROUTES.length);
  });

  it('gives all of a function’s routes one entry (a function URL serves every path of its function)', () => {
    const entries = new Map<string, Set<string>>();
    for (const route of ROUTES) entries.set(route.function, (entries.get(route.function) ?? new Set()).add(entryOf(route)));
    for (const [fn, of] of entries) expect(of.size, fn).toBe(1);
  });
});

describe('routing', () => {
  it('decodes path parameters', () => {
    expect(matchRoute('DELETE', '/v1/suppressions/acme/%2B14155550123')).toMatchObject({
      route: { name: 'removeSuppression' },
      params: { account: 'acme', recipient: '+14155550123' },
    });
  });

  const malformed = ['/v1/messages/%E0%A4%A', '/v1/webhooks/kaleyra/%', '/v1/messages/%zz/cancel', '/v1/messages/%C3', '/nowhere/%'];
  it.each(malformed)('calls %s malformed, never throwing', (path) => {
    expect(matchRoute('GET', path)).toEqual({ route: undefined, pathKnown: false, malformed: true });
  });

  it('never throws, whatever the path (property)', () => {
    const piece = fc.constantFrom('%', 'E', '0', 'A', '4', 'z', '/', 'v1', 'messages', 'webhooks', 'é');
    fc.assert(fc.property(fc.string({ unit: piece }), (tail) => void matchRoute('POST', `/v1/${tail}`)));
  });

  it('answers a malformed path 400 on the Lambda path of the API and of the webhooks, before any credential is checked', async () => {
    // Neither handler gets as far as its dependencies: an empty object stands for them.
    const api = await handleApiRequest(request('GET', '/v1/messages/%E0%A4%A'), {} as ApiDeps);
    expect(api.statusCode).toBe(400);
    expect(JSON.parse(api.body).error).toMatchObject({ code: 'invalid_path', violations: [{ field: '(path)' }] });
    const webhook = await handleWebhookRequest(request('POST', '/v1/webhooks/kaleyra/%'), {} as WebhookDeps);
    expect(webhook.statusCode).toBe(400);
    expect(JSON.parse(webhook.body).error.code).toBe('invalid_path');
  });
});
