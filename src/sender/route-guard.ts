/**
 * The sender's side of an account's breaker and failover switch (the rules: ./breaker.ts): read
 * once per batch and account, consulted before a message that has a next route is sent through
 * the account, and told what its send showed.
 *
 * Only messages that can fail over are guarded: an account without fallbacks, or a message whose
 * template no later route carries, is sent exactly as without a breaker (no read, no write). An
 * accepted send writes only when there is something to reset, so the common send costs nothing.
 * Every write is conditional on the version read (RouteHealthRepository.writeBreaker): of two
 * workers that both find the cool-down over, one takes the probe and the other skips.
 */
import { randomUUID } from 'node:crypto';
import type { AccountConfig } from '../config/accounts.ts';
import type { Log } from '../runtime/log.ts';
import { BREAKER_CLOSE_METRIC, BREAKER_OPEN_METRIC, embeddedMetric } from '../runtime/metrics.ts';
import type { BreakerState, RouteHealth } from '../store/model.ts';
import type { RouteHealthRepository } from '../store/repositories.ts';
import { breakerAfter, breakerGate, breakerPolicy, type BreakerChange, type BreakerEvent } from './breaker.ts';
import { nextOf, type RouteView } from './failover.ts';

/** Beyond the provider call's own deadline, how long a probe's lease lasts: its slot's wait and the recording of its answer. */
export const PROBE_MARGIN_MS = 5000;

/** How many times a breaker write is tried again on a newer version before it is given up (the next outcome tries again). */
const WRITE_TRIES = 4;

export interface GuardDeps {
  routeHealth: RouteHealthRepository;
  accounts: ReadonlyMap<string, AccountConfig>;
  now(): number;
  callTimeoutMs: number;
  maxInlineWaitMs: number;
  slotLeadMs: number;
}

/** Per account, its route health as this batch last read or wrote it. */
export type HealthCache = Map<string, Promise<RouteHealth>>;

/** A guarded message's view of its route account: the health read, and whether failover is off. */
export interface RouteGuard {
  account: AccountConfig;
  health: RouteHealth;
  /** An operator turned failover off on the route's account or the message's origin: the message stays on its route. */
  off: boolean;
  /** This message's probe token, if it took the probe. */
  probe?: string;
}

function healthOf(account: string, deps: GuardDeps, cache: HealthCache): Promise<RouteHealth> {
  let health = cache.get(account);
  if (!health) {
    health = deps.routeHealth.get(account);
    cache.set(account, health);
  }
  return health;
}

/** The guard of a message on `route`, or undefined if it cannot fail over from there (then nothing is read). */
export async function guardRoute(route: RouteView, deps: GuardDeps, cache: HealthCache): Promise<RouteGuard | undefined> {
  if (!route.origin.fallbacks?.length || !nextOf(route, deps)) return undefined;
  const [own, origin] = await Promise.all([
    healthOf(route.account.id, deps, cache),
    route.index > 0 ? healthOf(route.origin.id, deps, cache) : undefined,
  ]);
  return { account: route.account, health: own, off: own.disabled !== undefined || origin?.disabled !== undefined };
}

/** What the breaker lets a guarded message do: be sent (as the probe, with its token), or skip the account until `until`. */
export type Passage = { kind: 'send'; probe?: string } | { kind: 'skip'; until: number };

/** Consults the breaker of a guarded message's route account; takes the probe when the cool-down is over and nobody has. */
export async function passBreaker(guard: RouteGuard, deps: GuardDeps, cache: HealthCache, log: Log): Promise<Passage> {
  if (guard.off) return { kind: 'send' };
  const leaseMs = deps.callTimeoutMs + deps.maxInlineWaitMs + deps.slotLeadMs + PROBE_MARGIN_MS;
  for (let tries = 0; tries < WRITE_TRIES; tries++) {
    const gate = breakerGate(guard.health.breaker, deps.now(), { token: randomUUID(), leaseMs });
    if (gate.kind === 'send') return { kind: 'send' };
    if (gate.kind === 'skip') return gate;
    if (await write(guard, gate.state, deps, cache)) {
      guard.probe = gate.state.probe!.token;
      log.info('breaker probe', { ...routeFields(guard.account), probeUntil: gate.state.probe!.until });
      return { kind: 'send', probe: guard.probe };
    }
    await reread(guard, deps, cache);
  }
  // Contended past reason: this message skips; the breaker's own state is left to the others.
  return { kind: 'skip', until: deps.now() };
}

/**
 * Tells the breaker what a guarded message's send showed: accepted, or a proven refusal of the
 * sender. Answers the breaker as it is after (open: the message itself moves on at once).
 */
export async function noteOutcome(
  guard: RouteGuard,
  event: BreakerEvent,
  deps: GuardDeps,
  cache: HealthCache,
  log: Log,
): Promise<BreakerState | undefined> {
  if (guard.off) return guard.health.breaker;
  const policy = breakerPolicy(guard.account);
  const told: BreakerEvent = event.kind === 'refused' && guard.probe ? { kind: 'refused', probe: guard.probe } : event;
  for (let tries = 0; tries < WRITE_TRIES; tries++) {
    const change = breakerAfter(guard.health.breaker, told, policy, deps.now());
    if (!change) return guard.health.breaker;
    if (await write(guard, change.state, deps, cache)) {
      logTransition(guard, change, log, deps.now());
      return change.state;
    }
    await reread(guard, deps, cache);
  }
  return guard.health.breaker;
}

async function write(guard: RouteGuard, breaker: BreakerState, deps: GuardDeps, cache: HealthCache): Promise<boolean> {
  const { version } = guard.health;
  if (!(await deps.routeHealth.writeBreaker(guard.account.id, breaker, version))) return false;
  guard.health = { ...guard.health, breaker, version: version + 1 };
  cache.set(guard.account.id, Promise.resolve(guard.health));
  return true;
}

async function reread(guard: RouteGuard, deps: GuardDeps, cache: HealthCache): Promise<void> {
  const fresh = deps.routeHealth.get(guard.account.id);
  cache.set(guard.account.id, fresh);
  guard.health = await fresh;
  if (guard.health.disabled) guard.off = true;
}

/** The route account's fields on a breaker line: its `provider` is the route's (the metric's dimension), not the message's origin's. */
const routeFields = (account: AccountConfig) => ({ routeAccount: account.id, provider: account.provider });

function logTransition(guard: RouteGuard, change: BreakerChange, log: Log, now: number): void {
  if (!change.transition) return;
  const at = new Date(now);
  if (change.transition === 'closed') {
    log.info('breaker closed', {
      ...routeFields(guard.account),
      probe: guard.probe !== undefined,
      [BREAKER_CLOSE_METRIC]: 1,
      ...embeddedMetric(BREAKER_CLOSE_METRIC, [['provider']], at),
    });
    return;
  }
  const { refusals, until, coolDownMs } = change.state;
  log.warn('breaker opened', {
    ...routeFields(guard.account),
    reopened: change.transition === 'reopened',
    refusals,
    until,
    coolDownMs,
    [BREAKER_OPEN_METRIC]: 1,
    ...embeddedMetric(BREAKER_OPEN_METRIC, [['provider']], at),
  });
}
