/**
 * The HTTP entry point for callers: an API Gateway HTTP API whose routes are the route table's
 * `httpApi` routes (src/api/routes.ts), each integrated with the function that serves it (payload
 * v2). Provider callbacks are not among them: they come in by the webhook function's URL
 * (function-url.ts). API keys are checked in code (the accept and status functions), so the routes
 * themselves have no authorizer. Each route has its own throttle, and every request is logged
 * (JSON, to a log group with retention) without its path: paths carry phone numbers
 * (`/v1/suppressions/{account}/{recipient}`).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { routesServedBy, type HttpApiFunction, type HttpApiRouteName } from '../../src/api/routes.ts';
import type { NodeFunction } from './node-function.ts';
import { transform, type Transform } from './transform.ts';

/** Steady requests per second, and the burst above it API Gateway lets through. */
export interface Throttle {
  /** Requests per second, steady. */
  rate: number;
  /** Requests let through at once above the steady rate. */
  burst: number;
}

/**
 * Default throttles, sized for a busy account: 40 messages/s. Sends get 2.5× that (a batch
 * request carries up to 100 messages, so more); reads and cancels are what a caller polling or a
 * CLI needs; operator routes are for people. All within the account's regional 10,000 requests/s.
 * (Provider callbacks come by the webhook function's URL: its reserved concurrency bounds them.)
 */
export const DEFAULT_ROUTE_THROTTLES: Readonly<Record<HttpApiRouteName, Throttle>> = {
  sendMessages: { rate: 100, burst: 200 },
  listMessages: { rate: 20, burst: 40 },
  getMessage: { rate: 50, burst: 100 },
  cancelMessage: { rate: 20, burst: 40 },
  resolveMessage: { rate: 5, burst: 10 },
  listPauses: { rate: 5, burst: 10 },
  liftPause: { rate: 5, burst: 10 },
  listFailover: { rate: 5, burst: 10 },
  setFailover: { rate: 5, burst: 10 },
  removeSuppression: { rate: 5, burst: 10 },
};

/** API Gateway's limit for an HTTP API integration: functions behind it must time out sooner. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

/**
 * One JSON line per request. No `$context.path`, no query string, no body: the route key names
 * the route with its placeholders (`DELETE /v1/suppressions/{account}/{recipient}`) instead.
 */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  integrationStatus: '$context.integrationStatus',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
} as const;

export interface HttpApiArgs {
  /**
   * The function that serves each `httpApi` route's `function` (src/api/routes.ts): `accept` and
   * `status`. Each must time out before the API's 30 s (checked when the API is constructed, on
   * the functions' timeouts after any transform).
   * @example
   * ```ts
   * { functions: { accept: pipeline.functions.accept, status: pipeline.functions.status } }
   * ```
   */
  functions: Record<HttpApiFunction, NodeFunction>;
  /**
   * Throttles per route name, each over its {@link DEFAULT_ROUTE_THROTTLES} entry (the account's
   * regional limit is 10,000 requests/s, burst 5,000). A route added without one gets the lowest.
   * @default {@link DEFAULT_ROUTE_THROTTLES}: sends 100/s (burst 200), reads 50/s (burst 100)…
   * @example
   * ```ts
   * { throttles: { sendMessages: { rate: 300, burst: 600 } } }
   * ```
   */
  throttles?: pulumi.Input<Partial<Record<HttpApiRouteName, Throttle>>>;
  /**
   * Days the access log keeps its lines (a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90…).
   * @default `30`
   * @example
   * ```ts
   * { logRetentionDays: 90 }
   * ```
   */
  logRetentionDays?: pulumi.Input<number>;
  /**
   * Changes to the underlying resources' arguments, applied just before each is created
   * (transform.ts: a partial merged over the arguments, or a callback that changes them). The
   * callback's `name` tells one route, integration or permission from another.
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     api: { corsConfiguration: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'] } },
   *     stage: (args) => {
   *       args.defaultRouteSettings = { throttlingRateLimit: 1, throttlingBurstLimit: 2, detailedMetricsEnabled: true };
   *     },
   *   },
   * }
   * ```
   */
  transform?: {
    /** The HTTP API (`aws.apigatewayv2.Api`). */
    api?: Transform<aws.apigatewayv2.ApiArgs>;
    /** Each function's Lambda proxy integration (`aws.apigatewayv2.Integration`), named `<api>-<function>`. */
    integration?: Transform<aws.apigatewayv2.IntegrationArgs>;
    /** Each function's permission for API Gateway to invoke it (`aws.lambda.Permission`), `<api>-<function>-invoke`. */
    permission?: Transform<aws.lambda.PermissionArgs>;
    /** Each route (`aws.apigatewayv2.Route`), named `<api>-<route name>`. */
    route?: Transform<aws.apigatewayv2.RouteArgs>;
    /** The access log's group (`aws.cloudwatch.LogGroup`). */
    accessLog?: Transform<aws.cloudwatch.LogGroupArgs>;
    /** The `$default` stage (`aws.apigatewayv2.Stage`): throttles per route, the access log. */
    stage?: Transform<aws.apigatewayv2.StageArgs>;
  };
}

export class HttpApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly stage: aws.apigatewayv2.Stage;
  readonly accessLog: aws.cloudwatch.LogGroup;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:HttpApi', name, {}, opts);
    const change = args.transform ?? {};
    this.api = new aws.apigatewayv2.Api(...transform(change.api, name, { protocolType: 'HTTP' }, { parent: this }));
    const integrations = new Map<string, aws.apigatewayv2.Integration>();
    for (const [fn, target] of Object.entries(args.functions) as Array<[HttpApiFunction, NodeFunction]>) {
      if (target.timeoutSeconds * 1000 >= INTEGRATION_TIMEOUT_MS) {
        throw new Error(
          `${name}: the ${fn} function's timeout (${target.timeoutSeconds} s) must be under the API's ` +
            `${INTEGRATION_TIMEOUT_MS / 1000} s, or callers get a 503 while it still runs`,
        );
      }
      integrations.set(
        fn,
        new aws.apigatewayv2.Integration(
          ...transform(
            change.integration,
            `${name}-${fn}`,
            {
              apiId: this.api.id,
              integrationType: 'AWS_PROXY',
              integrationUri: target.function.invokeArn,
              payloadFormatVersion: '2.0',
              timeoutMilliseconds: INTEGRATION_TIMEOUT_MS,
            },
            { parent: this },
          ),
        ),
      );
      new aws.lambda.Permission(
        ...transform(
          change.permission,
          `${name}-${fn}-invoke`,
          {
            action: 'lambda:InvokeFunction',
            function: target.function.name,
            principal: 'apigateway.amazonaws.com',
            sourceArn: pulumi.interpolate`${this.api.executionArn}/*/*`,
          },
          { parent: this },
        ),
      );
    }
    const served = routesServedBy('httpApi');
    const routes = served.map(
      (route) =>
        new aws.apigatewayv2.Route(
          ...transform(
            change.route,
            `${name}-${route.name}`,
            {
              apiId: this.api.id,
              routeKey: `${route.method} ${route.path}`,
              target: pulumi.interpolate`integrations/${integrations.get(route.function)!.id}`,
            },
            { parent: this },
          ),
        ),
    );
    this.accessLog = new aws.cloudwatch.LogGroup(
      ...transform(change.accessLog, `${name}-access`, { retentionInDays: args.logRetentionDays ?? 30 }, { parent: this }),
    );
    const throttles = pulumi
      .output(args.throttles ?? {})
      .apply((given) => ({ ...DEFAULT_ROUTE_THROTTLES, ...given }) as Record<HttpApiRouteName, Throttle>);
    this.stage = new aws.apigatewayv2.Stage(
      ...transform(
        change.stage,
        `${name}-default`,
        {
          apiId: this.api.id,
          name: '$default',
          autoDeploy: true,
          // Every route has its own; a route added without one gets the most restrictive.
          defaultRouteSettings: throttles.apply((all) => {
            const lowest = Object.values(all).reduce((a, b) => (a.rate <= b.rate ? a : b));
            return { throttlingRateLimit: lowest.rate, throttlingBurstLimit: lowest.burst };
          }),
          routeSettings: throttles.apply((all) =>
            served.map((route) => ({
              routeKey: `${route.method} ${route.path}`,
              throttlingRateLimit: all[route.name as HttpApiRouteName].rate,
              throttlingBurstLimit: all[route.name as HttpApiRouteName].burst,
            })),
          ),
          accessLogSettings: { destinationArn: this.accessLog.arn, format: JSON.stringify(ACCESS_LOG_FORMAT) },
        },
        // Route settings name routes by key: API Gateway refuses them before the routes exist.
        { parent: this, dependsOn: routes },
      ),
    );
    this.url = this.stage.invokeUrl;
    this.registerOutputs({ url: this.url });
  }
}
