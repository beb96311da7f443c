/** The pipeline's HTTP API over global fetch: JSON in and out, errors as {@link ApiError}. */
import { FINAL_STATUSES as STATUS_TABLE_FINAL } from '../messages/status.ts';
import { ApiError, CliError, type Violation } from './errors.ts';
import { deadlineSignal } from '../runtime/deadline.ts';
import type { Connection } from './settings.ts';

/** A message as the API shows it (src/api/messages.ts `presentMessage`). */
export interface ApiMessage {
  id: string;
  provider: string;
  account: string;
  status: string;
  recipient: string;
  kind: string;
  template?: string;
  createdAt: string;
  scheduleAt?: string;
  history: Array<{ status: string; at: string }>;
  attempts: number;
  lastError?: { class?: string; status?: number; code?: string | number; reason: string };
  providerMessageId?: string;
  metadata?: Record<string, string>;
}

/** A pause as `GET /v1/pauses` lists it. */
export type { ApiPause as Pause } from '../api/operator.ts';

export interface Accepted {
  id: string;
  status: string;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs?: number;
}

/** Statuses after which a message does not change any more (src/messages/status.ts). */
/** Statuses after which nothing is sent again (the status table's). */
export const FINAL_STATUSES: readonly string[] = STATUS_TABLE_FINAL;

/** Whether retrying the same request may succeed: no answer, a 5xx or a 429. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  return error instanceof UnreachableError;
}

/** The API did not answer (connection refused, DNS, timeout). */
export class UnreachableError extends CliError {
  override readonly kind = 'unreachable';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}

export class ApiClient {
  readonly url: string;
  readonly #key: string;
  readonly #urlSource: string;

  constructor(connection: Connection) {
    this.url = connection.url;
    this.#key = connection.key;
    this.#urlSource = connection.urlSource;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(this.url + path);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;

    const timeoutMs = options.timeoutMs ?? 30_000;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: deadlineSignal(timeoutMs),
      });
    } catch (error) {
      throw new UnreachableError(this.#unreachable(error, timeoutMs), { cause: error });
    }

    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) throw toApiError(response.status, body);
    if (body === undefined) throw new CliError(`the API answered ${method} ${path} with HTTP ${response.status} but no JSON`);
    return { status: response.status, headers: response.headers, body: body as T };
  }

  async get<T>(path: string, query?: Record<string, string | undefined>): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).body;
  }

  /** Every page of `GET /v1/messages` for the query, following `cursor`. */
  async listMessages(query: Record<string, string | undefined>, max = Infinity): Promise<ApiMessage[]> {
    const out: ApiMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ messages: ApiMessage[]; cursor?: string }>('/v1/messages', { ...query, limit: '100', cursor });
      out.push(...page.messages);
      cursor = page.cursor;
    } while (cursor && out.length < max);
    return out;
  }

  #unreachable(error: unknown, timeoutMs: number): string {
    const where = `the API at ${this.url}${this.#urlSource.endsWith('state.json') ? ` (from ${this.#urlSource}; is \`npm start\` running?)` : ''}`;
    if (error instanceof DOMException && error.name === 'TimeoutError') return `${where} did not answer within ${timeoutMs / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `cannot reach ${where}: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; violations?: unknown } } | undefined)?.error;
  if (!error || typeof error !== 'object') return new ApiError(status, 'http_error', `the API answered HTTP ${status}`);
  const code = typeof error.code === 'string' ? error.code : 'http_error';
  let message = typeof error.message === 'string' && error.message !== '' ? error.message : `the API answered HTTP ${status}`;
  if (status === 401) message = `the API refused the API key (check --key, WAPK_API_KEY or .local/config.json): ${message}`;
  const violations: Violation[] = Array.isArray(error.violations)
    ? error.violations.filter(
        (v): v is Violation => !!v && typeof v === 'object' && typeof v.field === 'string' && typeof v.rule === 'string',
      )
    : [];
  return new ApiError(status, code, message, violations);
}
