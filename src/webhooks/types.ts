/** What the webhook side works with: a request as received, and what authenticity checks say. */
import type { ProviderName } from '../providers/names.ts';

export interface WebhookRequest {
  provider: ProviderName;
  account: string;
  /** The secret path segment, for providers that sign nothing (Gupshup, Kaleyra). */
  pathToken?: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body exactly as received: signatures are over these bytes. */
  rawBody: Buffer;
}

export type Verdict = { ok: true } | { ok: false; reason: string };
