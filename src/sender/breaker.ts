/**
 * A route account's breaker: while an account keeps refusing the sender, messages that have a
 * next route skip it (docs/pipeline.md, "Breaker and failback"). Pure: state + event → the new
 * state to write (or nothing); src/sender/route-guard.ts reads and writes it (RouteHealthRepository,
 * conditional on the version read) and acts on the answers.
 *
 *   closed ──N consecutive proven refusals of the sender──▶ open (until now + cool-down)
 *   open ──a message reaches it after `until`──▶ half-open (that message is the probe, with a lease)
 *   half-open ──the probe is accepted──▶ closed (failback: new messages use the account again)
 *   half-open ──the probe is refused (of the sender)──▶ open, the cool-down doubled (≤ the maximum)
 *   half-open ──the probe's outcome is open, or it never called──▶ its lease ends: the next message probes
 *   any ──an accepted send──▶ closed, count 0
 *
 * Proven refusals of the sender are those that make a message fail over: back-off refusals (429,
 * a documented 503, no connection) and permanent refusals of the sender. A pause (`pause_sender`)
 * is not counted: the account is paused until an operator lifts it, and a paused account is never
 * probed. Refusals of the recipient or the content, and open outcomes, say nothing of the route.
 */
import type { AccountBase } from '../config/account-fields.ts';
import { durationMs } from '../config/account-fields.ts';
import type { BreakerState } from '../store/model.ts';

/** When an account's breaker opens, and for how long. */
export interface BreakerPolicy {
  /** Consecutive proven refusals of the sender that open it. */
  after: number;
  /** The first cool-down (ms). */
  coolDownMs: number;
  /** The longest cool-down (ms): a failed probe doubles it up to this. */
  maxCoolDownMs: number;
}

export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({ after: 5, coolDownMs: 60_000, maxCoolDownMs: 10 * 60_000 });

/** The account's breaker policy: its `breaker` settings over the defaults. */
export function breakerPolicy(account: Pick<AccountBase, 'breaker'>): BreakerPolicy {
  const settings = account.breaker ?? {};
  return {
    after: settings.after ?? DEFAULT_BREAKER_POLICY.after,
    coolDownMs: settings.coolDown !== undefined ? durationMs(settings.coolDown) : DEFAULT_BREAKER_POLICY.coolDownMs,
    maxCoolDownMs: settings.maxCoolDown !== undefined ? durationMs(settings.maxCoolDown) : DEFAULT_BREAKER_POLICY.maxCoolDownMs,
  };
}

export const CLOSED: Readonly<BreakerState> = Object.freeze({ state: 'closed', refusals: 0 });

const iso = (ms: number) => new Date(ms).toISOString();

/** What a message that has a next route does at the account. */
export type BreakerGate =
  /** Closed: sent as usual. */
  | { kind: 'send' }
  /** Open, or another message's probe is under way: straight to the next route, no call (`until`: when that may change). */
  | { kind: 'skip'; until: number }
  /** The cool-down is over: this message is the probe, if it can write `state` (half-open, its token and lease). */
  | { kind: 'probe'; state: BreakerState };

/** The gate of a message at the account, `now`; a probe is taken with `token` for `leaseMs`. */
export function breakerGate(breaker: BreakerState | undefined, now: number, probe: { token: string; leaseMs: number }): BreakerGate {
  if (!breaker || breaker.state === 'closed') return { kind: 'send' };
  const take = (): BreakerGate => ({
    kind: 'probe',
    state: { ...breaker, state: 'half_open', probe: { token: probe.token, until: iso(now + probe.leaseMs) } },
  });
  if (breaker.state === 'open') {
    const until = breaker.until ? Date.parse(breaker.until) : 0;
    return now < until ? { kind: 'skip', until } : take();
  }
  const lease = breaker.probe ? Date.parse(breaker.probe.until) : 0;
  return now < lease ? { kind: 'skip', until: lease } : take();
}

/** What a send at the account showed: an accepted send, or a proven refusal of the sender (`probe`: the token, if it was the probe). */
export type BreakerEvent = { kind: 'accepted' } | { kind: 'refused'; probe?: string };

/** A change to write: the new state, and the transition to log and count (none: a count changed). */
export interface BreakerChange {
  state: BreakerState;
  transition?: 'opened' | 'reopened' | 'closed';
}

/** The breaker after `event` at `now`, or undefined if nothing changes (nothing to write). */
export function breakerAfter(
  breaker: BreakerState | undefined,
  event: BreakerEvent,
  policy: BreakerPolicy,
  now: number,
): BreakerChange | undefined {
  const current = breaker ?? CLOSED;
  if (event.kind === 'accepted') {
    if (current.state === 'closed') return current.refusals === 0 ? undefined : { state: { ...CLOSED } };
    // The route takes messages again (the probe's answer, or a send that was under way).
    return { state: { ...CLOSED }, transition: 'closed' };
  }
  if (current.state === 'closed') {
    const refusals = current.refusals + 1;
    if (refusals < policy.after) return { state: { state: 'closed', refusals } };
    const coolDownMs = Math.min(policy.coolDownMs, policy.maxCoolDownMs);
    return { state: { state: 'open', refusals, openedAt: iso(now), until: iso(now + coolDownMs), coolDownMs }, transition: 'opened' };
  }
  // Open already: a refusal of a send that started before it opened, or of a probe whose lease another took over.
  if (current.state !== 'half_open' || !event.probe || current.probe?.token !== event.probe) return undefined;
  const coolDownMs = Math.min(2 * (current.coolDownMs ?? policy.coolDownMs), policy.maxCoolDownMs);
  return {
    state: { state: 'open', refusals: current.refusals, openedAt: iso(now), until: iso(now + coolDownMs), coolDownMs },
    transition: 'reopened',
  };
}
