/** A Lambda handler (HTTP API / Function URL, payload v2) over the API, with its runtime built on first use. */
import { handleApiRequest, type ApiDeps, type ApiFunction } from '../api/app.ts';
import { fromLambdaEvent, problem, toLambdaResult } from '../api/http.ts';
import { errorLogFields } from '../errors.ts';
import { lazyLoader } from '../runtime/loader.ts';
import { functionLog } from '../runtime/log.ts';
import { requestIdOf, type HandlerOptions, type LambdaHttpHandler } from './lambda-http.ts';

// In a module of their own, for the handlers that do not serve the API (the webhook): not the API with them.
export { requestIdOf, type HandlerOptions, type LambdaHttpHandler } from './lambda-http.ts';

export function apiHandler(serving: ApiFunction, load: () => ApiDeps | Promise<ApiDeps>, options: HandlerOptions = {}): LambdaHttpHandler {
  // A failed cold start (configuration not readable yet) answers 503 and is tried again next time.
  const deps = lazyLoader(load, options);
  const log = options.log ?? functionLog(serving);
  return async (event) => {
    try {
      return toLambdaResult(await handleApiRequest(fromLambdaEvent(event), await deps(), serving));
    } catch (error) {
      // The cause goes to the log (never a phone number: records hold none); the caller gets a retryable 503.
      const requestId = requestIdOf(event);
      log.error('request failed', { ...(requestId ? { correlation_id: requestId } : {}), ...errorLogFields(error) });
      return toLambdaResult(problem(503, 'unavailable', 'the request could not be completed; retry it with the same Idempotency-Key'));
    }
  };
}
