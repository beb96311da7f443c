/**
 * Loopwave's webhooks: `{event, data, timestamp}`, signed `x-loopwave-signature: sha256=<hex
 * HMAC-SHA256 of the raw body>`. Only our own `message.created` says anything about a send.
 */
import * as z from 'zod';
import {
  zChatMessage,
  zReceiveBroadcastProgressWebhookRequest,
  zReceiveMessageCreatedWebhookRequest,
} from '../../../generated/loopwave/zod.gen.ts';
import type { WebhookReader } from '../define.ts';
import {
  collect,
  fromSeconds,
  idAt,
  isRecord,
  parse,
  printableWord,
  requireId,
  type Normalised,
  type NormaliseContext,
} from '../../webhooks/kit.ts';

const LoopwaveMessageCreated = zReceiveMessageCreatedWebhookRequest.shape.body;
const LoopwaveBroadcastProgress = zReceiveBroadcastProgressWebhookRequest.shape.body;
/** `message.created` leaves `data` open; whether it is ours is `fromMe` of the document's message object. */
const LoopwaveDirection = z.object({ fromMe: zChatMessage.shape.fromMe });
const LoopwaveSentMessage = zChatMessage.pick({ messageId: true, chatId: true, timestamp: true }).extend({ messageId: z.string().min(1) });
/** Any Loopwave delivery: the envelope, to name events this pipeline does not subscribe to. */
const LoopwaveEnvelope = LoopwaveMessageCreated.extend({ event: z.string().min(1), data: z.unknown() });

export function normaliseLoopwave(body: unknown, context: NormaliseContext): Normalised {
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
    // The spec lists two events: another is a word it does not know (subscribe to message.created only).
    context.unknownWord?.('event');
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
  collect(out, context, 'sent', 'event', () => ({
    providerMessageId: requireId('loopwave', data.messageId, 'data.messageId'),
    at: fromSeconds('loopwave', data.timestamp, 'data.timestamp'),
    recipient: idAt('loopwave', data.chatId.split('@')[0], 'data.chatId'),
  }));
  return out;
}

/**
 * Its normaliser (its check is the provider module's: ../webhooks.ts joins them), and its spec's
 * schema for the event `body` names.
 */
export const loopwaveWebhook: WebhookReader = {
  normalise: normaliseLoopwave,
  specSchema: (body) => {
    const kind = isRecord(body) ? body.event : undefined;
    if (kind === 'message.created') return LoopwaveMessageCreated;
    return kind === 'broadcast.progress' ? LoopwaveBroadcastProgress : LoopwaveEnvelope;
  },
};
