/** A Lambda handler (HTTP API / Function URL, payload v2) over the API, with its runtime built on first use. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleApiRequest, type ApiDeps, type ApiFunction } from '../api/app.ts';
import { fromLambdaEvent, problem, toLambdaResult } from '../api/http.ts';
import { errorLogFields } from '../errors.ts';
import { lazyLoader, type LoaderOptions } from '../runtime/loader.ts';
import { functionLog, type Log } from '../runtime/log.ts';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** What every handler factory takes besides its load: when to load again, and where it logs. */
export interface HandlerOptions extends LoaderOptions {
  /** The handler's own lines (a failed request, a failed record); the function's Powertools log by default. */
  log?: Log;
}

/** The id API Gateway gives a request (and returns to the caller as `apigw-requestid`): the correlation id of its log lines. */
export function requestIdOf(event: APIGatewayProxyEventV2): string | undefined {
  return (event.requestContext as { requestId?: string } | undefined)?.requestId;
}

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
