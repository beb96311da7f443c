/**
 * The HTTP routes of the pipeline, defined once: the local server, the Lambda handlers and the
 * Pulumi program all read this table. `function` names the handler that serves the route;
 * `entry` where it is served in AWS (the local server serves every route the same way):
 *
 * - `httpApi` (the default): the API Gateway HTTP API — API keys checked by the handler, a
 *   throttle per route, the API's access log; $1.00 per million requests.
 * - `functionUrl`: the serving function's own Lambda function URL (auth NONE), for provider
 *   callbacks — three or four per message, so an API request each would cost more than the rest of
 *   the message. What the API gave them, they get here: the handler authenticates every request
 *   itself (the provider's signature or secret token, on the raw bytes, before anything else),
 *   the function's reserved concurrency is the flood guard (Lambda answers 429 beyond it), and the
 *   handler writes one structured access line per request. All of a function's routes share one
 *   entry (a function URL serves every path of its function).
 */
export const ROUTES = [
  { name: 'sendMessages', method: 'POST', path: '/v1/messages', function: 'accept' },
  { name: 'listMessages', method: 'GET', path: '/v1/messages', function: 'status' },
  { name: 'getMessage', method: 'GET', path: '/v1/messages/{id}', function: 'status' },
  { name: 'cancelMessage', method: 'POST', path: '/v1/messages/{id}/cancel', function: 'status' },
  // Operator routes: unknown outcomes, pauses and opt-outs.
  { name: 'resolveMessage', method: 'POST', path: '/v1/messages/{id}/resolve', function: 'status' },
  { name: 'listPauses', method: 'GET', path: '/v1/pauses', function: 'status' },
  { name: 'liftPause', method: 'DELETE', path: '/v1/pauses/{account}', function: 'status' },
  { name: 'removeSuppression', method: 'DELETE', path: '/v1/suppressions/{account}/{recipient}', function: 'status' },
  // Failover: the accounts' breakers, and the operator's switch.
  { name: 'listFailover', method: 'GET', path: '/v1/failover', function: 'status' },
  { name: 'setFailover', method: 'PUT', path: '/v1/failover/{account}', function: 'status' },
  // Provider callbacks: authenticated by the provider's signature (or a secret token in the path), not an API key.
  { name: 'receiveWebhook', method: 'POST', path: '/v1/webhooks/{provider}/{account}', function: 'webhook', entry: 'functionUrl' },
  {
    name: 'receiveWebhookWithToken',
    method: 'POST',
    path: '/v1/webhooks/{provider}/{account}/{token}',
    function: 'webhook',
    entry: 'functionUrl',
  },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];

/** Where a route is served in AWS (see {@link ROUTES}). */
export type EntryPoint = 'httpApi' | 'functionUrl';
type UrlRoute = Extract<Route, { entry: 'functionUrl' }>;
/** The routes served by a function URL, and their functions. */
export type FunctionUrlRouteName = UrlRoute['name'];
export type FunctionUrlFunction = UrlRoute['function'];
/** The routes of the HTTP API, and the functions behind them. */
export type HttpApiRouteName = Exclude<RouteName, FunctionUrlRouteName>;
export type HttpApiFunction = Exclude<Route['function'], FunctionUrlFunction>;

/** Where `route` is served in AWS. */
export const entryOf = (route: Route): EntryPoint => ('entry' in route ? route.entry : 'httpApi');

/** The routes served by `entry` in AWS. */
export const routesServedBy = (entry: EntryPoint): Route[] => ROUTES.filter((route) => entryOf(route) === entry);

export type RouteMatch =
  | { route: Route; params: Record<string, string> }
  /** No route: `pathKnown` (another method has it: 405, else 404), or `malformed` (bad percent-encoding: 400). */
  | { route: undefined; pathKnown: boolean; malformed?: true };

/**
 * The route for `method path` and its (decoded) path parameters, or why there is none. Never
 * throws: a path whose percent-encoding is not valid UTF-8 (`%E0%A4%A`, a lone `%`) is
 * `malformed`, whatever route it would have matched.
 */
export function matchRoute(method: string, path: string): RouteMatch {
  if (!isWellEncoded(path)) return { route: undefined, pathKnown: false, malformed: true };
  let pathKnown = false;
  for (const route of ROUTES) {
    const { names, pattern } = compiled(route);
    const match = pattern.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method !== method.toUpperCase()) continue;
    return { route, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])) };
  }
  return { route: undefined, pathKnown };
}

/** Each route's path as a pattern and its parameter names, made once (every request is matched against them). */
const patterns = new Map<Route, { names: string[]; pattern: RegExp }>();
function compiled(route: Route): { names: string[]; pattern: RegExp } {
  let found = patterns.get(route);
  if (!found) {
    const names: string[] = [];
    const source = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    found = { names, pattern: new RegExp(`^${source}/?$`) };
    patterns.set(route, found);
  }
  return found;
}

/** The rule a malformed path breaks, for the 400 that answers it. */
export const MALFORMED_PATH_RULE = 'must be valid percent-encoding of UTF-8 (every "%" followed by two hex digits, forming UTF-8)';

function isWellEncoded(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
