/**
 * The HTTP API: route, authenticate, dispatch. Each Lambda function serves its own routes of the
 * one route table (src/api/routes.ts); the local server serves them all.
 */
import { acceptMessages, type AcceptDeps } from './accept.ts';
import { authenticate } from './auth.ts';
import { bodyTooLarge, malformedPath, parseJsonBody, problem, type HttpRequest, type HttpResponse } from './http.ts';
import { cancelMessage, getMessage, listMessages, type MessagesDeps } from './messages.ts';
import { liftPause, listFailover, listPauses, removeSuppression, resolveMessage, setFailover, type OperatorDeps } from './operator.ts';
import { matchRoute, type Route } from './routes.ts';
import type { ApiKeyConfig } from '../config/pipeline.ts';

export type ApiDeps = AcceptDeps &
  MessagesDeps &
  OperatorDeps & {
    apiKeys: readonly ApiKeyConfig[];
  };

export type ApiFunction = Exclude<Route['function'], 'webhook'>;

export async function handleApiRequest(request: HttpRequest, deps: ApiDeps, serving?: ApiFunction): Promise<HttpResponse> {
  const matched = matchRoute(request.method, request.path);
  if (!matched.route && matched.malformed) return malformedPath();
  if (!matched.route || matched.route.function === 'webhook' || (serving && matched.route.function !== serving)) {
    return matched.route || !matched.pathKnown
      ? problem(404, 'not_found', `no route ${request.method} ${request.path}`)
      : problem(405, 'method_not_allowed', `${request.method} is not allowed on ${request.path}`);
  }
  const principal = authenticate(request.headers.authorization, deps.apiKeys);
  if (!principal) {
    const unauthorized = problem(401, 'unauthorized', 'send a valid API key as Authorization: Bearer <key>');
    return { ...unauthorized, headers: { ...unauthorized.headers, 'www-authenticate': 'Bearer' } };
  }
  const tooLarge = bodyTooLarge(request);
  if (tooLarge) return tooLarge;
  switch (matched.route.name) {
    case 'sendMessages': {
      const body = parseJsonBody(request);
      if (!body.ok) return body.response;
      return acceptMessages(
        {
          principal,
          body: body.value,
          ...(request.headers['idempotency-key'] !== undefined ? { idempotencyKey: request.headers['idempotency-key'] } : {}),
        },
        deps,
      );
    }
    case 'getMessage':
      return getMessage(principal, matched.params.id!, deps);
    case 'listMessages':
      return listMessages(principal, request.query, deps);
    case 'cancelMessage':
      return cancelMessage(principal, matched.params.id!, deps);
    case 'resolveMessage': {
      const body = parseJsonBody(request);
      if (!body.ok) return body.response;
      return resolveMessage(principal, matched.params.id!, body.value, deps);
    }
    case 'listPauses':
      return listPauses(principal, request.query, deps);
    case 'liftPause':
      return liftPause(principal, matched.params.account!, request.query, deps);
    case 'removeSuppression':
      return removeSuppression(principal, matched.params.account!, matched.params.recipient!, deps);
    case 'listFailover':
      return listFailover(principal, request.query, deps);
    case 'setFailover': {
      const body = parseJsonBody(request);
      if (!body.ok) return body.response;
      return setFailover(principal, matched.params.account!, body.value, deps);
    }
    default:
      return problem(404, 'not_found', `no route ${request.method} ${request.path}`);
  }
}
