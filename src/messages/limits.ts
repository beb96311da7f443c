/**
 * The size and shape model at the edge: every limit a request is held to, in one place, each
 * derived from the limit that matters downstream. Checked before anything is written, so a
 * request is either refused whole with a 4xx naming the field and the rule, or fits everywhere
 * it will go (one SQS message, one DynamoDB item, one Lambda event).
 *
 *   client ──▶ API Gateway (10 MB, 10,240 B of headers, 30 s) ──▶ Lambda (6 MB event)
 *                                                                  │ accept: one message =
 *                                                                  ▼
 *                         SQS body (256 KiB) ◀── queue message ──▶ DynamoDB record (400 KB),
 *                                                                  sealed copy when held
 *
 * src/messages/limits.test.ts re-derives every number below, so a change that breaks a
 * derivation fails there.
 */

// ---------------------------------------------------------------- limits we do not set

/** DynamoDB: the largest item, attribute names and values together (400 KB = 409,600 bytes). */
export const DYNAMODB_ITEM_BYTES = 400 * 1024;
/** DynamoDB: the largest partition key value (also of an index). */
export const DYNAMODB_PARTITION_KEY_BYTES = 2048;
/** DynamoDB: the largest sort key value (also of an index). */
export const DYNAMODB_SORT_KEY_BYTES = 1024;
/**
 * SQS: the largest message body, and the largest SendMessageBatch (all entries together). Queues
 * made since August 2025 take 1 MiB, older ones 256 KiB unless raised: we rely on 256 KiB only.
 */
export const SQS_MESSAGE_BYTES = 256 * 1024;
/** API Gateway HTTP API: the largest request payload (it answers 413 itself above it). */
export const API_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP API: request line and header values together. */
export const API_GATEWAY_HEADER_BYTES = 10_240;
/** API Gateway HTTP API: the longest integration (the whole request, as the client sees it). */
export const API_GATEWAY_TIMEOUT_MS = 30_000;
/** Lambda: the largest synchronous invocation payload (the whole v2 event, JSON). */
export const LAMBDA_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

// ---------------------------------------------------------------- WhatsApp's limits on a message

/**
 * Per-field limits of a send request (src/messages/send-request.ts), in UTF-16 code units as
 * JavaScript counts string length. Meta's where Meta documents one; ours, marked, where it does
 * not but a field must still be bounded.
 */
export const FIELD = {
  /** Meta: a text message body. */
  textChars: 4096,
  /** Meta: a template name. */
  templateNameChars: 512,
  /** Meta: a text header parameter. */
  headerTextChars: 60,
  /** Meta: a body parameter when the template has other components (32,768 only for body-only templates). */
  bodyValueChars: 1024,
  /** Ours: body values, positional or named (a 1,024-character template body holds fewer placeholders). */
  bodyValues: 100,
  /** Ours: named parameter names (Meta: lower-case letters, digits and "_"). */
  bodyNameChars: 60,
  /** Meta: buttons on a template. */
  buttons: 10,
  /** Ours: a quick-reply payload, echoed back to us by Meta when the button is tapped. */
  quickReplyPayloadChars: 128,
  /** Meta: a copy-code button's coupon code. */
  copyCodeChars: 15,
  /** Meta: a template URL button's URL is at most 2,000 characters, so its dynamic suffix too. */
  urlSuffixChars: 2000,
  /** Ours: a media link, as the URL button (2,000). */
  mediaLinkChars: 2000,
  /** Ours: an uploaded media id (Meta's are ~16 digits). */
  mediaIdChars: 128,
  /** Ours: a document's file name, as most file systems (255). */
  filenameChars: 255,
  /** Ours: a raw phone number before normalisation (E.164 is at most 16 characters). */
  recipientChars: 64,
  /** Ours: the caller's metadata (stored with the record and returned with it). */
  metadataKeys: 10,
  metadataKeyChars: 64,
  metadataValueChars: 256,
} as const;

// ---------------------------------------------------------------- what we derive

/** Messages in one request (`{"messages": [...]}`): SQS batches of 10, ten of them. */
export const MAX_BATCH = 100;

/**
 * Everything in a Lambda event but the body: headers (API Gateway passes ≤ 10,240 bytes, more
 * once JSON-escaped) and the request context. Generous on purpose.
 */
export const EVENT_ENVELOPE_BYTES = 32 * 1024;

/**
 * The largest body Lambda can be handed: API Gateway may base64-encode it (4 bytes per 3; the
 * local server always does), so (6 MiB − 32 KiB) × 3/4 = 4,694,016 bytes.
 */
export const LAMBDA_BODY_BUDGET_BYTES = Math.floor(((LAMBDA_SYNC_PAYLOAD_BYTES - EVENT_ENVELOPE_BYTES) * 3) / 4);

/** `{"messages":[…]}` around a batch: the braces, the name and 99 commas, with room for whitespace. */
export const BATCH_ENVELOPE_BYTES = 4 * 1024;

/**
 * One message, as stored: the UTF-8 bytes of its queue body (`JSON.stringify` of the
 * QueueMessage, which is also what is sealed when it is held in the table). A full batch must fit
 * the Lambda budget: (4,694,016 − 4,096) / 100 = 46,899 bytes, rounded down to 40 KiB to leave
 * ~15% for the request's own whitespace and escapes. Far below SQS's 256 KiB and, sealed, below
 * DynamoDB's 400 KB: those limits are checked too (HELD_ITEM_MAX_BYTES), never reached alone.
 * A 4,096-character text fits three times over even in 3-byte characters (12 KiB).
 */
export const MAX_MESSAGE_BYTES = 40 * 1024;

/**
 * The request body: a full batch of messages at their largest, in compact JSON, and its
 * envelope: 100 × 40,960 + 4,096 = 4,100,096 bytes. Larger → 413 naming this limit. Below API
 * Gateway's 10 MB (so ours answers, not theirs) and the Lambda budget above.
 */
export const MAX_BODY_BYTES = MAX_BATCH * MAX_MESSAGE_BYTES + BATCH_ENVELOPE_BYTES;

/**
 * Room kept free in a message's DynamoDB item for what later writes add: status times, the
 * provider's error, provider ids, the sender's claim. Accept refuses a message whose item, held
 * with its sealed queue body, would leave less.
 */
export const HELD_ITEM_HEADROOM_BYTES = 64 * 1024;

/** The largest message item accept writes (record + sealed queue body): 409,600 − 65,536 = 344,064 bytes. */
export const HELD_ITEM_MAX_BYTES = DYNAMODB_ITEM_BYTES - HELD_ITEM_HEADROOM_BYTES;

/** Idempotency-Key: 1–255 visible ASCII characters (its item's key `I#<account>#<key>` is ≤ 322 bytes). */
export const IDEMPOTENCY_KEY_CHARS = 255;

/** Account ids: 1–64 characters (they appear in URLs, keys and logs). */
export const ACCOUNT_ID_CHARS = 64;

// ---------------------------------------------------------------- the local HTTP server (as API Gateway)

export interface HttpLimits {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export const LOCAL_HTTP: Readonly<HttpLimits> = {
  /** API Gateway's payload limit: bodies above it are answered 413 before any handler runs. */
  maxBodyBytes: API_GATEWAY_PAYLOAD_BYTES,
  /** API Gateway's request line + headers limit: above it, 431. */
  maxHeaderBytes: API_GATEWAY_HEADER_BYTES,
  /** A client that has not sent its headers after 10 s is answered 408 and disconnected. */
  headersTimeoutMs: 10_000,
  /** …nor its whole request after 30 s (API Gateway's integration timeout). */
  requestTimeoutMs: API_GATEWAY_TIMEOUT_MS,
};

/** `1234567` → `1,234,567`, for rules that name a limit. */
export function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}
