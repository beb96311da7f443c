/**
 * A status report about one message, normalised from whatever reported it: a provider's webhook,
 * a send answer, or a reconciliation lookup. Applied to the store with the status table's rules.
 */
import { z } from 'zod';
import { PROVIDERS } from '../providers/names.ts';
import { MessageId } from './queue-message.ts';
import { STATUSES } from './status.ts';

export const StatusEvent = z.strictObject({
  provider: z.enum(PROVIDERS),
  account: z.string().min(1),
  /** Ours, where the provider echoed it back (Kaleyra `ref`, Meta `biz_opaque_callback_data`). */
  messageId: MessageId.optional(),
  providerMessageId: z.string().min(1).optional(),
  /** Other ids the provider uses for the same message (the WhatsApp `wamid` beside Gupshup's or Kaleyra's own). */
  providerAliases: z.array(z.string().min(1)).optional(),
  status: z.enum(STATUSES),
  /** When the status happened, by the reporter's clock (ISO-8601 UTC, millisecond precision). */
  at: z.iso.datetime(),
  /** Who the message went to as the provider names them: a phone number or a business-scoped user id. Never logged. */
  recipient: z.string().min(1).optional(),
  error: z
    .strictObject({
      code: z.union([z.string(), z.number()]).optional(),
      title: z.string().optional(),
      message: z.string().optional(),
    })
    .optional(),
  pricing: z
    .strictObject({
      billable: z.boolean().optional(),
      model: z.string().optional(),
      category: z.string().optional(),
      type: z.string().optional(),
    })
    .optional(),
});

export type StatusEvent = z.output<typeof StatusEvent>;
