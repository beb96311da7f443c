/**
 * What an operator does about what the sender cannot decide alone: resolve a message whose send
 * outcome was lost (`unknown`), lift a pause, remove an opt-out suppression, see the accounts'
 * breakers and turn an account's failover off or on.
 */
import * as z from 'zod';
import { MessageId, violationsOf } from '../messages/fields.ts';
import { requestSchemas } from '../messages/request-schemas.ts';
import type { PayloadCipher } from '../privacy/payload-cipher.ts';
import { recipientRef } from '../privacy/recipient.ts';
import type { StatusNotifier } from '../push/push.ts';
import type { SendQueue } from '../queue/send-queue.ts';
import type { Log } from '../runtime/log.ts';
import { requeuePaused, type RequeueDeps } from '../scheduler/requeue.ts';
import { ACCOUNT_SCOPE, templateScope, type Pause, type PauseScope } from '../store/model.ts';
import type { MessageRepository, PauseRepository, RouteHealthRepository, SuppressionRepository } from '../store/repositories.ts';
import type { AccountBase } from '../config/account-fields.ts';
import type { RouteHealth } from '../store/model.ts';
import { mayUse, type Principal } from './auth.ts';
import { json, problem, type HttpResponse } from './http.ts';
import { presentMessage, pushChange } from './messages.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

export interface OperatorDeps extends Pick<RequeueDeps, 'due' | 'claims'> {
  messages: Pick<MessageRepository, 'get' | 'applyStatus'>;
  pauses: Pick<PauseRepository, 'list' | 'lift'>;
  suppressions: Pick<SuppressionRepository, 'remove'>;
  /** Accounts' breakers and failover switches (src/sender/route-guard.ts). */
  routeHealth: Pick<RouteHealthRepository, 'get' | 'setSwitch'>;
  notifier?: StatusNotifier;
  /** Where a lifted pause's held messages go back. */
  queue: SendQueue;
  cipher: PayloadCipher;
  accounts: ReadonlyMap<string, Pick<AccountBase, 'provider' | 'fallbacks'>>;
  recipientHashKey: string;
  now(): Date;
  sweepGraceMs?: number;
  log: Log;
}

const Resolution = lazySchema(() =>
  z.strictObject({
    status: z.enum(['sent', 'failed'], { error: 'must be "sent" (the provider has it) or "failed" (it does not)' }),
    note: z.string().max(500).optional(),
  }),
);

/** `POST /v1/messages/{id}/resolve` `{status: "sent" | "failed", note?}`: only for `unknown` messages. */
export async function resolveMessage(principal: Principal, id: string, body: unknown, deps: OperatorDeps): Promise<HttpResponse> {
  const parsed = Resolution.safeParse(body);
  if (!parsed.success) return problem(400, 'invalid_request', 'the body has problems', violationsOf(parsed.error));
  const record = MessageId.safeParse(id).success ? await deps.messages.get(id) : undefined;
  if (!record || !mayUse(principal, record.account)) return problem(404, 'not_found', `no message ${id}`);
  if (record.status !== 'unknown')
    return problem(409, 'not_unknown', `message ${id} is ${record.status}; only unknown messages are resolved by hand`);
  const at = deps.now().toISOString();
  const reason = `resolved by ${principal.keyId}${parsed.data.note ? `: ${parsed.data.note}` : ''}`;
  const error = parsed.data.status === 'failed' ? { class: 'operator', reason } : undefined;
  const outcome = await deps.messages.applyStatus(id, parsed.data.status, at, error ? { error } : {});
  if (outcome === 'advanced') await pushChange(deps, record, { status: parsed.data.status, at, ...(error ? { error } : {}) });
  return json(200, presentMessage((await deps.messages.get(id))!));
}

export async function listPauses(principal: Principal, query: Record<string, string>, deps: OperatorDeps): Promise<HttpResponse> {
  const accounts = query.account ? [query.account] : [...deps.accounts.keys()];
  const visible = accounts.filter((account) => deps.accounts.has(account) && mayUse(principal, account));
  const pauses = (await Promise.all(visible.map((account) => deps.pauses.list(account)))).flat();
  return json(200, { pauses: pauses.map(presentPause) });
}

/** A pause as the API shows it: `scope` is `*` (the whole account) or `T#<template name>`. */
export interface ApiPause {
  account: string;
  scope: string;
  reason: string;
  code?: string | number;
  since: string;
}

/** The API's spelling of a pause scope (documented in the README; the CLI reads it). */
export const presentScope = (scope: PauseScope): string => (scope.kind === 'account' ? '*' : `T#${scope.template}`);

export function presentPause(pause: Pause): ApiPause {
  const code = pause.code !== undefined ? { code: pause.code } : {};
  return { account: pause.account, scope: presentScope(pause.scope), reason: pause.reason, ...code, since: pause.since };
}

/**
 * `DELETE /v1/pauses/{account}?template=<name>`: lifts the account's pause, or one template's, and
 * puts the account's held messages back on the queue at once (`requeued`: how many; up to 1,000 in
 * one request, the rest at their recheck); those still under another pause of the account are held
 * again by the sender.
 */
export async function liftPause(
  principal: Principal,
  account: string,
  query: Record<string, string>,
  deps: OperatorDeps,
): Promise<HttpResponse> {
  if (!deps.accounts.has(account) || !mayUse(principal, account)) return problem(404, 'not_found', `no account ${account}`);
  if (query.template && !(await requestSchemas()).TemplateContent.shape.name.safeParse(query.template).success) {
    return problem(400, 'invalid_request', 'the query has 1 problem(s)', [
      { field: 'template', rule: 'must be a template name (lower-case letters, digits, "_", at most 512)' },
    ]);
  }
  const scope = query.template ? templateScope(query.template) : ACCOUNT_SCOPE;
  if (!(await deps.pauses.lift(account, scope)))
    return problem(404, 'not_found', `account ${account} has no pause${query.template ? ` on template ${query.template}` : ''}`);
  // Were this to fail, the held messages still come back at their recheck time (the sweeper).
  const grace = deps.sweepGraceMs ? { graceMs: deps.sweepGraceMs } : {};
  const sweeper = { due: deps.due, claims: deps.claims, queue: deps.queue, cipher: deps.cipher, now: deps.now, ...grace };
  const { requeued } = await requeuePaused(sweeper, account);
  return json(200, { lifted: { account, scope: presentScope(scope) }, requeued });
}

/** `DELETE /v1/suppressions/{account}/{recipient}`: the recipient may receive messages from the account again. */
export async function removeSuppression(
  principal: Principal,
  account: string,
  recipient: string,
  deps: OperatorDeps,
): Promise<HttpResponse> {
  if (!deps.accounts.has(account) || !mayUse(principal, account)) return problem(404, 'not_found', `no account ${account}`);
  const phone = (await requestSchemas()).Recipient.safeParse(recipient);
  if (!phone.success)
    return problem(400, 'invalid_request', 'the recipient is not a phone number', violationsOf(phone.error, ['recipient']));
  const removed = await deps.suppressions.remove(account, recipientRef(deps.recipientHashKey, phone.data).hash);
  return removed
    ? json(200, { removed: { account, recipient: `…${phone.data.slice(-4)}` } })
    : problem(404, 'not_found', 'that recipient is not suppressed on the account');
}

/** An account as a route, as the API shows it: whether it may fail over, and its breaker. */
export interface ApiFailoverState {
  account: string;
  provider: string;
  /** `off`: an operator turned failover off (`disabled` says when and why): its messages stay on their route. */
  failover: 'on' | 'off';
  disabled?: { since: string; reason: string };
  breaker: {
    state: 'closed' | 'open' | 'half_open';
    refusals: number;
    openedAt?: string;
    until?: string;
    coolDownMs?: number;
    /** Half-open: when the probe's lease ends. */
    probeUntil?: string;
  };
}

/** Accounts that take part in failover: those with fallbacks, and those named as one. */
function routeAccounts(accounts: OperatorDeps['accounts']): Set<string> {
  const routes = new Set<string>();
  for (const [id, account] of accounts) {
    if (!account.fallbacks?.length) continue;
    routes.add(id);
    for (const fallback of account.fallbacks) routes.add(fallback.account);
  }
  return routes;
}

export function presentFailover(account: string, provider: string, health: RouteHealth): ApiFailoverState {
  const { state, refusals, openedAt, until, coolDownMs, probe } = health.breaker ?? { state: 'closed', refusals: 0 };
  return {
    account,
    provider,
    failover: health.disabled ? 'off' : 'on',
    ...(health.disabled ? { disabled: { since: health.disabled.since, reason: health.disabled.reason } } : {}),
    breaker: {
      state,
      refusals,
      ...(openedAt !== undefined ? { openedAt } : {}),
      ...(until !== undefined && state === 'open' ? { until } : {}),
      ...(coolDownMs !== undefined ? { coolDownMs } : {}),
      ...(probe && state === 'half_open' ? { probeUntil: probe.until } : {}),
    },
  };
}

/**
 * `GET /v1/failover?account=`: the breaker and failover switch of each account the key may use
 * that takes part in failover (has fallbacks, or is one), or of the one asked for.
 */
export async function listFailover(principal: Principal, query: Record<string, string>, deps: OperatorDeps): Promise<HttpResponse> {
  const routes = routeAccounts(deps.accounts);
  const ids = query.account !== undefined ? [query.account] : [...deps.accounts.keys()].filter((id) => routes.has(id));
  const visible = ids.filter((id) => deps.accounts.has(id) && mayUse(principal, id));
  const states = await Promise.all(
    visible.map(async (id) => presentFailover(id, deps.accounts.get(id)!.provider, await deps.routeHealth.get(id))),
  );
  return json(200, { accounts: states });
}

const FailoverSwitchBody = lazySchema(() =>
  z
    .strictObject({
      failover: z.enum(['on', 'off'], { error: 'must be "on" (messages may fail over) or "off" (they stay on their route)' }),
      reason: z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters').optional(),
    })
    .refine((body) => body.failover === 'off' || body.reason === undefined, {
      path: ['reason'],
      message: 'goes only with "failover": "off"',
    }),
);

/**
 * `PUT /v1/failover/{account}` `{failover: "off", reason?}` or `{failover: "on"}`: turns the
 * account's failover off or on again, at once and without a redeploy. Off, a message on the
 * account (or one that belongs to it) never leaves its route, as if there were no fallbacks.
 */
export async function setFailover(principal: Principal, account: string, body: unknown, deps: OperatorDeps): Promise<HttpResponse> {
  if (!deps.accounts.has(account) || !mayUse(principal, account)) return problem(404, 'not_found', `no account ${account}`);
  const parsed = FailoverSwitchBody.safeParse(body);
  if (!parsed.success) return problem(400, 'invalid_request', 'the body has problems', violationsOf(parsed.error));
  const disabled =
    parsed.data.failover === 'off'
      ? { since: deps.now().toISOString(), reason: parsed.data.reason ?? `turned off with key ${principal.keyId}` }
      : undefined;
  const before = await deps.routeHealth.setSwitch(account, disabled);
  deps.log.warn(disabled ? 'failover turned off' : 'failover turned on', {
    account,
    keyId: principal.keyId,
    ...(disabled ? { reason: disabled.reason } : {}),
    wasOff: before !== undefined,
  });
  return json(200, presentFailover(account, deps.accounts.get(account)!.provider, await deps.routeHealth.get(account)));
}
