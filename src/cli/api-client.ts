/**
 * The pipeline's HTTP API as the CLI calls it: the SDK generated from specs/api.yaml
 * (generated/api/, `npm run generate`), on a client instance made here with the base URL and the
 * API key and passed to every call, its answers turned into the CLI's errors: an error answer is an
 * {@link ApiError} (the API's code, message and violations), no answer an {@link UnreachableError}.
 *
 * Requests are typed by the spec, but their values are what the user typed: the API checks them
 * and answers every problem by field, which the CLI prints. So the generated client validates
 * nothing itself (scripts/generation-jobs.ts), and a string the types would narrow (a provider
 * name, an outcome) is passed as given.
 */
import { createClient, type Client } from '../../generated/api/client/index.ts';
import * as sdk from '../../generated/api/sdk.gen.ts';
import type {
  Accepted,
  FailoverState,
  FailoverSwitch,
  LiftedPause,
  ListMessagesData,
  Message,
  MessagePage,
  Pause,
  Resolution,
  SendBatch,
  SendRequest,
} from '../../generated/api/types.gen.ts';
import { FINAL_STATUSES as STATUS_TABLE_FINAL } from '../messages/status.ts';
import { deadlineSignal } from '../runtime/deadline.ts';
import { ApiError, CliError, type Violation } from './errors.ts';
import type { Connection } from './settings.ts';

/** A message as the API shows it (specs/api.yaml `Message`). */
export type ApiMessage = Message;
export type { Accepted, FailoverState, FailoverSwitch, LiftedPause, Pause, Resolution, SendBatch, SendRequest };
export type ListQuery = NonNullable<ListMessagesData['query']>;

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

/** What a generated SDK function resolves to (`throwOnError: false`); `response` is missing when there was no answer. */
interface SdkResult<T> {
  data?: T;
  error?: unknown;
  request?: Request;
  response?: Response;
}

/** What each SDK call is given besides its own parameters: the client, and the request's deadline. */
interface CallOptions {
  client: Client;
  signal: AbortSignal;
}

export class ApiClient {
  readonly url: string;
  /** The generated SDK's client: the API's base URL, and the key as bearer auth. */
  readonly client: Client;
  readonly timeoutMs: number;
  readonly #urlSource: string;

  constructor(connection: Connection, options: { timeoutMs?: number } = {}) {
    this.url = connection.url;
    this.#urlSource = connection.urlSource;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.client = createClient({ baseUrl: connection.url, auth: connection.key, headers: { accept: 'application/json' } });
    // A 2xx without a body would read as `{}`: refuse it, as any answer that is not JSON.
    this.client.interceptors.response.use(async (response, request) => {
      if (response.ok && (await response.clone().text()) === '') throw noJson(request, response);
      return response;
    });
  }

  /** `POST /v1/messages` with one request: the id and status, and whether it is the first answer again. */
  async sendMessage(request: SendRequest, idempotencyKey?: string): Promise<{ accepted: Accepted; replayed: boolean }> {
    const { data, response } = await this.#call((options) =>
      sdk.sendMessages({
        ...options,
        body: request,
        ...(idempotencyKey !== undefined ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
      }),
    );
    return { accepted: data as Accepted, replayed: response.headers.get('idempotent-replayed') === 'true' };
  }

  /** `POST /v1/messages` with `{messages}`: each message's id and status, in order. */
  async sendBatch(batch: SendBatch, idempotencyKey?: string): Promise<{ accepted: Accepted[]; replayed: boolean }> {
    const { data, response } = await this.#call((options) =>
      sdk.sendMessages({
        ...options,
        body: batch,
        ...(idempotencyKey !== undefined ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
      }),
    );
    const accepted = 'messages' in data && Array.isArray(data.messages) ? data.messages : [];
    return { accepted, replayed: response.headers.get('idempotent-replayed') === 'true' };
  }

  async getMessage(id: string): Promise<ApiMessage> {
    return (await this.#call((options) => sdk.getMessage({ ...options, path: { id } }))).data;
  }

  async cancelMessage(id: string): Promise<ApiMessage> {
    return (await this.#call((options) => sdk.cancelMessage({ ...options, path: { id } }))).data;
  }

  async resolveMessage(id: string, resolution: Resolution): Promise<ApiMessage> {
    return (await this.#call((options) => sdk.resolveMessage({ ...options, path: { id }, body: resolution }))).data;
  }

  /** One page of `GET /v1/messages`. */
  async listMessagesPage(query: ListQuery): Promise<MessagePage> {
    return (await this.#call((options) => sdk.listMessages({ ...options, query }))).data;
  }

  /** Every page of `GET /v1/messages` for the query (100 a page), following `cursor`, until `max` messages. */
  async listMessages(query: Omit<ListQuery, 'cursor' | 'limit'>, max = Infinity): Promise<ApiMessage[]> {
    const out: ApiMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listMessagesPage({ ...query, limit: 100, ...(cursor !== undefined ? { cursor } : {}) });
      out.push(...page.messages);
      cursor = page.cursor;
    } while (cursor && out.length < max);
    return out;
  }

  async listPauses(account?: string): Promise<Pause[]> {
    return (await this.#call((options) => sdk.listPauses({ ...options, ...(account !== undefined ? { query: { account } } : {}) }))).data
      .pauses;
  }

  async liftPause(account: string, template?: string): Promise<LiftedPause> {
    return (
      await this.#call((options) =>
        sdk.liftPause({ ...options, path: { account }, ...(template !== undefined ? { query: { template } } : {}) }),
      )
    ).data;
  }

  /** `GET /v1/failover`: the breakers and failover switches of the route accounts (or of one). */
  async listFailover(account?: string): Promise<FailoverState[]> {
    return (await this.#call((options) => sdk.listFailover({ ...options, ...(account !== undefined ? { query: { account } } : {}) }))).data
      .accounts;
  }

  /** `PUT /v1/failover/{account}`: turns the account's failover off or on. */
  async setFailover(account: string, change: FailoverSwitch): Promise<FailoverState> {
    return (await this.#call((options) => sdk.setFailover({ ...options, path: { account }, body: change }))).data;
  }

  /** Runs one SDK call on this client, within the deadline: its data and response, or the error that tells what happened. */
  async #call<T>(run: (options: CallOptions) => Promise<SdkResult<T>>): Promise<{ data: T; response: Response }> {
    const { data, error, request, response } = await run({ client: this.client, signal: deadlineSignal(this.timeoutMs) });
    if (!response) {
      if (error instanceof CliError) throw error;
      throw new UnreachableError(this.#unreachable(error), { cause: error });
    }
    if (!response.ok) throw toApiError(response.status, error);
    if (error instanceof CliError) throw error;
    if (error !== undefined || data === null || typeof data !== 'object') throw noJson(request, response);
    return { data: data as T, response };
  }

  #unreachable(error: unknown): string {
    const where = `the API at ${this.url}${this.#urlSource.endsWith('state.json') ? ` (from ${this.#urlSource}; is \`npm start\` running?)` : ''}`;
    if (error instanceof DOMException && error.name === 'TimeoutError') return `${where} did not answer within ${this.timeoutMs / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `cannot reach ${where}: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
  }
}

function noJson(request: Request | undefined, response: Response): CliError {
  const what = request ? `${request.method} ${new URL(request.url).pathname}` : 'the request';
  return new CliError(`the API answered ${what} with HTTP ${response.status} but no JSON`);
}

/** An error answer (the generated client hands over its body, parsed when it is JSON) as the CLI tells it. */
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
