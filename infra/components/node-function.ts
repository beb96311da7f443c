/**
 * A Node.js Lambda function bundled with esbuild: nodejs24.x on arm64, its own least-privilege
 * role, a log group with retention, and no secret in its environment (secrets are read at run
 * time from Secrets Manager; pass the secret's ARN, never its value).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundleFunction } from '../bundle.ts';

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
  /** Plain (non-secret) environment variables. */
  environment?: Record<string, pulumi.Input<string>>;
  /** What the function may do, beyond writing its own logs: statements with explicit actions and resources. */
  statements: pulumi.Input<pulumi.Input<Statement>[]>;
  /** @default 30 */
  logRetentionDays?: number;
}

export class NodeFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** Bytes of the minified bundle. */
  readonly bundleBytes: number;
  readonly timeoutSeconds: number;

  constructor(name: string, args: NodeFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:NodeFunction', name, {}, opts);
    const parent = { parent: this };
    this.timeoutSeconds = args.timeoutSeconds ?? 30;
    const bundle = bundleFunction(name, args.entry);
    this.bundleBytes = bundle.bytes;

    const functionName = pulumi.interpolate`${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: pulumi.interpolate`/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays ?? 30 }, parent);

    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([args.statements, this.logGroup.arn])
          .apply(([statements, logArn]) =>
            JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logArn}:*` }, ...statements] }),
          ),
      },
      parent,
    );

    this.function = new aws.lambda.Function(
      name,
      {
        name: functionName,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.AssetArchive({ 'index.mjs': new pulumi.asset.FileAsset(bundle.file) }),
        role: this.role.arn,
        timeout: this.timeoutSeconds,
        memorySize: args.memoryMb ?? 512,
        environment: { variables: { ...args.environment } },
        loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      },
      { parent: this, dependsOn: [this.logGroup] },
    );
    this.registerOutputs({ functionArn: this.function.arn, bundleBytes: this.bundleBytes });
  }
}
