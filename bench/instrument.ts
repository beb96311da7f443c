/**
 * Counting what a run costs in AWS terms: DynamoDB capacity units (table and index writes) and SQS
 * requests, by instrumenting the SDK clients, and handler invocations, by wrapping the handlers.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { INDEX } from '../src/store/table.ts';

export interface Counters {
  wru: number;
  rru: number;
  /** Index writes, part of `wru`. */
  indexWru: number;
  sqsRequests: number;
  /** ReceiveMessage calls that returned nothing (the local runner polls where Lambda long-polls). */
  emptyReceives: number;
  invocations: Record<string, number>;
  /** Wall time spent in each handler, ms (what Lambda bills as duration). */
  handlerMs: Record<string, number>;
  apiRequests: number;
}

export function newCounters(): Counters {
  return { wru: 0, rru: 0, indexWru: 0, sqsRequests: 0, emptyReceives: 0, invocations: {}, handlerMs: {}, apiRequests: 0 };
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
]);

/**
 * Index writes a write causes: a put of an item that has an index's keys writes the index; an
 * update that sets an index's key or projected attribute rewrites its index item.
 */
function indexWrites(command: string, input: Record<string, unknown>): number {
  const keysOf = (index: (typeof INDEX)[keyof typeof INDEX]) => [index.partition, ...('sort' in index ? [index.sort] : [])];
  const projectedOf = (index: (typeof INDEX)[keyof typeof INDEX]) => ('projected' in index ? [...index.projected] : []);
  const forPut = (item: Record<string, unknown>) => Object.values(INDEX).filter((index) => keysOf(index).every((k) => k in item)).length;
  if (command.startsWith('Put')) return forPut((input.Item ?? {}) as Record<string, unknown>);
  if (command.startsWith('BatchWrite')) {
    const requests = Object.values(
      (input.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item: Record<string, unknown> } }>>,
    ).flat();
    return requests.reduce((sum, r) => sum + (r.PutRequest ? forPut(r.PutRequest.Item) : 0), 0);
  }
  if (!command.startsWith('Update')) return 0;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const set = /SET (.*?)(?: REMOVE |$)/.exec(String(input.UpdateExpression ?? ''))?.[1] ?? '';
  const touched = new Set(
    set.split(',').map((assignment) => {
      const target = assignment.split('=')[0]!.trim().split('.')[0]!;
      return names[target] ?? target;
    }),
  );
  return Object.values(INDEX).filter((index) => [...keysOf(index), ...projectedOf(index)].some((a) => touched.has(a))).length;
}

export function instrumentDynamo(client: DynamoDBClient, counters: Counters): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const isWrite = WRITES.has(command);
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> })
          .ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (isWrite) {
          const items = command.startsWith('BatchWrite')
            ? Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>).flat().length
            : 1;
          const index = indexWrites(command, input);
          counters.wru += Math.max(units, items) + index;
          counters.indexWru += index;
        } else counters.rru += units;
        return result;
      } catch (error) {
        // A failed conditional write is still billed one write unit.
        if (isWrite && (error as { name?: string }).name === 'ConditionalCheckFailedException') counters.wru += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCapacity' },
  );
}

export function instrumentSqs(client: SQSClient, counters: Counters): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = String(context.commandName);
      if (command === 'ReceiveMessageCommand' && !(result.output as { Messages?: unknown[] }).Messages?.length) counters.emptyReceives++;
      else if (command !== 'GetQueueAttributesCommand') counters.sqsRequests++;
      return result;
    },
    { step: 'initialize', name: 'benchRequests' },
  );
}

/** Wraps a handler so each call counts as one Lambda invocation of `name`. */
export function counted<A extends unknown[], R>(
  name: string,
  counters: Counters,
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    counters.invocations[name] = (counters.invocations[name] ?? 0) + 1;
    const started = performance.now();
    try {
      return await handler(...args);
    } finally {
      counters.handlerMs[name] = (counters.handlerMs[name] ?? 0) + performance.now() - started;
    }
  };
}
