/**
 * The local stack's terminal line for the webhook's `callback drift` log entry (src/webhooks/app.ts):
 * one line per drifting callback, e.g.
 *
 *   callback drift: kaleyra (local-kaleyra): unknown field extra_info.ref3; unknown status word status
 *
 * Built from the entry's provider, account and departures (kind, path, rule), never from anything
 * else on it: the entry holds no value from the body, and neither does the line.
 */
import type { LogFields } from '../runtime/log.ts';

/** The webhook's message for the entry this prints. */
export const DRIFT_MESSAGE = 'callback drift';

const KINDS: Record<string, string> = {
  schema_violation: 'schema violation',
  unknown_status_word: 'unknown status word',
  unknown_field: 'unknown field',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The line for a `callback drift` entry's fields (anything it does not recognise is left out). */
export function driftLine(fields: LogFields): string {
  const departures = Array.isArray(fields.drift) ? fields.drift : [];
  const parts = departures.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { kind, path, rule } = item as Record<string, unknown>;
    const what = KINDS[String(kind)] ?? text(kind) ?? 'drift';
    // A schema violation's rule says what is wrong; the other kinds' rules only repeat the kind.
    return [`${what} ${text(path) ?? '(body)'}${kind === 'schema_violation' && text(rule) ? ` (${text(rule)})` : ''}`];
  });
  const more = typeof fields.drift_more === 'number' && fields.drift_more > 0 ? ` (+${fields.drift_more} more)` : '';
  const account = text(fields.account) ? ` (${text(fields.account)})` : '';
  return `${DRIFT_MESSAGE}: ${text(fields.provider) ?? 'unknown provider'}${account}: ${parts.join('; ') || 'no detail'}${more}`;
}
