/**
 * The local HTTP server holds clients to API Gateway's limits: raw sockets on loopback, so each
 * test controls exactly which bytes arrive and when.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LambdaHttpHandler } from '../functions/api-handler.ts';
import { API_GATEWAY_HEADER_BYTES, API_GATEWAY_PAYLOAD_BYTES } from '../messages/limits.ts';
import { startLocalHttp, type LocalHttp, type LocalHttpOptions } from './http-server.ts';

/** A handler that echoes the size of what it got, and counts its calls. */
function echo() {
  const calls: Array<{ path: string; bodyBytes: number }> = [];
  const handler: LambdaHttpHandler = async (event) => {
    const bodyBytes = event.body ? Buffer.from(event.body, 'base64').length : 0;
    calls.push({ path: event.rawPath, bodyBytes });
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bodyBytes }) };
  };
  return { calls, handler };
}

/** Sends `chunks` (each written once the previous is flushed) and resolves with everything the server answered before closing. */
type Exchanged = { status: number; body: string; raw: string };

function exchange(port: number, chunks: Array<string | Buffer>, options: { end?: boolean } = {}): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (data) => received.push(data));
    socket.on('error', (error: NodeJS.ErrnoException) => (received.length ? undefined : reject(error)));
    socket.on('close', () => {
      const raw = Buffer.concat(received).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      resolve({ status, body: raw.slice(raw.indexOf('\r\n\r\n') + 4), raw });
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) await new Promise<void>((done) => socket.write(chunk, () => done()));
      if (options.end) socket.end();
    });
  });
}

describe('local HTTP server limits', () => {
  let http: LocalHttp | undefined;
  afterEach(async () => {
    await http?.close();
    http = undefined;
  });
  const start = async (limits?: LocalHttpOptions['limits']) => {
    const { calls, handler } = echo();
    http = await startLocalHttp({ functions: { accept: handler, status: handler, webhook: handler } }, limits ? { limits } : {});
    return calls;
  };

  it('answers 431 naming the limit when the request line and headers pass 10,240 bytes', async () => {
    const calls = await start();
    const port = http!.port;
    const header = (size: number) => `GET /v1/messages HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(size)}\r\nconnection: close\r\n\r\n`;
    const fits = await exchange(port, [header(API_GATEWAY_HEADER_BYTES - 200)]);
    expect(fits.status).toBe(200);
    const over = await exchange(port, [header(API_GATEWAY_HEADER_BYTES + 1)]);
    expect(over.status).toBe(431);
    const message = 'the request line and headers must be at most 10,240 bytes';
    expect(JSON.parse(over.body).error).toEqual({ code: 'headers_too_large', message });
    expect(calls).toHaveLength(1);
  });

  it('answers 413 on a declared Content-Length above 10 MB without reading the body', async () => {
    const calls = await start();
    const declared = 50 * 1024 * 1024;
    const response = await exchange(http!.port, [`POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: ${declared}\r\n\r\n`]);
    expect(response.status).toBe(413);
    const limit = API_GATEWAY_PAYLOAD_BYTES.toLocaleString('en-US');
    expect(JSON.parse(response.body).error).toEqual({ code: 'payload_too_large', message: `the body must be at most ${limit} bytes` });
    expect(response.raw.toLowerCase()).toContain('connection: close');
    expect(calls).toEqual([]);
  });

  it('answers 413 as soon as a streamed (chunked) body passes the limit, and never hands a part of it to a handler', async () => {
    const calls = await start({ maxBodyBytes: 1000 });
    const head = 'POST /v1/messages HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n';
    const chunk = (n: number) => `${n.toString(16)}\r\n${'x'.repeat(n)}\r\n`;
    const response = await exchange(http!.port, [head, chunk(600), chunk(600)]);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).error.message).toBe('the body must be at most 1,000 bytes');
    expect(calls).toEqual([]);
    // Up to the limit, the body goes through whole.
    const fits = await exchange(http!.port, [head, chunk(600), chunk(400), '0\r\n\r\n']);
    expect(fits.status).toBe(200);
    expect(JSON.parse(fits.body)).toEqual({ bodyBytes: 1000 });
  });

  it('times out a client that never finishes its headers (408), and keeps serving others meanwhile', async () => {
    const calls = await start({ headersTimeoutMs: 200, requestTimeoutMs: 400, checkIntervalMs: 20 });
    const slow = exchange(http!.port, ['POST /v1/messages HTTP/1.1\r\nhost: x\r\n']);
    const other = await fetch(`${http!.url}/v1/messages`);
    expect(other.status).toBe(200);
    const response = await slow;
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body).error.code).toBe('request_timeout');
    expect(calls).toHaveLength(1);
  });

  it('times out a client that never finishes its body (408); the partial body reaches no handler', async () => {
    const calls = await start({ headersTimeoutMs: 200, requestTimeoutMs: 400, checkIntervalMs: 20 });
    const response = await exchange(http!.port, ['POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n', '{"provider":']);
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body).error.code).toBe('request_timeout');
    expect(calls).toEqual([]);
  });

  it('answers 400 for a path with malformed percent-encoding, on every route, credential or not', async () => {
    const calls = await start();
    for (const path of ['/v1/messages/%E0%A4%A', '/v1/webhooks/kaleyra/%', '/v1/webhooks/kaleyra/acme/%zz', '/v1/nothing/%']) {
      const response = await fetch(`${http!.url}${path}`, { method: path.includes('webhooks') ? 'POST' : 'GET' });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_path');
    }
    expect(calls).toEqual([]);
  });
});
