/**
 * The light part of the message model: ids and how a zod error is reported, field by field. Apart
 * from the send request (./send-request.ts, which re-exports them) so that a module that reads only
 * ids — configuration, callbacks, status events — does not load the request's schemas and the phone
 * number metadata with them.
 */
import * as z from 'zod';
import { lazySchema } from '../runtime/lazy-schema.ts';

/** Account ids appear in URLs, keys and logs: a conservative alphabet. */
export const AccountId = lazySchema(() =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 letters, digits, "_", "." or "-", starting with a letter or digit'),
);

/** A duration: a whole number of ms, s, m or h (`90s`, `5m`): an account's or a request's `failoverAfter`. */
export const DURATION_PATTERN = /^[0-9]{1,9}(ms|s|m|h)$/;
export const DURATION_RULE = 'must be a duration such as 90s, 5m or 1h (ms, s, m, h)';

/** Our message id: a ULID (sortable by creation time), from accept to status. */
export const MessageId = lazySchema(() => z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID (26 characters, Crockford base32)'));
export type MessageId = z.output<typeof MessageId>;

/** One rule a request broke, by field: what an API caller sees. */
export interface Violation {
  field: string;
  rule: string;
}

/** Every violation in a zod error, with dotted field paths (`messages.3.recipient`). */
export function violationsOf(error: z.ZodError, prefix: ReadonlyArray<string | number> = []): Violation[] {
  return error.issues.map((issue) => ({
    field: [...prefix, ...issue.path].map(String).join('.') || '(body)',
    rule: issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message,
  }));
}
