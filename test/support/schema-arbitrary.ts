/**
 * fast-check from the JSON Schemas of specs/api.yaml, for property tests that hold the API's own
 * validation to the spec: {@link arbitraryFor} makes values a schema accepts, and
 * {@link mutationsOf} lists, for one such value, each way to break one rule the schema states —
 * with the field a violation of it must be named by.
 *
 * It reads the subset of JSON Schema the spec uses (objects, arrays, strings with enum, pattern,
 * lengths and formats, integers, oneOf, a one-element allOf, propertyNames). Rules the schema
 * cannot state (a valid phone number, an account that exists) are the caller's, as
 * `overrides` by schema name.
 */
import fc from 'fast-check';
import { type Node, resolve, type SpecPath } from './api-spec.ts';

/** Generated strings stay short (the API's size rules are not what is tested) and within the BMP, without surrogates. */
const TEXT_MAX = 24;
const ITEMS_MAX = 3;
/** The largest item count generated at its limit. */
const SMALL_LIMIT = 10;
const CHAR = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xd7ff }) },
);
const text = (min: number, max: number) => fc.array(CHAR, { minLength: min, maxLength: max }).map((codes) => String.fromCharCode(...codes));

export type Overrides = Record<string, (base: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>>;

/** Values valid against the schema at `path` (a `$ref` named in `overrides` goes through its override). */
export function arbitraryFor(spec: Node, path: SpecPath, overrides: Overrides = {}): fc.Arbitrary<unknown> {
  const ref = spec && typeof nodeAtPath(spec, path)?.$ref === 'string' ? (nodeAtPath(spec, path).$ref as string) : undefined;
  const { path: at, node } = resolve(spec, path);
  const base = build(spec, at, node, overrides);
  const name = ref ? ref.split('/').at(-1) : path.length === 3 && path[0] === 'components' && path[1] === 'schemas' ? path[2] : undefined;
  return name && overrides[name] ? overrides[name](base) : base;
}

function nodeAtPath(spec: Node, path: SpecPath): Node {
  return path.reduce<Node>((node, key) => (node === undefined ? undefined : node[key]), spec);
}

function build(spec: Node, at: SpecPath, node: Node, overrides: Overrides): fc.Arbitrary<unknown> {
  if (node.oneOf) return fc.oneof(...(node.oneOf as Node[]).map((_, i) => arbitraryFor(spec, [...at, 'oneOf', String(i)], overrides)));
  if (node.allOf) {
    if (node.allOf.length !== 1) throw new Error(`${at.join('/')}: allOf of more than one schema`);
    return arbitraryFor(spec, [...at, 'allOf', '0'], overrides);
  }
  if (node.enum) return fc.constantFrom(...(node.enum as unknown[]));
  switch (node.type) {
    case 'object':
      return objectArbitrary(spec, at, node, overrides);
    case 'array': {
      const min = node.minItems ?? 0;
      const items = arbitraryFor(spec, [...at, 'items'], overrides);
      const some = fc.array(items, { minLength: min, maxLength: Math.max(min, Math.min(node.maxItems ?? ITEMS_MAX, ITEMS_MAX)) });
      // Now and then exactly as many as allowed, where that stays small (buttons, not 100 body values or messages).
      if (node.maxItems === undefined || node.maxItems <= ITEMS_MAX || node.maxItems > SMALL_LIMIT) return some;
      return fc.oneof(
        { weight: 5, arbitrary: some },
        { weight: 1, arbitrary: fc.array(items, { minLength: node.maxItems, maxLength: node.maxItems }) },
      );
    }
    case 'integer':
      return fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 1000 });
    case 'string':
      return stringArbitrary(node);
    default:
      throw new Error(`${at.join('/')}: no arbitrary for ${JSON.stringify(node.type)}`);
  }
}

function stringArbitrary(node: Node): fc.Arbitrary<string> {
  const min = node.minLength ?? 0;
  const max = Math.max(min, Math.min(node.maxLength ?? TEXT_MAX, TEXT_MAX));
  if (node.format === 'date-time') return dateTime(new Date('2000-01-01T00:00:00Z'), new Date('2099-12-31T23:59:59Z'));
  if (node.format === 'uri') return fc.webUrl().filter((url) => url.length <= (node.maxLength ?? Infinity));
  if (node.pattern) {
    const pattern = new RegExp(node.pattern);
    return fc
      .stringMatching(pattern, { maxLength: Math.max(max, 1) })
      .filter((value) => value.length >= min && value.length <= (node.maxLength ?? Infinity) && !notAllowed(node, value));
  }
  const some = text(min, max).filter((value) => !notAllowed(node, value));
  // Now and then exactly as long as allowed: the limit itself must be taken.
  if (node.maxLength === undefined) return some;
  return fc.oneof({ weight: 4, arbitrary: some }, { weight: 1, arbitrary: text(node.maxLength, node.maxLength) });
}

/** `not: {enum: [...]}`: the values a schema refuses by name. */
function notAllowed(node: Node, value: string): boolean {
  return Array.isArray(node.not?.enum) && node.not.enum.includes(value);
}

/** An RFC 3339 date-time between `min` and `max`, in UTC (`Z`) or at an offset, with or without fractions. */
export function dateTime(min: Date, max: Date): fc.Arbitrary<string> {
  return fc
    .record({
      at: fc.date({ min, max, noInvalidDate: true }),
      offsetQuarters: fc.option(fc.integer({ min: -48, max: 56 }), { nil: undefined }),
      fraction: fc.boolean(),
    })
    .map(({ at, offsetQuarters, fraction }) => {
      const iso = (date: Date) => (fraction ? date.toISOString() : date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      if (offsetQuarters === undefined) return iso(at);
      const minutes = offsetQuarters * 15;
      const local = iso(new Date(at.getTime() + minutes * 60_000)).slice(0, -1);
      const sign = minutes < 0 ? '-' : '+';
      const abs = Math.abs(minutes);
      return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    });
}

function objectArbitrary(spec: Node, at: SpecPath, node: Node, overrides: Overrides): fc.Arbitrary<unknown> {
  if (node.properties) {
    const model = Object.fromEntries(
      Object.keys(node.properties).map((name) => [name, arbitraryFor(spec, [...at, 'properties', name], overrides)]),
    );
    return fc.record(model, { requiredKeys: (node.required ?? []) as string[] });
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    const keys = node.propertyNames ? stringArbitrary({ type: 'string', ...node.propertyNames }) : text(1, TEXT_MAX);
    const maxKeys = Math.min(node.maxProperties ?? ITEMS_MAX, ITEMS_MAX);
    return fc.dictionary(keys, arbitraryFor(spec, [...at, 'additionalProperties'], overrides), { maxKeys, noNullPrototype: true });
  }
  return fc.constant({});
}

// ---------------------------------------------------------------- breaking one rule

export interface Mutation {
  /** What rule is broken, where. */
  label: string;
  /** The value with that one rule broken. */
  apply(value: unknown): unknown;
  /** The fields a violation may name: the field itself, or a union it is inside (zod names the union). */
  fields: string[];
}

type Key = string | number;
const fieldOf = (path: readonly Key[], root: string) => (path.length === 0 ? root : path.join('.'));

function setAt(value: unknown, path: readonly Key[], to: (old: unknown) => unknown): unknown {
  if (path.length === 0) return to(value);
  const copy = structuredClone(value) as Record<Key, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
  const last = path.at(-1)!;
  const next = to(node[last]);
  if (next === REMOVE) delete node[last];
  else node[last] = next;
  return copy;
}

const REMOVE = Symbol('remove');
/** A property name no schema has. */
export const UNKNOWN_PROPERTY = 'zzUnknownField';

/** A string that breaks `pattern` but keeps to the other rules where it can. */
function breaking(pattern: RegExp, min: number): string | undefined {
  return ['!', ' ', 'Not Valid!', '0000-00-00 00:00', '__', 'A'].find((candidate) => !pattern.test(candidate) && candidate.length >= min);
}

/**
 * Every way to break one rule of the schema at `path` in `value` (valid against it), walking into
 * the value. `root` names the whole value (`(body)`, `(query)`); `validate` tells which branch of
 * a `oneOf` the value is in.
 */
export function mutationsOf(
  spec: Node,
  path: SpecPath,
  value: unknown,
  validate: (path: SpecPath, value: unknown) => boolean,
  root = '(body)',
): Mutation[] {
  const out: Mutation[] = [];
  const walk = (schemaPath: SpecPath, at: Key[], current: unknown, unions: string[]) => {
    const { path: where, node } = resolve(spec, schemaPath);
    const field = fieldOf(at, root);
    const fields = (...own: string[]) => [...new Set([...own, ...unions])];
    const add = (label: string, to: (old: unknown) => unknown, ...own: string[]) =>
      out.push({ label: `${field}: ${label}`, apply: (v) => setAt(v, at, to), fields: fields(...own) });

    if (node.oneOf) {
      const branch = (node.oneOf as Node[]).findIndex((_, i) => validate([...where, 'oneOf', String(i)], current));
      if (branch < 0) throw new Error(`${field}: the value is in no branch of ${where.join('/')}`);
      add('of none of the kinds', () => 42, field);
      walk([...where, 'oneOf', String(branch)], at, current, [...unions, field]);
      return;
    }
    if (node.allOf) {
      walk([...where, 'allOf', '0'], at, current, unions);
      return;
    }
    if (node.enum) {
      add('not one of the values', () => 'zz-not-one-of-them', field);
      return;
    }
    switch (node.type) {
      case 'object': {
        const object = current as Record<string, unknown>;
        add('not an object', () => 42, field);
        if (node.additionalProperties === false)
          add(`with ${UNKNOWN_PROPERTY}`, (old) => ({ ...(old as object), [UNKNOWN_PROPERTY]: 'x' }), field);
        if (node.maxProperties !== undefined) {
          add(
            `more than ${node.maxProperties} properties`,
            (old) => {
              const more = { ...(old as object) } as Record<string, unknown>;
              const sample = Object.values(more)[0] ?? 'x';
              for (let i = 0; Object.keys(more).length <= node.maxProperties; i++) more[`k${i}`] = sample;
              return more;
            },
            field,
          );
        }
        if (node.propertyNames?.maxLength !== undefined) {
          add(
            'a property name too long',
            (old) => ({ ...(old as object), ['k'.repeat(node.propertyNames.maxLength + 1)]: 'x' }),
            field,
            `${field}.${'k'.repeat(node.propertyNames.maxLength + 1)}`,
          );
        }
        if (node.propertyNames?.pattern !== undefined) {
          add('a property name against the pattern', (old) => ({ ...(old as object), 'Not Valid!': 'x' }), field, `${field}.Not Valid!`);
        }
        if (Array.isArray(node.propertyNames?.not?.enum)) {
          add('a reserved property name', (old) => ({ ...(old as object), constructor: 'x' }), field, `${field}.constructor`);
        }
        for (const name of (node.required ?? []) as string[]) {
          add(
            `without ${name}`,
            (old) => {
              const { [name]: _gone, ...rest } = old as Record<string, unknown>;
              return rest;
            },
            fieldOf([...at, name], root),
          );
        }
        for (const [name, child] of Object.entries(object)) {
          const childPath = node.properties?.[name] ? [...where, 'properties', name] : [...where, 'additionalProperties'];
          walk(childPath, [...at, name], child, unions);
        }
        return;
      }
      case 'array': {
        const list = current as unknown[];
        add('not a list', () => 42, field);
        if (node.maxItems !== undefined && list.length > 0) {
          add(
            `more than ${node.maxItems} items`,
            (old) => Array.from({ length: node.maxItems + 1 }, (_, i) => (old as unknown[])[i % list.length]),
            field,
          );
        }
        if ((node.minItems ?? 0) > 0) add('empty', () => [], field);
        for (const [i, item] of list.slice(0, 2).entries()) walk([...where, 'items'], [...at, i], item, unions);
        return;
      }
      case 'integer':
        add('not a number', () => 'x', field);
        if (node.maximum !== undefined) add(`above ${node.maximum}`, () => node.maximum + 1, field);
        if (node.minimum !== undefined) add(`below ${node.minimum}`, () => node.minimum - 1, field);
        add('not whole', (old) => (old as number) + 0.5, field);
        return;
      case 'string': {
        add('not a string', () => 42, field);
        if (node.maxLength !== undefined) add(`longer than ${node.maxLength}`, () => '7'.repeat(node.maxLength + 1), field);
        if ((node.minLength ?? 0) > 0) add('empty', () => '', field);
        if (node.pattern !== undefined) {
          const broken = breaking(new RegExp(node.pattern), node.minLength ?? 0);
          if (broken !== undefined) add('against its pattern', () => broken, field);
        }
        return;
      }
      default:
        throw new Error(`${field}: no mutations for ${JSON.stringify(node.type)}`);
    }
  };
  walk(path, [], value, []);
  return out;
}
