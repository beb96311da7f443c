/**
 * Receiving a provider's status callback, in this order: check authenticity on the raw bytes,
 * parse with the spec's schema, normalise into StatusEvents, apply them, answer 2xx. A failed
 * check answers 401 and a malformed body 400; neither changes anything, and neither says more
 * than which rule failed (no body, no secret, no number).
 */
import type { AccountConfig } from '../config/accounts.ts';
import { json, malformedPath, problem, type HttpRequest, type HttpResponse } from '../api/http.ts';
import { matchRoute } from '../api/routes.ts';
import { isProviderName } from '../providers/names.ts';
import { applyEvents, type ApplyDeps } from '../status/apply.ts';
import { MalformedWebhookError, normaliseWebhook } from './normalise.ts';
import { verifyWebhook } from './verify.ts';

export interface WebhookDeps extends ApplyDeps {
  accounts: ReadonlyMap<string, AccountConfig>;
  webhookSecrets: Readonly<Record<string, readonly string[]>>;
  log(entry: Record<string, unknown>): void;
}

export async function handleWebhookRequest(request: HttpRequest, deps: WebhookDeps): Promise<HttpResponse> {
  const matched = matchRoute(request.method, request.path);
  if (!matched.route && matched.malformed) return malformedPath();
  if (!matched.route || matched.route.function !== 'webhook') return problem(404, 'not_found', 'no such webhook route');
  const { provider, account: accountId, token } = matched.params;
  const account = accountId ? deps.accounts.get(accountId) : undefined;
  // An unknown provider or account, or one of another provider, answers like a failed check.
  if (!provider || !isProviderName(provider) || !account || account.provider !== provider) {
    return problem(401, 'unauthorized', 'the callback could not be authenticated');
  }
  const verdict = verifyWebhook({ provider, account: account.id, ...(token ? { pathToken: token } : {}), headers: request.headers, rawBody: request.rawBody }, deps.webhookSecrets[account.id] ?? [], deps.now());
  if (!verdict.ok) {
    deps.log({ level: 'warn', message: 'webhook rejected', provider, account: account.id, reason: verdict.reason });
    return problem(401, 'unauthorized', 'the callback could not be authenticated');
  }

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return problem(400, 'invalid_json', 'the body is not JSON');
  }
  let normalised;
  try {
    normalised = normaliseWebhook(provider, account.id, body, deps.now());
  } catch (error) {
    if (error instanceof MalformedWebhookError) return problem(400, 'malformed_callback', 'the body does not match the provider’s callback schema', error.issues);
    throw error;
  }
  const fates = await applyEvents(normalised.events, deps);
  deps.log({ level: 'info', message: 'webhook applied', provider, account: account.id, events: normalised.events.length, fates, ignored: normalised.ignored });
  return json(200, { received: normalised.events.length, ignored: normalised.ignored.length });
}
