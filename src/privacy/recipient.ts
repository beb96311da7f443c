/**
 * Phone numbers stay out of records, indexes, keys and logs: they are kept as a keyed hash (to
 * find, count and suppress a recipient without storing the number) and the last digits (so a
 * person can still recognise it). Only the send queue's body carries the full number.
 */
import { createHmac } from 'node:crypto';

export interface RecipientRef {
  /** HMAC-SHA256 of the E.164 number under the deployment's secret key, base64url, 128 bits. */
  hash: string;
  /** The last four digits. */
  last4: string;
}

export function recipientRef(hashKey: string, e164: string): RecipientRef {
  return { hash: createHmac('sha256', hashKey).update(e164).digest('base64url').slice(0, 22), last4: e164.slice(-4) };
}

/** `+91•••••••5678`: a number as logs and errors may show it. */
export function maskPhone(e164: string): string {
  if (e164.length <= 6) return '•'.repeat(e164.length);
  return `${e164.slice(0, 3)}${'•'.repeat(e164.length - 7)}${e164.slice(-4)}`;
}
