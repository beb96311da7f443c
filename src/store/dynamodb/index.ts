/**
 * The DynamoDB implementation of the repositories: one table (src/store/table.ts), the SDK client
 * injected. The only modules that speak to DynamoDB.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Storage } from '../repositories.ts';
import { createTableInput } from '../table.ts';
import { DynamoDBCallbackIndexRepository } from './callbacks.ts';
import { DynamoDBSendClaimRepository } from './claims.ts';
import { DynamoDBDueRepository } from './due.ts';
import { DynamoDBIdempotencyRepository } from './idempotency.ts';
import type { DynamoDBStorageOptions } from './layer.ts';
import { DynamoDBMessageRepository } from './messages.ts';
import { DynamoDBPacingRepository } from './pacing.ts';
import { DynamoDBPauseRepository } from './pauses.ts';
import { DynamoDBRouteHealthRepository } from './route-health.ts';
import { DynamoDBSuppressionRepository } from './suppressions.ts';

export { DynamoDBClient, type DynamoDBClientConfig };
export { repairDueIndex, type DueRepairReport } from './due-repair.ts';
export type { DynamoDBStorageOptions };
export {
  DynamoDBCallbackIndexRepository,
  DynamoDBDueRepository,
  DynamoDBIdempotencyRepository,
  DynamoDBMessageRepository,
  DynamoDBPacingRepository,
  DynamoDBPauseRepository,
  DynamoDBRouteHealthRepository,
  DynamoDBSendClaimRepository,
  DynamoDBSuppressionRepository,
};

/** Every repository over one table and one SDK client. */
export function dynamoDBStorage(options: DynamoDBStorageOptions): Storage {
  const shared = { ...options, client: options.client ?? new DynamoDBClient({}) };
  return {
    messages: new DynamoDBMessageRepository(shared),
    claims: new DynamoDBSendClaimRepository(shared),
    due: new DynamoDBDueRepository(shared),
    idempotency: new DynamoDBIdempotencyRepository(shared),
    pauses: new DynamoDBPauseRepository(shared),
    suppressions: new DynamoDBSuppressionRepository(shared),
    callbacks: new DynamoDBCallbackIndexRepository(shared),
    pacing: new DynamoDBPacingRepository(shared),
    routeHealth: new DynamoDBRouteHealthRepository(shared),
  };
}

/** Creates the messages table if it does not exist yet (the local stack and tests: a kept dynalite folder has it). */
export async function ensureMessagesTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await client.send(new DescribeTableCommand({ TableName: tableName }));
}
