/** What every HTTP handler shares, without the API: its type, its options, the request's correlation id. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LoaderOptions } from '../runtime/loader.ts';
import type { Log } from '../runtime/log.ts';

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
