/**
 * A mock of one provider's API: Prism (in-process) serving the provider's spec, behind a thin
 * layer that adds what Prism cannot do on its own.
 *
 * - Distinct message ids: Prism answers every send with the same documented example, so several
 *   messages sent through a mock could not be told apart. The layer rewrites the message id of
 *   each successful send answer to a fresh one (`<documented id>-<n>`).
 * - JSON text inside form fields (Gupshup's `template`, `message`, `postbackTexts`): Prism reads
 *   every form field as a string and does not honour `encoding.contentType`, so it would reject the
 *   correct request. The layer shows Prism those fields as strings and validates their decoded JSON
 *   against the spec's schema itself; an invalid one gets the spec's 400 answer (through
 *   `Prefer: code=400`) and an `sl-violations` header naming the field, as Prism does.
 *
 * - Scenarios (the `scenario` hook, used by the local stack's scenario numbers): a request can be
 *   refused with a given status (the spec's documented answer through `Prefer` where it has one,
 *   a plain JSON error where it does not), held and then dropped, or dropped at once.
 * - `GET /__mock/received`: what the mock answered so far, for tests that run it in another process.
 *
 * Everything else — routing, request validation, security, `Prefer` (code, example, dynamic) —
 * is Prism's. Used by `npm run mock`, the contract tests and the local stack, and exported as
 * `whatsapp-provider-kit/mock` (src/mock/index.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@stoplight/prism-core';
import { createInstance, getHttpOperationsFromSpec, type IHttpConfig } from '@stoplight/prism-http';
import type { IHttpOperation } from '@stoplight/types';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { jsonEncodedFormFields } from './json-form.ts';
import type { ProviderName } from './providers.ts';
import { MOCKED_PROVIDERS } from './providers.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ProviderMock {
  provider: ProviderName;
  /** Every request the mock answered, in order (for assertions on what reached the provider). */
  /**
   * Every request, in arrival order: `at` is when it arrived (the instant the rate limit counted
   * it), `answeredAt` when its answer was written.
   */
  received: Array<{ method: string; path: string; at: number; answeredAt: number; status: number; body: string }>;
  /** Base URL of the mock, e.g. `http://127.0.0.1:4010`: pass it as the client's `baseUrl`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ProviderMockOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Path of the spec; defaults to `specs/<provider>.yaml` of this package (found from the module, not the working directory). */
  specPath?: string;
  /**
   * Enforce a rate limit like the provider does: beyond `limit` requests in a fixed window of
   * `windowMs`, answer 429 (the spec's documented 429 where it has one) with `Retry-After` and
   * `X-RateLimit-Reset` saying when the window ends.
   */
  rateLimit?: { limit: number; windowMs: number };
  /** The mock's clock (ms), for the rate limit. */
  now?: () => number;
  /** Wait this long before answering each request, as a real provider takes time (so a crash can find a call in flight). */
  latencyMs?: number;
  /** Called after each answer. */
  onAnswered?: (answer: MockAnswer) => void;
  /** Called with each answer before it is written; the reply waits for it (callbacks that arrive before the answer). */
  beforeReply?: (answer: MockAnswer) => Promise<void> | void;
  /** Decides what a request gets instead of its ordinary answer, if anything (the local stack's scenario numbers). */
  scenario?: (request: { method: string; path: string; body: string }) => MockScenario | undefined;
}

export interface MockAnswer {
  method: string;
  path: string;
  status: number;
  requestBody: string;
  responseBody: unknown;
}

/**
 * Instead of the ordinary answer: `refuse` with `status` (the spec's documented answer, by
 * `example`, where the operation documents the status; a plain JSON error otherwise), saying when
 * to retry (`retryAfterS`: `Retry-After` and `X-RateLimit-Reset`); `hold` the request `ms` and then
 * drop the connection without an answer; `drop` it at once.
 */
export type MockScenario =
  | { kind: 'refuse'; status: number; example?: string; retryAfterS?: number }
  | { kind: 'hold'; ms: number }
  | { kind: 'drop' };

interface JsonFormField {
  property: string;
  validate: ValidateFunction;
}

/** A form operation whose fields carry JSON text, as Prism will see it and as we check it. */
interface JsonFormOperation {
  method: string;
  path: RegExp;
  fields: JsonFormField[];
}

/**
 * The package's `specs/<provider>.yaml`, found from this module, never from the working directory:
 * two folders up from `src/mock/` in a checkout, three from `dist/src/mock/` in an installed
 * package (specs/ ships beside dist/).
 */
function packagedSpec(provider: ProviderName): string {
  const candidates = ['../../specs/', '../../../specs/'].map((dir) => fileURLToPath(new URL(`${dir}${provider}.yaml`, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/**
 * Starts a mock of `provider`'s API on `options.host` (127.0.0.1) and `options.port` (a free
 * one). Close it with `close()`.
 * @throws TypeError when `provider` is not one of the mocked providers.
 */
export async function startProviderMock(provider: ProviderName, options: ProviderMockOptions = {}): Promise<ProviderMock> {
  if (typeof provider !== 'string' || !Object.hasOwn(MOCKED_PROVIDERS, provider)) {
    throw new TypeError(`provider: must be one of ${Object.keys(MOCKED_PROVIDERS).join(', ')} (got ${JSON.stringify(provider)})`);
  }
  const specPath = options.specPath ?? packagedSpec(provider);
  const operations = await getHttpOperationsFromSpec(specPath);
  const jsonForms = extractJsonFormFields(operations, jsonEncodedFormFields(parse(readFileSync(specPath, 'utf8'))));
  const prism = createInstance(MOCK_CONFIG, { logger: createLogger('mock', { level: 'silent' }) });
  const idRewrites = MOCKED_PROVIDERS[provider].messageIdPointers;
  const received: ProviderMock['received'] = [];
  const clock = options.now ?? Date.now;
  const limited = options.rateLimit;
  const answers429 = operations.some((operation) => operation.responses.some((response) => response.code === '429'));
  let window = { start: 0, count: 0 };
  let sent = 0;
  /** Requests held by a `hold` scenario: released (dropped) early when the mock closes. */
  const held = new Set<() => void>();

  const server = createServer((request, reply) => {
    handle(request, reply).catch((error: unknown) => {
      if (!reply.headersSent) reply.writeHead(500, { 'content-type': 'application/problem+json' });
      reply.end(JSON.stringify({ type: 'about:blank', title: 'Mock failure', detail: String(error) }));
    });
  });

  async function handle(request: IncomingMessage, reply: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const at = clock();
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const url = new URL(request.url ?? '/', 'http://mock');
    const method = (request.method ?? 'GET').toLowerCase();
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
    );
    const contentType = headers['content-type'] ?? '';
    let body: unknown = raw.length === 0 ? undefined : raw;
    if (raw.length > 0 && /json/.test(contentType)) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw; // Prism reports the malformed body.
      }
    }

    if (method === 'get' && url.pathname === '/__mock/received') {
      reply.writeHead(200, { 'content-type': 'application/json' });
      reply.end(JSON.stringify({ received }));
      return;
    }

    const violations = checkJsonFormFields(jsonForms, method, url.pathname, contentType, raw);
    if (violations.length > 0) headers.prefer = 'code=400';

    const scenario = violations.length === 0 ? options.scenario?.({ method, path: url.pathname, body: raw }) : undefined;
    if (scenario?.kind === 'hold' || scenario?.kind === 'drop') {
      received.push({ method, path: url.pathname, at, answeredAt: at, status: 0, body: raw });
      if (scenario.kind === 'hold') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, scenario.ms);
          function done() {
            clearTimeout(timer);
            held.delete(done);
            resolve();
          }
          held.add(done);
        });
      }
      // No answer at all: the connection ends under the request.
      request.socket.destroy();
      return;
    }
    let resetMs: number | undefined;
    if (scenario?.kind === 'refuse') {
      if (scenario.retryAfterS !== undefined) resetMs = clock() + scenario.retryAfterS * 1000;
      const operation = operations.find((op) => op.method === method && pathPattern(op.path).test(url.pathname));
      const documented = operation?.responses.some((r) => r.code === String(scenario.status) || r.code === 'default') ?? false;
      if (!documented) {
        received.push({ method, path: url.pathname, at, answeredAt: clock(), status: scenario.status, body: raw });
        const reset = resetMs !== undefined ? resetHeaders(resetMs, clock()) : {};
        const responseBody = { message: `HTTP ${scenario.status} from the mock (a status this provider does not document)` };
        reply.writeHead(scenario.status, { 'content-type': 'application/json', ...reset });
        reply.end(JSON.stringify(responseBody));
        options.onAnswered?.({ method, path: url.pathname, status: scenario.status, requestBody: raw, responseBody });
        return;
      }
      headers.prefer = `code=${scenario.status}${scenario.example ? `, example=${scenario.example}` : ''}`;
    }

    if (limited && !scenario) {
      if (at - window.start >= limited.windowMs) window = { start: at - ((at - window.start) % limited.windowMs), count: 0 };
      window.count += 1;
      if (window.count > limited.limit) {
        resetMs = window.start + limited.windowMs;
        if (!answers429) {
          received.push({ method, path: url.pathname, at, answeredAt: at, status: 429, body: raw });
          const { 'x-ratelimit-remaining': _remaining, ...reset } = resetHeaders(resetMs, at);
          const responseBody = { error: 'rate_limited', message: 'mock rate limit exceeded' };
          reply.writeHead(429, { 'content-type': 'application/json', ...reset });
          reply.end(JSON.stringify(responseBody));
          options.onAnswered?.({ method, path: url.pathname, status: 429, requestBody: raw, responseBody });
          return;
        }
        headers.prefer = 'code=429';
      }
    }

    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0]! : values;
    }
    const result = await prism.request({ method: method as never, url: { path: url.pathname, query }, headers, body }, operations, {
      ...MOCK_CONFIG,
      mock: { ...MOCK_CONFIG.mock, ...preferences(headers.prefer) },
    })();

    if (result._tag === 'Left') {
      const problem = result.left as Error & { status?: number; additional?: { headers?: Record<string, string> } };
      reply.writeHead(problem.status ?? 500, { 'content-type': 'application/problem+json', ...(problem.additional?.headers ?? {}) });
      reply.end(JSON.stringify({ title: problem.name, detail: problem.message }));
      return;
    }

    const { output } = result.right;
    const inputViolations = [
      ...violations,
      ...result.right.validations.input.map((v) => ({ location: ['request', ...(v.path ?? [])], message: v.message })),
    ];
    let responseBody = output.body;
    const pointer = idRewrites.find((rewrite) => rewrite.method === method && rewrite.path.test(url.pathname))?.pointer;
    if (pointer && output.statusCode >= 200 && output.statusCode < 300 && responseBody && typeof responseBody === 'object') {
      sent += 1;
      responseBody = withFreshId(responseBody, pointer, sent);
    }
    const replyHeaders: Record<string, string> = { ...(output.headers as Record<string, string> | undefined) };
    if (resetMs !== undefined) {
      // Say when the window really ends, not the spec's example values.
      for (const name of Object.keys(replyHeaders))
        if (/^(retry-after|x-ratelimit-reset|x-ratelimit-remaining)$/i.test(name)) delete replyHeaders[name];
      Object.assign(replyHeaders, resetHeaders(resetMs, clock()));
    }
    received.push({ method, path: url.pathname, at, answeredAt: clock(), status: output.statusCode, body: raw });
    if (inputViolations.length > 0) replyHeaders['sl-violations'] = JSON.stringify(inputViolations).slice(0, 8000);
    const isJson = typeof responseBody === 'object' && responseBody !== null;
    if (isJson && !Object.keys(replyHeaders).some((name) => name.toLowerCase() === 'content-type'))
      replyHeaders['content-type'] = 'application/json';
    const answer: MockAnswer = { method, path: url.pathname, status: output.statusCode, requestBody: raw, responseBody };
    // The hook reports its own failures; the answer goes out whatever happens there.
    if (options.beforeReply) await Promise.resolve(options.beforeReply(answer)).catch(() => {});
    reply.writeHead(output.statusCode, replyHeaders);
    reply.end(responseBody === undefined ? undefined : isJson ? JSON.stringify(responseBody) : String(responseBody));
    options.onAnswered?.(answer);
  }

  const port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    provider,
    received,
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const release of [...held]) release();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const MOCK_CONFIG: IHttpConfig = {
  mock: { dynamic: false },
  checkSecurity: true,
  validateRequest: true,
  validateResponse: true,
  errors: false,
  upstreamProxy: undefined,
  isProxy: false,
};

/** When to come back: `Retry-After` (seconds), `X-RateLimit-Reset` (Unix seconds), nothing remaining. */
function resetHeaders(resetMs: number, now: number): Record<string, string> {
  return {
    'retry-after': String(Math.max(1, Math.ceil((resetMs - now) / 1000))),
    'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    'x-ratelimit-remaining': '0',
  };
}

/** `Prefer: code=429, example=rateLimited, dynamic=true` → Prism's per-request mock settings. */
function preferences(prefer: string | undefined): Partial<{ code: number; exampleKey: string; dynamic: boolean }> {
  if (!prefer) return {};
  const settings: Partial<{ code: number; exampleKey: string; dynamic: boolean }> = {};
  for (const part of prefer.split(/[,;]/)) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!key || value === undefined) continue;
    if (key === 'code' && /^\d{3}$/.test(value)) settings.code = Number(value);
    if (key === 'example') settings.exampleKey = value;
    if (key === 'dynamic') settings.dynamic = value === 'true';
  }
  return settings;
}

/**
 * For form operations whose fields carry JSON, makes Prism see those fields as strings and keeps
 * a validator of their decoded JSON against the spec's (Prism-resolved) schema.
 */
function extractJsonFormFields(operations: IHttpOperation[], jsonFields: Map<string, string[]>): JsonFormOperation[] {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const found: JsonFormOperation[] = [];
  for (const operation of operations) {
    const names = jsonFields.get(`${operation.method} ${operation.path}`);
    if (!names) continue;
    for (const content of operation.request?.body?.contents ?? []) {
      if (!content.mediaType.startsWith('application/x-www-form-urlencoded')) continue;
      const properties = (content.schema as { properties?: Record<string, object> } | undefined)?.properties ?? {};
      const fields: JsonFormField[] = [];
      for (const name of names) {
        const fieldSchema = properties[name];
        if (!fieldSchema) continue;
        fields.push({ property: name, validate: ajv.compile(stripAnnotations(fieldSchema)) });
        properties[name] = { type: 'string' };
      }
      if (fields.length > 0) found.push({ method: operation.method, path: pathPattern(operation.path), fields });
    }
  }
  return found;
}

function checkJsonFormFields(operations: JsonFormOperation[], method: string, path: string, contentType: string, raw: string) {
  const operation = operations.find((op) => op.method === method && op.path.test(path));
  if (!operation || !contentType.startsWith('application/x-www-form-urlencoded')) return [];
  const form = new URLSearchParams(raw);
  const violations: Array<{ location: string[]; message: string }> = [];
  for (const field of operation.fields) {
    const text = form.get(field.property);
    if (text === null) continue; // Prism reports missing required fields.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      violations.push({ location: ['request', 'body', field.property], message: 'must be JSON text' });
      continue;
    }
    if (!field.validate(value)) {
      for (const error of field.validate.errors ?? []) {
        violations.push({
          location: ['request', 'body', field.property, ...error.instancePath.split('/').filter(Boolean)],
          message: error.message ?? 'invalid',
        });
      }
    }
  }
  return violations;
}

/** OpenAPI annotations that Ajv does not know as keywords (Prism keeps them in its schemas). */
function stripAnnotations(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema, (key, value) =>
      key === 'examples' || key === 'example' || key.startsWith('x-') || key === '$schema' ? undefined : value,
    ),
  );
}

function pathPattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

function withFreshId(body: object, pointer: string, n: number): object {
  const copy = structuredClone(body) as Record<string, unknown>;
  const keys = pointer.split('/').filter(Boolean);
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (!next || typeof next !== 'object') return copy;
    target = next as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  const documented = target[last];
  // Only an id the answer already has is made distinct; the mock never adds a field.
  if (typeof documented === 'string') target[last] = `${documented}-${n}-${randomBytes(3).toString('hex')}`;
  return copy;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
