/**
 * The local HTTP entry point: serves the same Lambda handlers as AWS does, by turning each
 * request into the HTTP API's v2 event (body base64-encoded, as API Gateway may send it) and the
 * handler's result back into a response. Routes come from the one route table.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { matchRoute } from '../api/routes.ts';
import type { LambdaHttpHandler } from '../functions/api-handler.ts';

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

export async function startLocalHttp(routes: LocalRoutes, options: { port?: number; host?: string } = {}): Promise<LocalHttp> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, reply) => {
    void serve(request).then(
      (result) => {
        reply.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
        reply.end(result.body ?? '');
      },
      (error: unknown) => {
        reply.writeHead(500, { 'content-type': 'application/json' });
        reply.end(JSON.stringify({ error: { code: 'internal', message: (error as Error).message } }));
      },
    );
  });

  async function serve(request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://local');
    const matched = matchRoute(request.method ?? 'GET', url.pathname);
    const prefix = Object.entries(routes.prefixes ?? {}).find(([path]) => url.pathname.startsWith(path));
    const name = matched.route?.function ?? prefix?.[1] ?? Object.keys(routes.functions)[0]!;
    const handler = routes.functions[name];
    if (!handler) return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'not_found', message: `no route ${url.pathname}` } }) };
    return handler(toEvent(request, url, Buffer.concat(chunks)));
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

function toEvent(request: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
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
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}
