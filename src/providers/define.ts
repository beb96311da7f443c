/**
 * The one contract a provider module fulfils. Everything the runtime knows about a provider is
 * declared here, in `src/providers/<name>/index.ts`, and nowhere else: its account shape, its
 * adapter (send, lookup, capability checks), how it reads errors, how it proves a callback is its
 * own and what the callback says, its status words, and its documented rate limits. The list of
 * providers (src/providers/index.ts) is made of these, and every per-provider table of the
 * pipeline is derived from it.
 *
 * Model: Novu's providers (one object that sends and parses its own callbacks).
 */
import type { z } from 'zod';
import type { AccountBase } from '../config/account-fields.ts';
import type { MessageStatus } from '../messages/status.ts';
import type { OutgoingMessage, ProviderAdapter, ProviderConnection } from './adapter.ts';
import { isRefusalStatus } from './errors.ts';
import type { ProviderName } from './names.ts';
import type { Normalised, NormaliseContext } from '../webhooks/kit.ts';
import type { Verdict, WebhookRequest } from '../webhooks/types.ts';

/** A request budget: at most `limit` sends per `windowMs` milliseconds. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** What a provider reports about a message: the status its send answer gives, and what its callbacks bring afterwards. */
export interface ProviderReports {
  answer: 'accepted' | 'sent';
  callbacks: readonly MessageStatus[];
}

/** How a provider's status callbacks are authenticated: the light part of its webhook side, in its module. */
export interface WebhookCheck {
  /** Whether the request is the provider's own: on the raw bytes, in constant time; never throws. */
  verify(request: WebhookRequest, secrets: readonly string[], now: Date): Verdict;
}

/**
 * How a provider's status callbacks are received: the check, and the normaliser (its
 * `<name>/webhook.ts`, with the generated schemas it reads; src/providers/webhooks.ts lists them,
 * outside the provider list, so that only the functions that read callbacks bundle them).
 */
export interface WebhookSide extends WebhookCheck, WebhookReader {}

/**
 * What a provider's `<name>/webhook.ts` holds: its normaliser and spec schema, not its check (the
 * provider module's `webhook.verify`, joined to it where the sides are listed: ./webhooks.ts,
 * ./webhook-sides.ts). Not importing the provider module keeps that module out of the chunk the
 * webhook function loads on first use, and so in the bundle's entry (issue 19).
 */
export interface WebhookReader {
  /** The status events in one (verified, JSON-parsed) body. @throws MalformedWebhookError */
  normalise(body: unknown, context: NormaliseContext): Normalised;
  /**
   * The spec's schema for `body` (the generated one, without the normaliser's relaxations), for
   * callback drift (src/webhooks/drift.ts): a key it does not declare is an unknown field. Any
   * input; never throws.
   */
  specSchema(body: unknown): z.ZodType;
}

export interface ProviderDefinition<N extends ProviderName, A extends AccountBase & { provider: N }> {
  name: N;
  /** As the provider writes its name (LiveTok). */
  title: string;
  /** The account's configuration, `provider: <name>` included (src/config/account-fields.ts `accountSchema`). */
  account: z.ZodType<A> & z.core.$ZodTypeDiscriminable;
  /** What the account's credential secret holds. */
  credential: string;
  adapter: ProviderAdapter<A>;
  /** Documented limits per account / sender number, before any account configuration (src/pacing/budget.ts applies them). */
  defaultLimits(account: A): readonly RateLimit[];
  /**
   * The provider's own status words, mapped onto the status table. `null`: the word is known and
   * carries no status of ours (Gupshup's `deleted`).
   */
  statusWords: Readonly<Record<string, MessageStatus | null>>;
  reports: ProviderReports;
  /** The 5xx answers the provider documents as "not taken" (the message may be sent again); every other 5xx leaves the send open. */
  documented5xxRefusals: readonly number[];
  /** Callback error codes, beyond Meta's, that mean the recipient opted out (Gupshup's 1012). */
  optOutCodes: readonly number[];
  /**
   * Callback error codes, beyond Meta's, that mean the sender must stop, and what they stop: the
   * account (Gupshup's 1003, wallet empty) or the message's template (its 4005, template paused).
   */
  pauseCodes: Readonly<Record<number, 'account' | 'template'>>;
  /** How its status callbacks are verified (read: src/providers/webhooks.ts); `null` for a provider that sends none. */
  webhook: WebhookCheck | null;
}

/** An adapter that takes any account and checks it is one of its provider's (`ProviderAdapter<AccountBase>`). */
export type AnyAccountAdapter = ProviderAdapter;

export interface ProviderModule<
  N extends ProviderName = ProviderName,
  A extends AccountBase & { provider: N } = AccountBase & { provider: N },
> extends Omit<ProviderDefinition<N, A>, 'defaultLimits'> {
  /** The adapter, for any account: an account of another provider is refused with a TypeError (a routing bug). */
  readonly forAnyAccount: AnyAccountAdapter;
  /** Whether `account` is one of this provider's. */
  owns(account: AccountBase): account is A;
  defaultLimits(account: AccountBase): readonly RateLimit[];
  /** Whether an answer with HTTP `status` proves the provider did not take the message. */
  provesNothingSent(status: number): boolean;
}

/**
 * A provider module from its definition. The module's type keeps whether it has a webhook side
 * (`W`), so that the providers that call back are known at compile time (src/providers/index.ts
 * `CallingBackProvider`): a table of theirs that misses one fails to compile.
 */
export function defineProvider<const N extends ProviderName, A extends AccountBase & { provider: N }, W extends WebhookCheck | null>(
  definition: ProviderDefinition<N, A> & { webhook: W },
): ProviderModule<N, A> & { readonly webhook: W } {
  const owns = (account: AccountBase): account is A => account.provider === definition.name;
  const narrow = (account: AccountBase): A => {
    if (!owns(account))
      throw new TypeError(`the ${definition.name} adapter was handed a ${String(account.provider)} account (${account.id})`);
    return account;
  };
  const { adapter } = definition;
  const lookup = adapter.lookup?.bind(adapter);
  return {
    ...definition,
    owns,
    defaultLimits: (account) => definition.defaultLimits(narrow(account)),
    provesNothingSent: (status) => isRefusalStatus(status) || definition.documented5xxRefusals.includes(status),
    forAnyAccount: {
      provider: definition.name,
      capabilities: adapter.capabilities,
      check: (content, account) => adapter.check(content, narrow(account)),
      send: (message, account, connection) => adapter.send(message, narrow(account), connection),
      ...(lookup
        ? {
            lookup: (message: OutgoingMessage, account: AccountBase, connection: ProviderConnection, since: Date) =>
              lookup(message, narrow(account), connection, since),
          }
        : {}),
    },
  };
}
