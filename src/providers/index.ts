/**
 * The providers, as data: one module each (src/providers/<name>/index.ts, made with
 * `defineProvider`). Every per-provider table of the pipeline is derived from this list: the
 * account union (src/config/accounts.ts), the webhook table, the status words, the limits, the
 * reports a watcher waits for.
 *
 * Adding a provider: its spec (specs/<name>.yaml), its generator entry, its folder, its name in
 * src/providers/names.ts and its module in the list below; the compiler or a test names anything
 * else (see docs/providers.md).
 */
import type { AccountBase } from '../config/account-fields.ts';
import { STATUS_RANK, type MessageStatus } from '../messages/status.ts';
import { matchedByRecipient } from './adapter.ts';
import type { AnyAccountAdapter, ProviderModule, ProviderReports, WebhookCheck } from './define.ts';
import { gupshup } from './gupshup/index.ts';
import { kaleyra } from './kaleyra/index.ts';
import { livechat } from './livechat/index.ts';
import { livetok } from './livetok/index.ts';
import { loopwave } from './loopwave/index.ts';
import type { ProviderName } from './names.ts';

export { PROVIDERS, isProviderName, type ProviderName } from './names.ts';
export type { ProviderModule, ProviderReports, RateLimit, WebhookCheck, WebhookSide } from './define.ts';

/** Every provider module, in the order of src/providers/names.ts. */
export const PROVIDER_LIST = [livetok, livechat, gupshup, loopwave, kaleyra] as const;

type Listed = (typeof PROVIDER_LIST)[number]['name'];
/** A name in src/providers/names.ts without a module here, or a module whose name is not there, fails to compile. */
type SameNames = [ProviderName] extends [Listed] ? ([Listed] extends [ProviderName] ? true : false) : false;
type Assert<T extends true> = T;
export type EveryNameHasOneModule = Assert<SameNames>;

/** The providers whose module has a webhook side (they send status callbacks), known at compile time from the list. */
export type CallingBackProvider = Extract<(typeof PROVIDER_LIST)[number], { webhook: WebhookCheck }>['name'];

const BY_NAME: ReadonlyMap<string, ProviderModule> = new Map(PROVIDER_LIST.map((module) => [module.name, module]));

/** The module of a provider named by untrusted input, if there is one. */
export function findProvider(name: string): ProviderModule | undefined {
  return BY_NAME.get(name);
}

export function providerModule(name: ProviderName): ProviderModule {
  const module = BY_NAME.get(name);
  // Unreachable: the compile-time check above pairs every name with a module.
  if (!module) throw new TypeError(`no provider module named ${name}`);
  return module;
}

/** The adapter for an account, which checks the account is its provider's. */
export function adapterFor(account: AccountBase & { provider: ProviderName }): AnyAccountAdapter {
  return providerModule(account.provider).forAnyAccount;
}

/** Our status for a provider's word; `null`: known, carries no status; `undefined`: a word we do not know. */
export function statusFromProviderWord(provider: ProviderName, word: string): MessageStatus | null | undefined {
  const words = providerModule(provider).statusWords;
  return Object.hasOwn(words, word) ? words[word] : undefined;
}

/** What `provider` reports about a message: its send answer's status, and its callbacks' statuses. */
export function reportsOf(provider: ProviderName): ProviderReports {
  return providerModule(provider).reports;
}

/** The last status `provider` reports on a message that goes well: `read`, or `sent` where nothing comes after it (e.g. LiveTok, Loopwave). */
export function lastReportedStatus(provider: ProviderName): MessageStatus {
  const { answer, callbacks } = reportsOf(provider);
  const reported = [answer, ...callbacks].filter((status) => status !== 'failed');
  return reported.reduce((last, status) => (STATUS_RANK[status] > STATUS_RANK[last] ? status : last));
}

/**
 * Whether a message of `provider` at `status` will change no more by itself — what a watcher
 * waits for: cancelled, failed, the provider's last reported status (or beyond), or `unknown`
 * where no callback can come to settle it (only an operator can).
 */
export function isSettled(provider: ProviderName, status: MessageStatus): boolean {
  if (status === 'cancelled' || status === 'failed') return true;
  if (status === 'unknown') return reportsOf(provider).callbacks.length === 0;
  return STATUS_RANK[status] >= STATUS_RANK[lastReportedStatus(provider)];
}

/** Whether an answer with HTTP `status` from `provider` proves it did not take the message. */
export function provesNothingSent(provider: ProviderName, status: number): boolean {
  return providerModule(provider).provesNothingSent(status);
}

/** Whether `provider` sends status callbacks (its accounts then need a webhook secret). */
export function sendsCallbacks(provider: ProviderName): provider is CallingBackProvider {
  return providerModule(provider).webhook !== null;
}

/** The providers that send status callbacks, in the order of the list. */
export const CALLING_BACK_PROVIDERS: readonly CallingBackProvider[] = PROVIDER_LIST.map((module) => module.name).filter(sendsCallbacks);

/** Whether `provider`'s callbacks can say a message failed (with Meta's error, or its own): `failed` is among its `reports.callbacks`. */
export function reportsFailureByCallback(provider: ProviderName): boolean {
  return reportsOf(provider).callbacks.includes('failed');
}

/** Whether `provider`'s callbacks are matched to sends by recipient and time (no id in its send answer, none echoed). */
export function matchesByRecipient(provider: ProviderName): boolean {
  return matchedByRecipient(providerModule(provider).adapter);
}

/** What a callback error `code` of `provider` pauses, when it is one of its own pause codes (Meta's are read elsewhere). */
export function providerPauseScope(provider: ProviderName, code: number): 'account' | 'template' | undefined {
  return providerModule(provider).pauseCodes[code];
}

/** Whether a callback error `code` of `provider` is one of its own opt-out codes (Meta's are read elsewhere). */
export function isProviderOptOutCode(provider: ProviderName, code: number): boolean {
  return providerModule(provider).optOutCodes.includes(code);
}
