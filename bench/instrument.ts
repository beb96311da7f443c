/**
 * Counting what a run costs in AWS terms: DynamoDB capacity units (table and index writes) and SQS
 * requests, by instrumenting the SDK clients, and handler invocations, by wrapping the handlers.
 *
 * Every DynamoDB request is also attributed to its purpose — the function that made it (`counted`)
 * and the repository method it serves (`labelStorage`: `messages.applyStatus`, `claims.claim`, …)
 * — so the bench can say which write buys what (BENCHMARKS.md, "Where the units go").
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { HandlerExecutionContext, SerializeHandler, SerializeHandlerArguments } from '@smithy/types';
import type { Storage } from '../src/store/repositories.ts';
import { LOG_SERVICE } from '../src/runtime/log.ts';
import { INDEX, KEY } from '../src/store/table.ts';

/** One purpose's share: requests, units, and how many of its writes were refused by their condition. */
export interface Share {
  requests: number;
  wru: number;
  rru: number;
  /** Index writes, part of `wru`, by index name. */
  indexWru: Record<string, number>;
  conditionFailed: number;
}

export interface Counters {
  wru: number;
  rru: number;
  /** Index writes, part of `wru`. */
  indexWru: number;
  sqsRequests: number;
  /** ReceiveMessage calls that returned nothing (the local runner polls where Lambda long-polls). */
  emptyReceives: number;
  invocations: Record<string, number>;
  /** Wall time spent in each handler, ms. */
  handlerMs: Record<string, number>;
  apiRequests: number;
  /** DynamoDB units by purpose: `<function> <repository.method>` (or `<function> (direct) <item kind>`). */
  purposes: Record<string, Share>;
  /** AWS requests each function made, by service (`dynamodb`, `sqs`): what the duration model prices at AWS latencies. */
  awsCalls: Record<string, Record<string, number>>;
  /** The sender's log lines by message and reason: how many messages were sent, delayed (and why), skipped. */
  outcomes: Record<string, number>;
  /** Calls to the providers (sends and lookups), each answered: the sender's waits. */
  providerCalls: number;
  /** What each function logged at the deployed level: lines, and bytes as CloudWatch Logs ingests them. */
  logLines: Record<string, number>;
  logBytes: Record<string, number>;
}

export function newCounters(): Counters {
  return {
    wru: 0,
    rru: 0,
    indexWru: 0,
    sqsRequests: 0,
    emptyReceives: 0,
    invocations: {},
    handlerMs: {},
    apiRequests: 0,
    purposes: {},
    awsCalls: {},
    outcomes: {},
    providerCalls: 0,
    logLines: {},
    logBytes: {},
  };
}

/** Who is calling: the function (set by {@link counted}) and the repository method (set by {@link labelStorage}). */
const caller = new AsyncLocalStorage<{ fn?: string; op?: string }>();

/** Runs `work` as repository method `op` of the current function (for requests a bench module sends itself). */
export function asPurpose<T>(op: string, work: () => Promise<T>): Promise<T> {
  return caller.run({ ...caller.getStore(), op }, work);
}

/**
 * The same storage, each repository method's requests attributed to `<repository>.<method>`. The
 * repositories are wrapped, not changed: a method calling another of its own keeps the outer label.
 */
export function labelStorage(storage: Storage): Storage {
  const wrap = <R extends object>(name: string, repository: R): R =>
    new Proxy(repository, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          const current = caller.getStore();
          if (current?.op) return value.apply(target, args);
          return caller.run({ ...current, op: `${name}.${property}` }, () => value.apply(target, args));
        };
      },
    });
  return Object.fromEntries(Object.entries(storage).map(([name, repository]) => [name, wrap(name, repository)])) as unknown as Storage;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

type RawItem = Record<string, AttributeValue>;

/** The kind of item a key names (`M` message, `X` alias, `E` kept callbacks, `P` pacing, `I`, `S`, `Z`, `D` naive dedupe). */
const kindOf = (key: RawItem | undefined) => String(key?.[KEY.partition]?.S ?? '?').split('#')[0];

const keyOf = (item: RawItem) => `${item[KEY.partition]?.S}|${item[KEY.sort]?.S}`;

/** The index keys an item image puts in each index (undefined: not in it). */
function indexEntries(item: RawItem | undefined): Record<string, string | undefined> {
  const entries: Record<string, string | undefined> = {};
  for (const index of Object.values(INDEX)) {
    const keys = [index.partition, ...('sort' in index ? [index.sort] : [])];
    const values = keys.map((k) => item?.[k]?.S ?? item?.[k]?.N);
    entries[index.name] = values.every((v) => v !== undefined) ? JSON.stringify(values) : undefined;
  }
  return entries;
}

/**
 * Index writes between two images of an item, as DynamoDB bills them: an entry that appears or
 * goes is one write; one whose key changes is two (delete and put); the indexes project keys only,
 * so a change to any other attribute writes nothing.
 */
function indexWrites(before: RawItem | undefined, after: RawItem | undefined): Record<string, number> {
  const [from, to] = [indexEntries(before), indexEntries(after)];
  const writes: Record<string, number> = {};
  for (const name of Object.keys(from)) {
    const [a, b] = [from[name], to[name]];
    const n = a === b ? 0 : a === undefined || b === undefined ? 1 : 2;
    if (n > 0) writes[name] = n;
  }
  return writes;
}

/**
 * Instruments `client`. `raw` is a second, uninstrumented client on the same endpoint: message
 * items (the only ones with index attributes) are read through it before and after each write, so
 * index writes are counted from the item's images (an approximation only where two writers change
 * the same item at the same instant).
 */
export function instrumentDynamo(client: DynamoDBClient, counters: Counters, raw: DynamoDBClient): void {
  const images = async (table: string, keys: RawItem[], kinds: 'messages' | 'all' = 'messages'): Promise<Map<string, RawItem>> => {
    const found = new Map<string, RawItem>();
    const messageKeys = keys
      .filter((key) => kinds === 'all' || kindOf(key) === 'M')
      .map((key) => ({ [KEY.partition]: key[KEY.partition]!, [KEY.sort]: key[KEY.sort]! }));
    for (let i = 0; i < messageKeys.length; i += 100) {
      const result = await raw.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: messageKeys.slice(i, i + 100), ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table] ?? []) found.set(keyOf(item), item);
    }
    return found;
  };
  // Asked for before the request is serialized.
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      return next(args);
    },
    { step: 'initialize', name: 'benchAskCapacity' },
  );
  const attribute =
    (next: SerializeHandler<object, object>, context: HandlerExecutionContext) => async (args: SerializeHandlerArguments<object>) => {
      const command = String(context.commandName).replace(/^(Put|Update|Delete|Get|BatchWrite|BatchGet)Command$/, '$1ItemCommand');
      const input = args.input as Record<string, unknown>;
      const isWrite = WRITES.has(command);
      const who = caller.getStore();
      const fn = who?.fn ?? 'other';
      counters.awsCalls[fn] ??= {};
      counters.awsCalls[fn].dynamodb = (counters.awsCalls[fn].dynamodb ?? 0) + 1;
      const table = String(input.TableName ?? Object.keys((input.RequestItems ?? {}) as object)[0] ?? '');
      // The keys a write touches, and whether it puts a whole item.
      const written: Array<{ key: RawItem; put?: RawItem }> = [];
      if (command === 'BatchWriteItemCommand') {
        const requests = Object.values(
          (input.RequestItems ?? {}) as Record<string, Array<Record<string, { Item?: RawItem; Key?: RawItem }>>>,
        );
        for (const request of requests.flat()) {
          if (request.PutRequest?.Item) written.push({ key: request.PutRequest.Item, put: request.PutRequest.Item });
          else if (request.DeleteRequest?.Key) written.push({ key: request.DeleteRequest.Key });
        }
      } else if (isWrite) {
        const item = input.Item as RawItem | undefined;
        written.push(item ? { key: item, put: item } : { key: input.Key as RawItem });
      }
      const label = who?.op ?? `(direct) ${kindOf((written[0]?.key ?? input.Key) as RawItem | undefined)}`;
      const purpose = `${fn} ${label}`;
      const share = (counters.purposes[purpose] ??= { requests: 0, wru: 0, rru: 0, indexWru: {}, conditionFailed: 0 });
      share.requests++;
      const before = isWrite
        ? await images(
            table,
            written.map((w) => w.key),
          )
        : new Map<string, RawItem>();
      const addIndex = (writes: Record<string, number>) => {
        for (const [name, n] of Object.entries(writes)) {
          share.indexWru[name] = (share.indexWru[name] ?? 0) + n;
          share.wru += n;
          counters.indexWru += n;
          counters.wru += n;
        }
      };
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> })
          .ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (isWrite) {
          const unprocessed = Object.values(
            ((result.output as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems ?? {}) as Record<string, unknown[]>,
          ).flat().length;
          const tableUnits = Math.max(units, written.length - unprocessed);
          counters.wru += tableUnits;
          share.wru += tableUnits;
          const after = await images(
            table,
            written.map((w) => w.key),
          );
          for (const { key } of written) addIndex(indexWrites(before.get(keyOf(key)), after.get(keyOf(key))));
        } else {
          counters.rru += units;
          share.rru += units;
        }
        return result;
      } catch (error) {
        // A failed conditional write is still billed one write unit (for an item under 1 KB).
        if (isWrite && (error as { name?: string }).name === 'ConditionalCheckFailedException') {
          counters.wru += 1;
          share.wru += 1;
          share.conditionFailed++;
          // DynamoDB answers a refusal with the item it found when asked; dynalite does not: the
          // bench adds it (read uncounted), so the code takes the path it takes in AWS.
          const failure = error as { Item?: RawItem };
          if (input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && !failure.Item && written[0]) {
            const found = (await images(table, [written[0].key], 'all')).get(keyOf(written[0].key));
            if (found) failure.Item = found;
          }
        }
        throw error;
      }
    };
  // After the serializer: the document client has marshalled the input (the raw images compare with it).
  client.middlewareStack.addRelativeTo(attribute as never, {
    relation: 'after',
    toMiddleware: 'serializerMiddleware',
    name: 'benchCapacity',
  });
}

export function instrumentSqs(client: SQSClient, counters: Counters): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = String(context.commandName);
      const fn = caller.getStore()?.fn ?? 'other';
      if (command === 'ReceiveMessageCommand' && !(result.output as { Messages?: unknown[] }).Messages?.length) counters.emptyReceives++;
      else if (command !== 'GetQueueAttributesCommand') {
        counters.sqsRequests++;
        // Receives and deletes are the event source mapping's (Lambda's poller), not the function's.
        if (command === 'SendMessageCommand' || command === 'SendMessageBatchCommand') {
          counters.awsCalls[fn] ??= {};
          counters.awsCalls[fn].sqs = (counters.awsCalls[fn].sqs ?? 0) + 1;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchRequests' },
  );
}

/** Wraps a handler so each call counts as one Lambda invocation of `name`, and what it sends is attributed to `name`. */
export function counted<A extends unknown[], R>(
  name: string,
  counters: Counters,
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    counters.invocations[name] = (counters.invocations[name] ?? 0) + 1;
    const started = performance.now();
    try {
      return await caller.run({ fn: name }, () => handler(...args));
    } finally {
      counters.handlerMs[name] = (counters.handlerMs[name] ?? 0) + performance.now() - started;
    }
  };
}

/**
 * Counts what the functions' loggers (Powertools, one JSON line per call on stdout, as in Lambda)
 * write while the run lasts, by the line's `function`, and keeps it off the terminal: each line's
 * bytes plus CloudWatch Logs' per-event overhead. Returns the function that stops counting.
 */
export function captureLogs(counters: Counters, overheadBytes: number): () => void {
  const write = process.stdout.write.bind(process.stdout);
  let pending = '';
  const count = (line: string) => {
    let fn: string | undefined;
    try {
      const parsed = JSON.parse(line) as { service?: string; function?: string };
      if (parsed.service === LOG_SERVICE) fn = parsed.function ?? 'other';
    } catch {
      fn = undefined;
    }
    if (fn === undefined) return false;
    counters.logLines[fn] = (counters.logLines[fn] ?? 0) + 1;
    counters.logBytes[fn] = (counters.logBytes[fn] ?? 0) + Buffer.byteLength(line) + 1 + overheadBytes;
    return true;
  };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = pending + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    pending = lines.pop() ?? '';
    const other = lines.filter((line) => !count(line));
    if (other.length > 0) return (write as (chunk: string, ...rest: unknown[]) => boolean)(`${other.join('\n')}\n`, ...rest);
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}

/** The purposes as rows per message, largest write share first. */
export function purposeRows(counters: Counters, messages: number) {
  return Object.entries(counters.purposes)
    .map(([purpose, s]) => ({
      purpose,
      requests: s.requests / messages,
      wru: s.wru / messages,
      indexWru: Object.fromEntries(Object.entries(s.indexWru).map(([k, v]) => [k, v / messages])),
      rru: s.rru / messages,
      conditionFailed: s.conditionFailed / messages,
    }))
    .sort((a, b) => b.wru - a.wru || b.rru - a.rru);
}
