/**
 * The messages table (src/store/table.ts defines its keys and indexes): on-demand, point-in-time
 * recovery, encrypted, TTL on the expiry attribute (which the store sets past each message's due
 * time: `messageExpiresAt`).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Statement } from './node-function.ts';
import { tableAccess, type StoreCall } from './table-access.ts';
import { transform, type Transform } from './transform.ts';
import { createTableInput, TTL_ATTRIBUTE } from '../../src/store/table.ts';

export interface MessagesTableArgs {
  /**
   * Refuse to delete the table (a `pulumi destroy`, or a change that replaces it) until this is
   * turned off: the table holds every message and its status.
   * @default `true`
   * @example
   * ```ts
   * { deletionProtection: false } // a throwaway test stack
   * ```
   */
  deletionProtection?: pulumi.Input<boolean>;
  /**
   * Changes to the table's arguments, applied just before it is created (transform.ts: a partial
   * merged over the arguments, or a callback that changes them). Its keys, indexes and TTL are the
   * store's (src/store/table.ts): change them there, not here.
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     table: { serverSideEncryption: { enabled: true, kmsKeyArn: key.arn } },
   *   },
   * }
   * ```
   */
  transform?: {
    /** The DynamoDB table (`aws.dynamodb.Table`). */
    table?: Transform<aws.dynamodb.TableArgs>;
  };
}

export class MessagesTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;

  constructor(name: string, args: MessagesTableArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:MessagesTable', name, {}, opts);
    const definition = createTableInput(name);
    this.table = new aws.dynamodb.Table(
      ...transform(
        args.transform?.table,
        name,
        {
          billingMode: 'PAY_PER_REQUEST',
          hashKey: definition.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName!,
          rangeKey: definition.KeySchema!.find((k) => k.KeyType === 'RANGE')!.AttributeName!,
          attributes: definition.AttributeDefinitions!.map((a) => ({ name: a.AttributeName!, type: a.AttributeType! })),
          globalSecondaryIndexes: definition.GlobalSecondaryIndexes!.map((index) => ({
            name: index.IndexName!,
            keySchemas: index.KeySchema!.map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
            projectionType: index.Projection!.ProjectionType!,
            ...(index.Projection!.NonKeyAttributes ? { nonKeyAttributes: index.Projection!.NonKeyAttributes } : {}),
          })),
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true },
          ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
          deletionProtectionEnabled: args.deletionProtection ?? true,
        },
        { parent: this },
      ),
    );
    this.registerOutputs({ tableName: this.table.name });
  }

  /**
   * What a function whose code makes `calls` may do: exactly their actions on the table, and
   * `Query` on exactly the indexes they read (table-access.ts). None for no calls.
   */
  statements(calls: readonly StoreCall[]): pulumi.Output<Statement[]> {
    const { actions, indexes } = tableAccess(calls);
    return this.table.arn.apply((arn) => {
      const onTable = { Effect: 'Allow' as const, Action: actions.map((a) => `dynamodb:${a}`), Resource: arn };
      const onIndexes = { Effect: 'Allow' as const, Action: ['dynamodb:Query'], Resource: indexes.map((index) => `${arn}/index/${index}`) };
      return [...(actions.length > 0 ? [onTable] : []), ...(indexes.length > 0 ? [onIndexes] : [])];
    });
  }
}
