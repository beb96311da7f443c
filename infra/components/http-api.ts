/**
 * The HTTP entry point: an API Gateway HTTP API whose routes are the pipeline's route table
 * (src/api/routes.ts), each integrated with the function that serves it (payload v2). API keys are
 * checked in code (the accept and status functions) and callbacks verified in code (the webhook
 * function), so the routes themselves have no authorizer.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ROUTES, type Route } from '../../src/api/routes.ts';
import type { NodeFunction } from './node-function.ts';

export interface HttpApiArgs {
  functions: Record<Route['function'], NodeFunction>;
  /** Requests per second across the API. @default 100 */
  throttleRatePerSecond?: number;
}

export class HttpApi extends pulumi.ComponentResource {
  readonly api: aws.apigatewayv2.Api;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:HttpApi', name, {}, opts);
    const parent = { parent: this };
    this.api = new aws.apigatewayv2.Api(name, { protocolType: 'HTTP' }, parent);
    const integrations = new Map<string, aws.apigatewayv2.Integration>();
    for (const [fn, target] of Object.entries(args.functions) as Array<[Route['function'], NodeFunction]>) {
      integrations.set(
        fn,
        new aws.apigatewayv2.Integration(`${name}-${fn}`, { apiId: this.api.id, integrationType: 'AWS_PROXY', integrationUri: target.function.invokeArn, payloadFormatVersion: '2.0' }, parent),
      );
      new aws.lambda.Permission(
        `${name}-${fn}-invoke`,
        { action: 'lambda:InvokeFunction', function: target.function.name, principal: 'apigateway.amazonaws.com', sourceArn: pulumi.interpolate`${this.api.executionArn}/*/*` },
        parent,
      );
    }
    for (const route of ROUTES) {
      new aws.apigatewayv2.Route(
        `${name}-${route.name}`,
        { apiId: this.api.id, routeKey: `${route.method} ${route.path}`, target: pulumi.interpolate`integrations/${integrations.get(route.function)!.id}` },
        parent,
      );
    }
    const rate = args.throttleRatePerSecond ?? 100;
    const stage = new aws.apigatewayv2.Stage(`${name}-default`, { apiId: this.api.id, name: '$default', autoDeploy: true, defaultRouteSettings: { throttlingRateLimit: rate, throttlingBurstLimit: rate * 2 } }, parent);
    this.url = stage.invokeUrl;
    this.registerOutputs({ url: this.url });
  }
}
