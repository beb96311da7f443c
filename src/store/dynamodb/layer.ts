/**
 * What every DynamoDB repository shares: the SDK client, injected (as Powertools'
 * `DynamoDBPersistenceLayer` takes `awsSdkV3Client`), wrapped in a document client once per
 * repository, and the table name. A conditional write that finds its condition false is an
 * answer (`false`), not an error.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, NativeAttributeValue>;

export interface DynamoDBStorageOptions {
  /** The messages table (src/store/table.ts `createTableInput`). */
  tableName: string;
  /** The SDK client to send with. @default a `new DynamoDBClient({})` (region, credentials and endpoint from the environment) */
  client?: DynamoDBClient;
}

export abstract class DynamoDBRepository {
  protected readonly db: DynamoDBDocumentClient;
  protected readonly tableName: string;

  constructor(options: DynamoDBStorageOptions) {
    this.db = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
  }

  /** Sends a conditional write: true if it was made, false if its condition was false. */
  protected conditionally(write: () => Promise<unknown>): Promise<boolean> {
    return conditionally(write);
  }
}

/** Sends a conditional write: true if it was made, false if its condition was false. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    ignoreConditionFailure(error);
    return false;
  }
}

export function ignoreConditionFailure(error: unknown): void {
  if (error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException') return;
  throw error;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
