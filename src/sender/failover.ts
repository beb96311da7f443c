/**
 * The sender's failover: which route a message is sent through, and moving it to the next route
 * when the current one provably did not send it (the rules: ./failover-decision.ts).
 *
 * A message's routes are its origin account, then the origin's `fallbacks` in order
 * (src/config/routes.ts). The record says which route owns the send (`route`; none: the origin).
 * Switching is one conditional write (`SendClaimRepository.switchRoute`): from the refusing
 * attempt's own claim, only while the refusing route still owns the send. The message is then
 * queued again on the new route, whose send takes the usual claim (which also checks the route),
 * so two workers can never send one message through two routes, and a route whose outcome is
 * open (`unknown`) is never followed by another.
 *
 * An account without fallbacks never reaches this module's writes: its messages are sent as they
 * always were.
 */
import { failoverAfterMs, nextRoute, routeAt, contentOnRoute } from '../config/routes.ts';
import type { AccountConfig } from '../config/accounts.ts';
import { UnavailableError } from '../errors.ts';
import type { QueueMessage } from '../messages/queue-message.ts';
import type { SendRequest } from '../messages/send-request.ts';
import { matchedByRecipient } from '../providers/adapter.ts';
import type { ProviderError } from '../providers/errors.ts';
import type { Log } from '../runtime/log.ts';
import { FAILOVER_METRIC, failoverMetric } from '../runtime/metrics.ts';
import { owningRoute, type MessageRecord, type Pause, type RouteAttempt, type StoredError } from '../store/model.ts';
import { decideFailover, type FailoverTrigger, type RouteEvidence } from './failover-decision.ts';
import type { Outcome, SenderDeps } from './sender.ts';

/** The route a message is sent through now: its index (0: the origin), account and the request as that account sends it. */
export interface RouteView {
  index: number;
  account: AccountConfig;
  /** The origin's request with the route's account, provider and (mapped) content. */
  request: SendRequest;
  /** The origin account: where the message belongs, and whose fallbacks are its routes. */
  origin: AccountConfig;
  /** When this route took the send over. */
  since: string;
  /** The message's content as accepted (the origin's template): what the origin's fallbacks map. */
  originContent: SendRequest['content'];
  /** An operator turned failover off for the route's account or the origin (src/sender/route-guard.ts): the message stays. */
  failoverOff?: boolean;
  /** A fallback route: the trigger that moved the message to it (the push names it). */
  trigger?: FailoverTrigger;
}

/** The route that owns `record`'s send, or why it cannot be used (a fallback no longer configured or mapped). */
export function currentRoute(
  message: QueueMessage,
  record: MessageRecord,
  origin: AccountConfig,
  accounts: ReadonlyMap<string, AccountConfig>,
): RouteView | { error: string } {
  const owner = owningRoute(record);
  const originContent = message.request.content;
  if (owner.index === 0) return { index: 0, account: origin, request: message.request, origin, since: record.createdAt, originContent };
  const route = routeAt(origin, owner.index, message.request.content);
  const account = route && accounts.get(route.account);
  if (!route || !account || route.account !== owner.account || account.provider !== owner.provider)
    return { error: `route ${owner.index} (account ${owner.account}) is no longer configured as a fallback of ${origin.id}` };
  const content = contentOnRoute(message.request.content, route, account);
  const trigger = record.routes?.at(-1)?.trigger;
  return {
    ...(trigger ? { trigger } : {}),
    index: owner.index,
    account,
    request: { ...message.request, account: account.id, provider: account.provider, content },
    origin,
    since: record.route?.since ?? record.createdAt,
    originContent,
  };
}

/**
 * Whether the message can leave `route` at all: its origin has a later route for its template,
 * configured, and failover is not turned off.
 */
export function nextOf(route: RouteView, deps: Pick<SenderDeps, 'accounts'>) {
  if (route.failoverOff) return undefined;
  const next = nextRoute(route.origin, route.index, route.originContent);
  const account = next && deps.accounts.get(next.account);
  return next && account ? { ...next, provider: account.provider } : undefined;
}

/** What a switch needs from the attempt that found the route unusable. */
export interface SwitchContext {
  message: QueueMessage;
  route: RouteView;
  /** The refusing attempt's claim; none when the message was found waiting on a blocked route. */
  claim?: string;
  /** The recipient's hash: a route whose callbacks are matched by recipient finds the message by it. */
  recipientHash: string;
  log: Log;
}

type SwitchDeps = Pick<SenderDeps, 'accounts' | 'adapterFor' | 'claims' | 'queue' | 'cipher' | 'now' | 'sweepGraceMs'>;

/**
 * After a proven refusal under this attempt's claim: moves the message to the next route if the
 * decision says so (the message is then queued there at once), else undefined (the refusal is
 * handled as it always was).
 */
export async function failoverOnRefusal(error: ProviderError, c: SwitchContext, deps: SwitchDeps): Promise<Outcome | undefined> {
  if (!c.route.origin.fallbacks?.length) return undefined;
  const evidence: RouteEvidence = {
    kind: 'refused',
    retryClass: error.retryClass,
    senderRefused: error.senderRefused,
    waitedMs: waitedOnRoute(c, deps),
  };
  return decideAndSwitch(evidence, 'sending', error.toJSON(), c, deps);
}

/** How long the message has waited on its route: since the route took the send over (or its schedule, if later). */
function waitedOnRoute(c: SwitchContext, deps: Pick<SenderDeps, 'now'>): number {
  const scheduled = c.message.request.scheduleAt ? Date.parse(c.message.request.scheduleAt) : 0;
  return Math.max(0, deps.now() - Math.max(Date.parse(c.route.since), scheduled));
}

/**
 * A delay on a route that asked to wait, for a message that has a later route: no longer than
 * until it has waited `failoverAfter` there, so the refusal that moves it on comes in time.
 */
export function waitOnRoute(delayMs: number, c: SwitchContext, deps: Pick<SenderDeps, 'now' | 'accounts'>): number {
  if (!c.route.origin.fallbacks?.length || !nextOf(c.route, deps)) return delayMs;
  return Math.max(1000, Math.min(delayMs, failoverAfterMs(c.route.origin, c.message.request.failoverAfter) - waitedOnRoute(c, deps)));
}

/**
 * A waiting message found its route paused: moves it to the next route once the pause has lasted
 * the origin's `failoverAfter`; before that, undefined, with how long until then (`recheckMs`, so
 * the caller looks again in time instead of waiting for the pause's ordinary re-check).
 */
export async function failoverWhenPaused(
  pause: Pause,
  status: MessageRecord['status'],
  c: SwitchContext,
  deps: SwitchDeps,
): Promise<{ outcome: Outcome } | { recheckMs: number } | undefined> {
  if (!c.route.origin.fallbacks?.length || !nextOf(c.route, deps)) return undefined;
  const blockedForMs = Math.max(0, deps.now() - Date.parse(pause.since));
  const stored: StoredError = {
    class: 'pause_sender',
    ...(pause.code !== undefined ? { code: pause.code } : {}),
    reason: `paused: ${pause.reason}`,
  };
  const outcome = await decideAndSwitch({ kind: 'blocked', blockedForMs }, status, stored, c, deps);
  if (outcome) return { outcome };
  return { recheckMs: Math.max(1000, failoverAfterMs(c.route.origin, c.message.request.failoverAfter) - blockedForMs) };
}

/**
 * A waiting message found its route blocked by the provider (a 429's reset, met by any sender:
 * src/pacing/pacer.ts): moves it to the next route once it has waited the origin's `failoverAfter`
 * on the route; before that, undefined, with how long until then. `lastError` is the refusal that
 * blocked it, as stored on the message.
 */
export async function failoverWhenBlocked(
  status: MessageRecord['status'],
  lastError: StoredError | undefined,
  c: SwitchContext,
  deps: SwitchDeps,
): Promise<{ outcome: Outcome } | { recheckMs: number } | undefined> {
  if (!c.route.origin.fallbacks?.length || !nextOf(c.route, deps)) return undefined;
  const waitedMs = waitedOnRoute(c, deps);
  const stored: StoredError = lastError ?? { class: 'backoff', reason: 'the provider asked the account to wait' };
  const outcome = await decideAndSwitch({ kind: 'blocked', blockedForMs: waitedMs }, status, stored, c, deps);
  if (outcome) return { outcome };
  return { recheckMs: Math.max(1000, failoverAfterMs(c.route.origin, c.message.request.failoverAfter) - waitedMs) };
}

/**
 * The route's breaker is open (src/sender/route-guard.ts): the message moves to its next route at
 * once, without a call there — from waiting, or (`c.claim`) from the refusal that opened it.
 */
export async function failoverOnBreaker(
  until: number,
  status: MessageRecord['status'],
  c: SwitchContext,
  deps: SwitchDeps,
  refusal?: ProviderError,
): Promise<Outcome | undefined> {
  const reason = `breaker open on account ${c.route.account.id} until ${new Date(until).toISOString()}`;
  const stored: StoredError = refusal
    ? { ...refusal.toJSON(), reason: `${refusal.toJSON().reason}; ${reason}` }
    : { class: 'breaker', reason };
  return decideAndSwitch({ kind: 'breaker_open' }, status, stored, c, deps);
}

async function decideAndSwitch(
  evidence: RouteEvidence,
  status: MessageRecord['status'],
  error: StoredError,
  c: SwitchContext,
  deps: SwitchDeps,
): Promise<Outcome | undefined> {
  const next = nextOf(c.route, deps);
  const decision = decideFailover({
    evidence,
    status,
    failoverAfterMs: failoverAfterMs(c.route.origin, c.message.request.failoverAfter),
    hasNextRoute: next !== undefined,
  });
  if (!decision.failover || !next) return undefined;
  // Refused under the attempt's claim; blocked without one (nothing was attempted).
  return switchRoute(decision.trigger, next, c.claim === undefined ? 'blocked' : 'refused', error, c, deps);
}

/** Whether the route's provider matches its callbacks by recipient (its send answer carries no id). */
function byRecipient(accountId: string, deps: SwitchDeps): boolean {
  const account = deps.accounts.get(accountId);
  return account !== undefined && matchedByRecipient(deps.adapterFor(account));
}

async function switchRoute(
  trigger: FailoverTrigger,
  next: { index: number; account: string; provider: AccountConfig['provider'] },
  outcome: RouteAttempt['outcome'],
  error: StoredError,
  c: SwitchContext,
  deps: SwitchDeps,
): Promise<Outcome> {
  const at = new Date(deps.now()).toISOString();
  const { route } = c;
  const refused: RouteAttempt = {
    index: route.index,
    account: route.account.id,
    provider: route.account.provider,
    since: route.since,
    until: at,
    outcome,
    error,
    trigger,
  };
  const hold = {
    dueAt: new Date(deps.now() + deps.sweepGraceMs).toISOString(),
    sealedPayload: deps.cipher.seal(JSON.stringify(c.message)),
  };
  const moved = await deps.claims.switchRoute(c.message.id, {
    from: route.index,
    ...(c.claim !== undefined ? { token: c.claim } : {}),
    to: { index: next.index, account: next.account, provider: next.provider, since: at },
    refused,
    hold,
    ...(byRecipient(next.account, deps) ? { indexRecipient: c.recipientHash } : {}),
  });
  // Claimed, switched or settled meanwhile by another delivery: that one goes on.
  if (!moved) return { kind: 'skipped', reason: 'the message moved on meanwhile (no route switch)' };
  const refusedIds = await deps.queue.enqueue([{ message: c.message, delaySeconds: 0 }]);
  // Not lost: the sweeper enqueues it at its due time. Failing the record brings the original back sooner.
  if (refusedIds.length > 0) throw new UnavailableError('queue', 'the failed-over copy could not be enqueued');
  const reason = `failed over (${trigger}) from route ${route.index} (${route.account.id}) to route ${next.index} (${next.account})`;
  // Counted by the refused route's provider and the trigger: the line's `provider` is that route's.
  c.log.warn('failed over', {
    trigger,
    from: route.account.id,
    to: next.account,
    fromRoute: route.index,
    toRoute: next.index,
    error: error.reason,
    provider: route.account.provider,
    reason: trigger,
    [FAILOVER_METRIC]: 1,
    ...failoverMetric(new Date(deps.now())),
  });
  return { kind: 'delayed', delayMs: 0, reason };
}
