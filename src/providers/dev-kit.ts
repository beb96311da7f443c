/**
 * The local-only half of a provider module (src/providers/<name>/dev/): what the provider mock,
 * the callback simulator and the scenario numbers need to play the provider's side on one machine.
 * No Lambda function imports this file or any `dev/` folder (infra/bundle.test.ts checks every
 * bundle); the list of kits is src/providers/dev.ts.
 */
import { randomBytes } from 'node:crypto';
import type { ProviderName } from './names.ts';

/** An error a provider reports, Meta's code or the provider's own. */
export interface ScenarioError {
  code: number;
  title: string;
}

/** What the provider mock needs beyond the spec. */
export interface MockedProvider {
  /** The fixed port of the mock for `npm run mock` (documented in docs/scenarios.md). */
  port: number;
  /** Successful answers of these operations get a fresh message id at the JSON pointer. */
  messageIdPointers: Array<{ method: string; path: RegExp; pointer: string }>;
  /** The send operation. */
  send: { method: string; path: RegExp };
  /** The recipient of a send request's raw body, as the provider writes it; undefined if unreadable. */
  recipientOf(body: string): string | undefined;
}

export interface CallbackFacts {
  /** The word for the provider's status: sent, delivered, read, failed (enqueued for Gupshup). */
  status: string;
  /** The provider's id of the message (its send answer's, or the WhatsApp id where there is none). */
  providerMessageId: string;
  /** Ours, where the provider echoes it (Kaleyra `extra_info.ref`). */
  messageId?: string;
  /** The recipient in digits (no `+`). */
  recipient: string;
  /** Unix seconds. */
  at: number;
  /** The account's webhook secret (LiveChat, Loopwave) or token (Gupshup, Kaleyra). */
  secret: string;
  /** When the callback is sent, for the signature (LiveChat). */
  now?: Date;
  /** The error of a `failed` status; default: the provider's `undeliverable`. */
  error?: ScenarioError;
}

export interface Callback {
  /** Relative to the webhook route of the account: `/v1/webhooks/<provider>/<account>`. */
  pathSuffix: string;
  body: string;
  headers: Record<string, string>;
}

/** What a send answer and its request tell about the message. */
export interface SentMessage {
  providerMessageId: string;
  messageId?: string;
  recipient: string;
}

/** How the callback simulator plays a provider that calls back. */
export interface SimulatedCallbacks {
  /** The provider's status words, in posting order, for a message that goes well and for one that fails. */
  words: { delivered: readonly string[]; failed: readonly string[] };
  /** The error of an undeliverable message (Meta's 131026, or the provider's own). */
  undeliverable: ScenarioError;
  /**
   * The error of a `failed` callback for a recipient who opted out, where the provider reports it
   * with its own code (Gupshup's 1012, one of its module's `optOutCodes`); default: Meta's 131050.
   */
  optedOut?: ScenarioError;
  /** A new webhook secret of the form the provider's callbacks are verified with (the local stack makes one per account). */
  newWebhookSecret(): string;
  /** The message a send answer (and its request) tell of; undefined when they say too little. */
  sentMessage(request: string, response: unknown, recipient: string): SentMessage | undefined;
  /** The callback the provider sends about one message, as its documents show it. */
  callback(facts: CallbackFacts): Callback;
}

/** The provider's account in the local stack (`npm start`, src/local/stack.ts), `local-<name>`. */
export interface LocalAccount {
  /**
   * The account's own fields, as in config.json (`id` and `provider` are added). Its `baseUrl` is
   * the local mock's whatever this says; templates registered here can be sent locally.
   */
  account: Record<string, unknown>;
  /** A credential of the form the provider issues (its mock and adapter take it), around a random token. */
  credential(token: string): string;
}

/** An answer the provider mock plays instead of its ordinary one: the HTTP status, and the spec's example by name where it has one. */
export interface MockRefusal {
  status: number;
  example?: string;
}

/**
 * What only the provider can say about the scenario numbers (src/local/scenarios.ts): how it
 * refuses an account, whether it refuses a number that is not on WhatsApp at send time, and which
 * of its spec's examples it answers a 429 and a 500 with. The scenarios derive the rest from its
 * module (which statuses it calls back with, whether it looks messages up).
 */
export interface ScenarioAnswers {
  /**
   * Its answer refusing the account (bad credentials; Kaleyra: low balance), which pauses the
   * account, and what its adapter reads from it into the message's last error: the provider's
   * code, or only the HTTP status where the answer carries no code.
   */
  accountRefused: MockRefusal & { reads: { code: string } | { status: number } };
  /**
   * Its answer refusing the account's credential (a revoked or wrong API key), where that is not
   * `accountRefused` (Kaleyra's is its low balance; its credential refusal is 401 `RBC001`);
   * omitted: `accountRefused` is the credential refusal. Played by `WAPK_OUTAGE=<provider>:revoked`.
   */
  credentialRefused?: MockRefusal & { reads: { code: string } | { status: number } };
  /**
   * Its send answer for a number that is not on WhatsApp, and the code its adapter reads from it;
   * `null` where it takes the send (a provider whose callbacks report `failed` then reports it
   * with `simulator.undeliverable`; one whose callbacks do not cannot produce the scenario).
   */
  undeliverable: (MockRefusal & { reads: { code: string } }) | null;
  /**
   * The spec's examples, by name, for its 429 and 500 answers; omitted: the mock's own choice (a
   * plain JSON error where the spec documents none).
   */
  examples: { rateLimited?: string; serverError?: string };
}

export interface ProviderDevKit<N extends ProviderName = ProviderName> {
  name: N;
  mock: MockedProvider;
  /** `null` for a provider that sends no status callbacks. */
  simulator: SimulatedCallbacks | null;
  local: LocalAccount;
  scenarios: ScenarioAnswers;
}

export function defineDevKit<const N extends ProviderName>(kit: ProviderDevKit<N>): ProviderDevKit<N> {
  return kit;
}

// biome-ignore-start lint/suspicious/noExplicitAny: dev kits read fields of mock request bodies in fixture code; the mock validated them.
/** A JSON request body as an object; undefined if it is not one. */
export const jsonObject = (body: string): Record<string, any> | undefined => {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' ? (value as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
};
// biome-ignore-end lint/suspicious/noExplicitAny: see above.

/** A non-empty string, or undefined. */
export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Meta's error for a message that could not be delivered. */
export const META_UNDELIVERABLE: ScenarioError = { code: 131026, title: 'Message undeliverable' };

/** Meta's error for a recipient who stopped marketing messages. */
export const META_OPTED_OUT: ScenarioError = { code: 131050, title: 'User stopped marketing messages' };

/** A random secret token (base64url), as the providers that prove callbacks by a token take them. */
export const newToken = (): string => randomBytes(24).toString('base64url');
