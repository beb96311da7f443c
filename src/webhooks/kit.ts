/**
 * The tools every provider's callback normaliser (src/providers/<name>/webhook.ts) is built from:
 * parsing with the spec's schema into a {@link MalformedWebhookError} that names fields and rules,
 * turning a provider's status word into an event or a reason it was ignored, times, ids, Meta's
 * error and pricing objects, and the bounds every event keeps (so it always fits the store).
 *
 * Pure: no clock, no I/O, and nothing from the body in error messages.
 */
import * as z from 'zod';
import { WapkError } from '../errors.ts';
import { MessageId, violationsOf, type Violation } from '../messages/fields.ts';
import { MAX_PROVIDER_ID_LENGTH, MAX_PROVIDER_TEXT_LENGTH, type StatusEvent } from '../messages/status-event.ts';
import type { MessageStatus } from '../messages/status.ts';
import type { ProviderName } from '../providers/names.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

/**
 * The body is not what the provider's spec says; `issues` name fields and rules, never values.
 * Visible: the provider is answered 400 with the issues.
 */
export class MalformedWebhookError extends WapkError {
  override readonly name = 'MalformedWebhookError';
  readonly kind = 'malformed_webhook';
  readonly visible = true;
  readonly provider: ProviderName;
  readonly issues: Violation[];

  constructor(provider: ProviderName, issues: Violation[]) {
    super(`malformed ${provider} webhook: ${issues.map((issue) => `${issue.field}: ${issue.rule}`).join('; ')}`);
    this.provider = provider;
    this.issues = issues;
  }
}

export interface Normalised {
  events: StatusEvent[];
  /** Why parts of the body carried no status (e.g. 'gupshup deleted', 'loopwave broadcast progress: …'). */
  ignored: string[];
}

/** What a normaliser is told besides the body. */
export interface NormaliseContext {
  provider: ProviderName;
  account: string;
  /** Stands in for the time of a status whose body carries none (Kaleyra's NOT-SENT). */
  receivedAt: Date;
  /** The provider's status words (its module's `statusWords`). */
  statusWords: Readonly<Record<string, MessageStatus | null>>;
  /**
   * Told the path (e.g. `data.status`) of each word in the body that neither the provider's
   * `statusWords` nor its spec knows, read or not: callback drift (src/webhooks/drift.ts).
   */
  unknownWord?: (path: string) => void;
}

/** The status word as any non-empty string: a word added later by Meta or a provider is reported in `ignored`, not refused. */
export const StatusWord = lazySchema(() => z.string().min(1));

export function parse<S extends z.ZodType>(provider: ProviderName, schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new MalformedWebhookError(provider, violationsOf(result.error));
  return result.data;
}

export type Draft = Omit<StatusEvent, 'provider' | 'account' | 'status'>;

/**
 * One provider word, found at `at` (its path in the body) → an event, or a reason in `ignored`
 * (`null`: known, carries no status; `undefined`: unknown, and told to `context.unknownWord`).
 */
export function collect(out: Normalised, context: NormaliseContext, word: string, at: string, draft: () => Draft): void {
  const status = Object.hasOwn(context.statusWords, word) ? context.statusWords[word] : undefined;
  if (status === null) {
    out.ignored.push(`${context.provider} ${word}`);
    return;
  }
  if (status === undefined) {
    out.ignored.push(`${context.provider} unknown status word ${printableWord(word)}`);
    context.unknownWord?.(at);
    return;
  }
  out.events.push(compact({ provider: context.provider, account: context.account, status, ...draft() }));
}

/** A provider word fit for a log line: letters and a few separators only, so no phone number or id slips through. */
export function printableWord(word: string): string {
  return /^[A-Za-z][A-Za-z _.-]{0,39}$/.test(word) ? `'${word}'` : '(withheld: not a plain word)';
}

/** The last year an ISO-8601 string without an expanded year can name. */
export const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isoFromMs(provider: ProviderName, ms: number, field: string, unit: string): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_MS)
    throw new MalformedWebhookError(provider, [{ field, rule: `must be a Unix time in ${unit} between 1970 and 9999` }]);
  return new Date(ms).toISOString();
}

export const fromSeconds = (provider: ProviderName, value: string | number, field: string) =>
  isoFromMs(provider, Number(value) * 1000, field, 'seconds');
export const fromMilliseconds = (provider: ProviderName, value: string | number, field: string) =>
  isoFromMs(provider, Number(value), field, 'milliseconds');

/**
 * Gupshup v3 timestamps are Unix seconds (Meta's) or milliseconds (Gupshup's own, e.g. on
 * `enqueued`), both as string or integer. 1e11 s is the year 5138 and 1e11 ms is 1973, so the
 * magnitude tells them apart for any real time.
 */
export function fromSecondsOrMilliseconds(provider: ProviderName, value: string | number, field: string): string {
  return Number(value) >= 1e11 ? fromMilliseconds(provider, value, field) : fromSeconds(provider, value, field);
}

/** Ours, when the provider echoed back a ULID (Meta's `biz_opaque_callback_data`, Kaleyra's `ref`). */
export function ourMessageId(...candidates: Array<string | undefined>): string | undefined {
  return candidates.find((candidate) => MessageId.safeParse(candidate).success);
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

/** Other ids for the message, without blanks and without the main id itself. */
export function aliases(main: string | undefined, ...others: Array<string | undefined>): string[] | undefined {
  const list = [...new Set(others.filter((id): id is string => id !== undefined && id.length > 0 && id !== main))];
  return list.length > 0 ? list : undefined;
}

export interface MetaError {
  code: number;
  title?: string | undefined;
  message?: string | undefined;
  error_data?: { details?: string | undefined } | undefined;
}

export function metaError(errors: MetaError[] | undefined): StatusEvent['error'] {
  const first = errors?.[0];
  return first && compact({ code: first.code, title: clip(first.title), message: clip(first.error_data?.details ?? first.message) });
}

export interface MetaPricing {
  billable?: boolean | undefined;
  pricing_model?: string | undefined;
  category?: string | undefined;
  type?: string | undefined;
}

/** Kept as written: `CBP`, `PMP` or Kaleyra's "Conversation-Based Pricing". */
export function metaPricing(pricing: MetaPricing | undefined): StatusEvent['pricing'] {
  if (!pricing) return undefined;
  const kept = compact({
    billable: pricing.billable,
    model: clip(pricing.pricing_model),
    category: clip(pricing.category),
    type: clip(pricing.type),
  });
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** Drops `undefined` members, so events compare and serialise without empty keys. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

/** A provider id or recipient read from `field`: blank is absent; a longer one than any provider's is a malformed body. */
export function idAt(provider: ProviderName, value: string | undefined, field: string): string | undefined {
  const id = nonEmpty(value);
  if (id !== undefined && id.length > MAX_PROVIDER_ID_LENGTH) {
    throw new MalformedWebhookError(provider, [{ field, rule: `must be at most ${MAX_PROVIDER_ID_LENGTH} characters` }]);
  }
  return id;
}

export function requireId(provider: ProviderName, id: string | undefined, field: string): string {
  const checked = idAt(provider, id, field);
  if (checked === undefined) throw new MalformedWebhookError(provider, [{ field, rule: 'must be a non-empty message id' }]);
  return checked;
}

/** Provider text, cut to {@link MAX_PROVIDER_TEXT_LENGTH} characters (never in the middle of a character). */
export function clip<T extends string | undefined>(text: T): T {
  if (text === undefined || text.length <= MAX_PROVIDER_TEXT_LENGTH) return text;
  return `${text.slice(0, MAX_PROVIDER_TEXT_LENGTH - 1).replace(/[\uD800-\uDBFF]$/, '')}…` as T;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
