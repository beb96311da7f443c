/**
 * A provider outage on the local stack (`WAPK_OUTAGE`), to watch messages fail over to an
 * account's fallbacks (docs/pipeline.md, "Failover across routes"; docs/scenarios.md, "A provider
 * outage"). For its duration, counted from the stack's start, the provider's mock answers every
 * send, whatever the recipient, with:
 *
 * - `paused` (the default): its refusal of the account (its dev kit's `accountRefused`: LiveTok,
 *   LiveChat, Gupshup and Loopwave 401, their credential refusal; Kaleyra 400 E110, low balance)
 *   — the sender pauses the account, and a message with a fallback moves to it at once;
 * - `revoked`: its refusal of the account's credential (a revoked or wrong API key: the dev kit's
 *   `credentialRefused`, else `accountRefused`) — the same as `paused` but for Kaleyra, whose
 *   credential refusal is 401 RBC001; handled as `paused` is;
 * - `throttled`: 429, its documented rate-limit answer — the sender backs off, and a message with a
 *   fallback moves to it once it waited `failoverAfter` on the route;
 * - `server-error`: 500 — an open outcome (the provider may have sent it): the message ends
 *   `unknown` and never fails over.
 *
 * `WAPK_OUTAGE=<provider>[:<kind>][:<duration>]`: `kaleyra`, `kaleyra:paused:5m`, `kaleyra:revoked`,
 * `livechat:throttled:90s`; without a duration, for as long as the stack runs. Scenario numbers
 * still get their scenario (they are answered first); calls other than the send are not touched.
 *
 * Local-only, and light: read by src/local/env.ts, played by src/local/provider-side.ts.
 */
import type { MockScenario } from '../mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { isProviderName, PROVIDERS, type ProviderName } from '../providers/names.ts';

export const OUTAGE_KINDS = ['paused', 'revoked', 'throttled', 'server-error'] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

export interface Outage {
  provider: ProviderName;
  kind: OutageKind;
  /** How long it lasts from the stack's start, ms; absent: as long as the stack runs. */
  forMs?: number;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `kaleyra:paused:5m` as an {@link Outage}, or the rule it breaks. */
export function parseOutage(text: string): Outage | { error: string } {
  const [provider, ...rest] = text.split(':');
  if (!provider || !isProviderName(provider))
    return { error: `must start with a provider (${PROVIDERS.join(', ')}), not ${JSON.stringify(provider)}` };
  if (rest.length > 2) return { error: 'must be <provider>[:<kind>][:<duration>]' };
  const isKind = (part: string | undefined): part is OutageKind => (OUTAGE_KINDS as readonly string[]).includes(part ?? '');
  const kindText = isKind(rest[0]) ? rest.shift() : undefined;
  const kind: OutageKind = kindText && isKind(kindText) ? kindText : 'paused';
  let forMs: number | undefined;
  if (rest.length > 0) {
    const duration = /^([1-9][0-9]{0,8})(ms|s|m|h)$/.exec(rest[0]!);
    if (rest.length > 1 || !duration) {
      return { error: `${JSON.stringify(rest.join(':'))} must be a kind (${OUTAGE_KINDS.join(', ')}) and/or a duration (90s, 5m, 1h)` };
    }
    forMs = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  }
  return { provider, kind, ...(forMs !== undefined ? { forMs } : {}) };
}

/** What the outage's provider answers a send instead of taking it. */
export function outageRefusal(outage: Outage): MockScenario {
  const { scenarios } = DEV_KITS[outage.provider];
  switch (outage.kind) {
    case 'paused': {
      const { reads: _reads, ...refusal } = scenarios.accountRefused;
      return { kind: 'refuse', ...refusal };
    }
    case 'revoked': {
      const { reads: _reads, ...refusal } = scenarios.credentialRefused ?? scenarios.accountRefused;
      return { kind: 'refuse', ...refusal };
    }
    case 'throttled':
      return { kind: 'refuse', status: 429, ...exampleOf(scenarios.examples.rateLimited) };
    case 'server-error':
      return { kind: 'refuse', status: 500, ...exampleOf(scenarios.examples.serverError) };
  }
}

const exampleOf = (name: string | undefined) => (name ? { example: name } : {});

/**
 * The mock's `scenario` hook for `provider` during `outage` (none: `answer` as it is): a send
 * within the outage is refused; anything else gets `answer`'s scenario (the scenario numbers), or
 * its ordinary answer. `startedAt` and `now` are the stack's clock.
 */
export function withOutage(
  provider: ProviderName,
  outage: Outage | undefined,
  answer: (request: { method: string; path: string; body: string }) => MockScenario | undefined,
  startedAt: number,
  now: () => number = Date.now,
): (request: { method: string; path: string; body: string }) => MockScenario | undefined {
  if (!outage || outage.provider !== provider) return answer;
  const send = MOCKED_PROVIDERS[provider].send;
  const refusal = outageRefusal(outage);
  return (request) => {
    const scenario = answer(request);
    if (scenario) return scenario;
    const isSend = request.method === send.method && send.path.test(request.path);
    const within = outage.forMs === undefined || now() < startedAt + outage.forMs;
    return isSend && within ? refusal : undefined;
  };
}
