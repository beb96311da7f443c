/**
 * The webhook function's access log: served by a function URL in AWS (src/api/routes.ts), it has
 * no API Gateway access log, so the handler writes one line per request — the route's name, never
 * its path (a callback token may be in it), the status, the time, the body's size, the caller.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { providerCallback } from '../local/simulator.ts';
import { memoryLog } from '../runtime/log.ts';
import { memoryStorage } from '../store/memory/index.ts';
import type { WebhookDeps } from '../webhooks/app.ts';
import { webhookHandler } from './webhook.ts';

const TOKEN = 't'.repeat(24);

const event = (path: string, body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    isBase64Encoded: false,
    body,
    requestContext: { requestId: 'req-1', http: { method: 'POST', path, sourceIp: '203.0.113.7' } },
  }) as unknown as APIGatewayProxyEventV2;

describe('the webhook function’s access line', () => {
  it('logs every request once, by route name and status, without its path or token', async () => {
    const log = memoryLog();
    const storage = memoryStorage();
    const accounts = new Map([['acme', { id: 'acme', provider: 'kaleyra' }]]);
    const deps = {
      ...storage,
      accounts,
      webhookSecrets: { acme: [TOKEN] },
      recipientHashKey: 'k'.repeat(32),
      log,
      now: () => new Date(),
    } as unknown as WebhookDeps;
    const handler = webhookHandler(() => deps);

    // A wrong token in the path: refused before anything is read, a WARN access line.
    const refused = await handler(event(`/v1/webhooks/kaleyra/acme/${'x'.repeat(24)}`, '{}'));
    expect(refused.statusCode).toBe(401);
    // The right token: taken (kept until its message's send result lands), an INFO access line.
    const facts = { status: 'sent', providerMessageId: 'K-1', messageId: '', recipient: '919812345678', at: 1_795_300_000, secret: TOKEN };
    const callback = providerCallback('kaleyra', facts);
    const taken = await handler(event(`/v1/webhooks/kaleyra/acme/${TOKEN}`, callback.body, callback.headers));
    expect(taken.statusCode).toBe(200);

    const access = log.entries.filter((entry) => entry.message === 'access');
    expect(access).toEqual([
      expect.objectContaining({ level: 'warn', route: 'receiveWebhookWithToken', account: 'acme', status: 401, bytes: 2 }),
      expect.objectContaining({
        level: 'info',
        route: 'receiveWebhookWithToken',
        account: 'acme',
        status: 200,
        bytes: callback.body.length,
      }),
    ]);
    for (const line of access) {
      expect(line).toMatchObject({ correlation_id: 'req-1', ip: '203.0.113.7', ms: expect.any(Number) });
      expect(JSON.stringify(line)).not.toContain('/v1/webhooks');
      expect(JSON.stringify(line)).not.toContain(TOKEN);
    }
  });

  it('logs a request no route serves, and one whose handler failed (503), as WARN lines', async () => {
    const log = memoryLog();
    const failing = webhookHandler(
      () => {
        throw new Error('no configuration');
      },
      { log },
    );
    expect((await failing(event('/v1/webhooks/kaleyra/acme', '{}'))).statusCode).toBe(503);
    const deps = { accounts: new Map(), webhookSecrets: {}, log, now: () => new Date() } as unknown as WebhookDeps;
    expect((await webhookHandler(() => deps)(event('/elsewhere', '{}'))).statusCode).toBe(404);
    const access = log.entries.filter((entry) => entry.message === 'access');
    expect(access).toEqual([
      expect.objectContaining({ level: 'warn', route: 'receiveWebhook', status: 503 }),
      expect.objectContaining({ level: 'warn', route: null, status: 404 }),
    ]);
    expect(log.entries.filter((entry) => entry.level === 'error').map((entry) => entry.message)).toEqual(['webhook failed']);
  });
});
