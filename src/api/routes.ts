/**
 * The HTTP routes of the pipeline, defined once: the local server, the Lambda handlers and the
 * Pulumi program all read this table. `function` names the handler that serves the route.
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
  // Provider callbacks: authenticated by the provider's signature (or a secret token in the path), not an API key.
  { name: 'receiveWebhook', method: 'POST', path: '/v1/webhooks/{provider}/{account}', function: 'webhook' },
  { name: 'receiveWebhookWithToken', method: 'POST', path: '/v1/webhooks/{provider}/{account}/{token}', function: 'webhook' },
] as const;

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];

/** The route for `method path` and its path parameters, or why there is none (404 vs 405). */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | { route: undefined; pathKnown: boolean } {
  let pathKnown = false;
  for (const route of ROUTES) {
    const names: string[] = [];
    const pattern = new RegExp(`^${route.path.replace(/\{([^}]+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}/?$`);
    const match = pattern.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method !== method.toUpperCase()) continue;
    return { route, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])) };
  }
  return { route: undefined, pathKnown };
}
