/**
 * A status report about one message, normalised from whatever reported it: a provider's webhook,
 * a send answer, or a reconciliation lookup. Applied to the store with the status table's rules.
 */
import * as z from 'zod';
import { PROVIDERS } from '../providers/names.ts';
import { MessageId } from './fields.ts';
import { STATUSES } from './status.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

/**
 * The longest provider message id or recipient a status event carries (real ones are under 100
 * characters). Bounded so that what a callback brings always fits a DynamoDB item; keys use a
 * hash of ids that are not plain (src/store/table.ts).
 */
export const MAX_PROVIDER_ID_LENGTH = 512;
/** The longest provider text (error title or details, pricing words) an event keeps; longer is cut. */
export const MAX_PROVIDER_TEXT_LENGTH = 1000;

const ProviderId = lazySchema(() => z.string().min(1).max(MAX_PROVIDER_ID_LENGTH));
const ProviderText = lazySchema(() => z.string().max(MAX_PROVIDER_TEXT_LENGTH));

export const StatusEvent = lazySchema(() =>
  z.strictObject({
    provider: z.enum(PROVIDERS),
    account: z.string().min(1),
    /** Ours, where the provider echoed it back (Kaleyra `ref`, Meta `biz_opaque_callback_data`). */
    messageId: MessageId.optional(),
    providerMessageId: ProviderId.optional(),
    /** Other ids the provider uses for the same message (the WhatsApp `wamid` beside Gupshup's or Kaleyra's own). */
    providerAliases: z.array(ProviderId).optional(),
    status: z.enum(STATUSES),
    /** When the status happened, by the reporter's clock (ISO-8601 UTC, millisecond precision). */
    at: z.iso.datetime(),
    /** Who the message went to as the provider names them: a phone number or a business-scoped user id. Never logged. */
    recipient: ProviderId.optional(),
    error: z
      .strictObject({
        code: z.union([ProviderText, z.number()]).optional(),
        title: ProviderText.optional(),
        message: ProviderText.optional(),
      })
      .optional(),
    pricing: z
      .strictObject({
        billable: z.boolean().optional(),
        model: ProviderText.optional(),
        category: ProviderText.optional(),
        type: ProviderText.optional(),
      })
      .optional(),
  }),
);

export type StatusEvent = z.output<typeof StatusEvent>;
