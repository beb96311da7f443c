/**
 * DynamoDB's expression language for the in-process table (engine.ts): condition, filter and key
 * condition expressions, update expressions and projections, parsed once per expression text
 * (cached) and evaluated on items in DynamoDB's wire format (`{S: …}`, `{N: …}`, `{M: …}` …).
 * Names (`#n`) and values (`:v`) are resolved at evaluation, so one parse serves every request
 * with the same text; a name or value the expression uses and the request lacks, or one the
 * request gives and no expression uses, is a ValidationException, as DynamoDB answers.
 *
 * The semantics follow DynamoDB (and dynalite, which the storage contract also runs on): a
 * comparison between different types, or with a missing attribute, is false (`<>` true); `IN`
 * and `BETWEEN` on a missing attribute are false; numbers compare as numbers, strings and binaries
 * by their bytes.
 */
import { ValidationError } from './errors.ts';

/** An attribute value in DynamoDB's wire format. */
export interface Value {
  S?: string;
  N?: string;
  B?: unknown;
  SS?: string[];
  NS?: string[];
  BS?: unknown[];
  BOOL?: boolean;
  NULL?: boolean;
  L?: Value[];
  M?: Record<string, Value>;
}
export type Item = Record<string, Value>;

export { ValidationError };
export type Path = Array<string | number>;

type Ref = { k: 'name'; ref: string } | { k: 'id'; id: string };
type PathAst = Array<Ref | number>;

export type Operand =
  | { k: 'path'; path: PathAst }
  | { k: 'value'; ref: string }
  | { k: 'size'; path: PathAst }
  | { k: 'if_not_exists'; path: PathAst; fallback: Operand }
  | { k: 'list_append'; a: Operand; b: Operand }
  | { k: '+' | '-'; a: Operand; b: Operand };

export type Condition =
  | { k: 'and' | 'or'; a: Condition; b: Condition }
  | { k: 'not'; a: Condition }
  | { k: 'cmp'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; a: Operand; b: Operand }
  | { k: 'between'; a: Operand; low: Operand; high: Operand }
  | { k: 'in'; a: Operand; list: Operand[] }
  | { k: 'fn'; name: string; args: Operand[] };

export interface UpdateAst {
  set: Array<{ path: PathAst; value: Operand }>;
  remove: PathAst[];
  add: Array<{ path: PathAst; value: Operand }>;
  delete: Array<{ path: PathAst; value: Operand }>;
}

/** The names and values an expression refers to (for the unused/undefined checks). */
export interface Refs {
  names: Set<string>;
  values: Set<string>;
}

/** What a request brings to resolve its expressions with. */
export interface Scope {
  names: Record<string, string>;
  values: Record<string, Value>;
}

// ——— tokens ———

type Token = { t: 'id' | 'name' | 'value' | 'num' | 'punct'; s: string };

const PUNCT = ['<=', '>=', '<>', '(', ')', '[', ']', ',', '.', '=', '<', '>', '+', '-'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const word = /^[#:]?[A-Za-z0-9_]+/.exec(text.slice(i, i + 300));
    if (word) {
      const s = word[0];
      const t = s[0] === '#' ? 'name' : s[0] === ':' ? 'value' : /^[0-9]+$/.test(s) ? 'num' : 'id';
      if ((t === 'name' || t === 'value') && s.length === 1) throw new ValidationError(`Invalid expression: ${JSON.stringify(text)}`);
      tokens.push({ t, s });
      i += s.length;
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (!punct) throw new ValidationError(`Invalid expression: unexpected ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
    tokens.push({ t: 'punct', s: punct });
    i += punct.length;
  }
  return tokens;
}

const RESERVED_FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);

class Parser {
  private i = 0;
  readonly refs: Refs = { names: new Set(), values: new Set() };
  private readonly tokens: Token[];
  private readonly text: string;
  constructor(tokens: Token[], text: string) {
    this.tokens = tokens;
    this.text = text;
  }

  fail(what = 'unexpected token'): never {
    const at = this.tokens[this.i]?.s ?? 'the end';
    throw new ValidationError(`Invalid expression: ${what} at ${JSON.stringify(at)} in ${JSON.stringify(this.text)}`);
  }
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.t === 'id' && token.s.toUpperCase() === word;
  }
  isPunct(p: string): boolean {
    const token = this.peek();
    return token?.t === 'punct' && token.s === p;
  }
  expectPunct(p: string): void {
    if (!this.isPunct(p)) this.fail(`expected ${JSON.stringify(p)}`);
    this.i++;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }

  path(): PathAst {
    const path: PathAst = [this.pathElement()];
    for (;;) {
      if (this.isPunct('.')) {
        this.i++;
        path.push(this.pathElement());
      } else if (this.isPunct('[')) {
        this.i++;
        const n = this.peek();
        if (n?.t !== 'num') this.fail('expected a list index');
        this.i++;
        path.push(Number(n.s));
        this.expectPunct(']');
      } else {
        return path;
      }
    }
  }
  private pathElement(): Ref {
    const token = this.peek();
    if (token?.t === 'name') {
      this.i++;
      this.refs.names.add(token.s);
      return { k: 'name', ref: token.s };
    }
    if (token?.t === 'id' && /^[A-Za-z_]/.test(token.s)) {
      this.i++;
      return { k: 'id', id: token.s };
    }
    return this.fail('expected an attribute name');
  }

  operand(): Operand {
    const token = this.peek();
    if (token?.t === 'value') {
      this.i++;
      this.refs.values.add(token.s);
      return { k: 'value', ref: token.s };
    }
    if (token?.t === 'id' && this.peek(1)?.s === '(') {
      const name = token.s.toLowerCase();
      this.i += 2;
      let result: Operand;
      if (name === 'size') result = { k: 'size', path: this.path() };
      else if (name === 'if_not_exists') {
        const path = this.path();
        this.expectPunct(',');
        result = { k: 'if_not_exists', path, fallback: this.updateValue() };
      } else if (name === 'list_append') {
        const a = this.updateValue();
        this.expectPunct(',');
        result = { k: 'list_append', a, b: this.updateValue() };
      } else return this.fail(`unknown function ${token.s}`);
      this.expectPunct(')');
      return result;
    }
    return { k: 'path', path: this.path() };
  }

  /** An update's value: an operand, or two joined by + or -. */
  updateValue(): Operand {
    const a = this.operand();
    if (this.isPunct('+') || this.isPunct('-')) {
      const op = this.peek()!.s as '+' | '-';
      this.i++;
      return { k: op, a, b: this.operand() };
    }
    return a;
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isWord('OR')) {
      this.i++;
      left = { k: 'or', a: left, b: this.conjunction() };
    }
    return left;
  }
  private conjunction(): Condition {
    let left = this.negation();
    while (this.isWord('AND')) {
      this.i++;
      left = { k: 'and', a: left, b: this.negation() };
    }
    return left;
  }
  private negation(): Condition {
    if (this.isWord('NOT')) {
      this.i++;
      return { k: 'not', a: this.negation() };
    }
    return this.predicate();
  }
  private predicate(): Condition {
    if (this.isPunct('(')) {
      this.i++;
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const token = this.peek();
    if (token?.t === 'id' && RESERVED_FUNCTIONS.has(token.s) && token.s !== 'size' && this.peek(1)?.s === '(') {
      this.i += 2;
      const args = [this.operand()];
      while (this.isPunct(',')) {
        this.i++;
        args.push(this.operand());
      }
      this.expectPunct(')');
      return { k: 'fn', name: token.s, args };
    }
    const a = this.operand();
    if (this.isWord('BETWEEN')) {
      this.i++;
      const low = this.operand();
      if (!this.isWord('AND')) this.fail('expected AND');
      this.i++;
      return { k: 'between', a, low, high: this.operand() };
    }
    if (this.isWord('IN')) {
      this.i++;
      this.expectPunct('(');
      const list = [this.operand()];
      while (this.isPunct(',')) {
        this.i++;
        list.push(this.operand());
      }
      this.expectPunct(')');
      return { k: 'in', a, list };
    }
    const op = this.peek();
    if (op?.t === 'punct' && ['=', '<>', '<', '<=', '>', '>='].includes(op.s)) {
      this.i++;
      return { k: 'cmp', op: op.s as '=', a, b: this.operand() };
    }
    return this.fail('expected a comparison');
  }

  update(): UpdateAst {
    const ast: UpdateAst = { set: [], remove: [], add: [], delete: [] };
    const seen = new Set<string>();
    while (!this.done()) {
      const clause = this.peek()?.t === 'id' ? this.peek()!.s.toUpperCase() : '';
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause) || seen.has(clause)) this.fail('expected SET, REMOVE, ADD or DELETE');
      seen.add(clause);
      this.i++;
      for (;;) {
        const path = this.path();
        if (clause === 'SET') {
          this.expectPunct('=');
          ast.set.push({ path, value: this.updateValue() });
        } else if (clause === 'REMOVE') ast.remove.push(path);
        else ast[clause === 'ADD' ? 'add' : 'delete'].push({ path, value: this.operand() });
        if (!this.isPunct(',')) break;
        this.i++;
      }
    }
    return ast;
  }

  projection(): PathAst[] {
    const paths = [this.path()];
    while (this.isPunct(',')) {
      this.i++;
      paths.push(this.path());
    }
    return paths;
  }
}

const cache = new Map<string, { ast: unknown; refs: Refs }>();

function parsed<T>(kind: string, text: string, parse: (parser: Parser) => T): { ast: T; refs: Refs } {
  const key = `${kind}\u0000${text}`;
  let entry = cache.get(key);
  if (!entry) {
    const parser = new Parser(tokenize(text), text);
    if (parser.done()) throw new ValidationError(`Invalid ${kind}: the expression is empty`);
    const ast = parse(parser);
    if (!parser.done()) parser.fail();
    entry = { ast, refs: parser.refs };
    if (cache.size > 10_000) cache.clear();
    cache.set(key, entry);
  }
  return entry as { ast: T; refs: Refs };
}

export const parseCondition = (text: string) => parsed('ConditionExpression', text, (p) => p.condition());
export const parseUpdate = (text: string) => parsed('UpdateExpression', text, (p) => p.update());
export const parseProjection = (text: string) => parsed('ProjectionExpression', text, (p) => p.projection());

// ——— evaluation ———

function resolveName(ref: Ref, scope: Scope): string {
  if (ref.k === 'id') return ref.id;
  const name = scope.names[ref.ref];
  if (name === undefined)
    throw new ValidationError(`An expression attribute name used in the document path is not defined; attribute name: ${ref.ref}`);
  return name;
}

export function resolvePath(path: PathAst, scope: Scope): Path {
  return path.map((element) => (typeof element === 'number' ? element : resolveName(element, scope)));
}

export function getPath(item: Item | undefined, path: Path): Value | undefined {
  let current: Value | undefined = item ? { M: item } : undefined;
  for (const element of path) {
    if (!current) return undefined;
    if (typeof element === 'number') current = current.L?.[element];
    else current = current.M ? current.M[element] : undefined;
  }
  return current;
}

const typeOf = (value: Value): string => Object.keys(value)[0]!;
const inner = (value: Value): unknown => (value as Record<string, unknown>)[typeOf(value)];

function bytesOf(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value as Uint8Array);
}

/** -1, 0 or 1 for two values of the same scalar type (N, S, B); undefined when they cannot be ordered. */
export function compareValues(a: Value, b: Value): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'N') {
    const x = Number(a.N);
    const y = Number(b.N);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'S') return compareStrings(a.S!, b.S!);
  if (type === 'B') return Buffer.compare(bytesOf(a.B), bytesOf(b.B));
  return undefined;
}

/** Strings in UTF-8 byte order, as DynamoDB sorts them (UTF-16 order differs only past the surrogates). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (/[\ud800-\uffff]/.test(a) || /[\ud800-\uffff]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

export function valuesEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (!a || !b) return false;
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case 'N':
      return Number(a.N) === Number(b.N);
    case 'S':
      return a.S === b.S;
    case 'B':
      return Buffer.compare(bytesOf(a.B), bytesOf(b.B)) === 0;
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = (inner(a) as unknown[]).map(String);
      const y = new Set((inner(b) as unknown[]).map(String));
      return x.length === y.size && x.every((v) => y.has(v));
    }
    case 'L':
      return a.L!.length === b.L!.length && a.L!.every((v, i) => valuesEqual(v, b.L![i]));
    case 'M': {
      const keys = Object.keys(a.M!);
      return keys.length === Object.keys(b.M!).length && keys.every((k) => valuesEqual(a.M![k], b.M![k]));
    }
    default:
      return false;
  }
}

function sizeOf(value: Value | undefined): Value | undefined {
  if (!value) return undefined;
  switch (typeOf(value)) {
    case 'S':
      return { N: String(Buffer.byteLength(value.S!)) };
    case 'B':
      return { N: String(bytesOf(value.B).length) };
    case 'SS':
    case 'NS':
    case 'BS':
    case 'L':
      return { N: String((inner(value) as unknown[]).length) };
    case 'M':
      return { N: String(Object.keys(value.M!).length) };
    default:
      return undefined;
  }
}

function value(ref: string, scope: Scope): Value {
  const found = scope.values[ref];
  if (found === undefined)
    throw new ValidationError(`An expression attribute value used in expression is not defined; attribute value: ${ref}`);
  return found;
}

export function evalOperand(operand: Operand, item: Item | undefined, scope: Scope): Value | undefined {
  switch (operand.k) {
    case 'value':
      return value(operand.ref, scope);
    case 'path':
      return getPath(item, resolvePath(operand.path, scope));
    case 'size':
      return sizeOf(getPath(item, resolvePath(operand.path, scope)));
    case 'if_not_exists':
      return getPath(item, resolvePath(operand.path, scope)) ?? evalOperand(operand.fallback, item, scope);
    case 'list_append': {
      const a = evalOperand(operand.a, item, scope);
      const b = evalOperand(operand.b, item, scope);
      if (!a?.L || !b?.L)
        throw new ValidationError('An operand in the update expression has an incorrect data type (list_append takes two lists)');
      return { L: [...a.L, ...b.L] };
    }
    case '+':
    case '-': {
      const a = evalOperand(operand.a, item, scope);
      const b = evalOperand(operand.b, item, scope);
      if (a?.N === undefined || b?.N === undefined) {
        throw new ValidationError('An operand in the update expression has an incorrect data type (+ and - take two numbers)');
      }
      return { N: String(operand.k === '+' ? Number(a.N) + Number(b.N) : Number(a.N) - Number(b.N)) };
    }
  }
}

export function evalCondition(condition: Condition, item: Item | undefined, scope: Scope): boolean {
  switch (condition.k) {
    case 'and':
      return evalCondition(condition.a, item, scope) && evalCondition(condition.b, item, scope);
    case 'or':
      return evalCondition(condition.a, item, scope) || evalCondition(condition.b, item, scope);
    case 'not':
      return !evalCondition(condition.a, item, scope);
    case 'cmp': {
      const a = evalOperand(condition.a, item, scope);
      const b = evalOperand(condition.b, item, scope);
      if (condition.op === '=') return valuesEqual(a, b);
      if (condition.op === '<>') return !valuesEqual(a, b);
      const order = a && b ? compareValues(a, b) : undefined;
      if (order === undefined) return false;
      return condition.op === '<' ? order < 0 : condition.op === '<=' ? order <= 0 : condition.op === '>' ? order > 0 : order >= 0;
    }
    case 'between': {
      const a = evalOperand(condition.a, item, scope);
      const low = evalOperand(condition.low, item, scope);
      const high = evalOperand(condition.high, item, scope);
      if (!a || !low || !high) return false;
      const lowOrder = compareValues(a, low);
      const highOrder = compareValues(a, high);
      return lowOrder !== undefined && highOrder !== undefined && lowOrder >= 0 && highOrder <= 0;
    }
    case 'in': {
      const a = evalOperand(condition.a, item, scope);
      return a !== undefined && condition.list.some((candidate) => valuesEqual(a, evalOperand(candidate, item, scope)));
    }
    case 'fn':
      return evalFunction(condition.name, condition.args, item, scope);
  }
}

function evalFunction(name: string, args: Operand[], item: Item | undefined, scope: Scope): boolean {
  const pathArg = () => {
    const first = args[0];
    if (first?.k !== 'path') throw new ValidationError(`Invalid ConditionExpression: ${name} takes a document path first`);
    return getPath(item, resolvePath(first.path, scope));
  };
  const second = () => {
    if (args.length !== 2) throw new ValidationError(`Invalid ConditionExpression: ${name} takes two operands`);
    return evalOperand(args[1]!, item, scope);
  };
  switch (name) {
    case 'attribute_exists':
      return pathArg() !== undefined;
    case 'attribute_not_exists':
      return pathArg() === undefined;
    case 'attribute_type': {
      const found = pathArg();
      const type = second();
      return found !== undefined && type?.S === typeOf(found);
    }
    case 'begins_with': {
      const found = pathArg();
      const prefix = second();
      if (!found || !prefix) return false;
      if (found.S !== undefined && prefix.S !== undefined) return found.S.startsWith(prefix.S);
      if (found.B !== undefined && prefix.B !== undefined) {
        const whole = bytesOf(found.B);
        const start = bytesOf(prefix.B);
        return whole.subarray(0, start.length).equals(start);
      }
      return false;
    }
    case 'contains': {
      const found = pathArg();
      const part = second();
      if (!found || !part) return false;
      if (found.S !== undefined && part.S !== undefined) return found.S.includes(part.S);
      if (found.SS && part.S !== undefined) return found.SS.includes(part.S);
      if (found.NS && part.N !== undefined) return found.NS.some((n) => Number(n) === Number(part.N));
      if (found.L) return found.L.some((element) => valuesEqual(element, part));
      return false;
    }
    default:
      throw new ValidationError(`Invalid ConditionExpression: unknown function ${name}`);
  }
}

/** Sets `path` in `item` (changed in place); the parent must exist, as DynamoDB requires. */
export function setPath(item: Item, path: Path, to: Value): void {
  if (path.length === 1) {
    item[path[0] as string] = to;
    return;
  }
  const parent = getPath(item, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (typeof last === 'number' && parent?.L) {
    if (last >= parent.L.length) parent.L.push(to);
    else parent.L[last] = to;
  } else if (typeof last === 'string' && parent?.M) {
    parent.M[last] = to;
  } else {
    throw new ValidationError('The document path provided in the update expression is invalid for update');
  }
}

export function removePath(item: Item, path: Path): void {
  if (path.length === 1) {
    delete item[path[0] as string];
    return;
  }
  const parent = getPath(item, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (typeof last === 'number' && parent?.L) {
    if (last < parent.L.length) parent.L.splice(last, 1);
  } else if (typeof last === 'string' && parent?.M) {
    delete parent.M[last];
  }
}

/** Checks that the request's names and values are exactly those its expressions use. */
export function checkRefs(refs: Refs[], scope: { names?: Record<string, string>; values?: Record<string, Value> }): void {
  const names = new Set<string>();
  const values = new Set<string>();
  for (const r of refs) {
    for (const n of r.names) names.add(n);
    for (const v of r.values) values.add(v);
  }
  for (const name of Object.keys(scope.names ?? {})) {
    if (!names.has(name)) throw new ValidationError(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${name}}`);
  }
  for (const v of Object.keys(scope.values ?? {})) {
    if (!values.has(v)) throw new ValidationError(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${v}}`);
  }
  for (const name of names) {
    if (!scope.names || scope.names[name] === undefined) {
      throw new ValidationError(`An expression attribute name used in the document path is not defined; attribute name: ${name}`);
    }
  }
  for (const v of values) {
    if (!scope.values || scope.values[v] === undefined) {
      throw new ValidationError(`An expression attribute value used in expression is not defined; attribute value: ${v}`);
    }
  }
}
