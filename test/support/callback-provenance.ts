/**
 * Provenance of what a normaliser reads: each id of a callback (the provider's message id, the
 * WhatsApp id, our echoed id, the recipient) must come from the field the provider's document
 * (or Meta's) gives it, not from a sibling. In the documented examples the sibling fields often
 * hold the same value (Kaleyra's `message_id` and `extra_info.message_id`), so an example cannot
 * tell them apart: here every field gets its own generated value, and the event must carry each
 * one where it belongs.
 */
import fc from 'fast-check';
import type { StatusEvent } from '../../src/messages/status-event.ts';
import type { WebhookSide } from '../../src/providers/define.ts';
import { providerModule, sendsCallbacks } from '../../src/providers/index.ts';
import { WEBHOOKS } from '../../src/providers/webhooks.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { loadSpec, requestExamples } from './spec.ts';

type Body = Record<string, any>;

/** Distinct ids for one callback. */
export interface CallbackIds {
  /** The provider's own message id (Kaleyra's, Gupshup's). */
  provider: string;
  /** A second provider id in a sibling field (Kaleyra's `extra_info.message_id`). */
  sibling: string;
  /** WhatsApp's id (`wamid.…`, Gupshup's v2 WhatsApp id). */
  whatsapp: string;
  /** Our message id, echoed (a ULID). */
  ours: string;
  /** The recipient's number, digits. */
  recipient: string;
}

export const callbackIds: fc.Arbitrary<CallbackIds> = fc.record({
  provider: fc.stringMatching(/^[A-Z][A-Z0-9]{11,19}$/),
  sibling: fc.stringMatching(/^S[A-Z0-9]{11,19}$/),
  whatsapp: fc.stringMatching(/^[A-Za-z0-9]{16,24}$/).map((tail) => `wamid.${tail}`),
  ours: fc.stringMatching(/^01[0-9A-HJKMNP-TV-Z]{24}$/),
  recipient: fc.stringMatching(/^[1-9][0-9]{10,12}$/),
});

export interface CallbackRow {
  provider: ProviderName;
  name: string;
  body: (ids: CallbackIds) => Body;
  /** What the event must carry, by field. */
  expected: (ids: CallbackIds) => Partial<Pick<StatusEvent, 'providerMessageId' | 'providerAliases' | 'messageId' | 'recipient'>>;
}

function example(provider: ProviderName, webhook: string, name: string): Body {
  const found = requestExamples(loadSpec(provider), webhook, 'post', 'application/json', 'webhooks').find((e) => e.name === name);
  if (!found) throw new Error(`${provider} ${webhook}: no example ${name}`);
  return structuredClone(found.value) as Body;
}

export const CALLBACK_ROWS: readonly CallbackRow[] = [
  {
    provider: 'livechat',
    name: 'data.id, data.biz_opaque_callback_data, data.recipient_id',
    body: (ids) => {
      const body = example('livechat', 'messageStatus', 'sent');
      Object.assign(body.data, { id: ids.whatsapp, biz_opaque_callback_data: ids.ours, recipient_id: ids.recipient });
      return body;
    },
    expected: (ids) => ({ providerMessageId: ids.whatsapp, messageId: ids.ours, recipient: ids.recipient }),
  },
  {
    provider: 'kaleyra',
    name: 'message_id, extra_info.message_id and .ref, Meta’s id and recipient_id',
    body: (ids) => {
      const body = example('kaleyra', 'messageStatus', 'delivered');
      body.message_id = ids.provider;
      Object.assign(body.extra_info, { message_id: ids.sibling, ref: ids.ours });
      Object.assign(body.meta_object.value.statuses[0], { id: ids.whatsapp, recipient_id: ids.recipient });
      return body;
    },
    expected: (ids) => ({
      providerMessageId: ids.provider,
      providerAliases: [ids.sibling, ids.whatsapp],
      messageId: ids.ours,
      recipient: ids.recipient,
    }),
  },
  {
    provider: 'gupshup',
    name: 'v2 enqueued: payload.id (Gupshup’s), payload.payload.whatsappMessageId, destination',
    body: (ids) => {
      const body = example('gupshup', 'messageEventV2', 'enqueued');
      Object.assign(body.payload, { id: ids.provider, destination: ids.recipient });
      body.payload.payload.whatsappMessageId = ids.whatsapp;
      return body;
    },
    expected: (ids) => ({ providerMessageId: ids.provider, providerAliases: [ids.whatsapp], recipient: ids.recipient }),
  },
  ...(['sent', 'delivered', 'read', 'failed'] as const).map(
    (type): CallbackRow => ({
      provider: 'gupshup',
      name: `v2 ${type}: payload.gsId (Gupshup’s), payload.id (WhatsApp’s), destination`,
      body: (ids) => {
        const body = example('gupshup', 'messageEventV2', type);
        Object.assign(body.payload, { id: ids.whatsapp, gsId: ids.provider, destination: ids.recipient });
        return body;
      },
      expected: (ids) => ({ providerMessageId: ids.provider, providerAliases: [ids.whatsapp], recipient: ids.recipient }),
    }),
  ),
  {
    provider: 'gupshup',
    name: 'v3: gs_id (Gupshup’s), id (WhatsApp’s), biz_opaque_callback_data, recipient_id',
    body: (ids) => {
      const body = example('gupshup', 'messageEventV3', 'delivered');
      Object.assign(body.entry[0].changes[0].value.statuses[0], {
        gs_id: ids.provider,
        id: ids.whatsapp,
        biz_opaque_callback_data: ids.ours,
        recipient_id: ids.recipient,
      });
      return body;
    },
    expected: (ids) => ({
      providerMessageId: ids.provider,
      providerAliases: [ids.whatsapp],
      messageId: ids.ours,
      recipient: ids.recipient,
    }),
  },
  {
    provider: 'loopwave',
    name: 'message.created: data.messageId, data.chatId',
    body: (ids) => {
      const body = example('loopwave', 'message.created', 'messageCreated');
      Object.assign(body.data, { fromMe: true, messageId: ids.provider, chatId: `${ids.recipient}@s.whatsapp.net` });
      return body;
    },
    expected: (ids) => ({ providerMessageId: ids.provider, recipient: ids.recipient }),
  },
];

/** What the event of `row`'s body, read by `webhook` (default: the provider module's), carries that it should not. */
export function callbackViolations(row: CallbackRow, ids: CallbackIds, webhook?: WebhookSide): string[] {
  const module = providerModule(row.provider);
  const side = webhook ?? (sendsCallbacks(row.provider) ? WEBHOOKS[row.provider] : undefined);
  if (!side) throw new Error(`${row.provider} has no webhook side`);
  const { events } = side.normalise(row.body(ids), {
    provider: row.provider,
    account: 'acme',
    receivedAt: new Date('2026-03-01T12:00:00.000Z'),
    statusWords: module.statusWords,
  });
  if (events.length !== 1) return [`${row.provider} ${row.name}: ${events.length} events`];
  const [event] = events as [StatusEvent];
  const violations: string[] = [];
  for (const [field, expected] of Object.entries(row.expected(ids))) {
    const actual = event[field as keyof StatusEvent];
    const same = Array.isArray(expected)
      ? Array.isArray(actual) && [...actual].sort().join(' ') === [...expected].sort().join(' ')
      : actual === expected;
    if (!same) violations.push(`${row.provider} ${field}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
  return violations;
}
