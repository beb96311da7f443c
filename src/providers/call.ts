/**
 * Calling a provider through its generated SDK and reading the outcome: the part every adapter
 * shares. The interesting cases are those that prove nothing: a request that may have reached the
 * provider must never be resent blindly (WhatsApp sends have no idempotency key), so only answers
 * that prove the provider refused it (`provesNothingSent`: 4xx, a documented 503) and errors that
 * prove nothing left this machine (connection refused, DNS) count as rejections. A 500, 502 or 504,
 * a timeout (the sender's deadline) or a reset after the request left is `unknown`.
 */
import * as z from 'zod';
import type { SendResult } from './adapter.ts';
import { isRefusalStatus, ProviderError, retryAfterMs, type RetryClass, type PauseScope } from './errors.ts';
import type { ProviderName } from './names.ts';

/** What a hey-api SDK function resolves to (`throwOnError: false`). */
export interface SdkOutcome<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/** Connection errors raised before any byte of the request could reach the provider. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface ErrorReading {
  retryClass: RetryClass;
  code?: string | number;
  reason: string;
  pauseScope?: PauseScope;
  /** The provider documents this answer as "not taken" although it is a 5xx (LiveTok's 503): the message may be sent again. */
  refused?: boolean;
  /** A `permanent` refusal of the sender (credential, number, template not approved on it), not of the recipient or content. */
  sender?: boolean;
}

/**
 * Runs one SDK call and turns what happened into either the 2xx answer or a final SendResult.
 * `readError` classifies a non-2xx answer from its status and body (the provider's codes).
 */
export async function callProvider<T>(
  provider: ProviderName,
  call: () => Promise<SdkOutcome<T>>,
  readError: (status: number, body: unknown) => ErrorReading,
  now: () => number = Date.now,
): Promise<{ ok: true; data: T | undefined; response: Response } | { ok: false; result: SendResult }> {
  let outcome: SdkOutcome<T>;
  try {
    outcome = await call();
  } catch (error) {
    return { ok: false, result: fromThrown(provider, error) };
  }
  const { response, error, data } = outcome;
  if (!response) {
    if (error instanceof z.ZodError) {
      // Our adapter built a request the provider's spec refuses: nothing was sent.
      const first = error.issues[0];
      const field = first ? first.path.filter((part) => part !== 'body').join('.') : '';
      return {
        ok: false,
        result: {
          outcome: 'rejected',
          error: new ProviderError({
            provider,
            retryClass: 'permanent',
            reason: `request breaks the provider's spec at ${field || 'the body'}: ${first?.message ?? 'invalid'}`,
          }),
        },
      };
    }
    return { ok: false, result: fromThrown(provider, error) };
  }
  if (response.ok) {
    // A 2xx whose body did not match the spec still means the provider took the message.
    return { ok: true, data: error === undefined ? data : undefined, response };
  }
  const reading = readError(response.status, error);
  const wait = retryAfterMs(response.headers, now());
  if (!reading.refused && !isRefusalStatus(response.status)) {
    const reason = `${reading.reason}; HTTP ${response.status} does not prove it was not sent`;
    const code = reading.code !== undefined ? { code: reading.code } : {};
    const waitFor = wait !== undefined ? { retryAfterMs: wait } : {};
    return { ok: false, result: { outcome: 'unknown', reason, status: response.status, ...code, ...waitFor } };
  }
  return {
    ok: false,
    result: {
      outcome: 'rejected',
      error: new ProviderError({
        provider,
        status: response.status,
        ...withoutRefused(reading),
        ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      }),
    },
  };
}

function fromThrown(provider: ProviderName, error: unknown): SendResult {
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    const refused = new ProviderError({ provider, retryClass: 'backoff', code, reason: `could not connect (${code})`, cause: error });
    return { outcome: 'rejected', error: refused };
  }
  // A timeout (the sender's deadline aborts the call: `TimeoutError`), a reset, a closed socket:
  // the request may have left, so the outcome is open.
  const what = code ?? (error instanceof Error ? error.name : 'unknown error');
  return { outcome: 'unknown', reason: `no answer from the provider (${what})`, ...(code ? { code } : {}) };
}

/** The body's string field `key`, if the error body is an object that has one. */
export function field(body: unknown, key: string): string | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function withoutRefused({ refused: _refused, ...reading }: ErrorReading): Omit<ErrorReading, 'refused'> {
  return reading;
}
