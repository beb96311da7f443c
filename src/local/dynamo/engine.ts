/**
 * The local stack's DynamoDB: the tables in this process's memory, every change appended to a
 * journal file before it is answered (so a killed stack loses nothing it acknowledged), and the
 * operations the store (src/store/dynamodb/) sends — CreateTable, DescribeTable, GetItem, PutItem,
 * UpdateItem, DeleteItem, Query, Scan, BatchGetItem and BatchWriteItem — with DynamoDB's
 * condition, update, key condition, filter and projection expressions (expressions.ts), its global
 * secondary indexes (ALL, KEYS_ONLY and INCLUDE projections), pagination (`Limit`,
 * `ExclusiveStartKey`, `LastEvaluatedKey`) and `ReturnValuesOnConditionCheckFailure` (a refused
 * write answers with the item it found, as DynamoDB does and dynalite does not).
 *
 * What it leaves out, as the local stack needs none of it: binary attributes, transactions,
 * PartiQL, streams, TTL deletion, capacity accounting, the legacy (non-expression) parameters,
 * and the 1 MB page of a Query or Scan (`Limit` pages).
 *
 * Each operation runs to completion synchronously: a write is applied, journalled and answered
 * before any other request is looked at, so conditional writes are atomic as in DynamoDB, and a
 * read sees every write answered before it (reads are strongly consistent, indexes included).
 * The storage contract (test/store/contract.ts) runs against it as it does against dynalite.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkRefs,
  compareStrings,
  compareValues,
  evalCondition,
  evalOperand,
  getPath,
  type Item,
  parseCondition,
  parseProjection,
  parseUpdate,
  type Path,
  type Refs,
  removePath,
  resolvePath,
  type Scope,
  setPath,
  type Value,
  valuesEqual,
} from './expressions.ts';
import { DynamoEngineError, ValidationError } from './errors.ts';
import { LocalStackError } from '../../errors.ts';

export { DynamoEngineError };

const notFound = () => new DynamoEngineError('ResourceNotFoundException', 'Requested resource not found');

/** DynamoDB's item size limit. */
const MAX_ITEM_BYTES = 400 * 1024;

interface KeySchema {
  hash: string;
  range?: string;
}

interface IndexDef extends KeySchema {
  name: string;
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  include: string[];
}

/** What CreateTable was given (kept in the journal as it was sent). */
// biome-ignore lint/suspicious/noExplicitAny: the request's shape, as the SDK or the wire sends it.
type Input = Record<string, any>;

interface Entry {
  sort: Value | undefined;
  key: string;
}

/** A sorted run of entries (a table partition or an index partition): by sort key, then table key. */
class Run {
  readonly entries: Entry[] = [];
  private position(entry: Entry): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareEntries(this.entries[middle]!, entry) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
  insert(entry: Entry): void {
    this.entries.splice(this.position(entry), 0, entry);
  }
  remove(entry: Entry): void {
    const at = this.position(entry);
    if (this.entries[at]?.key === entry.key) this.entries.splice(at, 1);
  }
  /** Index of the first entry after (or, backwards, the last before) `start`. */
  after(start: Entry, forward: boolean): number {
    const at = this.position(start);
    if (!forward) return at - 1;
    return this.entries[at] && compareEntries(this.entries[at]!, start) === 0 ? at + 1 : at;
  }
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.sort && b.sort) {
    const order = compareValues(a.sort, b.sort) ?? 0;
    if (order !== 0) return order;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

const scalar = (value: Value | undefined): string | undefined =>
  value?.S !== undefined ? `S${value.S}` : value?.N !== undefined ? `N${Number(value.N)}` : undefined;

class Table {
  readonly schema: KeySchema;
  readonly indexes: IndexDef[];
  readonly types: Record<string, string>;
  readonly items = new Map<string, Item>();
  /** Per index name ('' the table), per partition value: the sorted entries. */
  readonly runs = new Map<string, Map<string, Run>>();

  readonly input: Input;
  constructor(input: Input) {
    this.input = input;
    this.schema = keySchema(input.KeySchema);
    this.types = Object.fromEntries((input.AttributeDefinitions ?? []).map((d: Input) => [d.AttributeName, d.AttributeType]));
    this.indexes = [...(input.GlobalSecondaryIndexes ?? []), ...(input.LocalSecondaryIndexes ?? [])].map((index: Input) => ({
      name: index.IndexName,
      ...keySchema(index.KeySchema),
      projection: index.Projection?.ProjectionType ?? 'ALL',
      include: index.Projection?.NonKeyAttributes ?? [],
    }));
    this.runs.set('', new Map());
    for (const index of this.indexes) this.runs.set(index.name, new Map());
  }

  keyOf(key: Item): string {
    const hash = scalar(key[this.schema.hash]);
    const range = this.schema.range ? scalar(key[this.schema.range]) : '';
    return `${hash}\u0000${range}`;
  }

  /** Puts (or, with `item` undefined, removes) the item at `key`, keeping every index in line. */
  write(key: string, item: Item | undefined): void {
    const old = this.items.get(key);
    for (const [name, schema] of [['', this.schema] as const, ...this.indexes.map((index) => [index.name, index] as const)]) {
      const before = old ? scalar(old[schema.hash]) : undefined;
      const after = item ? scalar(item[schema.hash]) : undefined;
      const sortBefore = old && schema.range ? old[schema.range] : undefined;
      const sortAfter = item && schema.range ? item[schema.range] : undefined;
      // Sparse: an item without the index's keys is not in it.
      const inBefore = before !== undefined && (!schema.range || sortBefore !== undefined);
      const inAfter = after !== undefined && (!schema.range || sortAfter !== undefined);
      if (inBefore && inAfter && before === after && (!schema.range || valuesEqual(sortBefore, sortAfter))) continue;
      const runs = this.runs.get(name)!;
      if (inBefore) {
        const run = runs.get(before!)!;
        run.remove({ sort: sortBefore, key });
        if (run.entries.length === 0) runs.delete(before!);
      }
      if (inAfter) {
        let run = runs.get(after!);
        if (!run) {
          run = new Run();
          runs.set(after!, run);
        }
        run.insert({ sort: sortAfter, key });
      }
    }
    if (item) this.items.set(key, item);
    else this.items.delete(key);
  }

  describe(): Input {
    return {
      ...this.input,
      TableStatus: 'ACTIVE',
      ItemCount: this.items.size,
      TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${this.input.TableName}`,
      ...(this.input.GlobalSecondaryIndexes
        ? { GlobalSecondaryIndexes: this.input.GlobalSecondaryIndexes.map((index: Input) => ({ ...index, IndexStatus: 'ACTIVE' })) }
        : {}),
    };
  }
}

function keySchema(schema: Input[] | undefined): KeySchema {
  const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (!hash) throw new ValidationError('a key schema needs a HASH key');
  const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  return range ? { hash, range } : { hash };
}

/** A deep copy of an item or a value (plain objects, arrays and scalars: what the wire format holds). */
function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = clone((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** An item's size as DynamoDB counts it (names and values in UTF-8; numbers roughly). */
function itemBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueBytes(value);
  return size;
}
function valueBytes(value: Value): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  return 1;
}

/** Refuses values DynamoDB refuses (and binary ones, which this table does not keep). */
function checkValue(value: Value, where: string): void {
  const type = Object.keys(value);
  if (type.length !== 1) throw new ValidationError(`${where}: an attribute value must have exactly one type`);
  if (value.B !== undefined || value.BS !== undefined)
    throw new ValidationError(`${where}: binary attributes are not kept by the local table`);
  if (value.N !== undefined && (typeof value.N !== 'string' || !Number.isFinite(Number(value.N)) || value.N.trim() === '')) {
    throw new ValidationError(`${where}: the number ${JSON.stringify(value.N)} is not a number`);
  }
  for (const set of [value.SS, value.NS]) {
    if (set && (set.length === 0 || new Set(set).size !== set.length)) {
      throw new ValidationError(`${where}: a set may not be empty or hold duplicates`);
    }
  }
  if (value.L) for (const element of value.L) checkValue(element, where);
  if (value.M) for (const [name, element] of Object.entries(value.M)) checkValue(element, `${where}.${name}`);
}

type Journalled = [table: string, item: Item | null, key?: Item] | { create: Input } | { drop: string };

/** The journal: one JSON line per change; replayed, then compacted, when the engine opens. */
class Journal {
  private readonly fd: number;
  constructor(file: string) {
    this.fd = openSync(file, 'a');
  }
  append(record: Journalled): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** The journal's file name in the engine's folder. */
export const JOURNAL = 'tables.jsonl';

export interface DynamoEngineOptions {
  /** A folder to keep the tables in (the journal, `tables.jsonl`); in memory only without. */
  dir?: string;
}

export class DynamoEngine {
  private readonly tables = new Map<string, Table>();
  private journal?: Journal;
  /** Whether the running operation's input is the engine's to keep (no copy of its items). */
  private owned = false;

  constructor(options: DynamoEngineOptions = {}) {
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true });
      const file = join(options.dir, JOURNAL);
      if (existsSync(file)) this.replay(file);
      this.compact(file);
      this.journal = new Journal(file);
    }
  }

  close(): void {
    this.journal?.close();
    this.journal = undefined;
  }

  private replay(file: string): void {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, at) => {
      if (!line) return;
      let record: Journalled;
      try {
        record = JSON.parse(line) as Journalled;
      } catch (error) {
        // The last line may be cut short by a crash: that change was never answered.
        if (at >= lines.length - 2) return;
        throw new LocalStackError(`${file}: line ${at + 1} is not JSON (${(error as Error).message})`);
      }
      if (Array.isArray(record)) {
        const table = this.tables.get(record[0]);
        if (!table) return;
        const [, item, key] = record;
        table.write(table.keyOf(item ?? key!), item ?? undefined);
      } else if ('create' in record) this.tables.set(record.create.TableName, new Table(record.create));
      else this.tables.delete(record.drop);
    });
  }

  /** Rewrites the journal as the tables are now (one line per table and item), atomically. */
  private compact(file: string): void {
    const temporary = `${file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      for (const table of this.tables.values()) {
        writeSync(fd, `${JSON.stringify({ create: table.input })}\n`);
        const name = table.input.TableName as string;
        for (const item of table.items.values()) writeSync(fd, `${JSON.stringify([name, item])}\n`);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  }

  /**
   * Runs one operation (`GetItem`, `PutItem`, …) on its input in DynamoDB's wire format. Its
   * answer shares the table's items, which the engine never changes in place (an update writes a
   * new copy): a caller that changes what it gets copies it first. `owned`: the input is the
   * engine's to keep (a fresh parse or marshalling nobody else holds), so its items are not copied.
   */
  run(operation: string, input: Input, options: { owned?: boolean } = {}): Input {
    this.owned = options.owned ?? false;
    switch (operation) {
      case 'CreateTable':
        return this.createTable(input);
      case 'DescribeTable':
        return { Table: this.table(input.TableName).describe() };
      case 'DeleteTable': {
        const table = this.table(input.TableName);
        this.tables.delete(input.TableName);
        this.journal?.append({ drop: input.TableName });
        return { TableDescription: table.describe() };
      }
      case 'ListTables':
        return { TableNames: [...this.tables.keys()].sort() };
      case 'GetItem':
        return this.getItem(input);
      case 'PutItem':
        return this.putItem(input);
      case 'UpdateItem':
        return this.updateItem(input);
      case 'DeleteItem':
        return this.deleteItem(input);
      case 'Query':
        return this.query(input);
      case 'Scan':
        return this.scan(input);
      case 'BatchGetItem':
        return this.batchGet(input);
      case 'BatchWriteItem':
        return this.batchWrite(input);
      default:
        throw new DynamoEngineError('UnknownOperationException', `the local table does not do ${operation}`);
    }
  }

  private table(name: unknown): Table {
    const table = typeof name === 'string' ? this.tables.get(name) : undefined;
    if (!table) throw notFound();
    return table;
  }

  private createTable(input: Input): Input {
    if (this.tables.has(input.TableName)) throw new DynamoEngineError('ResourceInUseException', `Table already exists: ${input.TableName}`);
    const definition = clone(input);
    const table = new Table(definition);
    this.tables.set(input.TableName, table);
    this.journal?.append({ create: definition });
    return { TableDescription: table.describe() };
  }

  /** The item's key attributes, checked against the schema (present, of their declared type, not empty). */
  private keyItem(table: Table, key: Item | undefined, what = 'key'): Item {
    if (!key) throw new ValidationError(`The provided ${what} element does not match the schema`);
    const names = [table.schema.hash, ...(table.schema.range ? [table.schema.range] : [])];
    if (what === 'key' && Object.keys(key).length !== names.length)
      throw new ValidationError('The provided key element does not match the schema');
    const result: Item = {};
    for (const name of names) {
      const value = key[name];
      const type = table.types[name] ?? 'S';
      if (!value || (value as Record<string, unknown>)[type] === undefined) {
        throw new ValidationError(
          `One or more parameter values were invalid: the ${what} attribute ${name} is missing or not of type ${type}`,
        );
      }
      if (type === 'S' && value.S === '') {
        throw new ValidationError(`One or more parameter values are not valid: the key attribute ${name} is an empty string`);
      }
      result[name] = value;
    }
    return result;
  }

  /** A new item image, checked as DynamoDB checks a put. */
  private checkItem(table: Table, item: Item): void {
    this.keyItem(table, item, 'item');
    for (const [name, value] of Object.entries(item)) checkValue(value, name);
    for (const index of table.indexes) {
      for (const name of [index.hash, index.range]) {
        if (!name || item[name] === undefined) continue;
        const type = table.types[name] ?? 'S';
        const value = item[name] as Record<string, unknown>;
        if (value[type] === undefined || (type === 'S' && value.S === '')) {
          throw new ValidationError(
            `One or more parameter values were invalid: Type mismatch for Index Key ${name} Expected: ${type} Actual: ${Object.keys(value)[0]} IndexName: ${index.name}`,
          );
        }
      }
    }
    if (itemBytes(item) > MAX_ITEM_BYTES) throw new ValidationError('Item size has exceeded the maximum allowed size');
  }

  private commit(table: Table, key: string, item: Item | undefined, keyItem: Item): void {
    table.write(key, item);
    this.journal?.append(item ? [table.input.TableName, item] : [table.input.TableName, null, keyItem]);
  }

  /** Checks the write's condition on the item as it is; refuses with the item when asked. */
  private check(input: Input, old: Item | undefined, refs: Refs[], scope: Scope, extra: Refs[] = []): void {
    const condition = input.ConditionExpression ? parseCondition(input.ConditionExpression) : undefined;
    checkRefs([...refs, ...extra, ...(condition ? [condition.refs] : [])], scopeOf(input));
    if (condition && !evalCondition(condition.ast, old, scope)) {
      const item = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? clone(old) : undefined;
      throw new DynamoEngineError('ConditionalCheckFailedException', 'The conditional request failed', item);
    }
  }

  private getItem(input: Input): Input {
    const table = this.table(input.TableName);
    const key = this.keyItem(table, input.Key);
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression) : undefined;
    checkRefs(projection ? [projection.refs] : [], scopeOf(input));
    const item = table.items.get(table.keyOf(key));
    if (!item) return {};
    return {
      Item: project(
        item,
        projection?.ast.map((path) => resolvePath(path, scopeOf(input))),
      ),
    };
  }

  private putItem(input: Input): Input {
    const table = this.table(input.TableName);
    const item = this.owned ? (input.Item as Item) : clone(input.Item as Item);
    this.checkItem(table, item);
    const keyItem = this.keyItem(table, item, 'item');
    const key = table.keyOf(keyItem);
    const old = table.items.get(key);
    this.check(input, old, [], scopeOf(input));
    this.commit(table, key, item, keyItem);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
  }

  private deleteItem(input: Input): Input {
    const table = this.table(input.TableName);
    const keyItem = this.keyItem(table, input.Key);
    const key = table.keyOf(keyItem);
    const old = table.items.get(key);
    this.check(input, old, [], scopeOf(input));
    if (old) this.commit(table, key, undefined, keyItem);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
  }

  private updateItem(input: Input): Input {
    const table = this.table(input.TableName);
    const keyItem = this.keyItem(table, input.Key);
    const key = table.keyOf(keyItem);
    const old = table.items.get(key);
    const scope = scopeOf(input);
    const update = input.UpdateExpression ? parseUpdate(input.UpdateExpression) : undefined;
    this.check(input, old, update ? [update.refs] : [], scope);
    const item: Item = old ? clone(old) : { ...clone(keyItem) };
    const touched = new Set<string>();
    if (update) {
      const keys = new Set([table.schema.hash, table.schema.range]);
      const target = (path: Path) => {
        if (keys.has(path[0] as string)) {
          throw new ValidationError(
            `One or more parameter values were invalid: Cannot update attribute ${path[0]}. This attribute is part of the key`,
          );
        }
        touched.add(path[0] as string);
        return path;
      };
      // Every value is computed from the item as it was, then applied.
      const sets = update.ast.set.map(({ path, value }) => {
        const to = evalOperand(value, old, scope);
        if (to === undefined) throw new ValidationError('The provided expression refers to an attribute that does not exist in the item');
        return [target(resolvePath(path, scope)), clone(to)] as const;
      });
      const adds = update.ast.add.map(({ path, value }) => [target(resolvePath(path, scope)), evalOperand(value, old, scope)!] as const);
      const deletes = update.ast.delete.map(
        ({ path, value }) => [target(resolvePath(path, scope)), evalOperand(value, old, scope)!] as const,
      );
      for (const [path, to] of sets) setPath(item, path, to);
      for (const path of update.ast.remove) removePath(item, target(resolvePath(path, scope)));
      for (const [path, by] of adds) setPath(item, path, addTo(getPath(item, path), by));
      for (const [path, by] of deletes) {
        const left = deleteFrom(getPath(item, path), by);
        if (left) setPath(item, path, left);
        else removePath(item, path);
      }
    }
    this.checkItem(table, item);
    this.commit(table, key, item, keyItem);
    switch (input.ReturnValues) {
      case 'ALL_OLD':
        return old ? { Attributes: old } : {};
      case 'ALL_NEW':
        return { Attributes: item };
      case 'UPDATED_OLD':
        return old ? { Attributes: pick(old, touched) } : {};
      case 'UPDATED_NEW':
        return { Attributes: pick(item, touched) };
      default:
        return {};
    }
  }

  private query(input: Input): Input {
    const table = this.table(input.TableName);
    const index = this.indexOf(table, input.IndexName);
    const schema = index ?? table.schema;
    const scope = scopeOf(input);
    if (!input.KeyConditionExpression) throw new ValidationError('Query needs a KeyConditionExpression');
    const keyCondition = parseCondition(input.KeyConditionExpression);
    const filter = input.FilterExpression ? parseCondition(input.FilterExpression) : undefined;
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression) : undefined;
    checkRefs([keyCondition.refs, ...(filter ? [filter.refs] : []), ...(projection ? [projection.refs] : [])], scope);
    const partition = hashValue(keyCondition.ast, schema.hash, scope);
    if (partition === undefined) throw new ValidationError(`Query condition missed key schema element: ${schema.hash}`);
    const run = table.runs.get(index?.name ?? '')!.get(partition);
    const forward = input.ScanIndexForward !== false;
    const entries = run?.entries ?? [];
    let at = forward ? 0 : entries.length - 1;
    if (input.ExclusiveStartKey && run) {
      const start = input.ExclusiveStartKey as Item;
      at = run.after({ sort: schema.range ? start[schema.range] : undefined, key: table.keyOf(start) }, forward);
    }
    return this.page(table, index, input, scope, filter?.ast, projection?.ast, (emit) => {
      for (; forward ? at < entries.length : at >= 0; at += forward ? 1 : -1) {
        const item = table.items.get(entries[at]!.key)!;
        if (!evalCondition(keyCondition.ast, item, scope)) continue;
        if (!emit(item)) return;
      }
    });
  }

  private scan(input: Input): Input {
    const table = this.table(input.TableName);
    const index = this.indexOf(table, input.IndexName);
    const scope = scopeOf(input);
    const filter = input.FilterExpression ? parseCondition(input.FilterExpression) : undefined;
    const projection = input.ProjectionExpression ? parseProjection(input.ProjectionExpression) : undefined;
    checkRefs([...(filter ? [filter.refs] : []), ...(projection ? [projection.refs] : [])], scope);
    const keys = [
      ...(index ? [...table.runs.get(index.name)!.values()].flatMap((run) => run.entries.map((e) => e.key)) : table.items.keys()),
    ];
    keys.sort((a, b) => compareStrings(a, b));
    let at = 0;
    if (input.ExclusiveStartKey) {
      const start = table.keyOf(input.ExclusiveStartKey as Item);
      while (at < keys.length && compareStrings(keys[at]!, start) <= 0) at++;
    }
    return this.page(table, index, input, scope, filter?.ast, projection?.ast, (emit) => {
      for (; at < keys.length; at++) if (!emit(table.items.get(keys[at]!)!)) return;
    });
  }

  /** A Query's or Scan's page: `Limit` items read, the filter applied after, the last key read when the limit stopped it. */
  private page(
    table: Table,
    index: IndexDef | undefined,
    input: Input,
    scope: Scope,
    filter: Parameters<typeof evalCondition>[0] | undefined,
    projection: ReturnType<typeof parseProjection>['ast'] | undefined,
    walk: (emit: (item: Item) => boolean) => void,
  ): Input {
    const limit = input.Limit as number | undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new ValidationError('Limit must be at least 1');
    const items: Item[] = [];
    let scanned = 0;
    let last: Item | undefined;
    const paths = projection?.map((path) => resolvePath(path, scope));
    walk((item) => {
      scanned++;
      const visible = index ? indexImage(table, index, item) : item;
      if (!filter || evalCondition(filter, visible, scope)) items.push(project(visible, paths));
      if (limit !== undefined && scanned >= limit) {
        last = keyImage(table, index, item);
        return false;
      }
      return true;
    });
    const count = input.Select === 'COUNT' ? {} : { Items: items };
    return { ...count, Count: items.length, ScannedCount: scanned, ...(last ? { LastEvaluatedKey: last } : {}) };
  }

  private indexOf(table: Table, name: unknown): IndexDef | undefined {
    if (name === undefined) return undefined;
    const index = table.indexes.find((i) => i.name === name);
    if (!index) throw new ValidationError(`The table does not have the specified index: ${String(name)}`);
    return index;
  }

  private batchGet(input: Input): Input {
    const requests = Object.entries((input.RequestItems ?? {}) as Record<string, Input>);
    const total = requests.reduce((sum, [, request]) => sum + (request.Keys?.length ?? 0), 0);
    if (total === 0 || total > 100) throw new ValidationError('BatchGetItem takes 1 to 100 keys');
    const responses: Record<string, Item[]> = {};
    for (const [name, request] of requests) {
      const table = this.table(name);
      const seen = new Set<string>();
      const projection = request.ProjectionExpression ? parseProjection(request.ProjectionExpression) : undefined;
      checkRefs(projection ? [projection.refs] : [], scopeOf(request));
      const paths = projection?.ast.map((path) => resolvePath(path, scopeOf(request)));
      responses[name] = [];
      for (const keyInput of request.Keys as Item[]) {
        const key = table.keyOf(this.keyItem(table, keyInput));
        if (seen.has(key)) throw new ValidationError('Provided list of item keys contains duplicates');
        seen.add(key);
        const item = table.items.get(key);
        if (item) responses[name].push(project(item, paths));
      }
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  private batchWrite(input: Input): Input {
    const requests = Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>);
    const total = requests.reduce((sum, [, list]) => sum + list.length, 0);
    if (total === 0 || total > 25) throw new ValidationError('BatchWriteItem takes 1 to 25 requests');
    // Checked whole before anything is written, as DynamoDB refuses the whole batch.
    const writes: Array<[Table, string, Item | undefined, Item]> = [];
    for (const [name, list] of requests) {
      const table = this.table(name);
      const seen = new Set<string>();
      for (const request of list) {
        let item: Item | undefined;
        let keyItem: Item;
        if (request.PutRequest) {
          item = this.owned ? (request.PutRequest.Item as Item) : clone(request.PutRequest.Item as Item);
          this.checkItem(table, item);
          keyItem = this.keyItem(table, item, 'item');
        } else if (request.DeleteRequest) keyItem = this.keyItem(table, request.DeleteRequest.Key);
        else throw new ValidationError('a BatchWriteItem request needs a PutRequest or a DeleteRequest');
        const key = table.keyOf(keyItem);
        if (seen.has(key)) throw new ValidationError('Provided list of item keys contains duplicates');
        seen.add(key);
        writes.push([table, key, item, keyItem]);
      }
    }
    for (const [table, key, item, keyItem] of writes) {
      if (item || table.items.has(key)) this.commit(table, key, item, keyItem);
    }
    return { UnprocessedItems: {} };
  }
}

function scopeOf(input: Input): Scope {
  return { names: input.ExpressionAttributeNames ?? {}, values: input.ExpressionAttributeValues ?? {} };
}

/** The partition a key condition names: `<hash> = :v`, alone or ANDed with the sort key's condition. */
function hashValue(condition: ReturnType<typeof parseCondition>['ast'], hash: string, scope: Scope): string | undefined {
  if (condition.k === 'and') return hashValue(condition.a, hash, scope) ?? hashValue(condition.b, hash, scope);
  if (condition.k !== 'cmp' || condition.op !== '=') return undefined;
  const [path, value] = condition.a.k === 'path' ? [condition.a, condition.b] : [condition.b, condition.a];
  if (path.k !== 'path' || value.k !== 'value') return undefined;
  const resolved = resolvePath(path.path, scope);
  if (resolved.length !== 1 || resolved[0] !== hash) return undefined;
  return scalar(evalOperand(value, undefined, scope));
}

/** What an index holds of an item: its keys, the table's keys and, by its projection, the rest. */
function indexImage(table: Table, index: IndexDef, item: Item): Item {
  if (index.projection === 'ALL') return item;
  const names = [table.schema.hash, table.schema.range, index.hash, index.range, ...(index.projection === 'INCLUDE' ? index.include : [])];
  return pick(item, new Set(names.filter((n): n is string => n !== undefined)));
}

function keyImage(table: Table, index: IndexDef | undefined, item: Item): Item {
  const names = [table.schema.hash, table.schema.range, index?.hash, index?.range];
  return pick(item, new Set(names.filter((n): n is string => n !== undefined)));
}

function pick(item: Item, names: Set<string>): Item {
  const result: Item = {};
  for (const name of names) if (item[name] !== undefined) result[name] = item[name]!;
  return result;
}

/** An item with only the projected paths (new maps and lists around the item's values), or whole. */
function project(item: Item, paths: Path[] | undefined): Item {
  if (!paths) return item;
  const result: Item = {};
  for (const path of paths) {
    const found = getPath(item, path);
    if (found === undefined) continue;
    if (path.length === 1) {
      result[path[0] as string] = found;
      continue;
    }
    // A nested path keeps its parents (maps as maps, list elements in order).
    let target: Value = { M: result };
    path.forEach((element, i) => {
      const last = i === path.length - 1;
      if (typeof element === 'number') {
        target.L ??= [];
        if (last) target.L.push(found);
        else target = target.L[target.L.push(typeof path[i + 1] === 'number' ? { L: [] } : { M: {} }) - 1]!;
      } else {
        target.M ??= {};
        if (last) target.M[element] = found;
        else target = target.M[element] ??= typeof path[i + 1] === 'number' ? { L: [] } : { M: {} };
      }
    });
  }
  return result;
}

function addTo(current: Value | undefined, by: Value): Value {
  if (by.N !== undefined) {
    if (current && current.N === undefined) throw new ValidationError('An operand in the update expression has an incorrect data type');
    return { N: String(Number(current?.N ?? 0) + Number(by.N)) };
  }
  for (const type of ['SS', 'NS'] as const) {
    if (by[type]) {
      if (current && !current[type]) throw new ValidationError('An operand in the update expression has an incorrect data type');
      return { [type]: [...new Set([...(current?.[type] ?? []), ...by[type]!])] } as Value;
    }
  }
  throw new ValidationError('ADD takes a number or a set');
}

function deleteFrom(current: Value | undefined, by: Value): Value | undefined {
  for (const type of ['SS', 'NS'] as const) {
    if (by[type]) {
      if (!current) return undefined;
      if (!current[type]) throw new ValidationError('An operand in the update expression has an incorrect data type');
      const left = current[type]!.filter((v) => !by[type]!.includes(v));
      return left.length > 0 ? ({ [type]: left } as Value) : undefined;
    }
  }
  throw new ValidationError('DELETE takes a set');
}
