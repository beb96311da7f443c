/**
 * What went wrong with a send, in terms the sender can act on: each provider error carries a
 * retry class derived from its HTTP status and the provider's (or Meta's) error code.
 *
 * | class            | the sender                                                        |
 * |------------------|-------------------------------------------------------------------|
 * | `backoff`        | delays the message (429, a documented 503, throughput errors)     |
 * | `per_recipient`  | delays that recipient only (Meta's pair rate limit)               |
 * | `pause_sender`   | stops the account / number / template until an operator lifts it  |
 * | `permanent`      | fails the message with the provider's reason                      |
 * | `opted_out`      | fails it and suppresses the recipient for the account             |
 * | `not_before_24h` | holds it at least 24 h (Meta's per-user marketing limit)           |
 *
 * A class applies only to answers that prove nothing was sent (`provesNothingSent`); the others
 * make the outcome `unknown` whatever their class would be.
 *
 * A refusal may also be marked `sender`: the provider refused this sender (its credential, number,
 * licence, or a template not approved on it), not the recipient or the content. Every `pause_sender`
 * refusal is of the sender; a `permanent` one only where the provider's table marks it so. The
 * sender's failover (src/sender/failover.ts) reads the mark: another route may carry the message.
 */
import { WapkError } from '../errors.ts';
import type { ProviderName } from './names.ts';

export const RETRY_CLASSES = ['backoff', 'per_recipient', 'pause_sender', 'permanent', 'opted_out', 'not_before_24h'] as const;
export type RetryClass = (typeof RETRY_CLASSES)[number];

/** What a pause stops: the whole account (credentials, balance, licence) or one template. */
export type PauseScope = 'account' | 'template';

export interface ProviderErrorDetails {
  provider: ProviderName;
  retryClass: RetryClass;
  /** The provider's HTTP status, when there was an answer. */
  status?: number;
  /** The provider's (or Meta's) error code, as the provider wrote it. */
  code?: string | number;
  /** A short, human reason that is safe to show and log (never a phone number). */
  reason: string;
  /** When to try again, from `Retry-After` or a rate-limit reset header. */
  retryAfterMs?: number;
  /** For `pause_sender`: what to pause. */
  pauseScope?: PauseScope;
  /** The provider refused the sender (credential, number, licence, template not approved on it), not the recipient or content. */
  sender?: boolean;
  /** What was thrown, when the refusal was read from an exception (a refused connection). */
  cause?: unknown;
}

/**
 * A provider refused a send (the family's `provider` kind). Visible: its reason is stored on the
 * message and shown by the API. Its `code` is the provider's, not the family's (that is `kind`).
 */
export class ProviderError extends WapkError {
  override readonly name = 'ProviderError';
  readonly kind = 'provider';
  readonly visible = true;
  readonly provider: ProviderName;
  readonly retryClass: RetryClass;
  readonly status: number | undefined;
  readonly code: string | number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly pauseScope: PauseScope | undefined;
  /** Of the sender, not the recipient or content: always for `pause_sender`, where the provider's table says so for `permanent`. */
  readonly senderRefused: boolean;

  constructor(details: ProviderErrorDetails) {
    super(`${details.provider}: ${details.reason}`, { cause: details.cause });
    this.provider = details.provider;
    this.retryClass = details.retryClass;
    this.status = details.status;
    this.code = details.code;
    this.retryAfterMs = details.retryAfterMs;
    this.pauseScope = details.pauseScope;
    this.senderRefused = details.retryClass === 'pause_sender' || details.sender === true;
  }

  /** The error as stored on a message and shown by the API. */
  toJSON(): { class: RetryClass; status?: number; code?: string | number; reason: string } {
    return {
      class: this.retryClass,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.code !== undefined ? { code: this.code } : {}),
      reason: this.message.slice(this.provider.length + 2),
    };
  }
}

/**
 * Meta's error codes (as surfaced by Kaleyra, LiveChat and Gupshup callbacks) by retry class.
 * Codes not listed are `permanent` when they come with a failure, which is the safe reading:
 * a message is never retried blindly.
 */
const META_CODES: Readonly<Record<number, MetaCodeReading>> = {
  // back off
  4: { retryClass: 'backoff' },
  80007: { retryClass: 'backoff' },
  130429: { retryClass: 'backoff' },
  131000: { retryClass: 'backoff' },
  131016: { retryClass: 'backoff' },
  131057: { retryClass: 'backoff' },
  // per recipient (pair rate limit)
  131056: { retryClass: 'per_recipient' },
  // pause the sender
  131048: { retryClass: 'pause_sender', pauseScope: 'account' },
  131031: { retryClass: 'pause_sender', pauseScope: 'account' },
  368: { retryClass: 'pause_sender', pauseScope: 'account' },
  131042: { retryClass: 'pause_sender', pauseScope: 'account' },
  132015: { retryClass: 'pause_sender', pauseScope: 'template' },
  132016: { retryClass: 'pause_sender', pauseScope: 'template' },
  // permanent
  131026: { retryClass: 'permanent' },
  131047: { retryClass: 'permanent' },
  132000: { retryClass: 'permanent' },
  // the template does not exist in this language on this business account: the sender's, not the content's
  132001: { retryClass: 'permanent', sender: true },
  132012: { retryClass: 'permanent' },
  // permanent, of the sender: access token expired or invalid, permission missing, access denied,
  // phone number not registered, certificate invalid
  190: { retryClass: 'permanent', sender: true },
  10: { retryClass: 'permanent', sender: true },
  200: { retryClass: 'permanent', sender: true },
  131005: { retryClass: 'permanent', sender: true },
  133010: { retryClass: 'permanent', sender: true },
  131045: { retryClass: 'permanent', sender: true },
  // opted out of marketing messages
  131050: { retryClass: 'opted_out' },
  // per-user marketing limit
  131049: { retryClass: 'not_before_24h' },
};

/** What a Meta code says: its retry class, what a pause stops, and whether it refuses the sender (not the recipient or content). */
export interface MetaCodeReading {
  retryClass: RetryClass;
  pauseScope?: PauseScope;
  sender?: boolean;
}

export function classifyMetaCode(code: number): MetaCodeReading {
  return META_CODES[code] ?? { retryClass: 'permanent' };
}

/** The retry class every provider shares for an HTTP status without a more telling code. */
export function classifyHttpStatus(status: number): { retryClass: RetryClass; pauseScope?: PauseScope } {
  if (status === 429 || status >= 500 || status === 408) return { retryClass: 'backoff' };
  // Credentials or permissions: a configuration fault; stop the account and say so.
  if (status === 401 || status === 403) return { retryClass: 'pause_sender', pauseScope: 'account' };
  return { retryClass: 'permanent' };
}

/**
 * Whether a provider's non-2xx answer proves that it did not take the message, so that sending it
 * again cannot reach the customer twice. WhatsApp sends carry no idempotency key, so an answer that
 * leaves it open must not be retried blindly: the message becomes `unknown` (src/sender/sender.ts).
 *
 * - Any 4xx (400 validation, 401/403 credentials, 402, 404, 408, 409, 429 rate limit): proven. The
 *   provider refused the request before acting on it.
 * - LiveTok 503 `service_unavailable`: proven. livetok.txt lists it among its API's own answers
 *   ("Service Unavailable"): the service did not take the request.
 * - Every other 5xx (500, 502, 504, and a 503 the provider does not document): open. It is a
 *   failure after the request arrived, and the provider (or Meta behind it) may have sent the
 *   message; a proxy's 502/503 can follow an upstream reset after the request was forwarded.
 *
 * The documents: LiveTok lists 400/401/403/404/429/500/503; Kaleyra WA500 says "Please try again
 * later" but not that the message was not handed on, so it stays open (Kaleyra echoes our id in its
 * callbacks: a message sent after all is recorded by them); Gupshup documents 400/401 only,
 * Loopwave 400/401/402/403/409/429, LiveChat nothing. Failures without an answer are read in
 * src/providers/call.ts: only a connection that never opened (refused, DNS) proves nothing left;
 * a timeout or a reset after the request left does not.
 *
 * This function answers the first point; a provider's documented 5xx refusals are its module's
 * `documented5xxRefusals`, applied by its adapter's error reading (`refused`).
 */
export function isRefusalStatus(status: number): boolean {
  return status >= 400 && status < 500;
}

/**
 * Milliseconds to wait from the answer's headers: `Retry-After` (seconds or an HTTP date), else
 * `X-RateLimit-Reset` (a Unix time in seconds). Undefined when neither is usable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}
