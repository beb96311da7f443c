/**
 * The messages table (src/store/table.ts defines its keys and indexes): on-demand, point-in-time
 * recovery, encrypted, TTL on the expiry attribute.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Statement } from './node-function.ts';
import { createTableInput, TTL_ATTRIBUTE } from '../../src/store/table.ts';

export type TableAccess = 'read' | 'write';

export class MessagesTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;

  constructor(name: string, args: { deletionProtection?: boolean } = {}, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:MessagesTable', name, {}, opts);
    const definition = createTableInput(name);
    this.table = new aws.dynamodb.Table(
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
    );
    this.registerOutputs({ tableName: this.table.name });
  }

  /** Item and index access for a function: exact actions on this table and its indexes. */
  statements(actions: string[]): pulumi.Output<Statement[]> {
    return this.table.arn.apply((arn) => [{ Effect: 'Allow' as const, Action: actions.map((a) => `dynamodb:${a}`), Resource: [arn, `${arn}/index/*`] }]);
  }
}
