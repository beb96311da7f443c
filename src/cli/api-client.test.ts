/**
 * The CLI's API client over the generated SDK: what it makes of answers the API should never give
 * (no JSON, a body that is not the error envelope) and of no answer at all, against a stand-in on
 * loopback. What it sends and reads in ordinary answers is the contract's (contracts/api/).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, isTransient, UnreachableError } from './api-client.ts';
import { ApiError, CliError } from './errors.ts';
import { closedPortUrl } from '../../test/support/provider-harness.ts';

let server: Server;
let url: string;
let answer: { status: number; body: string; type?: string } = { status: 200, body: '' };
const seen: Array<{ method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }> = [];

beforeAll(async () => {
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
    response.writeHead(answer.status, answer.type ? { 'content-type': answer.type } : {});
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = (over: Partial<{ url: string; urlSource: string }> = {}, timeoutMs?: number) =>
  new ApiClient({ url, key: 'k-123456', urlSource: '--url', ...over }, timeoutMs === undefined ? {} : { timeoutMs });

describe('the CLI’s API client', () => {
  it('sends the key as bearer auth, JSON, and the path and query the spec names', async () => {
    answer = { status: 200, body: JSON.stringify({ messages: [] }), type: 'application/json' };
    seen.length = 0;
    await client().listMessages({ account: 'acme-kaleyra', status: 'unknown' });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/messages?account=acme-kaleyra&status=unknown&limit=100' });
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer k-123456', accept: 'application/json' });
    answer = { status: 200, body: JSON.stringify({ lifted: { account: 'a b', scope: '*' }, requeued: 0 }), type: 'application/json' };
    await client().liftPause('a b/c');
    expect(seen[1]).toMatchObject({ method: 'DELETE', url: '/v1/pauses/a%20b%2Fc' });
  });

  it('refuses a 2xx without JSON: empty, or text', async () => {
    answer = { status: 200, body: '' };
    await expect(client().getMessage('01M81AK7A08BEA23QH5RW7NXJD')).rejects.toThrow(
      new CliError('the API answered GET /v1/messages/01M81AK7A08BEA23QH5RW7NXJD with HTTP 200 but no JSON'),
    );
    answer = { status: 200, body: '<html>ok</html>', type: 'text/html' };
    await expect(client().getMessage('X')).rejects.toThrow('the API answered GET /v1/messages/X with HTTP 200 but no JSON');
  });

  it('tells an error answer by its code, message and violations; anything else by its status', async () => {
    answer = {
      status: 400,
      body: JSON.stringify({
        error: { code: 'invalid_request', message: 'the body has problems', violations: [{ field: 'status', rule: 'r' }] },
      }),
      type: 'application/json',
    };
    const refused = await client()
      .resolveMessage('X', { status: 'sent' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 400, code: 'invalid_request', message: 'the body has problems', details: ['  status: r'] });
    answer = { status: 502, body: 'Bad Gateway', type: 'text/plain' };
    const gateway = await client()
      .getMessage('X')
      .catch((error: unknown) => error);
    expect(gateway).toMatchObject({ status: 502, code: 'http_error', message: 'the API answered HTTP 502' });
    expect(isTransient(gateway)).toBe(true);
    answer = { status: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'no' } }), type: 'application/json' };
    await expect(client().listPauses()).rejects.toThrow(
      /^the API refused the API key \(check --key, WAPK_API_KEY or \.local\/config\.json\): no$/,
    );
  });

  it('says where the API was looked for when nothing answers, and when it does not answer in time', async () => {
    const nowhere = await closedPortUrl();
    const closed = await client({ url: nowhere, urlSource: '/home/x/.local/state.json' })
      .getMessage('X')
      .catch((error: unknown) => error);
    expect(closed).toBeInstanceOf(UnreachableError);
    expect((closed as Error).message).toBe(
      `cannot reach the API at ${nowhere} (from /home/x/.local/state.json; is \`npm start\` running?): ECONNREFUSED`,
    );
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const late = await client({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` }, 50)
        .getMessage('X')
        .catch((error: unknown) => error);
      expect(late).toBeInstanceOf(UnreachableError);
      expect((late as Error).message).toMatch(/did not answer within 0\.05 s$/);
      expect(isTransient(late)).toBe(true);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
