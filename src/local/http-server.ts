/**
 * The local HTTP entry point: serves the same Lambda handlers as AWS does, by turning each
 * request into the HTTP API's v2 event (body base64-encoded, as API Gateway may send it) and the
 * handler's result back into a response. Routes come from the one route table.
 *
 * It holds clients to API Gateway's limits (src/messages/limits.ts, LOCAL_HTTP), so what works
 * locally works deployed and a misbehaving client cannot hold the stack up:
 * - request line + headers above 10,240 bytes → 431;
 * - headers not complete within 10 s, or the whole request within 30 s → 408, connection closed;
 * - a body above 10 MB → 413, refused on its Content-Length before it is read, or as soon as a
 *   streamed body passes the limit (never buffered whole);
 * - a path with malformed percent-encoding → 400.
 * Each answer is JSON naming the limit. The handlers apply our own, smaller body cap.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MALFORMED_PATH_RULE, matchRoute } from '../api/routes.ts';
import { userMessage } from '../errors.ts';
import type { LambdaHttpHandler } from '../functions/api-handler.ts';
import { bytes, LOCAL_HTTP, type HttpLimits } from '../messages/limits.ts';

export interface LocalHttp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Handlers by function name (`accept`, `status`, `webhook`); a path prefix may route to one too. */
export interface LocalRoutes {
  functions: Record<string, LambdaHttpHandler>;
  /** Requests under these prefixes go to the named function (routes not in the API table, e.g. webhooks). */
  prefixes?: Record<string, string>;
}

export interface LocalHttpOptions {
  port?: number;
  host?: string;
  /** API Gateway's by default (LOCAL_HTTP); tests lower them to see them work. */
  limits?: Partial<HttpLimits> & {
    /** How often Node checks the timeouts (its default is 30 s). */
    checkIntervalMs?: number;
  };
  /** Where a handler's crash is told (the caller gets a 500 without it); default stderr. */
  onError?: (error: unknown) => void;
}

type Result = APIGatewayProxyStructuredResultV2;

const seconds = (ms: number) => `${ms / 1000} s`;

const jsonError = (statusCode: number, code: string, message: string, extra: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify({ error: { code, message } }),
});

export async function startLocalHttp(routes: LocalRoutes, options: LocalHttpOptions = {}): Promise<LocalHttp> {
  const host = options.host ?? '127.0.0.1';
  const limits = { ...LOCAL_HTTP, ...options.limits };
  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: options.limits?.checkIntervalMs ?? Math.min(1000, limits.headersTimeoutMs),
    },
    (request, reply) => {
      void serve(request, reply).then(
        (result) => send(reply, result),
        // Like API Gateway after a crashed function: the caller learns nothing internal, the terminal does.
        (error: unknown) => {
          (options.onError ?? ((e: unknown) => console.error('[local http]', e)))(error);
          send(reply, jsonError(500, 'internal', userMessage(error)));
        },
      );
    },
  );

  // Errors before a request reaches the handler above: headers too large, a client too slow,
  // bytes that are not HTTP. Node's own answers have no body; ours say which limit.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (!socket.writable || pending?.headersSent || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const timeouts = `send the headers within ${seconds(limits.headersTimeoutMs)} and all of it within ${seconds(limits.requestTimeoutMs)}`;
    const result =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? jsonError(431, 'headers_too_large', `the request line and headers must be at most ${bytes(limits.maxHeaderBytes)}`)
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? jsonError(408, 'request_timeout', timeouts)
          : jsonError(400, 'bad_request', 'the request is not valid HTTP/1.1');
    socket.end(rawResponse(result));
  });

  async function serve(request: IncomingMessage, reply: ServerResponse): Promise<Result | undefined> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://local');
    } catch {
      return jsonError(400, 'invalid_path', 'the request target is not a valid path');
    }
    const body = await readBody(request, reply, limits.maxBodyBytes);
    if (!body.ok) return body.result;
    const matched = matchRoute(request.method ?? 'GET', url.pathname);
    if (!matched.route && matched.malformed) return jsonError(400, 'invalid_path', `the path ${MALFORMED_PATH_RULE}`);
    const prefix = Object.entries(routes.prefixes ?? {}).find(([path]) => url.pathname.startsWith(path));
    const name = matched.route?.function ?? prefix?.[1] ?? Object.keys(routes.functions)[0]!;
    const handler = routes.functions[name];
    if (!handler) return jsonError(404, 'not_found', `no route ${url.pathname}`);
    return handler(toEvent(request, url, body.value));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Writes the handler's answer, unless the exchange is already over (timed out, client gone). */
function send(reply: ServerResponse, result: Result | undefined): void {
  if (!result || reply.headersSent || reply.destroyed || reply.socket?.destroyed) return;
  const body = result.body ?? '';
  const headers = { ...(result.headers as Record<string, string>), 'content-length': String(Buffer.byteLength(body)) };
  reply.writeHead(result.statusCode ?? 200, headers);
  reply.end(body);
}

/**
 * The whole body, or the answer that refuses it: 413 when it is (or declares to be) larger than
 * `limit`, nothing when the client went away or timed out mid-body (a partial body never reaches
 * a handler).
 */
type BodyRead = { ok: true; value: Buffer } | { ok: false; result?: Result };

function readBody(request: IncomingMessage, reply: ServerResponse, limit: number): Promise<BodyRead> {
  const tooLarge = (): { ok: false; result: Result } => {
    // Say it and close the connection: what else the client sends is discarded, never buffered.
    reply.shouldKeepAlive = false;
    request.resume();
    return { ok: false, result: jsonError(413, 'payload_too_large', `the body must be at most ${bytes(limit)}`, { connection: 'close' }) };
  };
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve(tooLarge());
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: BodyRead) => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish(tooLarge());
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => finish({ ok: true, value: Buffer.concat(chunks) });
    const onGone = () => {
      if (!request.complete) finish({ ok: false });
    };
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

function rawResponse(result: Result): string {
  const body = result.body ?? '';
  const reasons: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };
  const head = [`HTTP/1.1 ${result.statusCode} ${reasons[result.statusCode ?? 400] ?? 'Error'}`, 'content-type: application/json'];
  head.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close');
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

function toEvent(request: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  // No prototype, as API Gateway's parsed JSON keeps a parameter named `__proto__` (src/api/http.ts).
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}
