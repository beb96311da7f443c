/**
 * Status webhooks, normalised: each provider's body is parsed with its spec's generated zod
 * schema and turned into the pipeline's {@link StatusEvent}s. Pure: no clock unless the body has
 * no time of its own (then `receivedAt`), no I/O, and nothing from the body in error messages.
 *
 * One relaxation of the generated schemas: the status word. The specs list the words they know
 * as enums; a word added later by Meta or a provider is not a malformed body, so it is read as
 * any non-empty string and reported in `ignored` (a rejected webhook is retried, and a retried
 * body stays the same). Every other rule of the spec schemas applies unchanged.
 *
 * One tightening: what an event carries is bounded, so it always fits the store. A provider id or
 * recipient longer than {@link MAX_PROVIDER_ID_LENGTH} characters is a malformed body (the issue
 * names the field); provider text (error titles and details, pricing words) is cut to
 * {@link MAX_PROVIDER_TEXT_LENGTH} characters.
 */
import { z } from 'zod';
import { zReceiveMessageEventV2WebhookRequest, zReceiveMessageEventV3WebhookRequest } from '../../generated/gupshup/zod.gen.ts';
import { zReceiveMessageStatusWebhookRequest as zKaleyraStatusWebhookRequest } from '../../generated/kaleyra/zod.gen.ts';
import { zReceiveMessageStatusWebhookRequest as zLiveChatStatusWebhookRequest } from '../../generated/livechat/zod.gen.ts';
import { zChatMessage, zReceiveBroadcastProgressWebhookRequest, zReceiveMessageCreatedWebhookRequest } from '../../generated/loopwave/zod.gen.ts';
import { MessageId } from '../messages/queue-message.ts';
import { violationsOf, type Violation } from '../messages/send-request.ts';
import { MAX_PROVIDER_ID_LENGTH, MAX_PROVIDER_TEXT_LENGTH, StatusEvent } from '../messages/status-event.ts';
import { statusFromProviderWord } from '../messages/status.ts';
import type { ProviderName } from '../providers/names.ts';

/** The body is not what the provider's spec says; `issues` name fields and rules, never values. */
export class MalformedWebhookError extends Error {
  override readonly name = 'MalformedWebhookError';
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

/**
 * The status events in one webhook body of `provider`, for `account`. `receivedAt` stands in
 * for the time of a status whose body carries none (Kaleyra's NOT-SENT).
 * @throws MalformedWebhookError when the body breaks the provider's spec, or for LiveTok (which has no status webhooks).
 */
export function normaliseWebhook(provider: ProviderName, account: string, body: unknown, receivedAt: Date = new Date()): Normalised {
  if (account.length === 0) throw new TypeError('normaliseWebhook: account must not be empty');
  if (Number.isNaN(receivedAt.getTime())) throw new TypeError('normaliseWebhook: receivedAt is not a valid date');
  const result = NORMALISERS[provider](body, { provider, account, receivedAt });
  // The output contract, checked: a mapping bug fails here rather than in the store.
  return { events: result.events.map((event) => StatusEvent.parse(event)), ignored: result.ignored };
}

interface Context {
  provider: ProviderName;
  account: string;
  receivedAt: Date;
}

type Normaliser = (body: unknown, context: Context) => Normalised;

const NORMALISERS: Readonly<Record<ProviderName, Normaliser>> = {
  livetok: () => {
    throw new MalformedWebhookError('livetok', [{ field: '(body)', rule: 'LiveTok sends no status webhooks' }]);
  },
  livechat: normaliseLiveChat,
  gupshup: normaliseGupshup,
  kaleyra: normaliseKaleyra,
  loopwave: normaliseLoopwave,
};

// ---------------------------------------------------------------------------------------------
// Schemas: the generated webhook bodies, with the status word read as any non-empty string.

const StatusWord = z.string().min(1);

const LiveChatBody = zLiveChatStatusWebhookRequest.shape.body;
const LiveChatWebhook = LiveChatBody.extend({ data: LiveChatBody.shape.data.extend({ status: StatusWord }) });

const GupshupV2Body = zReceiveMessageEventV2WebhookRequest.shape.body;
/** The v2 envelope around an event type the spec does not list: only the type is read. */
const GupshupV2Unlisted = GupshupV2Body.extend({ payload: z.object({ type: StatusWord }) });

const GupshupV3Body = zReceiveMessageEventV3WebhookRequest.shape.body;
const GupshupV3Entry = GupshupV3Body.shape.entry.element;
const GupshupV3Change = GupshupV3Entry.shape.changes.element;
const GupshupV3Value = GupshupV3Change.shape.value;
const GupshupV3Webhook = GupshupV3Body.extend({
  entry: z
    .array(
      GupshupV3Entry.extend({
        changes: z
          .array(
            GupshupV3Change.extend({
              value: GupshupV3Value.extend({ statuses: z.array(GupshupV3Value.shape.statuses.element.extend({ status: StatusWord })).min(1) }),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

const KaleyraBody = zKaleyraStatusWebhookRequest.shape.body;
const KaleyraChange = KaleyraBody.shape.meta_object.unwrap();
const KaleyraValue = KaleyraChange.shape.value;
const KaleyraWebhook = KaleyraBody.extend({
  status: StatusWord,
  meta_object: KaleyraChange.extend({
    value: KaleyraValue.extend({ statuses: z.array(KaleyraValue.shape.statuses.element.extend({ status: StatusWord })).min(1) }),
  }).optional(),
});

const LoopwaveMessageCreated = zReceiveMessageCreatedWebhookRequest.shape.body;
const LoopwaveBroadcastProgress = zReceiveBroadcastProgressWebhookRequest.shape.body;
/** `message.created` leaves `data` open; whether it is ours is `fromMe` of the document's message object. */
const LoopwaveDirection = z.object({ fromMe: zChatMessage.shape.fromMe });
const LoopwaveSentMessage = zChatMessage.pick({ messageId: true, chatId: true, timestamp: true }).extend({ messageId: z.string().min(1) });
/** Any Loopwave delivery: the envelope, to name events this pipeline does not subscribe to. */
const LoopwaveEnvelope = LoopwaveMessageCreated.extend({ event: z.string().min(1), data: z.unknown() });

function parse<S extends z.ZodType>(provider: ProviderName, schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new MalformedWebhookError(provider, violationsOf(result.error));
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces.

type Draft = Omit<StatusEvent, 'provider' | 'account' | 'status'>;

/** One provider word → an event, or a reason in `ignored` (`null`: known, carries no status; `undefined`: unknown). */
function collect(out: Normalised, context: Context, word: string, draft: () => Draft): void {
  const status = statusFromProviderWord(context.provider, word);
  if (status === null) {
    out.ignored.push(`${context.provider} ${word}`);
    return;
  }
  if (status === undefined) {
    out.ignored.push(`${context.provider} unknown status word ${printableWord(word)}`);
    return;
  }
  out.events.push(compact({ provider: context.provider, account: context.account, status, ...draft() }));
}

/** A provider word fit for a log line: letters and a few separators only, so no phone number or id slips through. */
function printableWord(word: string): string {
  return /^[A-Za-z][A-Za-z _.-]{0,39}$/.test(word) ? `'${word}'` : '(withheld: not a plain word)';
}

/** The last year an ISO-8601 string without an expanded year can name. */
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function isoFromMs(provider: ProviderName, ms: number, field: string, unit: string): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_MS) throw new MalformedWebhookError(provider, [{ field, rule: `must be a Unix time in ${unit} between 1970 and 9999` }]);
  return new Date(ms).toISOString();
}

const fromSeconds = (provider: ProviderName, value: string | number, field: string) => isoFromMs(provider, Number(value) * 1000, field, 'seconds');
const fromMilliseconds = (provider: ProviderName, value: string | number, field: string) => isoFromMs(provider, Number(value), field, 'milliseconds');

/**
 * Gupshup v3 timestamps are Unix seconds (Meta's) or milliseconds (Gupshup's own, e.g. on
 * `enqueued`), both as string or integer. 1e11 s is the year 5138 and 1e11 ms is 1973, so the
 * magnitude tells them apart for any real time.
 */
function fromSecondsOrMilliseconds(provider: ProviderName, value: string | number, field: string): string {
  return Number(value) >= 1e11 ? fromMilliseconds(provider, value, field) : fromSeconds(provider, value, field);
}

/** Ours, when the provider echoed back a ULID (Meta's `biz_opaque_callback_data`, Kaleyra's `ref`). */
function ourMessageId(...candidates: Array<string | undefined>): string | undefined {
  return candidates.find((candidate) => MessageId.safeParse(candidate).success);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

/** Other ids for the message, without blanks and without the main id itself. */
function aliases(main: string | undefined, ...others: Array<string | undefined>): string[] | undefined {
  const list = [...new Set(others.filter((id): id is string => id !== undefined && id.length > 0 && id !== main))];
  return list.length > 0 ? list : undefined;
}

interface MetaError {
  code: number;
  title?: string | undefined;
  message?: string | undefined;
  error_data?: { details?: string | undefined } | undefined;
}

function metaError(errors: MetaError[] | undefined): StatusEvent['error'] {
  const first = errors?.[0];
  return first && compact({ code: first.code, title: clip(first.title), message: clip(first.error_data?.details ?? first.message) });
}

interface MetaPricing {
  billable?: boolean | undefined;
  pricing_model?: string | undefined;
  category?: string | undefined;
  type?: string | undefined;
}

/** Kept as written: `CBP`, `PMP` or Kaleyra's "Conversation-Based Pricing". */
function metaPricing(pricing: MetaPricing | undefined): StatusEvent['pricing'] {
  if (!pricing) return undefined;
  const kept = compact({ billable: pricing.billable, model: clip(pricing.pricing_model), category: clip(pricing.category), type: clip(pricing.type) });
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** Drops `undefined` members, so events compare and serialise without empty keys. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

/** A provider id or recipient read from `field`: blank is absent; a longer one than any provider's is a malformed body. */
function idAt(provider: ProviderName, value: string | undefined, field: string): string | undefined {
  const id = nonEmpty(value);
  if (id !== undefined && id.length > MAX_PROVIDER_ID_LENGTH) {
    throw new MalformedWebhookError(provider, [{ field, rule: `must be at most ${MAX_PROVIDER_ID_LENGTH} characters` }]);
  }
  return id;
}

function requireId(provider: ProviderName, id: string | undefined, field: string): string {
  const checked = idAt(provider, id, field);
  if (checked === undefined) throw new MalformedWebhookError(provider, [{ field, rule: 'must be a non-empty message id' }]);
  return checked;
}

/** Provider text, cut to {@link MAX_PROVIDER_TEXT_LENGTH} characters (never in the middle of a character). */
function clip<T extends string | undefined>(text: T): T {
  if (text === undefined || text.length <= MAX_PROVIDER_TEXT_LENGTH) return text;
  return `${text.slice(0, MAX_PROVIDER_TEXT_LENGTH - 1).replace(/[\uD800-\uDBFF]$/, '')}…` as T;
}

// ---------------------------------------------------------------------------------------------
// LiveChat: Standard Webhooks envelope around one Meta status object.

function normaliseLiveChat(body: unknown, context: Context): Normalised {
  const { data } = parse('livechat', LiveChatWebhook, body);
  const out: Normalised = { events: [], ignored: [] };
  collect(out, context, data.status, () => ({
    messageId: ourMessageId(data.biz_opaque_callback_data),
    providerMessageId: requireId('livechat', data.id, 'data.id'),
    at: fromSeconds('livechat', data.timestamp, 'data.timestamp'),
    recipient: idAt('livechat', data.recipient_id, 'data.recipient_id') ?? idAt('livechat', data.recipient_user_id, 'data.recipient_user_id'),
    error: metaError(data.errors),
    pricing: metaPricing(data.pricing),
  }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Gupshup: v2 `message-event`, or v3 (Meta's envelope plus `gs_id`), told apart by Meta's `object`/`entry`.

function normaliseGupshup(body: unknown, context: Context): Normalised {
  return isRecord(body) && ('object' in body || 'entry' in body) ? normaliseGupshupV3(body, context) : normaliseGupshupV2(body, context);
}

function normaliseGupshupV2(body: unknown, context: Context): Normalised {
  const word = isRecord(body) && isRecord(body.payload) ? body.payload.type : undefined;
  // Parse with the one payload variant the type selects, so an issue names the field, not "invalid union".
  const variant = GupshupV2Body.shape.payload.options.find((option) => typeof word === 'string' && (option.shape.type.options as readonly string[]).includes(word));
  const out: Normalised = { events: [], ignored: [] };
  if (!variant) {
    // A type the spec does not list: its inner payload is unknown, so whatever the word, nothing is read from it.
    const unlisted = parse('gupshup', GupshupV2Unlisted, body);
    out.ignored.push(`gupshup unknown status word ${printableWord(unlisted.payload.type)}`);
    return out;
  }
  const event = parse('gupshup', GupshupV2Body.extend({ payload: variant }), body) as z.output<typeof GupshupV2Body>;
  const { payload } = event;
  const envelopeTime = () => fromMilliseconds('gupshup', event.timestamp, 'timestamp');
  collect(out, context, payload.type, (): Draft => {
    const recipient = idAt('gupshup', payload.destination, 'payload.destination');
    // Gupshup's id when there is one (`gsId`), else `id`; the WhatsApp id (`id`) beside it as an alias.
    const gupshupIds = (gsId: string | undefined, id: string) => {
      const providerMessageId = requireId('gupshup', idAt('gupshup', gsId, 'payload.gsId') ?? id, 'payload.id');
      return { providerMessageId, providerAliases: aliases(providerMessageId, idAt('gupshup', id, 'payload.id')) };
    };
    switch (payload.type) {
      case 'enqueued':
        // `id` is Gupshup's id (the send's `messageId`); the WhatsApp id comes inside.
        return {
          providerMessageId: requireId('gupshup', payload.id, 'payload.id'),
          providerAliases: aliases(payload.id, idAt('gupshup', payload.payload.whatsappMessageId, 'payload.payload.whatsappMessageId')),
          at: envelopeTime(),
          recipient,
        };
      case 'failed': {
        // Synchronous: `id` is Gupshup's, no `gsId`. Asynchronous: `gsId` is Gupshup's and `id` the WhatsApp id.
        return { ...gupshupIds(payload.gsId, payload.id), at: envelopeTime(), recipient, error: compact({ code: payload.payload.code, message: clip(payload.payload.reason) }) };
      }
      case 'sent':
      case 'delivered':
      case 'read': {
        // `gsId` is absent on events more than a week late: then the WhatsApp id (`id`) is all there is.
        return { ...gupshupIds(payload.gsId, payload.id), at: fromSeconds('gupshup', payload.payload.ts, 'payload.payload.ts'), recipient };
      }
      case 'deleted':
        // Unreachable: the status table maps `deleted` to no status, so collect() never asks.
        throw new Error('gupshup: deleted carries no status');
    }
  });
  return out;
}

function normaliseGupshupV3(body: unknown, context: Context): Normalised {
  const event = parse('gupshup', GupshupV3Webhook, body);
  const out: Normalised = { events: [], ignored: [] };
  event.entry.forEach((entry, e) =>
    entry.changes.forEach((change, c) =>
      change.value.statuses.forEach((status, s) => {
        const where = `entry.${e}.changes.${c}.value.statuses.${s}`;
        collect(out, context, status.status, () => {
          const providerMessageId = requireId('gupshup', idAt('gupshup', status.gs_id, `${where}.gs_id`) ?? status.id, `${where}.id`);
          return {
            messageId: ourMessageId(status.biz_opaque_callback_data),
            providerMessageId,
            providerAliases: aliases(providerMessageId, idAt('gupshup', status.id, `${where}.id`)),
            at: fromSecondsOrMilliseconds('gupshup', status.timestamp, `${where}.timestamp`),
            recipient: idAt('gupshup', status.recipient_id, `${where}.recipient_id`),
            error: metaError(status.errors),
            pricing: metaPricing(status.pricing),
          };
        });
      }),
    ),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kaleyra: callback profile, v2 JSON: Kaleyra's word and ids, Meta's status object when Meta saw the message.

const META = 'meta_object.value.statuses.0';

function normaliseKaleyra(body: unknown, context: Context): Normalised {
  const callback = parse('kaleyra', KaleyraWebhook, body);
  const meta = callback.meta_object?.value.statuses[0];
  const out: Normalised = { events: [], ignored: [] };
  collect(out, context, callback.status, () => ({
    messageId: ourMessageId(callback.extra_info?.ref, meta?.biz_opaque_callback_data),
    providerMessageId: requireId('kaleyra', callback.message_id, 'message_id'),
    providerAliases: aliases(callback.message_id, idAt('kaleyra', callback.extra_info?.message_id, 'extra_info.message_id'), idAt('kaleyra', meta?.id, `${META}.id`)),
    // NOT-SENT never reached Meta: no status object, so no time but ours.
    at: meta ? fromSeconds('kaleyra', meta.timestamp, `${META}.timestamp`) : context.receivedAt.toISOString(),
    recipient: idAt('kaleyra', meta?.recipient_id, `${META}.recipient_id`) ?? idAt('kaleyra', meta?.recipient_user_id, `${META}.recipient_user_id`),
    error: metaError(meta?.errors) ?? (callback.status === 'NOT-SENT' ? { message: 'Kaleyra did not hand the message to WhatsApp (NOT-SENT)' } : undefined),
    pricing: metaPricing(meta?.pricing),
  }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loopwave: `{event, data, timestamp}`; only our own `message.created` says anything about a send.

function normaliseLoopwave(body: unknown, context: Context): Normalised {
  const out: Normalised = { events: [], ignored: [] };
  const kind = isRecord(body) ? body.event : undefined;
  if (kind === 'broadcast.progress') {
    parse('loopwave', LoopwaveBroadcastProgress, body);
    out.ignored.push('loopwave broadcast progress: this pipeline sends no broadcasts');
    return out;
  }
  if (kind !== 'message.created') {
    const envelope = parse('loopwave', LoopwaveEnvelope, body);
    out.ignored.push(`loopwave event ${printableWord(envelope.event)} carries no message status`);
    return out;
  }
  const created = parse('loopwave', LoopwaveMessageCreated, body);
  const direction = parse('loopwave', z.object({ data: LoopwaveDirection }), created);
  if (!direction.data.fromMe) {
    out.ignored.push('loopwave inbound message');
    return out;
  }
  const { data } = parse('loopwave', z.object({ data: LoopwaveSentMessage }), created);
  // The 202 of a send says `sent`; `message.created` for our own message says no more than that.
  collect(out, context, 'sent', () => ({
    providerMessageId: requireId('loopwave', data.messageId, 'data.messageId'),
    at: fromSeconds('loopwave', data.timestamp, 'data.timestamp'),
    recipient: idAt('loopwave', data.chatId.split('@')[0], 'data.chatId'),
  }));
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
