/**
 * A spec as one document, for tools that take an object rather than a file (openapi-pact-comparator,
 * Ajv). Our provider specs share Meta's shapes through `$ref: './shared/meta.yaml#/components/schemas/…'`;
 * each such reference becomes a local one to a copy of that component, added to the document's own
 * `components` under its file's name (`meta.Template`). References inside a copied component are
 * followed the same way, from the file it came from, so cycles and shared components are copied once.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../errors.ts';

type Node = Record<string, unknown>;

const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * The spec at `specPath` (YAML or JSON) with every reference to another file made local.
 * @throws Error naming the file and the `$ref` when a reference points at something other than a
 * component (`#/components/<kind>/<name>`), at a component that does not exist, or when a copy's
 * name is already taken.
 */
export function bundleSpec(specPath: string): Node {
  const root = resolve(specPath);
  const files = new Map<string, Node>();
  const load = (file: string): Node => {
    let doc = files.get(file);
    if (!doc) {
      const parsed: unknown = parse(readFileSync(file, 'utf8'));
      if (!isObject(parsed)) throw new ConfigError(`${file}: not an OpenAPI document`);
      doc = parsed;
      files.set(file, doc);
    }
    return doc;
  };
  const bundled = structuredClone(load(root));
  /** `<file>#<pointer>` → the local reference to its copy. */
  const copies = new Map<string, string>();

  const localRef = (from: string, ref: string): string => {
    const hash = ref.indexOf('#');
    const target = hash === -1 ? ref : ref.slice(0, hash);
    const pointer = hash === -1 ? '' : ref.slice(hash + 1);
    const file = target === '' ? from : resolve(dirname(from), target);
    if (file === root) return `#${pointer}`;
    const key = `${file}#${pointer}`;
    const known = copies.get(key);
    if (known) return known;
    const where = `${relative(dirname(root), from) || basename(from)}: $ref ${ref}`;
    const match = /^\/components\/([^/]+)\/([^/]+)$/.exec(pointer);
    if (!match) throw new ConfigError(`${where}: a reference to another file must name a component (#/components/<kind>/<name>)`);
    const kind = unescapePointer(match[1]!);
    const name = unescapePointer(match[2]!);
    const component = (load(file).components as Record<string, Node | undefined> | undefined)?.[kind]?.[name];
    if (component === undefined) throw new ConfigError(`${where}: no such component in ${relative(dirname(root), file)}`);
    const copyName = `${basename(file).replace(/\.[^.]+$/, '')}.${name}`;
    bundled.components ??= {};
    const components = bundled.components as Record<string, Node>;
    components[kind] ??= {};
    const section = components[kind];
    if (Object.hasOwn(section, copyName)) throw new ConfigError(`${where}: the spec already has a component named ${copyName}`);
    const local = `#/components/${kind}/${copyName.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    copies.set(key, local);
    const copy = structuredClone(component);
    section[copyName] = copy;
    rewrite(copy, file);
    return local;
  };

  const rewrite = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) rewrite(item, file);
    } else if (isObject(node)) {
      if (typeof node.$ref === 'string') node.$ref = localRef(file, node.$ref);
      for (const [key, value] of Object.entries(node)) if (key !== '$ref') rewrite(value, file);
    }
  };
  rewrite(bundled, root);
  return bundled;
}
