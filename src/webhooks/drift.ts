/**
 * Callback drift: what an authenticated callback carries that its provider's spec does not say.
 * Providers change their payloads without notice; a callback that still parses is applied as
 * before (drift changes no answer and nothing in the store), and one that does not is refused as
 * before — either way, the webhook counts and logs it (src/webhooks/app.ts), so the change is
 * seen before it costs statuses. Three kinds, each at a JSON path (dotted, as the 400's issues):
 *
 * - `schema_violation`: the body breaks the spec's schema (or the bounds the webhook adds); the
 *   rule is the one the provider is answered with;
 * - `unknown_status_word`: a status word (Loopwave: an event) that neither the provider's module
 *   nor its spec knows — ignored, as it always was, and now also reported with its path;
 * - `unknown_field`: a property the spec does not declare, found by walking the body against the
 *   spec's generated zod schema (the one already in the bundle: no JSON Schema validator at cold
 *   start). An object the spec leaves open (`additionalProperties: true`, or no properties: a
 *   `z.record` in the generated code) takes any key.
 *
 * Never a value: a path segment that is not a short plain name (an array index, a field name) is
 * withheld, so a phone number or a token used as a key cannot reach the log.
 *
 * A callback is read with its drift by `readCallbackWith` (./read.ts: the provider's webhook side
 * in hand, as the webhook function loads it on first use) or `readCallback` (./normalise.ts).
 */
import * as z from 'zod';
import type { Violation } from '../messages/fields.ts';
import type { MalformedWebhookError, Normalised } from './kit.ts';

export type DriftKind = 'schema_violation' | 'unknown_status_word' | 'unknown_field';

/** One way a callback departs from its spec: where, and by which rule. No value from the body. */
export interface Drift {
  kind: DriftKind;
  /** Dotted JSON path (`entry.0.changes.0.value.statuses.0.status`), `(body)` for the whole body. */
  path: string;
  rule: string;
}

export const UNKNOWN_FIELD_RULE = 'not a property the spec declares';
export const UNKNOWN_WORD_RULE = 'not a status word the provider’s spec or module knows';
/** What a path segment that is not a plain name becomes. */
export const WITHHELD = '(withheld)';

/** A callback read: its events (or why it was refused) and its drift. */
export type CallbackReading = ({ normalised: Normalised } | { error: MalformedWebhookError }) & { drift: Drift[] };

/** A refusal's issue as drift: the field made safe to log, the rule as the provider was told it. */
export function schemaViolation(issue: Violation): Drift {
  return {
    kind: 'schema_violation',
    path: safePath(issue.field),
    rule: issue.rule.length > 200 ? `${issue.rule.slice(0, 199)}…` : issue.rule,
  };
}

/**
 * A plain name or index: letters, digits, `_`, `-`, `$`; at most 32 characters (the specs' longest
 * name has 24; a token is longer) and no run of five digits (a phone number is one).
 */
const PLAIN_SEGMENT = /^[A-Za-z0-9_$-]{1,32}$/;
const OURS = /^\([a-z ]+\)$/;

function segment(key: string | number): string {
  const text = String(key);
  return (PLAIN_SEGMENT.test(text) && !/\d{5}/.test(text)) || OURS.test(text) ? text : WITHHELD;
}

/** A dotted path (an issue's `field`) with every segment that is not a plain name withheld. */
export function safePath(path: string): string {
  return OURS.test(path) ? path : path.split('.').map(segment).join('.');
}

/** How deep the walk goes: callbacks are a few levels deep; anything below this is not looked at. */
const MAX_DEPTH = 32;

type Schema = z.core.$ZodType;
type Def = { type: string } & Record<string, unknown>;
type Path = Array<string | number>;
const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;
/** Schemas that only wrap another: their inner one decides. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** What the walk needs of a schema, read once from its zod definition (and kept: the schemas live as long as the module). */
type Shape =
  | { kind: 'leaf' }
  | { kind: 'object'; props: ReadonlyMap<string, Schema>; rest: Schema | undefined }
  | { kind: 'record'; values: Schema }
  | { kind: 'array'; element: Schema }
  | { kind: 'tuple'; items: readonly Schema[]; rest: Schema | undefined }
  | { kind: 'union'; options: readonly Schema[] }
  | { kind: 'intersection'; left: Schema; right: Schema };

const LEAF: Shape = { kind: 'leaf' };
const shapes = new WeakMap<Schema, Shape>();

function unwrap(schema: Schema): Schema {
  let inner = schema;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const def = defOf(inner);
    if (WRAPPERS.has(def.type)) inner = def.innerType as Schema;
    else if (def.type === 'lazy') inner = (def.getter as () => Schema)();
    else if (def.type === 'pipe') inner = def.in as Schema;
    else return inner;
  }
  return inner;
}

function shapeOf(schema: Schema): Shape {
  const known = shapes.get(schema);
  if (known) return known;
  const def = defOf(unwrap(schema));
  let shape: Shape = LEAF;
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall as Schema | undefined;
      const open = catchall !== undefined && defOf(catchall).type !== 'never';
      shape = { kind: 'object', props: new Map(Object.entries(def.shape as Record<string, Schema>)), rest: open ? catchall : undefined };
      break;
    }
    case 'record':
      shape = { kind: 'record', values: def.valueType as Schema };
      break;
    case 'array':
      shape = { kind: 'array', element: def.element as Schema };
      break;
    case 'tuple':
      shape = { kind: 'tuple', items: def.items as Schema[], rest: (def.rest as Schema | null | undefined) ?? undefined };
      break;
    case 'union': {
      // Only options with properties of their own can explain a key.
      const options = (def.options as Schema[]).filter((option) => shapeOf(option).kind !== 'leaf');
      shape = options.length > 0 ? { kind: 'union', options } : LEAF;
      break;
    }
    case 'intersection':
      shape = { kind: 'intersection', left: def.left as Schema, right: def.right as Schema };
      break;
  }
  shapes.set(schema, shape);
  return shape;
}

/**
 * The paths (dotted, made safe) of the properties in `value` that `schema` does not declare.
 * Never throws; an object the schema leaves open (`catchall`, `z.record`) takes any key.
 */
export function unknownFields(schema: Schema, value: unknown): string[] {
  const found: Path[] = [];
  try {
    walk(schema, value, [], found);
  } catch {
    // A schema this walker does not know the shape of: nothing more is said (the normaliser has spoken).
  }
  return found.map((path) => path.map(segment).join('.'));
}

/** Walks `value` against `schema`; `path` is where it is (pushed and popped: copied only into what is found). */
function walk(schema: Schema, value: unknown, path: Path, found: Path[]): void {
  if (path.length > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  const shape = shapeOf(schema);
  switch (shape.kind) {
    case 'object':
    case 'record': {
      if (Array.isArray(value)) return;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const member = shape.kind === 'record' ? shape.values : (shape.props.get(key) ?? shape.rest);
        path.push(key);
        if (member) walk(member, record[key], path, found);
        else found.push([...path]);
        path.pop();
      }
      return;
    }
    case 'array':
    case 'tuple': {
      if (!Array.isArray(value)) return;
      for (let index = 0; index < value.length; index++) {
        const member = shape.kind === 'array' ? shape.element : (shape.items[index] ?? shape.rest);
        if (!member) continue;
        path.push(index);
        walk(member, value[index], path, found);
        path.pop();
      }
      return;
    }
    case 'union': {
      // The options the value is (by the spec's own union), else all: the one that explains the most keys.
      const fitting = shape.options.filter((option) => z.safeParse(option, value).success);
      let best: Path[] | undefined;
      for (const option of fitting.length > 0 ? fitting : shape.options) {
        const own: Path[] = [];
        walk(option, value, path, own);
        if (!best || own.length < best.length) best = own;
        if (best.length === 0) break;
      }
      found.push(...(best ?? []));
      return;
    }
    case 'intersection': {
      // Unknown to both sides is unknown.
      const left: Path[] = [];
      const right: Path[] = [];
      walk(shape.left, value, path, left);
      walk(shape.right, value, path, right);
      const onRight = new Set(right.map((p) => p.join('\u0000')));
      found.push(...left.filter((p) => onRight.has(p.join('\u0000'))));
      return;
    }
    case 'leaf':
      // A string, a number, an enum, unknown…: no properties of its own.
      return;
  }
}
