/**
 * The pipeline's configuration and secrets as one Secrets Manager secret, written from Pulumi's
 * secret config. Functions get its ARN (not its value) and read it at cold start, then again once
 * their copy is older than `CONFIG_MAX_AGE_S`.
 *
 * The value is written with `secretStringWo`: Pulumi keeps the first value it wrote in the state's
 * inputs, encrypted as a secret, and never diffs it. So the secret's version is derived from the
 * document's content: any change to the configuration — a revoked API key, a new account, a
 * rotated credential — changes {@link ConfigSecret.version}, which writes the new value, and
 * (as the functions' `CONFIG_VERSION`) updates the functions, whose new containers read it.
 */
import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Statement } from './node-function.ts';
import { transform, type Transform } from './transform.ts';

export interface ConfigSecretArgs {
  /**
   * The document the functions read: `{config, secrets}` JSON (src/config/pipeline.ts), a Pulumi
   * secret. It is written write-only: it never appears in the state's outputs.
   * @example
   * ```ts
   * { document: new pulumi.Config().requireSecret('waConfig') }
   * ```
   */
  document: pulumi.Input<string>;
  /**
   * Bump to write the value again although the document did not change (e.g. after the secret
   * was edited by hand). A change of the document itself needs no bump: its content hash is the
   * version.
   * @default `1`
   * @example
   * ```ts
   * { salt: 2 }
   * ```
   */
  salt?: pulumi.Input<number>;
  /**
   * Changes to the underlying resources' arguments, applied just before each is created
   * (transform.ts: a partial merged over the arguments, or a callback that changes them).
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     secret: { kmsKeyId: key.arn, recoveryWindowInDays: 7 },
   *   },
   * }
   * ```
   */
  transform?: {
    /** The secret (`aws.secretsmanager.Secret`). */
    secret?: Transform<aws.secretsmanager.SecretArgs>;
    /** Its value (`aws.secretsmanager.SecretVersion`), written write-only and versioned by content. */
    secretVersion?: Transform<aws.secretsmanager.SecretVersionArgs>;
  };
}

/** The content version of a configuration document: 16 hex characters of its SHA-256 (with `salt`). */
export function configVersion(document: string, salt = 1): string {
  return createHash('sha256').update(`${salt}\n${document}`).digest('hex').slice(0, 16);
}

export class ConfigSecret extends pulumi.ComponentResource {
  readonly secret: aws.secretsmanager.Secret;
  readonly secretVersion: aws.secretsmanager.SecretVersion;
  /**
   * The document's content version, not secret: a hash of a document that holds random keys of 32
   * bytes says nothing about it. Functions get it as `CONFIG_VERSION`.
   */
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: ConfigSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:ConfigSecret', name, {}, opts);
    this.version = pulumi.unsecret(pulumi.all([args.document, args.salt ?? 1]).apply(([document, salt]) => configVersion(document, salt)));
    this.secret = new aws.secretsmanager.Secret(
      ...transform(
        args.transform?.secret,
        name,
        { description: 'whatsapp-provider-kit: accounts, API key hashes and provider credentials' },
        { parent: this },
      ),
    );
    this.secretVersion = new aws.secretsmanager.SecretVersion(
      ...transform(
        args.transform?.secretVersion,
        `${name}-value`,
        {
          secretId: this.secret.id,
          secretStringWo: pulumi.secret(args.document),
          // A write-only value is written again only when this number changes: 48 bits of the content hash.
          secretStringWoVersion: this.version.apply((version) => Number.parseInt(version.slice(0, 12), 16)),
        },
        { parent: this },
      ),
    );
    this.registerOutputs({ secretArn: this.secret.arn, version: this.version });
  }

  readStatements(): pulumi.Output<Statement[]> {
    return this.secret.arn.apply((arn) => [{ Effect: 'Allow' as const, Action: ['secretsmanager:GetSecretValue'], Resource: arn }]);
  }
}
