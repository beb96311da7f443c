/**
 * Reading specs/api.yaml in tests: its operations, each documented answer with its schema, headers
 * and examples, and JSON Schema validators (Ajv, draft 2020-12 as OpenAPI 3.1 says) for any of
 * its schemas. Positions in the spec are paths of keys (`['paths', '/v1/messages', 'post', …]`),
 * so a test can name, and rewrite, exactly the node it checked.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const API_SPEC_FILE = fileURLToPath(new URL('../../specs/api.yaml', import.meta.url));

/** A parsed YAML document, walked by key. */
export type Node = any;
export type SpecPath = Array<string>;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export function loadApiSpec(text: string = readFileSync(API_SPEC_FILE, 'utf8')): Node {
  return parse(text);
}

export function nodeAt(spec: Node, path: SpecPath): Node {
  return path.reduce<Node>((node, key) => (node === undefined ? undefined : node[key]), spec);
}

/** Follows local `$ref`s from `path`: where the node really is, and the node. */
export function resolve(spec: Node, path: SpecPath): { path: SpecPath; node: Node } {
  let at = path;
  let node = nodeAt(spec, path);
  for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
    if (hops > 10 || !node.$ref.startsWith('#/')) throw new Error(`cannot follow ${node.$ref} at ${path.join(' ')}`);
    at = node.$ref
      .slice(2)
      .split('/')
      .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    node = nodeAt(spec, at);
    if (node === undefined) throw new Error(`${at.join('/')} does not exist`);
  }
  return { path: at, node };
}

export interface ApiOperation {
  operationId: string;
  method: (typeof HTTP_METHODS)[number];
  path: string;
  /** Where the operation is: `['paths', path, method]` or `['webhooks', name, method]`. */
  at: SpecPath;
  node: Node;
}

export function operationsOf(spec: Node, root: 'paths' | 'webhooks' = 'paths'): ApiOperation[] {
  return Object.entries(spec[root] ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => (item as Node)[method]).map((method) => ({
      operationId: (item as Node)[method].operationId as string,
      method,
      path,
      at: [root, path, method],
      node: (item as Node)[method],
    })),
  );
}

export interface NamedExample {
  name: string;
  /** Where the example's `value` is. */
  valuePath: SpecPath;
  value: unknown;
  answeredBy?: string;
}

export interface DocumentedAnswer {
  operation: ApiOperation;
  status: string;
  /** Where the response object really is (a component, or the operation's own). */
  at: SpecPath;
  /** `x-answered-by`: `api-gateway` for answers the handlers never give. */
  answeredBy?: string;
  schemaPath?: SpecPath;
  headers: Array<{ name: string; required: boolean; schemaPath: SpecPath }>;
  examples: NamedExample[];
}

function examplesAt(spec: Node, mediaPath: SpecPath): NamedExample[] {
  const media = nodeAt(spec, mediaPath);
  return Object.keys(media?.examples ?? {}).map((name) => {
    const { path, node } = resolve(spec, [...mediaPath, 'examples', name]);
    return {
      name,
      valuePath: [...path, 'value'],
      value: node.value,
      ...(node['x-answered-by'] ? { answeredBy: node['x-answered-by'] } : {}),
    };
  });
}

export function answersOf(spec: Node, operation: ApiOperation): DocumentedAnswer[] {
  return Object.keys(operation.node.responses ?? {}).map((status) => {
    const { path, node } = resolve(spec, [...operation.at, 'responses', status]);
    const media = node.content?.['application/json'] ? [...path, 'content', 'application/json'] : undefined;
    const headers = Object.keys(node.headers ?? {}).map((name) => {
      const header = resolve(spec, [...path, 'headers', name]);
      return { name: name.toLowerCase(), required: header.node.required === true, schemaPath: [...header.path, 'schema'] };
    });
    return {
      operation,
      status,
      at: path,
      ...(node['x-answered-by'] ? { answeredBy: node['x-answered-by'] as string } : {}),
      ...(media ? { schemaPath: [...media, 'schema'] } : {}),
      headers,
      examples: media ? examplesAt(spec, media) : [],
    };
  });
}

/** The request body's media: where its schema and examples are. */
export function requestBodyOf(spec: Node, operation: ApiOperation): { schemaPath: SpecPath; examples: NamedExample[] } | undefined {
  if (!operation.node.requestBody) return undefined;
  const { path, node } = resolve(spec, [...operation.at, 'requestBody']);
  if (!node.content?.['application/json']) return undefined;
  const media = [...path, 'content', 'application/json'];
  return { schemaPath: [...media, 'schema'], examples: examplesAt(spec, media) };
}

/** The operation's parameters (its path item's and its own), resolved. */
export function parametersOf(
  spec: Node,
  operation: ApiOperation,
): Array<{ name: string; in: string; required: boolean; at: SpecPath; node: Node }> {
  const item = operation.at.slice(0, -1);
  const lists = [
    [...item, 'parameters'],
    [...operation.at, 'parameters'],
  ];
  return lists.flatMap((list) =>
    ((nodeAt(spec, list) as Node[] | undefined) ?? []).map((_, i) => {
      const { path, node } = resolve(spec, [...list, String(i)]);
      return { name: node.name as string, in: node.in as string, required: node.required === true, at: path, node };
    }),
  );
}

/**
 * Validators for the spec's schemas. Local references (`#/components/schemas/X`) are rewritten
 * to one registered document, so an inline schema anywhere in the spec compiles alone.
 */
export function schemaValidator(spec: Node): (path: SpecPath) => ValidateFunction {
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateSchema: false }));
  const rewrite = (node: Node): Node =>
    JSON.parse(JSON.stringify(node), (key, value) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `api-spec${value}` : value,
    );
  ajv.addSchema({ $id: 'api-spec', components: rewrite(spec.components ?? {}) });
  const cache = new Map<string, ValidateFunction>();
  return (path) => {
    const key = JSON.stringify(path);
    let validate = cache.get(key);
    if (!validate) {
      const schema = nodeAt(spec, path);
      if (schema === undefined) throw new Error(`no schema at ${path.join(' ')}`);
      validate = ajv.compile(rewrite(schema));
      cache.set(key, validate);
    }
    return validate;
  };
}

/** Ajv's errors in one line each: where, and what. */
export function errorsOf(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
  );
}
