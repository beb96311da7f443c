/** How messages, pauses and failover states read in a terminal. */
import type { ApiMessage, FailoverState, Pause } from './api-client.ts';
import { table } from './io.ts';

export function describeLastError(error: ApiMessage['lastError']): string {
  if (!error) return 'none';
  const details = [
    error.class,
    error.status !== undefined ? `HTTP ${error.status}` : undefined,
    error.code !== undefined ? `code ${error.code}` : undefined,
  ].filter(Boolean);
  return `${error.reason}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

export function messageLines(message: ApiMessage): string[] {
  const fields: Array<[string, string]> = [
    ['status', message.status],
    ['recipient', message.recipient],
    ['provider', `${message.provider} (account ${message.account})`],
    message.template ? ['template', message.template] : ['kind', message.kind],
    ['created', message.createdAt],
  ];
  if (message.scheduleAt) fields.push(['scheduled', message.scheduleAt]);
  if (message.providerMessageId) fields.push(['provider id', message.providerMessageId]);
  fields.push(['attempts', String(message.attempts)]);
  fields.push(['last error', describeLastError(message.lastError)]);
  if (message.metadata && Object.keys(message.metadata).length > 0) {
    fields.push([
      'metadata',
      Object.entries(message.metadata)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ]);
  }
  if (message.route)
    fields.push(['sent via', `${message.route.provider} (account ${message.route.account}, route ${message.route.index})`]);
  const history = table(message.history.map((entry) => [`  ${entry.status}`, entry.at]));
  return [
    message.id,
    ...table(fields.map(([name, value]) => [`  ${name}`, value])),
    '  history',
    ...history.map((line) => `  ${line}`),
    ...routeLines(message),
  ];
}

/**
 * A message that failed over: each route that refused it (when, why) and the route that owns its
 * send, one line each, in route order.
 */
function routeLines(message: ApiMessage): string[] {
  if (!message.route && !message.routes?.length) return [];
  const rows = (message.routes ?? []).map((r) => [
    `  ${r.index}`,
    `${r.provider} (account ${r.account})`,
    `${r.since} – ${r.until}`,
    r.trigger ? `${r.outcome} (${r.trigger})` : r.outcome,
    describeLastError(r.error),
  ]);
  const owner = message.route;
  if (owner) rows.push([`  ${owner.index}`, `${owner.provider} (account ${owner.account})`, `since ${owner.since}`, 'owns the send', '']);
  return ['  routes', ...table(rows).map((line) => `  ${line}`.trimEnd())];
}

export function scopeOf(pause: Pause): string {
  if (pause.scope === '*') return 'whole account';
  if (pause.scope.startsWith('T#')) return `template ${pause.scope.slice(2)}`;
  return pause.scope;
}

export function pauseLines(pauses: readonly Pause[]): string[] {
  if (pauses.length === 0) return ['no pauses'];
  return table([
    ['ACCOUNT', 'SCOPE', 'SINCE', 'CODE', 'REASON'],
    ...pauses.map((pause) => [
      pause.account,
      scopeOf(pause),
      pause.since,
      pause.code === undefined ? '-' : String(pause.code),
      pause.reason,
    ]),
  ]);
}

/** An account's breaker in a few words: `closed (2 refusals)`, `open until T`, `half-open (probe until T)`. */
export function describeBreaker(breaker: FailoverState['breaker']): string {
  switch (breaker.state) {
    case 'open':
      return `open until ${breaker.until ?? '?'}${breaker.coolDownMs !== undefined ? ` (cool-down ${breaker.coolDownMs / 1000} s)` : ''}`;
    case 'half_open':
      return `half-open (probe until ${breaker.probeUntil ?? '?'})`;
    default:
      return breaker.refusals > 0 ? `closed (${breaker.refusals} refusal${breaker.refusals === 1 ? '' : 's'} in a row)` : 'closed';
  }
}

/** The route accounts' failover states, one line each. */
export function failoverLines(states: readonly FailoverState[]): string[] {
  if (states.length === 0) return ['no accounts take part in failover'];
  return table([
    ['ACCOUNT', 'PROVIDER', 'FAILOVER', 'BREAKER', 'WHY OFF'],
    ...states.map((state) => [
      state.account,
      state.provider,
      state.disabled ? `off since ${state.disabled.since}` : state.failover,
      describeBreaker(state.breaker),
      state.disabled?.reason ?? '-',
    ]),
  ]);
}

/** The failover section of `wapk status ID` for a message that failed over: its routes' accounts now. */
export function routeFailoverLines(states: readonly FailoverState[]): string[] {
  if (states.length === 0) return [];
  const rows = states.map((state) => [`  ${state.account}`, `failover ${state.failover}`, `breaker ${describeBreaker(state.breaker)}`]);
  return ['  failover now', ...table(rows).map((line) => `  ${line}`.trimEnd())];
}
