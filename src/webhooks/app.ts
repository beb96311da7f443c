/**
 * Receiving a provider's status callback, in this order: check authenticity on the raw bytes,
 * then the body's size and JSON, parse with the spec's schema, normalise into StatusEvents, apply
 * them, answer 2xx. A failed check answers 401 before anything else is looked at; a bad body 4xx
 * naming the field and the rule (413 too large, 415 not JSON by its content type, 400 otherwise).
 * None of them changes anything, and none says more than which rule failed (no body, no secret,
 * no number).
 *
 * A callback naming another account's message (a misrouted callback, or a tenant naming another's
 * message) answers 200 — the provider stops retrying it — changes nothing, and is counted: the
 * log field `cross_account_callback`, also a CloudWatch metric (embedded metric format).
 *
 * An authenticated callback that departs from its provider's spec — refused for its body, or
 * taken with a status word or a field the spec does not know — is counted and logged as callback
 * drift (drift.ts): one WARN line `callback drift` with the kind, path and rule of each departure,
 * and the metric `callback_drift`. What the provider is answered and what is applied stay as they
 * were; a callback that fails authentication is never counted.
 */
import type { AccountConfig } from '../config/accounts.ts';
import { json, malformedPath, problem, type HttpRequest, type HttpResponse } from '../api/http.ts';
import { matchRoute } from '../api/routes.ts';
import type { Violation } from '../messages/fields.ts';
import { sendsCallbacks } from '../providers/index.ts';
import { isProviderName, type ProviderName } from '../providers/names.ts';
import { loadWebhookSide } from '../providers/webhook-sides.ts';
import type { Log } from '../runtime/log.ts';
import { CALLBACK_DRIFT_METRIC, CROSS_ACCOUNT_CALLBACK_METRIC, embeddedMetric, METRIC_NAMESPACE } from '../runtime/metrics.ts';
import { applyEvents, type ApplyDeps } from '../status/apply.ts';
import { schemaViolation, type Drift } from './drift.ts';
import { readCallbackWith } from './read.ts';
import { verifyWebhook } from './verify.ts';

export interface WebhookDeps extends ApplyDeps {
  accounts: ReadonlyMap<string, AccountConfig>;
  webhookSecrets: Readonly<Record<string, readonly string[]>>;
  /** Where the webhook's lines go (src/runtime/log.ts). */
  log: Log;
  /**
   * The deployed function's name (Lambda's `AWS_LAMBDA_FUNCTION_NAME`): a dimension of the
   * `callback_drift` metric, so that each stack's alarm counts its own callbacks. Absent locally.
   */
  functionName?: string;
}

/** The largest callback body taken: providers' callbacks are a few KB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
/** The most status events one callback may carry (only Gupshup v3 batches; each costs a few table operations). */
export const MAX_WEBHOOK_EVENTS = 1000;
/** Namespace of the webhook's CloudWatch metrics (src/runtime/metrics.ts). */
export { METRIC_NAMESPACE };

export async function handleWebhookRequest(request: HttpRequest, deps: WebhookDeps): Promise<HttpResponse> {
  const matched = matchRoute(request.method, request.path);
  if (!matched.route && matched.malformed) return malformedPath();
  // biome-ignore lint/complexity/useOptionalChain: the explicit `!matched.route` narrows the union, so `matched.params` exists below.
  if (!matched.route || matched.route.function !== 'webhook') return problem(404, 'not_found', 'no such webhook route');
  const { provider, account: accountId, token } = matched.params;
  const account = accountId ? deps.accounts.get(accountId) : undefined;
  // An unknown provider or account, or one of another provider, answers like a failed check.
  if (!provider || !isProviderName(provider) || !account || account.provider !== provider) {
    return problem(401, 'unauthorized', 'the callback could not be authenticated');
  }
  const verdict = verifyWebhook(
    { provider, account: account.id, ...(token ? { pathToken: token } : {}), headers: request.headers, rawBody: request.rawBody },
    deps.webhookSecrets[account.id] ?? [],
    deps.now(),
  );
  if (!verdict.ok) {
    deps.log.warn('webhook rejected', { provider, account: account.id, reason: verdict.reason });
    return problem(401, 'unauthorized', 'the callback could not be authenticated');
  }

  const { response, drift } = await takeCallback(request, provider, account.id, deps);
  if (drift.length > 0) reportDrift(deps, provider, account.id, drift);
  return response;
}

/** What an authenticated callback is answered, and how it departs from its provider's spec (drift.ts). */
async function takeCallback(
  request: HttpRequest,
  provider: ProviderName,
  accountId: string,
  deps: WebhookDeps,
): Promise<{ response: HttpResponse; drift: Drift[] }> {
  // Every refusal of the body is drift too: the provider sent what its spec (or our bound on it) does not allow.
  const refused = (status: number, code: string, message: string, issues: Violation[]) => ({
    response: problem(status, code, message, issues),
    drift: issues.map(schemaViolation),
  });
  if (request.rawBody.length > MAX_WEBHOOK_BODY_BYTES) {
    return refused(413, 'payload_too_large', `body: must be at most ${MAX_WEBHOOK_BODY_BYTES} bytes`, [
      { field: '(body)', rule: `at most ${MAX_WEBHOOK_BODY_BYTES} bytes` },
    ]);
  }
  const body = parseCallbackJson(request);
  if (!body.ok) return refused(body.status, body.code, body.message, [body.issue]);
  // The provider's normaliser and schemas load with its first callback (src/providers/webhook-sides.ts).
  const side = sendsCallbacks(provider) ? await loadWebhookSide(provider) : undefined;
  const read = readCallbackWith(side, provider, accountId, body.value, deps.now());
  if ('error' in read) {
    const response = problem(400, 'malformed_callback', 'the body does not match the provider’s callback schema', read.error.issues);
    return { response, drift: read.drift };
  }
  const { normalised } = read;
  if (normalised.events.length > MAX_WEBHOOK_EVENTS) {
    const rule = `at most ${MAX_WEBHOOK_EVENTS} status events in one callback`;
    const tooMany = refused(400, 'malformed_callback', `body: ${rule}`, [{ field: '(body)', rule }]);
    return { response: tooMany.response, drift: [...tooMany.drift, ...read.drift] };
  }
  const fates = await applyEvents(normalised.events, deps);
  const crossAccount = fates.filter((fate) => fate === 'cross_account').length;
  if (crossAccount > 0) {
    // Ids and numbers stay out: which account's message it named is not ours to log here.
    deps.log.warn('callback names a message of another account: not applied', {
      provider,
      account: accountId,
      ...(deps.functionName ? { function_name: deps.functionName } : {}),
      [CROSS_ACCOUNT_CALLBACK_METRIC]: crossAccount,
      ...embeddedMetric(CROSS_ACCOUNT_CALLBACK_METRIC, metricDimensions(deps), deps.now()),
    });
  }
  const events = normalised.events.length;
  // What each event did, for debugging (the access line, INFO, says the request was taken).
  deps.log.debug('webhook applied', {
    provider,
    account: accountId,
    events,
    fates,
    ignored: normalised.ignored,
    cross_account_callback: crossAccount,
  });
  return { response: json(200, { received: normalised.events.length, ignored: normalised.ignored.length }), drift: read.drift };
}

/** The webhook's metrics are by provider, and by the function's name where it has one (deployed): each stack alarms on its own. */
function metricDimensions(deps: WebhookDeps): string[][] {
  return [deps.functionName ? ['function_name', 'provider'] : ['provider']];
}

/** The most drift items one `callback drift` line lists (the rest are counted in `drift_more`). */
export const MAX_DRIFT_LOGGED = 20;

/**
 * One WARN line per drifting callback, counted as the metric `callback_drift` (embedded metric
 * format): by provider, and by the function's name where it has one (deployed), so each stack's
 * alarm counts its own callbacks. The kind, path and rule of each departure; never a value.
 */
function reportDrift(deps: WebhookDeps, provider: ProviderName, account: string, drift: Drift[]): void {
  const shown = drift.slice(0, MAX_DRIFT_LOGGED);
  deps.log.warn('callback drift', {
    provider,
    account,
    ...(deps.functionName ? { function_name: deps.functionName } : {}),
    [CALLBACK_DRIFT_METRIC]: 1,
    kinds: [...new Set(drift.map((item) => item.kind))],
    drift: shown,
    ...(drift.length > shown.length ? { drift_more: drift.length - shown.length } : {}),
    ...embeddedMetric(CALLBACK_DRIFT_METRIC, metricDimensions(deps), deps.now()),
  });
}

/**
 * The body as JSON. No content type is required (providers do not document theirs; a JSON body is
 * taken whatever it says), but a body that is not JSON is named by what is wrong: its declared
 * type (415) or its text (400). Escaped lone surrogates (`"\ud800"`) become U+FFFD, so every
 * string is well-formed Unicode before it reaches the store.
 */
function parseCallbackJson(
  request: HttpRequest,
): { ok: true; value: unknown } | { ok: false; status: 400 | 415; code: string; message: string; issue: Violation } {
  const text = request.rawBody.toString('utf8');
  try {
    const value: unknown = LONE_SURROGATE_ESCAPE.test(text)
      ? JSON.parse(text, (_key, member: unknown) => (typeof member === 'string' ? wellFormed(member) : member))
      : JSON.parse(text);
    return { ok: true, value };
  } catch {
    const type = request.headers['content-type'];
    if (type !== undefined && !/^\s*application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
      const rule = 'must be application/json (the body is not JSON)';
      return {
        ok: false,
        status: 415,
        code: 'unsupported_media_type',
        message: `content-type: ${rule}`,
        issue: { field: 'content-type', rule },
      };
    }
    const rule = request.rawBody.length === 0 ? 'must be a JSON object (the body is empty)' : 'must be valid JSON';
    return { ok: false, status: 400, code: 'invalid_json', message: `body: ${rule}`, issue: { field: '(body)', rule } };
  }
}

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
