/** A Lambda handler (HTTP API / Function URL, payload v2) over the API, with its runtime built on first use. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleApiRequest, type ApiDeps, type ApiFunction } from '../api/app.ts';
import { fromLambdaEvent, problem, toLambdaResult } from '../api/http.ts';
import { loadOnce } from './runtime.ts';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export function apiHandler(serving: ApiFunction, load: () => ApiDeps | Promise<ApiDeps>): LambdaHttpHandler {
  // A failed cold start (configuration not readable yet) answers 503 and is tried again next time.
  const deps = loadOnce(load);
  return async (event) => {
    try {
      return toLambdaResult(await handleApiRequest(fromLambdaEvent(event), await deps(), serving));
    } catch (error) {
      // The cause goes to the log (never a phone number: records hold none); the caller gets a retryable 503.
      console.error(JSON.stringify({ level: 'error', message: 'request failed', function: serving, error: (error as Error).message }));
      return toLambdaResult(problem(503, 'unavailable', 'the request could not be completed; retry it with the same Idempotency-Key'));
    }
  };
}
