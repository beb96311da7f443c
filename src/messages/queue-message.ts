/**
 * The body of a message on the send queue: the validated request, our message id and a schema
 * version. Exported so that producers may enqueue directly instead of calling the accept API; the
 * sender creates the message's record if it is missing.
 */
import * as z from 'zod';
import { MessageId } from './fields.ts';
import { QUEUE_MESSAGE_VERSION } from './queue-envelope.ts';
import { SendRequest } from './send-request.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

export { MessageId } from './fields.ts';

// The light part, apart so that writing a queue body does not load the request's schemas.
export { newMessageId, QUEUE_MESSAGE_VERSION } from './queue-envelope.ts';

export const QueueMessage = lazySchema(() =>
  z.strictObject({
    v: z.literal(QUEUE_MESSAGE_VERSION, `must be ${QUEUE_MESSAGE_VERSION}, the schema version this sender reads`),
    id: MessageId,
    request: SendRequest,
    /** When the request was accepted (ISO-8601 UTC). */
    acceptedAt: z.iso.datetime({ error: 'must be an ISO-8601 UTC date-time' }),
    /**
     * The sender's own: a send slot it reserved for this copy of the message, sealed under the
     * deployment's payload key (src/sender/sender.ts, "carried slots"). Producers leave it out; one
     * that does not open, or names another message, is ignored.
     */
    slot: z.string().max(512, 'must be at most 512 characters (the sender writes it)').optional(),
  }),
);

export type QueueMessageInput = z.input<typeof QueueMessage>;
export type QueueMessage = z.output<typeof QueueMessage>;
