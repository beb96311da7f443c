/**
 * Scenario numbers: recipients reserved for the local stack — like a payment API's test card
 * numbers — that make the provider mocks and the callback simulator produce each outcome the
 * pipeline handles, on purpose. They are North American numbers in 555-0100…0199, the range set
 * aside for fiction (no real customer has one); every other number, including the rest of that
 * range, gets the ordinary lifecycle.
 *
 * Each scenario says, per provider, how that provider produces it — the mock's answer to the send
 * (`send`: src/mock/provider-mock.ts `scenario` hook) or the callbacks that follow
 * (`callbacks`: src/local/simulator.ts) — and what the pipeline must leave (`expect`: the status,
 * error, history, pause or suppression), which test/e2e/scenarios.test.ts checks through `npm
 * start`. A provider missing from a scenario cannot produce it (`notFor` says why).
 *
 * No provider is named here: which providers can produce a scenario, and how, is read from their
 * modules (the statuses their callbacks bring, the content they send, whether they look messages
 * up) and their dev kits (`scenarios`: how each refuses an account or a number; `simulator`: the
 * errors its callbacks carry). docs/scenarios.md's table is written from this (`npm run
 * docs:scenarios`).
 *
 * Data only, and light: `wapk scenarios` lists it. Local-only: no Lambda bundle imports it.
 */
import { createHash } from 'node:crypto';
import { STATUS_RANK, type MessageStatus } from '../messages/status.ts';
import {
  CALLING_BACK_PROVIDERS,
  lastReportedStatus,
  providerModule,
  reportsFailureByCallback,
  reportsOf,
  sendsCallbacks,
} from '../providers/index.ts';
import type { MockScenario } from '../mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import { DEV_KITS, META_OPTED_OUT, META_UNDELIVERABLE, type ScenarioError, type SimulatedCallbacks } from '../providers/dev.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';

export type { ScenarioError } from '../providers/dev.ts';

/**
 * The mock's answer to the send: a refusal (the spec's documented answer for `status`, by
 * `example`, when the spec documents one; a plain JSON error otherwise) — with `once`, only of a
 * message's first attempt, so that its retry (after a backoff, or a lifted pause) goes through —
 * a request held and then dropped without an answer, or one dropped at once.
 */
export type SendPlay =
  | { kind: 'refuse'; status: number; example?: string; retryAfterS?: number; once?: boolean }
  | { kind: 'hold' }
  | { kind: 'drop' };

/** The simulated callbacks after the provider took the message. */
export interface CallbackPlay {
  /** Ends with `failed` carrying this error instead of delivered/read. */
  failWith?: ScenarioError;
  /** `sent` is posted last, after `read`, with the (earlier) time it happened. */
  lateSent?: boolean;
  /** Every callback is posted twice, byte for byte (a provider's retry). */
  twice?: boolean;
  /** Every callback is posted before the mock answers the send. */
  beforeAnswer?: boolean;
}

/** What the pipeline must leave on the message (and around it). */
export interface Expectation {
  /** The status it settles at; several when either is right (see the scenario's note). */
  status: MessageStatus | readonly MessageStatus[];
  /** Statuses its history must hold. */
  history?: readonly MessageStatus[];
  /** What `lastError` must say (members given must match). */
  error?: { class?: string; code?: string | number; status?: number };
  /** Provider calls made (the record's `attempts`). */
  attempts?: number | readonly number[];
  /** A pause the outcome sets on the account, or on the message's template. */
  pause?: 'account' | 'template';
  /** The recipient is suppressed on the account: the next message to it fails without a call. */
  suppressed?: boolean;
}

export interface ProviderPlay {
  send?: SendPlay;
  callbacks?: CallbackPlay;
  expect: Expectation;
}

export interface Scenario {
  /** The recipient, E.164. */
  number: string;
  /** Short name, e.g. `opted-out`. */
  name: string;
  /** What happens at the provider. */
  outcome: string;
  /** What the pipeline does about it. */
  leaves: string;
  providers: Partial<Record<ProviderName, ProviderPlay>>;
  /** Why the providers missing from `providers` cannot produce it. */
  notFor?: string;
  /** Anything a user should know (how to get out of a pause, what may change). */
  note?: string;
}

/** The statuses a message that goes well passes through: queued, sending, then what the provider reports (its module's `reports`), in rank order. */
export function happyPath(provider: ProviderName): readonly MessageStatus[] {
  const { answer, callbacks } = reportsOf(provider);
  const reported = [...new Set([answer, ...callbacks])].filter((status) => status !== 'failed');
  return ['queued', 'sending', ...reported.sort((a, b) => STATUS_RANK[a] - STATUS_RANK[b])];
}

const goesWell = (provider: ProviderName): Expectation => ({ status: lastReportedStatus(provider), history: happyPath(provider) });
type Plays = Partial<Record<ProviderName, ProviderPlay>>;
const each = (providers: readonly ProviderName[], play: (provider: ProviderName) => ProviderPlay): Plays =>
  Object.fromEntries(providers.map((provider) => [provider, play(provider)]));

// ---------------------------------------------------------------------------------------------
// Which providers can produce what: read from their modules and dev kits, never listed by name.

/** `LiveTok`, `LiveTok and Loopwave`, `LiveTok, ZapTok and Loopwave`. */
export function titles(providers: readonly ProviderName[]): string {
  const names = providers.map((provider) => providerModule(provider).title);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
/** A sentence about some providers, its verb agreeing: `LiveTok sends …`, `LiveTok and Loopwave send …`. */
const say = (providers: readonly ProviderName[], one: string, many: string) =>
  `${titles(providers)} ${providers.length === 1 ? one : many}`;

/** Providers whose callbacks can say a message failed, with their simulator (which writes the failure). */
const FAILING_BY_CALLBACK = PROVIDERS.flatMap((provider) => {
  const simulator = DEV_KITS[provider].simulator;
  return reportsFailureByCallback(provider) && simulator ? [{ provider, simulator }] : [];
});
const sendsTemplates = (provider: ProviderName) => providerModule(provider).adapter.capabilities.contentKinds.includes('template');
/** Providers whose callbacks bring `sent` and a later status, so that `sent` can come late. */
const REPORTING_AFTER_SENT = PROVIDERS.filter(
  (provider) => reportsOf(provider).callbacks.includes('sent') && STATUS_RANK[lastReportedStatus(provider)] > STATUS_RANK.sent,
);
/** Providers whose messages of unknown outcome are looked up (reconciliation); the others wait for an operator. */
const LOOKED_UP = PROVIDERS.filter((provider) => providerModule(provider).adapter.capabilities.lookup);
const lookedUp = (found: string) =>
  LOOKED_UP.length === 0
    ? 'every provider waits for `wapk resolve`'
    : `${say(LOOKED_UP, 'is', 'are')} looked up (${found}), the others wait for \`wapk resolve\``;

/** The providers by `key`, in the order each key first comes. */
function groupBy<K>(providers: readonly ProviderName[], key: (provider: ProviderName) => K): Array<[K, ProviderName[]]> {
  const groups = new Map<K, ProviderName[]>();
  for (const provider of providers) groups.set(key(provider), [...(groups.get(key(provider)) ?? []), provider]);
  return [...groups];
}

/** Why some providers cannot produce a scenario: `one`/`many` (the verb agreeing) about the providers `of` applies to. */
interface Reason {
  of: (provider: ProviderName) => boolean;
  one: string;
  many: string;
}
const NO_CALLBACKS: Reason = { of: (p) => !sendsCallbacks(p), one: 'sends no callbacks', many: 'send no callbacks' };
const NO_FAILURE_BY_CALLBACK = (one: string, many: string): Reason => ({ of: (p) => !reportsFailureByCallback(p), one, many });

/**
 * Why the providers without a play cannot produce the scenario: the first reason that applies to
 * each. A provider no reason applies to is left out (test/mock/scenarios.test.ts then names it).
 */
function whyNot(plays: Plays, reasons: readonly Reason[]): string | undefined {
  let left = PROVIDERS.filter((provider) => !plays[provider]);
  const parts: string[] = [];
  for (const reason of reasons) {
    const these = left.filter(reason.of);
    if (these.length > 0) parts.push(say(these, reason.one, reason.many));
    left = left.filter((provider) => !reason.of(provider));
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Errors by who reports them: `Meta 131026; Gupshup 1002` (Meta's code for every provider that reports Meta's). */
function byReporter(errors: ReadonlyArray<{ provider: ProviderName; error: ScenarioError }>, meta: ScenarioError): string[] {
  const codes = [...new Set(errors.map(({ error }) => error.code))];
  return codes.map((code) => {
    if (code === meta.code) return `Meta ${code}`;
    return `${titles(errors.filter(({ error }) => error.code === code).map(({ provider }) => provider))} ${code}`;
  });
}

/** A failure reported by callback: `error(provider)` for each provider whose callbacks can say `failed`. */
const failedByCallback = (
  error: (simulator: SimulatedCallbacks) => ScenarioError,
  extra: Partial<Expectation> = {},
  can = (_p: ProviderName) => true,
) =>
  Object.fromEntries(
    FAILING_BY_CALLBACK.filter(({ provider }) => can(provider)).map(({ provider, simulator }) => {
      const failWith = error(simulator);
      const expect: Expectation = {
        status: 'failed',
        history: ['sending', 'failed'],
        error: { code: failWith.code },
        attempts: 1,
        ...extra,
      };
      return [provider, { callbacks: { failWith }, expect }];
    }),
  ) as Plays;

const OPTED_OUT = (simulator: SimulatedCallbacks) => simulator.optedOut ?? META_OPTED_OUT;
/** `Meta 131050; Gupshup 1012`. */
const optedOutCodes = () =>
  byReporter(
    FAILING_BY_CALLBACK.map(({ provider, simulator }) => ({ provider, error: OPTED_OUT(simulator) })),
    META_OPTED_OUT,
  ).join('; ');

/** The account refused at send time (once: after the pause is lifted, the retry goes through). */
const accountPaused = (provider: ProviderName): ProviderPlay => {
  const { reads, ...refusal } = DEV_KITS[provider].scenarios.accountRefused;
  return {
    send: { kind: 'refuse', ...refusal, once: true },
    expect: { status: 'queued', error: { class: 'pause_sender', ...reads }, attempts: 1, pause: 'account' },
  };
};
/** `401; Kaleyra 400 E110`: the most common refusal status alone, the others with their providers and codes. */
function accountRefusals(): string {
  const refused = (provider: ProviderName) => DEV_KITS[provider].scenarios.accountRefused;
  const groups = groupBy(PROVIDERS, (provider) => refused(provider).status).sort((a, b) => b[1].length - a[1].length);
  return groups
    .map(([status, providers], i) => {
      if (i === 0) return String(status);
      const codeOf = (provider: ProviderName) => Object.values(refused(provider).reads).filter((value) => typeof value === 'string');
      const codes = [...new Set(providers.flatMap(codeOf))];
      return `${titles(providers)} ${[status, ...codes].join(' ')}`;
    })
    .join('; ');
}

/** The send of a number that is not on WhatsApp, refused by the providers that refuse it then. */
const undeliverableBySend = (provider: ProviderName): ProviderPlay | undefined => {
  const refused = DEV_KITS[provider].scenarios.undeliverable;
  if (!refused) return undefined;
  const { reads, ...refusal } = refused;
  return {
    send: { kind: 'refuse', ...refusal },
    expect: { status: 'failed', error: { class: 'permanent', code: reads.code }, attempts: 1 },
  };
};
const UNDELIVERABLE: Plays = {
  ...failedByCallback((simulator) => simulator.undeliverable),
  // A provider that refuses the send says so before any callback could.
  ...Object.fromEntries(
    PROVIDERS.flatMap((provider) => {
      const play = undeliverableBySend(provider);
      return play ? [[provider, play]] : [];
    }),
  ),
};
function undeliverableOutcome(): string {
  const byCallback = FAILING_BY_CALLBACK.filter(({ provider }) => UNDELIVERABLE[provider]?.callbacks);
  const parts = byReporter(
    byCallback.map(({ provider, simulator }) => ({ provider, error: simulator.undeliverable })),
    META_UNDELIVERABLE,
  );
  const refusing = PROVIDERS.filter((provider) => UNDELIVERABLE[provider]?.send);
  const answers = groupBy(refusing, (provider) => {
    const { status, reads } = DEV_KITS[provider].scenarios.undeliverable!;
    return `${status} ${reads.code}`;
  });
  for (const [answer, providers] of answers) parts.push(`${say(providers, 'refuses', 'refuse')} the send: ${answer}`);
  return `the number is not on WhatsApp (${parts.join('; ')})`;
}

/** The spec's example for the provider's answer, where its dev kit names one. */
const example = (provider: ProviderName, which: 'rateLimited' | 'serverError') => {
  const name = DEV_KITS[provider].scenarios.examples[which];
  return name ? { example: name } : {};
};

/** `read; sent for LiveTok and Loopwave, which report nothing more`. */
function lastStatuses(): string {
  const groups = groupBy(PROVIDERS, lastReportedStatus).sort((a, b) => b[1].length - a[1].length);
  const [common, ...others] = groups.map(([status, providers]) => ({ status, providers }));
  if (!common) return '';
  const rest = others.map(({ status, providers }) => `${status} for ${titles(providers)}`).join('; ');
  return rest ? `${common.status}; ${rest}, which report nothing more` : common.status;
}

const TEMPLATE_PAUSED = failedByCallback(() => ({ code: 132015, title: 'Template is paused' }), { pause: 'template' }, sendsTemplates);
const OPTED_OUT_PLAYS: Plays = Object.fromEntries(
  FAILING_BY_CALLBACK.map(({ provider, simulator }) => {
    const failWith = OPTED_OUT(simulator);
    const expect: Expectation = { status: 'failed', error: { class: 'opted_out', code: failWith.code }, attempts: 1, suppressed: true };
    return [provider, { callbacks: { failWith }, expect }];
  }),
);
const PAIR_RATE_LIMIT = failedByCallback(() => ({ code: 131056, title: 'Pair rate limit hit' }));
const MARKETING_LIMIT = failedByCallback(() => ({ code: 131049, title: 'Message not delivered to maintain healthy ecosystem engagement' }));
const LATE_SENT = each(REPORTING_AFTER_SENT, (provider) => ({ callbacks: { lateSent: true }, expect: goesWell(provider) }));
const TWICE = each(CALLING_BACK_PROVIDERS, (provider) => ({ callbacks: { twice: true }, expect: goesWell(provider) }));
const FIRST = each(CALLING_BACK_PROVIDERS, (provider) => ({ callbacks: { beforeAnswer: true }, expect: goesWell(provider) }));

/** Every scenario, in number order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    number: '+12015550100',
    name: 'delivered',
    outcome: 'delivered, then read — the lifecycle every other number gets too',
    leaves: `the provider’s last status: ${lastStatuses()}`,
    providers: each(PROVIDERS, (provider) => ({ expect: goesWell(provider) })),
  },
  {
    number: '+12015550101',
    name: 'undeliverable',
    outcome: undeliverableOutcome(),
    leaves: 'failed, with the provider’s code and reason',
    providers: UNDELIVERABLE,
    notFor: whyNot(UNDELIVERABLE, [
      NO_FAILURE_BY_CALLBACK('reports no failure of a single message', 'report no failure of a single message'),
    ]),
  },
  {
    number: '+12015550102',
    name: 'opted-out',
    outcome: `the user stopped marketing messages (${optedOutCodes()}), reported by callback`,
    leaves:
      'failed (opted_out), and the recipient suppressed on the account: the next message to it fails at once, ' +
      'without a provider call, until DELETE /v1/suppressions/{account}/{recipient}',
    providers: OPTED_OUT_PLAYS,
    notFor: whyNot(OPTED_OUT_PLAYS, [NO_FAILURE_BY_CALLBACK('reports no opt-outs', 'report no opt-outs')]),
  },
  {
    number: '+12015550103',
    name: 'template-paused',
    outcome: 'Meta paused the template for low quality (132015), reported by callback',
    leaves: 'failed (132015), and the template paused on the account: its messages wait until `wapk pauses lift ACCOUNT --template NAME`',
    providers: TEMPLATE_PAUSED,
    notFor: whyNot(TEMPLATE_PAUSED, [
      { of: (p) => !sendsTemplates(p), one: 'sends no templates', many: 'send no templates' },
      NO_FAILURE_BY_CALLBACK('has no answer for a paused template', 'have no answer for a paused template'),
    ]),
    note: 'the pause stops every later message with that template on that account: lift it when done',
  },
  {
    number: '+12015550104',
    name: 'pair-rate-limit',
    outcome: 'too many messages to this user in a short time (Meta 131056), reported by callback',
    leaves: 'failed (131056)',
    providers: PAIR_RATE_LIMIT,
    notFor: whyNot(PAIR_RATE_LIMIT, [NO_FAILURE_BY_CALLBACK('reports no such failure', 'report no such failure')]),
    note:
      'Meta reports it in a status callback, after the provider took the message: the message fails. The sender’s ' +
      'per-recipient delay applies to a send answer carrying 131056, which none of these providers documents',
  },
  {
    number: '+12015550105',
    name: 'marketing-limit',
    outcome: 'the user reached Meta’s per-user marketing limit (131049), reported by callback',
    leaves: 'failed (131049)',
    providers: MARKETING_LIMIT,
    notFor: whyNot(MARKETING_LIMIT, [NO_FAILURE_BY_CALLBACK('reports no such failure', 'report no such failure')]),
    note: 'as for 131056: the sender’s 24-hour hold applies to a send answer carrying 131049, which none of these providers documents',
  },
  {
    number: '+12015550110',
    name: 'account-paused',
    outcome: `the provider refuses the account (its credentials, or its balance): ${accountRefusals()}`,
    leaves:
      'queued again with the refusal as its last error, and the account paused: nothing of it is sent until ' +
      '`wapk pauses lift ACCOUNT`',
    providers: each(PROVIDERS, accountPaused),
    note:
      'the pause stops every message of the account: lift it when done; the paused message is tried again at the next ' +
      'check (15 min) and then goes through',
  },
  {
    number: '+12015550111',
    name: 'rate-limited',
    outcome: 'the provider answers 429 with a reset 2 s ahead (its spec’s documented 429, or a plain JSON error where it documents none)',
    leaves:
      'the account’s budget blocked until the reset and the message delayed that long; its retry goes through ' +
      '(attempts 2, last error the 429)',
    providers: each(PROVIDERS, (provider) => ({
      send: { kind: 'refuse', status: 429, retryAfterS: 2, once: true, ...example(provider, 'rateLimited') },
      expect: { ...goesWell(provider), error: { class: 'backoff', status: 429 }, attempts: 2 },
    })),
  },
  {
    number: '+12015550112',
    name: 'server-error',
    outcome: 'the provider answers 500 (its spec’s documented 500, or a plain JSON error where it documents none)',
    leaves: 'unknown — a 500 does not prove nothing was sent, so it is never resent blindly (an account with `retryAmbiguous` retries it)',
    providers: each(PROVIDERS, (provider) => ({
      send: { kind: 'refuse', status: 500, once: true, ...example(provider, 'serverError') },
      expect: { status: 'unknown', attempts: 1 },
    })),
    note: `after the 500, ${lookedUp('the mock’s lookup finds nothing')}`,
  },
  {
    number: '+12015550113',
    name: 'timeout',
    outcome: 'the provider reads the request and does not answer; after WAPK_SCENARIO_HOLD_S (default 40 s) the connection drops',
    leaves: `unknown — never resent blindly; ${lookedUp('nothing found')}`,
    providers: each(PROVIDERS, () => ({ send: { kind: 'hold' }, expect: { status: 'unknown', error: { class: 'unknown' }, attempts: 1 } })),
  },
  {
    number: '+12015550114',
    name: 'no-answer',
    outcome: 'the connection drops right after the request (no answer at all)',
    leaves: 'unknown, as for a timeout',
    providers: each(PROVIDERS, () => ({ send: { kind: 'drop' }, expect: { status: 'unknown', error: { class: 'unknown' }, attempts: 1 } })),
  },
  {
    number: '+12015550120',
    name: 'late-sent',
    outcome: '`sent` arrives after `read`, carrying the earlier time it happened',
    leaves: 'read; the late `sent` is history with its own (earliest) time, and moves nothing back',
    providers: LATE_SENT,
    notFor: whyNot(LATE_SENT, [
      NO_CALLBACKS,
      { of: (p) => !REPORTING_AFTER_SENT.includes(p), one: 'reports nothing after `sent`', many: 'report nothing after `sent`' },
    ]),
  },
  {
    number: '+12015550121',
    name: 'duplicate-callbacks',
    outcome: 'every callback comes twice, byte for byte (the provider retries)',
    leaves: 'the same record as one of each: repeats change nothing',
    providers: TWICE,
    notFor: whyNot(TWICE, [NO_CALLBACKS]),
  },
  {
    number: '+12015550122',
    name: 'callback-first',
    outcome: 'the callbacks arrive before the provider answers the send',
    leaves:
      'the same record as in order: a callback matched while the message is sending applies; one whose id is not known yet ' +
      'is kept and applied when the send answer lands (Gupshup)',
    providers: FIRST,
    notFor: whyNot(FIRST, [NO_CALLBACKS]),
  },
];

/** The scenario of a recipient (E.164 with `+`, or digits), if it is one. */
export function scenarioOf(recipient: string | undefined): Scenario | undefined {
  if (!recipient) return undefined;
  const digits = recipient.replace(/@.*$/, '').replace(/\D/g, '');
  return SCENARIOS.find((scenario) => scenario.number.slice(1) === digits);
}

/** What `provider` does for the scenario of `recipient`, if both apply. */
export function playFor(provider: ProviderName, recipient: string | undefined): { scenario: Scenario; play: ProviderPlay } | undefined {
  const scenario = scenarioOf(recipient);
  const play = scenario?.providers[provider];
  return scenario && play ? { scenario, play } : undefined;
}

/**
 * The provider mocks' side of the scenarios: a hook per provider for `startProviderMock({ scenario })`
 * that answers the send of a scenario number as the scenario says. A `once` refusal refuses the
 * first attempt of a message and lets its retry (the same request again) through; a held request
 * is held `holdMs`.
 */
export function scenarioAnswers(options: { holdMs: number }) {
  /** Requests refused once, whose retry goes through (a few kept at most: a retry comes soon or never). */
  const refusedOnce = new Set<string>();
  return (provider: ProviderName) => {
    const mocked = MOCKED_PROVIDERS[provider];
    return (request: { method: string; path: string; body: string }): MockScenario | undefined => {
      if (request.method !== mocked.send.method || !mocked.send.path.test(request.path)) return undefined;
      const send = playFor(provider, mocked.recipientOf(request.body))?.play.send;
      if (!send) return undefined;
      if (send.kind === 'hold') return { kind: 'hold', ms: options.holdMs };
      if (send.kind === 'drop') return send;
      if (send.once) {
        const key = `${provider} ${createHash('sha256').update(request.path).update('\0').update(request.body).digest('base64url')}`;
        if (refusedOnce.delete(key)) return undefined;
        refusedOnce.add(key);
        if (refusedOnce.size > 10_000) refusedOnce.delete(refusedOnce.values().next().value!);
      }
      const { once: _once, ...refusal } = send;
      return refusal;
    };
  };
}
