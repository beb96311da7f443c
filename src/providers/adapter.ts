/**
 * The one small interface every provider sits behind. An adapter translates our message into its
 * provider's dialect through the generated client, and the provider's answer back into ours.
 */
import type { AccountBase } from '../config/account-fields.ts';
import type { MessageContent, Violation } from '../messages/send-request.ts';
import type { ProviderError } from './errors.ts';
import type { ProviderName } from './names.ts';

export interface ProviderCapabilities {
  /** The content kinds the provider can carry. */
  contentKinds: ReadonlyArray<MessageContent['kind']>;
  /** Whether a send answer carries the provider's id of the message. */
  returnsMessageId: boolean;
  /** Whether the provider reports delivery status by callback. */
  statusCallbacks: boolean;
  /** Whether a lost send outcome can be looked up at the provider (reconciliation). */
  lookup: boolean;
  /** Where our message id travels to the provider and comes back in callbacks, if anywhere. */
  echoesMessageId: string | null;
}

/** One message to hand to the provider. */
export interface OutgoingMessage {
  /** Ours (a ULID); carried to the provider where it echoes something back. */
  messageId: string;
  /** E.164 with `+`; the adapter formats it as its provider wants. */
  recipient: string;
  content: MessageContent;
}

export type SendResult =
  /** The provider took the message; `sent` where its answer already says so (LiveTok, Loopwave). */
  | { outcome: 'accepted'; status: 'accepted' | 'sent'; providerMessageId?: string }
  /** The provider refused it, or could not be reached before the request left. */
  | { outcome: 'rejected'; error: ProviderError }
  /**
   * The request may have reached the provider and nothing proves it was not sent: no answer (a
   * timeout or a reset after the request left), or an answer that leaves it open (500, 502, 504;
   * see `provesNothingSent`). Never resent blindly. `status`, `code` and `retryAfterMs` come from
   * the answer where there was one.
   */
  | { outcome: 'unknown'; reason: string; status?: number; code?: string | number; retryAfterMs?: number };

/** How an adapter reaches its provider: the credential, and (for tests, mocks) the fetch. */
export interface ProviderConnection {
  credential: string;
  fetch?: typeof globalThis.fetch;
}

/** What a lookup at the provider found for a send whose outcome was lost. */
export type LookupResult =
  | { found: true; status: 'accepted' | 'sent'; providerMessageId?: string }
  /** Not found, or not found unambiguously: not proof either way. */
  | { found: false; reason: string };

export interface ProviderAdapter<A extends AccountBase = AccountBase> {
  readonly provider: ProviderName;
  readonly capabilities: ProviderCapabilities;
  /** What makes `content` unsendable on `account`, found before any send (fields under `content.`). */
  check(content: MessageContent, account: A): Violation[];
  send(message: OutgoingMessage, account: A, connection: ProviderConnection): Promise<SendResult>;
  /**
   * Looks for `message` at the provider, sent at or after `since`, where the provider has a way
   * (`capabilities.lookup`). Only a match proves the send; no match proves nothing.
   */
  lookup?(message: OutgoingMessage, account: A, connection: ProviderConnection, since: Date): Promise<LookupResult>;
  /**
   * Loads what `send` needs (a lazy adapter's module), so that a send made at its slot starts at
   * once: the sender awaits it before it takes a slot.
   */
  prepare?(): Promise<void>;
}

/** The light part of an adapter (what the provider can carry, and the checks before a send): no client, no send. */
export type AdapterContent<A extends AccountBase = AccountBase> = Pick<ProviderAdapter<A>, 'provider' | 'capabilities' | 'check'>;

/** Providers whose send answer carries no id but who call back: their callbacks are matched by recipient and time. */
export function matchedByRecipient(adapter: { capabilities: ProviderCapabilities }): boolean {
  return adapter.capabilities.statusCallbacks && !adapter.capabilities.returnsMessageId && !adapter.capabilities.echoesMessageId;
}
