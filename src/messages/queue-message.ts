/**
 * The body of a message on the send queue: the validated request, our message id and a schema
 * version. Exported so that producers may enqueue directly instead of calling the accept API; the
 * sender creates the message's record if it is missing.
 */
import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { MessageId } from './fields.ts';
import { SendRequest } from './send-request.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

export { MessageId } from './fields.ts';

const nextUlid = monotonicFactory();

/** A new message id; ids made in the same millisecond still sort in creation order. */
export function newMessageId(now: number = Date.now()): MessageId {
  return nextUlid(now);
}

export const QUEUE_MESSAGE_VERSION = 1 as const;

export const QueueMessage = lazySchema(() =>
  z.strictObject({
    v: z.literal(QUEUE_MESSAGE_VERSION, `must be ${QUEUE_MESSAGE_VERSION}, the schema version this sender reads`),
    id: MessageId,
    request: SendRequest,
    /** When the request was accepted (ISO-8601 UTC). */
    acceptedAt: z.iso.datetime({ error: 'must be an ISO-8601 UTC date-time' }),
  }),
);

export type QueueMessageInput = z.input<typeof QueueMessage>;
export type QueueMessage = z.output<typeof QueueMessage>;
