/**
 * A Node.js Lambda function bundled with esbuild (the AWS SDK inside): nodejs24.x on arm64, its own
 * least-privilege role, a log group with retention (its handler's lines from INFO, none of Lambda's
 * per-invocation start and report lines), and no secret in its environment (secrets are
 * read at run time from Secrets Manager; pass the secret's ARN, never its value). The function is
 * created only after its role's policy and its log group exist, so its first cold start can read
 * what it needs and log it.
 */
import { join } from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundleFunction } from '../bundle.ts';
import { awsName } from './names.ts';
import { transform, type Transform } from './transform.ts';

/** A function's memory (MB) when `memoryMb` is not given. */
export const DEFAULT_MEMORY_MB = 512;

/** One IAM statement: explicit actions on explicit resources (the tests reject wildcards). */
export interface Statement {
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface NodeFunctionArgs {
  /**
   * The handler module, relative to the repository; it exports `handler`. A plain string: it is
   * bundled (esbuild) when the component is constructed.
   * @example
   * ```ts
   * { entry: 'src/functions/sender.ts' }
   * ```
   */
  entry: string;
  /**
   * Seconds an invocation may run. A plain number: the components that use the function check it
   * when they are constructed (an API function must stop before the HTTP API's 30 s, a queue's
   * visibility timeout must be at least six times its consumer's).
   * @default `30`
   * @example
   * ```ts
   * { timeoutSeconds: 25 }
   * ```
   */
  timeoutSeconds?: number;
  /**
   * Memory in MB (128–10,240); Lambda gives CPU in proportion to it.
   * @default `512`
   * @example
   * ```ts
   * { memoryMb: 1024 }
   * ```
   */
  memoryMb?: pulumi.Input<number>;
  /**
   * At most this many concurrent invocations, reserved from the account's pool (AWS keeps 10
   * unreserved). `1` makes runs one at a time.
   * @default none: the function shares the account's unreserved pool
   * @example
   * ```ts
   * { reservedConcurrency: 1 }
   * ```
   */
  reservedConcurrency?: pulumi.Input<number>;
  /**
   * Plain (non-secret) environment variables. Never a secret's value: give the secret's ARN, and
   * read the value at run time.
   * @default `{}`
   * @example
   * ```ts
   * { environment: { TABLE_NAME: table.name, WAPK_CONFIG_SECRET_ID: secret.arn } }
   * ```
   */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * What the function may do, beyond writing its own logs (always granted): IAM statements with
   * explicit actions on explicit resources.
   * @example
   * ```ts
   * {
   *   statements: queue.arn.apply((arn) => [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn }]),
   * }
   * ```
   */
  statements: pulumi.Input<pulumi.Input<Statement>[]>;
  /**
   * Days the function's log group keeps its logs (a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90…).
   * @default `30`
   * @example
   * ```ts
   * { logRetentionDays: 90 }
   * ```
   */
  logRetentionDays?: pulumi.Input<number>;
  /**
   * Resources the function must not be created or updated before (e.g. the secret's value it
   * reads at its first cold start). Its role policy and log group always come first.
   * @default `[]`
   * @example
   * ```ts
   * { dependsOn: [configSecret.secretVersion] }
   * ```
   */
  dependsOn?: pulumi.Resource[];
  /**
   * Changes to the underlying resources' arguments, applied just before each is created
   * (transform.ts: a partial merged over the arguments, or a callback that changes them).
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     function: { tracingConfig: { mode: 'Active' } },
   *     logGroup: (args) => {
   *       args.kmsKeyId = key.arn;
   *     },
   *   },
   * }
   * ```
   */
  transform?: {
    /**
     * The Lambda function (`aws.lambda.Function`). Its `name` is also in its log group's name: a
     * new name needs a `logGroup` transform that follows it.
     */
    function?: Transform<aws.lambda.FunctionArgs>;
    /** The function's execution role (`aws.iam.Role`). */
    role?: Transform<aws.iam.RoleArgs>;
    /** The role's inline policy (`aws.iam.RolePolicy`): the statements, plus writing its own logs. */
    policy?: Transform<aws.iam.RolePolicyArgs>;
    /** The function's log group (`aws.cloudwatch.LogGroup`), `/aws/lambda/<function name>`. */
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  };
}

export class NodeFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** The function's name in AWS: `<project>-<stack>-<name>`, made valid (names.ts). */
  readonly functionName: string;
  /** Bytes of the minified bundle: index.mjs and its chunks (infra/bundle.ts). */
  readonly bundleBytes: number;
  /** Seconds an invocation may run: `timeoutSeconds`, or the `timeout` a transform set (when a plain number). */
  readonly timeoutSeconds: number;

  constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:NodeFunction', name, {}, opts);
    this.timeoutSeconds = args.timeoutSeconds ?? 30;
    this.functionName = awsName([pulumi.getProject(), pulumi.getStack(), name]);
    // One build folder per stack, so two programs (or two tests) never write the same bundle.
    const bundle = bundleFunction(name, args.entry, awsName([pulumi.getStack()], 100));
    this.bundleBytes = bundle.bytes;

    const change = args.transform ?? {};
    this.logGroup = new aws.cloudwatch.LogGroup(
      ...transform(
        change.logGroup,
        `${name}-logs`,
        { name: `/aws/lambda/${this.functionName}`, retentionInDays: args.logRetentionDays ?? 30 },
        { parent: this },
      ),
    );

    this.role = new aws.iam.Role(
      ...transform(
        change.role,
        `${name}-role`,
        {
          assumeRolePolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        },
        { parent: this },
      ),
    );
    this.policy = new aws.iam.RolePolicy(
      ...transform(
        change.policy,
        `${name}-policy`,
        {
          role: this.role.id,
          policy: pulumi.all([args.statements, this.logGroup.arn]).apply(([statements, logArn]) =>
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow' as const, Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logArn}:*` },
                ...statements,
              ],
            }),
          ),
        },
        { parent: this },
      ),
    );

    const [fnName, fnArgs, fnOpts] = transform(
      change.function,
      name,
      {
        name: this.functionName,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        // index.mjs and the chunks it imports (infra/bundle.ts), at the same relative paths.
        code: new pulumi.asset.AssetArchive(
          Object.fromEntries(bundle.files.map((file) => [file, new pulumi.asset.FileAsset(join(bundle.dir, file))])),
        ),
        role: this.role.arn,
        timeout: this.timeoutSeconds,
        memorySize: args.memoryMb ?? DEFAULT_MEMORY_MB,
        ...(args.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: args.reservedConcurrency } : {}),
        environment: { variables: args.environment ?? {} },
        // The handlers' lines from INFO (src/runtime/log.ts), and none of Lambda's own per invocation
        // (its start and report lines, INFO: ~0.5 KB an invocation, more than a callback's own line);
        // Lambda's metrics keep the durations and errors.
        loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      },
      // The role's ARN alone does not wait for its policy: without this, a cold start may run unauthorised.
      { parent: this, dependsOn: [this.logGroup, this.policy, ...(args.dependsOn ?? [])] },
    );
    // What the queue and the API check is the timeout the function gets, transformed or not.
    if (typeof fnArgs.timeout === 'number') this.timeoutSeconds = fnArgs.timeout;
    this.function = new aws.lambda.Function(fnName, fnArgs, fnOpts);
    this.registerOutputs({ functionArn: this.function.arn, bundleBytes: this.bundleBytes });
  }
}
