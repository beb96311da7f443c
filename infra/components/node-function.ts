/**
 * A Node.js Lambda function bundled with esbuild (the AWS SDK inside): nodejs24.x on arm64, its own
 * least-privilege role, a log group with retention, and no secret in its environment (secrets are
 * read at run time from Secrets Manager; pass the secret's ARN, never its value). The function is
 * created only after its role's policy and its log group exist, so its first cold start can read
 * what it needs and log it.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundleFunction } from '../bundle.ts';
import { awsName } from './names.ts';

/** One IAM statement: explicit actions on explicit resources (the tests reject wildcards). */
export interface Statement {
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface NodeFunctionArgs {
  /** The handler module, relative to the repository (e.g. `src/functions/sender.ts`); it exports `handler`. */
  entry: string;
  /** @default 30 */
  timeoutSeconds?: number;
  /** @default 512 */
  memoryMb?: number;
  /** At most this many concurrent invocations, reserved from the account's pool. @default none */
  reservedConcurrency?: number;
  /** Plain (non-secret) environment variables. */
  environment?: Record<string, pulumi.Input<string>>;
  /** What the function may do, beyond writing its own logs: statements with explicit actions and resources. */
  statements: pulumi.Input<pulumi.Input<Statement>[]>;
  /** @default 30 */
  logRetentionDays?: number;
  /** Resources the function must not be created or updated before (e.g. the secret's value it reads). */
  dependsOn?: pulumi.Resource[];
}

export class NodeFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** The function's name in AWS: `<project>-<stack>-<name>`, made valid (names.ts). */
  readonly functionName: string;
  /** Bytes of the minified bundle. */
  readonly bundleBytes: number;
  readonly timeoutSeconds: number;

  constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:NodeFunction', name, {}, opts);
    const parent = { parent: this };
    this.timeoutSeconds = args.timeoutSeconds ?? 30;
    this.functionName = awsName([pulumi.getProject(), pulumi.getStack(), name]);
    // One build folder per stack, so two programs (or two tests) never write the same bundle.
    const bundle = bundleFunction(name, args.entry, awsName([pulumi.getStack()], 100));
    this.bundleBytes = bundle.bytes;

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${this.functionName}`, retentionInDays: args.logRetentionDays ?? 30 },
      parent,
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      },
      parent,
    );
    this.policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([args.statements, this.logGroup.arn])
          .apply(([statements, logArn]) =>
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow' as const, Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logArn}:*` },
                ...statements,
              ],
            }),
          ),
      },
      parent,
    );

    this.function = new aws.lambda.Function(
      name,
      {
        name: this.functionName,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.AssetArchive({ 'index.mjs': new pulumi.asset.FileAsset(bundle.file) }),
        role: this.role.arn,
        timeout: this.timeoutSeconds,
        memorySize: args.memoryMb ?? 512,
        ...(args.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: args.reservedConcurrency } : {}),
        environment: { variables: { ...args.environment } },
        loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      },
      // The role's ARN alone does not wait for its policy: without this, a cold start may run unauthorised.
      { parent: this, dependsOn: [this.logGroup, this.policy, ...(args.dependsOn ?? [])] },
    );
    this.registerOutputs({ functionArn: this.function.arn, bundleBytes: this.bundleBytes });
  }
}
