/**
 * LiveChat's status callbacks: a Standard Webhooks envelope (signed over the raw bytes, ±5
 * minutes) around one Meta status object. LiveChat's send answer carries no id: the WhatsApp id
 * here is matched to the send by recipient and time (src/status/apply.ts).
 */
import { zReceiveMessageStatusWebhookRequest } from '../../../generated/livechat/zod.gen.ts';
import type { WebhookReader } from '../define.ts';
import {
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

const LiveChatBody = zReceiveMessageStatusWebhookRequest.shape.body;
const LiveChatWebhook = LiveChatBody.extend({ data: LiveChatBody.shape.data.extend({ status: StatusWord }) });

export function normaliseLiveChat(body: unknown, context: NormaliseContext): Normalised {
  const { data } = parse('livechat', LiveChatWebhook, body);
  const out: Normalised = { events: [], ignored: [] };
  collect(out, context, data.status, 'data.status', () => ({
    messageId: ourMessageId(data.biz_opaque_callback_data),
    providerMessageId: requireId('livechat', data.id, 'data.id'),
    at: fromSeconds('livechat', data.timestamp, 'data.timestamp'),
    recipient:
      idAt('livechat', data.recipient_id, 'data.recipient_id') ?? idAt('livechat', data.recipient_user_id, 'data.recipient_user_id'),
    error: metaError(data.errors),
    pricing: metaPricing(data.pricing),
  }));
  return out;
}

/** Its normaliser (its check is the provider module's: ../webhooks.ts joins them), and its spec's schema. */
export const livechatWebhook: WebhookReader = {
  normalise: normaliseLiveChat,
  specSchema: () => LiveChatBody,
};
