/**
 * HTTP in and out of the API handlers, independent of what carries it (API Gateway's HTTP API or
 * a Function URL in AWS — both send the v2 event — or the local server).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bytes, MAX_BATCH, MAX_BODY_BYTES, MAX_MESSAGE_BYTES } from '../messages/limits.ts';
import type { Violation } from '../messages/send-request.ts';
import { MALFORMED_PATH_RULE } from './routes.ts';

export interface HttpRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The raw body, exactly as received (webhook signatures are over these bytes). */
  rawBody: Buffer;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function fromLambdaEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  // No prototype: a parameter named `__proto__` is kept as one (an object literal would swallow it,
  // and the query's unknown-parameter check would never see it).
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[name] = value;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers,
    query,
    rawBody: event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

export function toLambdaResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** An error answer: `{error: {code, message, violations?}}`. Never echoes secrets or numbers. */
export function problem(statusCode: number, code: string, message: string, violations?: Violation[]): HttpResponse {
  return json(statusCode, { error: { code, message, ...(violations?.length ? { violations } : {}) } });
}

/** The answer to a path whose percent-encoding is not valid (never a 5xx). */
export function malformedPath(): HttpResponse {
  return problem(400, 'invalid_path', 'the path is not valid percent-encoding', [{ field: '(path)', rule: MALFORMED_PATH_RULE }]);
}

/**
 * A body above our cap (src/messages/limits.ts) → 413 naming the limit; undefined if it fits.
 * Checked before the body is parsed, on every route and whatever carries the request.
 */
export function bodyTooLarge(request: HttpRequest): HttpResponse | undefined {
  if (request.rawBody.length <= MAX_BODY_BYTES) return undefined;
  return problem(413, 'payload_too_large', `the body is ${bytes(request.rawBody.length)}; at most ${bytes(MAX_BODY_BYTES)} are accepted`, [
    {
      field: '(body)',
      rule: `must be at most ${bytes(MAX_BODY_BYTES)} (${MAX_BATCH} messages of at most ${bytes(MAX_MESSAGE_BYTES)} each, in compact JSON)`,
    },
  ]);
}

/** The body as JSON, or a 400 naming the problem. */
export function parseJsonBody(request: HttpRequest): { ok: true; value: unknown } | { ok: false; response: HttpResponse } {
  if (request.rawBody.length === 0) return { ok: false, response: problem(400, 'invalid_request', 'the request has no body; send JSON') };
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/.test(type)) {
    return { ok: false, response: problem(415, 'unsupported_media_type', 'content-type must be application/json') };
  }
  try {
    return { ok: true, value: JSON.parse(request.rawBody.toString('utf8')) };
  } catch (error) {
    return { ok: false, response: problem(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`) };
  }
}
