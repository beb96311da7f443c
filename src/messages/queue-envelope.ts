/**
 * The light part of the queue message (./queue-message.ts): its schema version and new message
 * ids, for code that writes queue bodies without reading them (accept) — without the request's
 * schemas and libphonenumber's metadata, which load on first use (./request-schemas.ts).
 */
import { monotonicFactory } from 'ulid';
import type { MessageId } from './fields.ts';

const nextUlid = monotonicFactory();

/** A new message id; ids made in the same millisecond still sort in creation order. */
export function newMessageId(now: number = Date.now()): MessageId {
  return nextUlid(now);
}

export const QUEUE_MESSAGE_VERSION = 1 as const;
