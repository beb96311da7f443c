/**
 * The ways providers prove a status callback is theirs, each checked on the raw bytes in constant
 * time; a provider module (src/providers/<name>/index.ts) names the one its provider uses.
 * None throws, and no reason ever carries a secret, a signature, a token or the body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookRequest, Verdict } from './types.ts';

/** Standard Webhooks' tolerance, the same as the library's WEBHOOK_TOLERANCE_IN_SECONDS. */
export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

export const OK: Verdict = { ok: true };
export const reject = (reason: string): Verdict => ({ ok: false, reason });

/** A header by its lower-case name (the contract), falling back to a case-insensitive search. */
export function header(request: WebhookRequest, name: string): string | undefined {
  const headers: unknown = request.headers;
  if (headers === null || typeof headers !== 'object') return undefined;
  const record = headers as Record<string, unknown>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return typeof value === 'string' ? value : undefined;
}

export function rawBytes(request: WebhookRequest): Buffer | undefined {
  const body: unknown = request.rawBody;
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks (LiveChat): HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<raw body>`, ±5 minutes

/**
 * The clock. `Webhook.verify` reads `Date.now()` inside its private `verifyTimestamp(header)`
 * and takes no clock option, so an injected `now` cannot reach it, and recomputing the HMAC
 * ourselves would take the signature check away from the library. So:
 *  1. we parse `webhook-timestamp` strictly (digits only; the library's parseInt would accept
 *     `123abc`) and apply the ±300 s tolerance against `now` ourselves;
 *  2. the library then does everything else (header parsing, `v1,` entries, HMAC, constant-time
 *     comparison) on an instance whose `verifyTimestamp` is shadowed by an own property that
 *     returns the already-checked time without consulting `Date.now()`.
 * The shadowing leans on a private method name of standardwebhooks 1.1.1 (pinned in
 * package.json). It fails closed: if a later version renames the method, the library's own
 * Date.now() check runs as well, which in production (now = the real clock) changes nothing,
 * and the fixed-clock tests in verify.test.ts fail, flagging the upgrade.
 * Other rejected alternatives: patching the global `Date.now` around the call (global state),
 * or `sign()` plus our own comparison (the library would no longer do the comparison).
 */
export function verifyStandardWebhook(request: WebhookRequest, secrets: readonly string[], now: Date): Verdict {
  const id = header(request, 'webhook-id');
  const timestampHeader = header(request, 'webhook-timestamp');
  const signature = header(request, 'webhook-signature');
  if (!id || !timestampHeader || !signature) return reject('missing webhook-id, webhook-timestamp or webhook-signature header');

  const timestampText = timestampHeader.trim();
  if (!/^[0-9]{1,15}$/.test(timestampText)) return reject('webhook-timestamp is not a Unix time in seconds');
  const timestamp = Number(timestampText);
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) return reject('webhook could not be verified: no valid clock');
  const nowSeconds = Math.floor(nowMs / 1000);
  if (nowSeconds - timestamp > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) return reject('webhook-timestamp is more than 5 minutes old');
  if (timestamp - nowSeconds > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) return reject('webhook-timestamp is more than 5 minutes in the future');

  const body = rawBytes(request);
  if (body === undefined) return reject('malformed webhook request: no raw body');
  // The library signs a string (it would call Buffer#toString itself), so the HMAC is over the
  // UTF-8 re-encoding of the decoded text. Invalid UTF-8 would be replaced by U+FFFD first, and
  // two different byte strings could then share a signature: refuse such bodies, so what is
  // authenticated is exactly the bytes received.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return reject('webhook body is not valid UTF-8');
  }

  const headers = { 'webhook-id': id, 'webhook-timestamp': timestampText, 'webhook-signature': signature };
  const checkedTime = new Date(timestamp * 1000);
  for (const secret of secrets) {
    let webhook: Webhook;
    try {
      webhook = new Webhook(secret);
    } catch {
      continue; // not a `whsec_<base64>` secret: it can match nothing
    }
    Object.defineProperty(webhook, 'verifyTimestamp', { value: () => checkedTime });
    try {
      // jsonParse: false: otherwise a correctly signed body that is not JSON would throw a
      // SyntaxError from inside verify and look like a bad signature. Parsing is not our job here.
      webhook.verify(text, headers, { jsonParse: false });
      return OK;
    } catch {
      // WebhookVerificationError (no matching signature) or anything else: try the next secret.
    }
  }
  return reject('webhook-signature does not match any configured secret');
}

// ---------------------------------------------------------------------------------------------
// A header `sha256=<hex HMAC-SHA256 of the raw body>` (Loopwave's x-loopwave-signature)

export function verifyHexHmacHeader(name: string, request: WebhookRequest, secrets: readonly string[]): Verdict {
  const value = header(request, name);
  if (!value) return reject(`missing ${name} header`);
  // Lower-case hex is documented; upper case names the same digest, so accept it too.
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match?.[1]) return reject(`${name} is not sha256=<64 hex digits>`);
  const presented = Buffer.from(match[1], 'hex'); // 32 bytes, guaranteed by the pattern

  const body = rawBytes(request);
  if (body === undefined) return reject('malformed webhook request: no raw body');

  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // Both 32 bytes; no early exit, so the time taken doesn't say which secret matched.
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) matched = true;
  }
  return matched ? OK : reject(`${name} does not match any configured secret`);
}

// ---------------------------------------------------------------------------------------------
// A secret token in the callback URL (or in x-webhook-token): Gupshup, Kaleyra sign nothing

export function verifySecretToken(request: WebhookRequest, secrets: readonly string[]): Verdict {
  const pathToken = typeof request.pathToken === 'string' && request.pathToken.length > 0 ? request.pathToken : undefined;
  const headerValue = header(request, 'x-webhook-token');
  const headerToken = headerValue !== undefined && headerValue.length > 0 ? headerValue : undefined;
  const presented = [pathToken, headerToken].filter((t): t is string => t !== undefined);
  if (presented.length === 0) return reject('missing webhook token (path segment or x-webhook-token header)');

  // Every token presented must be right: a request carrying a wrong credential is not accepted
  // because it also carries a right one.
  const secretDigests = secrets.map(sha256);
  for (const token of presented) {
    const digest = sha256(token);
    let matched = false;
    for (const secretDigest of secretDigests) {
      // SHA-256 both sides so the buffers have equal length whatever the token's length.
      if (timingSafeEqual(digest, secretDigest)) matched = true;
    }
    if (!matched) return reject(token === pathToken ? 'webhook path token does not match' : 'x-webhook-token does not match');
  }
  return OK;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
