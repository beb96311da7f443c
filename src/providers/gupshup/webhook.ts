/**
 * Gupshup's status callbacks: v2 `message-event`, or v3 (Meta's envelope plus `gs_id`), told
 * apart by Meta's `object`/`entry`. Gupshup signs nothing: a secret token in the callback URL (or
 * `x-webhook-token`) proves the callback is its.
 */
import * as z from 'zod';
import { InternalError } from '../../errors.ts';
import { zReceiveMessageEventV2WebhookRequest, zReceiveMessageEventV3WebhookRequest } from '../../../generated/gupshup/zod.gen.ts';
import type { WebhookReader } from '../define.ts';
import {
  aliases,
  clip,
  collect,
  compact,
  fromMilliseconds,
  fromSeconds,
  fromSecondsOrMilliseconds,
  idAt,
  isRecord,
  metaError,
  metaPricing,
  ourMessageId,
  parse,
  printableWord,
  requireId,
  StatusWord,
  type Draft,
  type Normalised,
  type NormaliseContext,
} from '../../webhooks/kit.ts';

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
              value: GupshupV3Value.extend({
                statuses: z.array(GupshupV3Value.shape.statuses.element.extend({ status: StatusWord })).min(1),
              }),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

export function normaliseGupshup(body: unknown, context: NormaliseContext): Normalised {
  return isV3(body) ? normaliseGupshupV3(body, context) : normaliseGupshupV2(body, context);
}

/** v3 is Meta's envelope: `object` and `entry`. */
const isV3 = (body: unknown) => isRecord(body) && ('object' in body || 'entry' in body);

function normaliseGupshupV2(body: unknown, context: NormaliseContext): Normalised {
  const word = isRecord(body) && isRecord(body.payload) ? body.payload.type : undefined;
  // Parse with the one payload variant the type selects, so an issue names the field, not "invalid union".
  const variant = GupshupV2Body.shape.payload.options.find(
    (option) => typeof word === 'string' && (option.shape.type.options as readonly string[]).includes(word),
  );
  const out: Normalised = { events: [], ignored: [] };
  if (!variant) {
    // A type the spec does not list: its inner payload is unknown, so whatever the word, nothing is read from it.
    const unlisted = parse('gupshup', GupshupV2Unlisted, body);
    out.ignored.push(`gupshup unknown status word ${printableWord(unlisted.payload.type)}`);
    context.unknownWord?.('payload.type');
    return out;
  }
  const event = parse('gupshup', GupshupV2Body.extend({ payload: variant }), body) as z.output<typeof GupshupV2Body>;
  const { payload } = event;
  const envelopeTime = () => fromMilliseconds('gupshup', event.timestamp, 'timestamp');
  collect(out, context, payload.type, 'payload.type', (): Draft => {
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
        return {
          ...gupshupIds(payload.gsId, payload.id),
          at: envelopeTime(),
          recipient,
          error: compact({ code: payload.payload.code, message: clip(payload.payload.reason) }),
        };
      }
      case 'sent':
      case 'delivered':
      case 'read': {
        // `gsId` is absent on events more than a week late: then the WhatsApp id (`id`) is all there is.
        return { ...gupshupIds(payload.gsId, payload.id), at: fromSeconds('gupshup', payload.payload.ts, 'payload.payload.ts'), recipient };
      }
      case 'deleted':
        // Unreachable: the status table maps `deleted` to no status, so collect() never asks.
        throw new InternalError('gupshup: deleted carries no status');
    }
  });
  return out;
}

function normaliseGupshupV3(body: unknown, context: NormaliseContext): Normalised {
  const event = parse('gupshup', GupshupV3Webhook, body);
  const out: Normalised = { events: [], ignored: [] };
  event.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      change.value.statuses.forEach((status, s) => {
        const where = `entry.${e}.changes.${c}.value.statuses.${s}`;
        collect(out, context, status.status, `${where}.status`, () => {
          const providerMessageId = requireId('gupshup', idAt('gupshup', status.gs_id, `${where}.gs_id`) ?? status.id, `${where}.id`);
          return {
            messageId: ourMessageId(status.biz_opaque_callback_data),
            providerMessageId,
            providerAliases: aliases(providerMessageId, idAt('gupshup', status.id, `${where}.id`)),
            at: fromSecondsOrMilliseconds('gupshup', status.timestamp, `${where}.timestamp`),
            recipient:
              idAt('gupshup', status.recipient_id, `${where}.recipient_id`) ??
              idAt('gupshup', status.recipient_user_id, `${where}.recipient_user_id`),
            error: metaError(status.errors),
            pricing: metaPricing(status.pricing),
          };
        });
      });
    });
  });
  return out;
}

/**
 * Its normaliser (its check is the provider module's: ../webhooks.ts joins them), and its spec's
 * schema (v3 or v2, as the normaliser tells them apart).
 */
export const gupshupWebhook: WebhookReader = {
  normalise: normaliseGupshup,
  specSchema: (body) => (isV3(body) ? GupshupV3Body : GupshupV2Body),
};
