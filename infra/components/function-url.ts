/**
 * The entry point for provider callbacks: the webhook function's own Lambda function URL, for the
 * route table's `functionUrl` routes (src/api/routes.ts). A function URL costs nothing per request
 * beyond the invocation (an HTTP API request would cost $1.00 per million, and each message brings
 * three or four callbacks). What the HTTP API gave those routes, the function gives itself:
 *
 * - authentication: the URL's auth type is `NONE` (providers cannot sign AWS requests); the
 *   handler checks every request's signature or secret token on its raw bytes before anything
 *   else (src/webhooks/app.ts), so the only functions given such a URL are those whose every route
 *   the route table puts behind one (the policy `function-urls` checks it on the plan);
 * - the flood guard: the function's reserved concurrency (beyond it Lambda answers 429, and
 *   providers retry), where the API had per-route throttles; the function's `Throttles` alarm
 *   says when it bites;
 * - the access log: one structured line per request from the handler (src/functions/webhook.ts:
 *   route name, status, time, size, caller — no path), where the API had its access log;
 * - no CORS: providers are servers, not browsers; buffered responses.
 *
 * The URL is `https://<id>.lambda-url.<region>.on.aws/`; a provider's callback URL is that plus the
 * route's path, e.g. `…/v1/webhooks/gupshup/<account>/<token>` (the stack's output `callbackUrls`).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { NodeFunction } from './node-function.ts';
import { transform, type Transform } from './transform.ts';

export interface FunctionUrlEntryArgs {
  /**
   * The function whose routes the route table serves by a function URL (`webhook`). It must
   * authenticate every request itself; give it a reserved concurrency (`NodeFunctionArgs.reservedConcurrency`) as its flood guard.
   * @example
   * ```ts
   * { function: pipeline.functions.webhook }
   * ```
   */
  function: NodeFunction;
  /**
   * Changes to the underlying resources' arguments, applied just before each is created
   * (transform.ts: a partial merged over the arguments, or a callback that changes them).
   * @default no change
   * @example
   * ```ts
   * { transform: { url: { invokeMode: 'BUFFERED' } } }
   * ```
   */
  transform?: {
    /** The function URL (`aws.lambda.FunctionUrl`). */
    url?: Transform<aws.lambda.FunctionUrlArgs>;
    /**
     * Each of the function's two permissions for anyone to call it by its URL only
     * (`aws.lambda.Permission`): `<name>-invoke-url` (`lambda:InvokeFunctionUrl`, auth `NONE`) and
     * `<name>-invoke` (`lambda:InvokeFunction`, only through the URL).
     */
    permission?: Transform<aws.lambda.PermissionArgs>;
  };
}

export class FunctionUrlEntry extends pulumi.ComponentResource {
  readonly functionUrl: aws.lambda.FunctionUrl;
  /** The URL, ending in `/`. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: FunctionUrlEntryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:FunctionUrlEntry', name, {}, opts);
    const change = args.transform ?? {};
    const fn = args.function.function;
    this.functionUrl = new aws.lambda.FunctionUrl(
      ...transform(change.url, name, { functionName: fn.name, authorizationType: 'NONE', invokeMode: 'BUFFERED' }, { parent: this }),
    );
    // Anyone may call the function by its URL (auth NONE), and by nothing else.
    const permissions = [
      new aws.lambda.Permission(
        ...transform(
          change.permission,
          `${name}-invoke-url`,
          { action: 'lambda:InvokeFunctionUrl', function: fn.name, principal: '*', functionUrlAuthType: 'NONE' },
          { parent: this },
        ),
      ),
      new aws.lambda.Permission(
        ...transform(
          change.permission,
          `${name}-invoke`,
          { action: 'lambda:InvokeFunction', function: fn.name, principal: '*', invokedViaFunctionUrl: true },
          { parent: this },
        ),
      ),
    ];
    // The URL, once both permissions exist (before, every call would be refused).
    this.url = pulumi.all([this.functionUrl.functionUrl, ...permissions.map((p) => p.id)]).apply(([url]) => String(url));
    this.registerOutputs({ url: this.url });
  }
}
