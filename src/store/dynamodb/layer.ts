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

/**
 * The item a refused conditional write found, where the store returns it
 * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, as DynamoDB does): `undefined` when the
 * refusal carries none — no item, or a store that does not return it (dynalite), where the caller
 * reads instead.
 */
export function refusedItem(error: unknown): Item | undefined {
  const item = (error as { Item?: Record<string, unknown> } | undefined)?.Item;
  return item && Object.keys(item).length > 0 ? (fromAttributeMap(item) as Item) : undefined;
}

/** An item in DynamoDB's wire format (`{S: …}`, `{N: …}`, `{M: …}` …) as plain values, as the document client reads it. */
function fromAttributeMap(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, fromAttribute(value as Record<string, unknown>)]));
}

function fromAttribute(value: Record<string, unknown>): unknown {
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
    case 'B':
      return inner;
    case 'N':
      return Number(inner);
    case 'BOOL':
      return inner === true;
    case 'NULL':
      return null;
    case 'M':
      return fromAttributeMap(inner as Record<string, unknown>);
    case 'L':
      return (inner as Array<Record<string, unknown>>).map(fromAttribute);
    case 'SS':
      return new Set(inner as string[]);
    case 'NS':
      return new Set((inner as string[]).map(Number));
    default:
      // Already a plain value (a client that unmarshalled it).
      return value;
  }
}

export function ignoreConditionFailure(error: unknown): void {
  if (error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException') return;
  throw error;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
