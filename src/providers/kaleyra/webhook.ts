/**
 * Kaleyra's status callbacks (callback profile, v2 JSON): Kaleyra's word and ids, and Meta's
 * status object when Meta saw the message. Kaleyra echoes our id in `extra_info.ref`. It signs
 * nothing: a secret token in the callback URL (or `x-webhook-token`) proves the callback is its.
 */
import * as z from 'zod';
import { zReceiveMessageStatusWebhookRequest } from '../../../generated/kaleyra/zod.gen.ts';
import type { WebhookReader } from '../define.ts';
import {
  aliases,
  collect,
  fromSeconds,
  idAt,
  metaError,
  metaPricing,
  ourMessageId,
  parse,
  requireId,
  StatusWord,
  type Normalised,
  type NormaliseContext,
} from '../../webhooks/kit.ts';

const KaleyraBody = zReceiveMessageStatusWebhookRequest.shape.body;
const KaleyraChange = KaleyraBody.shape.meta_object.unwrap();
const KaleyraValue = KaleyraChange.shape.value;
const KaleyraWebhook = KaleyraBody.extend({
  status: StatusWord,
  meta_object: KaleyraChange.extend({
    value: KaleyraValue.extend({ statuses: z.array(KaleyraValue.shape.statuses.element.extend({ status: StatusWord })).min(1) }),
  }).optional(),
});

const META = 'meta_object.value.statuses.0';
/** Meta's words, as the spec lists them: Kaleyra's own `status` is read by its module's words; Meta's beside it is not read. */
const META_WORDS: readonly string[] = KaleyraValue.shape.statuses.element.shape.status.options;

export function normaliseKaleyra(body: unknown, context: NormaliseContext): Normalised {
  const callback = parse('kaleyra', KaleyraWebhook, body);
  const meta = callback.meta_object?.value.statuses[0];
  callback.meta_object?.value.statuses.forEach((status, s) => {
    if (!META_WORDS.includes(status.status)) context.unknownWord?.(`meta_object.value.statuses.${s}.status`);
  });
  const out: Normalised = { events: [], ignored: [] };
  collect(out, context, callback.status, 'status', () => ({
    messageId: ourMessageId(callback.extra_info?.ref, meta?.biz_opaque_callback_data),
    providerMessageId: requireId('kaleyra', callback.message_id, 'message_id'),
    providerAliases: aliases(
      callback.message_id,
      idAt('kaleyra', callback.extra_info?.message_id, 'extra_info.message_id'),
      idAt('kaleyra', meta?.id, `${META}.id`),
    ),
    // NOT-SENT never reached Meta: no status object, so no time but ours.
    at: meta ? fromSeconds('kaleyra', meta.timestamp, `${META}.timestamp`) : context.receivedAt.toISOString(),
    recipient:
      idAt('kaleyra', meta?.recipient_id, `${META}.recipient_id`) ?? idAt('kaleyra', meta?.recipient_user_id, `${META}.recipient_user_id`),
    error:
      metaError(meta?.errors) ??
      (callback.status === 'NOT-SENT' ? { message: 'Kaleyra did not hand the message to WhatsApp (NOT-SENT)' } : undefined),
    pricing: metaPricing(meta?.pricing),
  }));
  return out;
}

/** Its normaliser (its check is the provider module's: ../webhooks.ts joins them), and its spec's schema. */
export const kaleyraWebhook: WebhookReader = {
  normalise: normaliseKaleyra,
  specSchema: () => KaleyraBody,
};
