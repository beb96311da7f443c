/**
 * What the live drift check (`npm run verify:live`, docs/drift.md) needs to know about one
 * provider beyond its spec: which of its operations are safe to call on a real account, and how.
 * Each provider declares it beside its other local-only parts (src/providers/<name>/dev/live.ts);
 * the list is ./kits.ts. Development code: no Lambda bundle and no packed file reaches it.
 *
 * A check is one request of one operation of the spec (by `operationId`): the verifier builds the
 * URL, the credential's place (the spec's security scheme) and the headers from the spec; the kit
 * says only what the request carries and what answer it expects.
 */
import type { AccountBase } from '../config/account-fields.ts';
import type { ProviderName } from '../providers/names.ts';

/**
 * An account field the checks need, read from `--<field in kebab case>` or from
 * `WAPK_LIVE_<PROVIDER>_<FIELD IN SNAKE CASE>` (e.g. `--sender-number`, `WAPK_LIVE_KALEYRA_SENDER_NUMBER`).
 * Against a local mock it defaults to the local stack's account (the dev kit's `local.account`).
 */
export interface LiveAccountField {
  field: string;
  /** What it is, for the usage and the error naming it. */
  what: string;
}

/** What one request carries beyond what the spec fixes (method, path template, security, media type). */
export interface LiveRequest {
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: { mediaType: string; text: string };
}

interface CheckBase<A> {
  /** As the report names it: `knowledge-base list`, `wrong credential`. */
  name: string;
  operationId: string;
  request(account: A): LiveRequest;
}

/** A read-only operation: it must succeed (2xx) and answer as the spec says. */
export interface ReadCheck<A> extends CheckBase<A> {
  kind: 'read';
}

/**
 * A request the provider must refuse with a documented error answer, built so that it cannot send
 * anything even if it were taken: a wrong credential (and a fictional recipient), or a body that
 * breaks the spec where it names no recipient at all. For providers that have only a send.
 */
export interface ProbeCheck<A> extends CheckBase<A> {
  kind: 'probe';
  /** The credential it carries: the given one, or a made-up wrong one (against a local mock, none: Prism checks presence only). */
  credential: 'given' | 'wrong';
  /** The documented refusal: its status, and (where the document names one for the case) the error code at a JSON pointer. */
  expect: { status: number; code?: { pointer: string; values: readonly string[] } };
}

export type LiveCheck<A> = ReadCheck<A> | ProbeCheck<A>;

export interface LiveKit<N extends ProviderName = ProviderName, A extends AccountBase = AccountBase> {
  name: N;
  /** The account fields its checks (and a send) need, beyond the credential and `--base-url`. */
  accountFields: readonly LiveAccountField[];
  /** The API's origin for an account without `baseUrl`; default: the spec's first server, its variables at their defaults. */
  origin?(account: A): string;
  /** In the order they run. */
  checks: ReadonlyArray<LiveCheck<A>>;
}

export function defineLiveKit<const N extends ProviderName, A extends AccountBase>(kit: LiveKit<N, A>): LiveKit<N, A> {
  return kit;
}

/**
 * A recipient no one has: +1 201 555 0100, in the North American range kept for fiction (555-01xx).
 * A probe that names a recipient names this one, so that even a provider that wrongly took it
 * could deliver nothing.
 */
export const FICTIONAL_RECIPIENT = '12015550100';

/** A template that does not exist, for probes that must carry one. */
export const PROBE_TEMPLATE = 'wapk_verify_probe';
