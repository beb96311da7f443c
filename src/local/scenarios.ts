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
 * Data only, and light: `wapk scenarios` lists it. Local-only: no Lambda bundle imports it.
 */
import { createHash } from 'node:crypto';
import { STATUS_RANK, type MessageStatus } from '../messages/status.ts';
import { lastReportedStatus, reportsOf } from '../providers/index.ts';
import type { MockScenario } from '../mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import type { ScenarioError } from '../providers/dev.ts';
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

/** The providers that report Meta's statuses and errors by callback. */
const CALLING_BACK = ['livechat', 'gupshup', 'kaleyra'] as const;
/** The providers that call back at all (Loopwave: `message.created`, i.e. `sent`). */
const ANY_CALLBACK = ['livechat', 'gupshup', 'loopwave', 'kaleyra'] as const;

/** A failure reported by callback, Meta's code (Gupshup: its own where it has one). */
const failedByCallback = (error: ScenarioError, gupshup: ScenarioError = error, extra: Partial<Expectation> = {}) =>
  each(CALLING_BACK, (provider) => {
    const failWith = provider === 'gupshup' ? gupshup : error;
    const expect: Expectation = { status: 'failed', history: ['sending', 'failed'], error: { code: failWith.code }, attempts: 1, ...extra };
    return { callbacks: { failWith }, expect };
  });

/** The account refused at send time (once: after the pause is lifted, the retry goes through). */
const accountPaused = (send: Omit<Extract<SendPlay, { kind: 'refuse' }>, 'kind' | 'once'>, error: Expectation['error']): ProviderPlay => ({
  send: { kind: 'refuse', ...send, once: true },
  expect: { status: 'queued', error: { class: 'pause_sender', ...error }, attempts: 1, pause: 'account' },
});

/** The spec's example for a status, where the provider documents one. */
const example = (examples: Partial<Record<ProviderName, string>>, provider: ProviderName) =>
  examples[provider] ? { example: examples[provider] } : {};

const OPTED_OUT_META: ScenarioError = { code: 131050, title: 'User stopped marketing messages' };
const OPTED_OUT_GUPSHUP: ScenarioError = { code: 1012, title: 'User has opted out' };

/** Every scenario, in number order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    number: '+12015550100',
    name: 'delivered',
    outcome: 'delivered, then read — the lifecycle every other number gets too',
    leaves: 'the provider’s last status: read; sent for LiveTok and Loopwave, which report nothing more',
    providers: each(PROVIDERS, (provider) => ({ expect: goesWell(provider) })),
  },
  {
    number: '+12015550101',
    name: 'undeliverable',
    outcome: 'the number is not on WhatsApp (Meta 131026; Gupshup 1002; LiveTok refuses the send: 400 invalid_phone_number)',
    leaves: 'failed, with the provider’s code and reason',
    providers: {
      livetok: {
        send: { kind: 'refuse', status: 400, example: 'invalidPhoneNumber' },
        expect: { status: 'failed', error: { class: 'permanent', code: 'invalid_phone_number' }, attempts: 1 },
      },
      ...failedByCallback({ code: 131026, title: 'Message undeliverable' }, { code: 1002, title: 'Number does not exist on WhatsApp' }),
    },
    notFor: 'Loopwave reports no failure of a single message',
  },
  {
    number: '+12015550102',
    name: 'opted-out',
    outcome: 'the user stopped marketing messages (Meta 131050; Gupshup 1012), reported by callback',
    leaves:
      'failed (opted_out), and the recipient suppressed on the account: the next message to it fails at once, ' +
      'without a provider call, until DELETE /v1/suppressions/{account}/{recipient}',
    providers: each(CALLING_BACK, (provider) => {
      const failWith = provider === 'gupshup' ? OPTED_OUT_GUPSHUP : OPTED_OUT_META;
      const expect: Expectation = { status: 'failed', error: { class: 'opted_out', code: failWith.code }, attempts: 1, suppressed: true };
      return { callbacks: { failWith }, expect };
    }),
    notFor: 'LiveTok and Loopwave report no opt-outs',
  },
  {
    number: '+12015550103',
    name: 'template-paused',
    outcome: 'Meta paused the template for low quality (132015), reported by callback',
    leaves: 'failed (132015), and the template paused on the account: its messages wait until `wapk pauses lift ACCOUNT --template NAME`',
    providers: failedByCallback({ code: 132015, title: 'Template is paused' }, undefined, { pause: 'template' }),
    notFor: 'LiveTok has no answer for a paused template; Loopwave sends no templates',
    note: 'the pause stops every later message with that template on that account: lift it when done',
  },
  {
    number: '+12015550104',
    name: 'pair-rate-limit',
    outcome: 'too many messages to this user in a short time (Meta 131056), reported by callback',
    leaves: 'failed (131056)',
    providers: failedByCallback({ code: 131056, title: 'Pair rate limit hit' }),
    notFor: 'LiveTok and Loopwave report no such failure',
    note:
      'Meta reports it in a status callback, after the provider took the message: the message fails. The sender’s ' +
      'per-recipient delay applies to a send answer carrying 131056, which none of these providers documents',
  },
  {
    number: '+12015550105',
    name: 'marketing-limit',
    outcome: 'the user reached Meta’s per-user marketing limit (131049), reported by callback',
    leaves: 'failed (131049)',
    providers: failedByCallback({ code: 131049, title: 'Message not delivered to maintain healthy ecosystem engagement' }),
    notFor: 'LiveTok and Loopwave report no such failure',
    note: 'as for 131056: the sender’s 24-hour hold applies to a send answer carrying 131049, which none of these providers documents',
  },
  {
    number: '+12015550110',
    name: 'account-paused',
    outcome: 'the provider refuses the account: 401 (credentials); Kaleyra 400 E110 (low balance)',
    leaves:
      'queued again with the refusal as its last error, and the account paused: nothing of it is sent until ' +
      '`wapk pauses lift ACCOUNT`',
    providers: {
      livetok: accountPaused({ status: 401, example: 'invalidApiKey' }, { code: 'invalid_api_key' }),
      livechat: accountPaused({ status: 401 }, { status: 401 }),
      gupshup: accountPaused({ status: 401, example: 'authenticationFailed' }, { status: 401 }),
      loopwave: accountPaused({ status: 401, example: 'invalidApiKey' }, { code: 'invalid_api_key' }),
      kaleyra: accountPaused({ status: 400, example: 'lowBalance' }, { code: 'E110' }),
    },
    note:
      'the pause stops every message of the account: lift it when done; the paused message is tried again at the next ' +
      'check (15 min) and then goes through',
  },
  {
    number: '+12015550111',
    name: 'rate-limited',
    outcome:
      'the provider answers 429 with a reset 2 s ahead (documented by LiveTok, Loopwave and LiveChat’s any-status errors; ' +
      'a plain 429 for Gupshup and Kaleyra)',
    leaves:
      'the account’s budget blocked until the reset and the message delayed that long; its retry goes through ' +
      '(attempts 2, last error the 429)',
    providers: each(PROVIDERS, (provider) => ({
      send: { kind: 'refuse', status: 429, retryAfterS: 2, once: true,
        ...example({ livetok: 'rateLimitExceeded', loopwave: 'rateLimited' }, provider) },
      expect: { ...goesWell(provider), error: { class: 'backoff', status: 429 }, attempts: 2 },
    })),
  },
  {
    number: '+12015550112',
    name: 'server-error',
    outcome: 'the provider answers 500 (documented by LiveTok, Kaleyra WA500 and LiveChat; a plain 500 for Gupshup and Loopwave)',
    leaves: 'unknown — a 500 does not prove nothing was sent, so it is never resent blindly (an account with `retryAmbiguous` retries it)',
    providers: each(PROVIDERS, (provider) => ({
      send: { kind: 'refuse', status: 500, once: true, ...example({ livetok: 'internalError', kaleyra: 'internalServerError' }, provider) },
      expect: { status: 'unknown', attempts: 1 },
    })),
    note: 'LiveChat and Loopwave are looked up after the 500 (the mock’s lookup finds nothing); the others wait for `wapk resolve`',
  },
  {
    number: '+12015550113',
    name: 'timeout',
    outcome: 'the provider reads the request and does not answer; after WAPK_SCENARIO_HOLD_S (default 40 s) the connection drops',
    leaves: 'unknown — never resent blindly; LiveChat and Loopwave are looked up (nothing found), the others wait for `wapk resolve`',
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
    providers: each(CALLING_BACK, (provider) => ({ callbacks: { lateSent: true }, expect: goesWell(provider) })),
    notFor: 'LiveTok and Loopwave report nothing after their send answer’s `sent`',
  },
  {
    number: '+12015550121',
    name: 'duplicate-callbacks',
    outcome: 'every callback comes twice, byte for byte (the provider retries)',
    leaves: 'the same record as one of each: repeats change nothing',
    providers: each(ANY_CALLBACK, (provider) => ({ callbacks: { twice: true }, expect: goesWell(provider) })),
    notFor: 'LiveTok sends no callbacks',
  },
  {
    number: '+12015550122',
    name: 'callback-first',
    outcome: 'the callbacks arrive before the provider answers the send',
    leaves:
      'the same record as in order: a callback matched while the message is sending applies; one whose id is not known yet ' +
      'is kept and applied when the send answer lands (Gupshup)',
    providers: each(ANY_CALLBACK, (provider) => ({ callbacks: { beforeAnswer: true }, expect: goesWell(provider) })),
    notFor: 'LiveTok sends no callbacks',
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
