/**
 * The pipeline's configuration and secrets as one Secrets Manager secret, written from Pulumi's
 * secret config. Functions get its ARN (not its value) and read it at cold start; the value is
 * written with `secretStringWo`, so it stays out of Pulumi's state too.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Statement } from './node-function.ts';

export interface ConfigSecretArgs {
  /** `{config, secrets}` as the functions read it (src/config/pipeline.ts). */
  document: pulumi.Input<string>;
  /** Bump to write a new value (write-only values are not diffed). */
  version: number;
}

export class ConfigSecret extends pulumi.ComponentResource {
  readonly secret: aws.secretsmanager.Secret;

  constructor(name: string, args: ConfigSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:ConfigSecret', name, {}, opts);
    this.secret = new aws.secretsmanager.Secret(name, { description: 'whatsapp-provider-kit: accounts, API key hashes and provider credentials' }, { parent: this });
    new aws.secretsmanager.SecretVersion(`${name}-value`, { secretId: this.secret.id, secretStringWo: pulumi.secret(args.document), secretStringWoVersion: args.version }, { parent: this });
    this.registerOutputs({ secretArn: this.secret.arn });
  }

  readStatements(): pulumi.Output<Statement[]> {
    return this.secret.arn.apply((arn) => [{ Effect: 'Allow' as const, Action: ['secretsmanager:GetSecretValue'], Resource: arn }]);
  }
}
