/**
 * The oracle: what a fuzz case expects, decided by the generator that built it (which knows the
 * rule it broke), never by asking the validator under test; and the figures a run counts.
 */
import type { RawRequest, RawResponse } from './client.ts';

/** `accept`: a valid input, must get 2xx. `refuse`: breaks a rule, must get 4xx. `either`: 2xx or 4xx, never 5xx or a hang. */
export type Expect = 'accept' | 'refuse' | 'either';

/** One generated input: the rule it breaks (or `valid: …`), what it expects, and its data. */
export interface Case<I> {
  label: string;
  expect: Expect;
  input: I;
}

export const FIGURES = [
  '5xx',
  'hangs',
  '2xx for invalid input',
  '4xx for valid input',
  'records written by refused requests',
  'accepted but stored differently',
  /** Cross-account callbacks only: account A's message or recipient changed by a callback on B's route. */
  'changed another account’s message',
] as const;
export type Figure = (typeof FIGURES)[number];

/** One HTTP request of a case (most cases are one; an idempotency replay is two). */
export interface Step {
  request: RawRequest;
  expect: Expect;
  label: string;
  /** Checks beyond the status: a listing that shows another account's messages, metadata not kept as sent. */
  check?: (response: RawResponse) => Promise<Figure[]>;
  /** What the request named, which it must not have written to if it was refused. */
  touches?: Touches;
}

export interface Touches {
  /** Idempotency keys (per account) a refused request must not have claimed. */
  idempotency?: Array<{ account: string; key: string }>;
  /** Provider message ids a refused callback must not have kept callbacks for. */
  pending?: Array<{ provider: string; providerMessageId: string }>;
  /** Existing messages (ours) the request named. */
  messages?: string[];
  /** Accounts the request's body names (an accept could write records for these). */
  accounts?: string[];
}

/** The figures one answer counts, by the status it got and what its case expected. */
export function judge(expect: Expect, status: RawResponse['status']): Figure[] {
  if (status === 'hang') return ['hangs'];
  if (status === 'reset' || status >= 500) return ['5xx'];
  const ok = status >= 200 && status < 300;
  if (ok && expect === 'refuse') return ['2xx for invalid input'];
  if (!ok && expect === 'accept') return ['4xx for valid input'];
  if (!ok && !(status >= 400 && status < 500)) return [expect === 'refuse' ? '2xx for invalid input' : '4xx for valid input'];
  return [];
}

/** A case's input for a report: long strings and large arrays cut down so an example stays readable. */
export function summarise(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > 120 ? `${value.slice(0, 60)}…(${value.length} chars)…${value.slice(-20)}` : value;
  }
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (Array.isArray(value)) {
    const shown = value.slice(0, 6).map((v) => summarise(v, depth + 1));
    return value.length > 6 ? [...shown, `…(${value.length} items)`] : shown;
  }
  if (value && typeof value === 'object') {
    if (depth > 6) return '{…}';
    const entries = Object.entries(value);
    const shown = entries.slice(0, 14).map(([k, v]) => [summarise(k, depth + 1) as string, summarise(v, depth + 1)]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of shown) Object.defineProperty(out, k as string, { value: v, enumerable: true, writable: true, configurable: true });
    if (entries.length > 14) out['…'] = `(${entries.length} keys)`;
    return out;
  }
  return value;
}
