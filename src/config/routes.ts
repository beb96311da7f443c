/**
 * A message's routes: its origin account, then the origin's `fallbacks` in order (a fallback's own
 * fallbacks are not followed). Validated once, at configuration load ({@link routeIssues}); the
 * sender asks which route may carry a message next ({@link nextRoute}) and what it sends there
 * ({@link contentOnRoute}). Route 0 is the origin; route k is the origin's k-th fallback.
 */
import type { MessageContent } from '../messages/send-request.ts';
import { durationMs, findTemplate, type AccountBase, type FallbackTemplateConfig, type TemplateConfig } from './account-fields.ts';

/** The failover delay of an account that sets none. */
export const DEFAULT_FAILOVER_AFTER_MS = 5 * 60_000;

/** One problem with the accounts' routes, where it is (a path into the configuration) and the rule. */
export interface RouteIssue {
  path: Array<string | number>;
  message: string;
}

const label = (template: { name: string; language: string }) => `${template.name} (${template.language})`;

/** How many body parameters a configured template has, and their names when they are named. */
function parametersOf(template: TemplateConfig): { count: number; names?: readonly string[] } {
  return template.namedParameters
    ? { count: template.namedParameters.length, names: template.namedParameters }
    : { count: template.bodyParameters };
}

/** Why `mapping` cannot carry `origin`'s template through `fallback`, or undefined if it can. */
function mappingIssue(origin: AccountBase, fallback: AccountBase, mapping: FallbackTemplateConfig): RouteIssue | undefined {
  const from = findTemplate(origin, mapping.name, mapping.language);
  if (!from)
    return {
      path: ['name'],
      message: `account ${origin.id} has no template ${label(mapping)} in its templates: a mapped template must be one`,
    };
  const to = findTemplate(fallback, mapping.to.name, mapping.to.language);
  if (!to)
    return {
      path: ['to'],
      message: `account ${fallback.id} has no template ${label(mapping.to)} in its templates: a fallback's template must be approved there`,
    };
  if ((from.header ?? 'none') !== (to.header ?? 'none'))
    return {
      path: ['to'],
      message: `the header must be the same kind: ${label(mapping)} has ${from.header ?? 'none'}, ${label(to)} ${to.header ?? 'none'}`,
    };
  const source = parametersOf(from);
  const target = parametersOf(to);
  if (!mapping.parameters) {
    if (source.count !== target.count)
      return {
        path: ['parameters'],
        message: `must map the parameters: ${label(mapping)} has ${source.count} body parameter(s), ${label(to)} ${target.count}`,
      };
    if (source.names && target.names && source.names.join() !== target.names.join())
      return {
        path: ['parameters'],
        message: `must map the parameters: the named parameters of ${label(mapping)} and ${label(to)} differ`,
      };
    if (Boolean(source.names) !== Boolean(target.names) && source.count > 0)
      return { path: ['parameters'], message: 'must map the parameters: one template has named parameters, the other positional ones' };
    return undefined;
  }
  if (mapping.parameters.length !== target.count)
    return {
      path: ['parameters'],
      message: `must name one origin value per body parameter of ${label(to)}: ${target.count}, not ${mapping.parameters.length}`,
    };
  for (const [i, parameter] of mapping.parameters.entries()) {
    if (typeof parameter === 'number') {
      if (source.names || parameter >= source.count)
        return {
          path: ['parameters', i],
          message: source.names
            ? `${label(mapping)} has named parameters: name one of ${source.names.join(', ')}`
            : `must be below ${source.count}, the body parameters of ${label(mapping)}`,
        };
    } else if (!source.names?.includes(parameter)) {
      return { path: ['parameters', i], message: `${label(mapping)} has no named parameter ${parameter}` };
    }
  }
  return undefined;
}

/** A cycle among the accounts' fallbacks, as the ids along it (first = last), if there is one. */
function findCycle(accounts: readonly AccountBase[]): string[] | undefined {
  const edges = new Map(accounts.map((account) => [account.id, (account.fallbacks ?? []).map((f) => f.account)]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      if (next === id) continue; // reported on its own
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const { id } of accounts) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Every problem with the accounts' routes, each with its path under `accounts`: a fallback that is
 * not configured, is the account itself or is named twice; a template mapping the fallback cannot
 * carry (a template missing on either side, a different header, a parameter count or mapping that
 * does not fit); a cycle (A → B → A, or longer); and a route that retries open outcomes
 * (`retryAmbiguous`) followed by another: a retried open outcome may have been sent, and the next
 * route would send it again.
 */
export function routeIssues(accounts: readonly AccountBase[]): RouteIssue[] {
  const issues: RouteIssue[] = [];
  const byId = new Map(accounts.map((account) => [account.id, account]));
  accounts.forEach((account, i) => {
    const fallbacks = account.fallbacks ?? [];
    if (fallbacks.length > 0 && account.retryAmbiguous)
      issues.push({
        path: [i, 'retryAmbiguous'],
        message:
          'must not be true on an account with fallbacks: a retried open outcome may have been sent, and a fallback would send it again',
      });
    const seen = new Set<string>();
    fallbacks.forEach((fallback, j) => {
      const at = [i, 'fallbacks', j];
      if (fallback.account === account.id) {
        issues.push({ path: [...at, 'account'], message: `must not be the account itself (${account.id})` });
        return;
      }
      if (seen.has(fallback.account)) issues.push({ path: [...at, 'account'], message: `names account ${fallback.account} twice` });
      seen.add(fallback.account);
      const target = byId.get(fallback.account);
      if (!target) {
        issues.push({ path: [...at, 'account'], message: `no account ${fallback.account} is configured` });
        return;
      }
      if (target.retryAmbiguous && j < fallbacks.length - 1)
        issues.push({
          path: [...at, 'account'],
          message: `account ${target.id} retries open outcomes (retryAmbiguous): it can only be the last fallback`,
        });
      const mapped = new Set<string>();
      fallback.templates.forEach((mapping, k) => {
        const key = `${mapping.name}\u0000${mapping.language}`;
        if (mapped.has(key)) issues.push({ path: [...at, 'templates', k, 'name'], message: `maps ${label(mapping)} twice` });
        mapped.add(key);
        const issue = mappingIssue(account, target, mapping);
        if (issue) issues.push({ path: [...at, 'templates', k, ...issue.path], message: issue.message });
      });
    });
  });
  const cycle = findCycle(accounts);
  if (cycle) {
    const i = accounts.findIndex((account) => account.id === cycle[0]);
    issues.push({ path: [i, 'fallbacks'], message: `the fallbacks form a cycle: ${cycle.join(' → ')}` });
  }
  return issues;
}

/** A route of a message other than its origin: the fallback account and the template mapping that carries the message there. */
export interface FallbackRoute {
  /** 1 for the origin's first fallback, and so on. */
  index: number;
  account: string;
  mapping: FallbackTemplateConfig;
}

/** The mapping of `origin`'s fallback `index` (≥ 1) for the message's template, if that fallback can carry it. */
export function routeAt(origin: AccountBase, index: number, content: MessageContent): FallbackRoute | undefined {
  const fallback = origin.fallbacks?.[index - 1];
  // Only template messages fail over: a session message needs the recipient's open window with that sender.
  if (!fallback || content.kind !== 'template') return undefined;
  const mapping = fallback.templates.find((m) => m.name === content.name && m.language === content.language);
  return mapping ? { index, account: fallback.account, mapping } : undefined;
}

/** The first route after `from` that can carry the message (a fallback without a mapping for its template is skipped). */
export function nextRoute(origin: AccountBase, from: number, content: MessageContent): FallbackRoute | undefined {
  for (let index = from + 1; index <= (origin.fallbacks?.length ?? 0); index++) {
    const route = routeAt(origin, index, content);
    if (route) return route;
  }
  return undefined;
}

/** The content as the fallback sends it: its template, and each body parameter from where the mapping says. */
export function contentOnRoute(content: MessageContent, route: FallbackRoute, target: AccountBase): MessageContent {
  if (content.kind !== 'template') return content;
  const { to, parameters } = route.mapping;
  const registered = findTemplate(target, to.name, to.language);
  const { body, ...rest } = content;
  const mapped = { ...rest, name: to.name, language: to.language };
  if (body === undefined) return mapped;
  if (!parameters) return { ...mapped, body };
  const values = parameters.map((source) =>
    typeof source === 'number' ? (Array.isArray(body) ? body[source] : undefined) : Array.isArray(body) ? undefined : body[source],
  );
  const names = registered?.namedParameters;
  const mappedBody = names ? Object.fromEntries(names.map((name, i) => [name, values[i] ?? ''])) : values.map((value) => value ?? '');
  return { ...mapped, body: mappedBody };
}

/** How long a message of `origin` may wait on a blocked route before it fails over: the request's, else the account's, else 5 min. */
export function failoverAfterMs(origin: AccountBase, requested?: string): number {
  const duration = requested ?? origin.failoverAfter;
  return duration ? durationMs(duration) : DEFAULT_FAILOVER_AFTER_MS;
}
