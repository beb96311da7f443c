/**
 * Reading the provider specs in tests: the documented examples of each operation and webhook,
 * with local `$ref`s (`#/components/...`) resolved.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface NamedExample {
  name: string;
  value: Json;
  repaired?: string;
}

const specsDir = fileURLToPath(new URL('../../specs/', import.meta.url));

export function loadSpec(provider: string): JsonObject {
  return parse(readFileSync(`${specsDir}${provider}.yaml`, 'utf8')) as JsonObject;
}

/** Follows local `#/a/b` references until a non-reference object is reached. */
export function deref(spec: JsonObject, node: Json | undefined): Json | undefined {
  let current = node;
  const seen = new Set<string>();
  while (current && typeof current === 'object' && !Array.isArray(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) throw new Error(`deref: only local references are followed, got ${ref}`);
    if (seen.has(ref)) throw new Error(`deref: reference cycle at ${ref}`);
    seen.add(ref);
    current = ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Json | undefined>((at, key) => (at && typeof at === 'object' && !Array.isArray(at) ? at[key] : undefined), spec);
    if (current === undefined) throw new Error(`deref: ${ref} does not exist`);
  }
  return current;
}

function asObject(value: Json | undefined, where: string): JsonObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: not an object`);
  return value;
}

function examplesOfMedia(spec: JsonObject, media: JsonObject, where: string): NamedExample[] {
  const examples = media.examples ? asObject(media.examples, `${where}.examples`) : {};
  return Object.entries(examples).map(([name, entry]) => {
    const example = asObject(deref(spec, entry), `${where}.examples.${name}`);
    const repaired = typeof example['x-repaired'] === 'string' ? example['x-repaired'] : undefined;
    return { name, value: example.value ?? null, ...(repaired ? { repaired } : {}) };
  });
}

function operation(spec: JsonObject, root: 'paths' | 'webhooks', key: string, method: string): JsonObject {
  const item = asObject(deref(spec, asObject(spec[root], root)[key]), `${root}.${key}`);
  return asObject(deref(spec, item[method.toLowerCase()]), `${root}.${key}.${method}`);
}

/** The request body examples of `method path` (or of the webhook named `path` with root 'webhooks'). */
export function requestExamples(
  spec: JsonObject,
  path: string,
  method: string,
  mediaType = 'application/json',
  root: 'paths' | 'webhooks' = 'paths',
): NamedExample[] {
  const op = operation(spec, root, path, method);
  const body = asObject(deref(spec, op.requestBody), `${path} requestBody`);
  const media = asObject(asObject(body.content, `${path} content`)[mediaType], `${path} ${mediaType}`);
  return examplesOfMedia(spec, media, `${method} ${path}`);
}

/** The examples of the `status` response of `method path`. */
export function responseExamples(
  spec: JsonObject,
  path: string,
  method: string,
  status: string,
  mediaType = 'application/json',
  root: 'paths' | 'webhooks' = 'paths',
): NamedExample[] {
  const op = operation(spec, root, path, method);
  const response = asObject(deref(spec, asObject(op.responses, `${path} responses`)[status]), `${path} ${status}`);
  const media = asObject(asObject(response.content, `${path} ${status} content`)[mediaType], `${path} ${status} ${mediaType}`);
  return examplesOfMedia(spec, media, `${method} ${path} ${status}`);
}

/** Every documented response status of `method path`. */
export function responseStatuses(spec: JsonObject, path: string, method: string, root: 'paths' | 'webhooks' = 'paths'): string[] {
  return Object.keys(asObject(operation(spec, root, path, method).responses, `${path} responses`));
}

export interface DocumentedAnswer {
  status: string;
  /** Example name, or undefined when the answer documents no body example. */
  example?: string;
  body?: Json;
  /** Response headers with the example values the spec gives them. */
  headers: Record<string, string>;
}

export interface DocumentedOperation {
  operationId: string;
  method: string;
  path: string;
  /** Example values of the path and query parameters (from `example`/`examples`/`default`). */
  pathParams: Record<string, string>;
  /** The first documented request body example, if the operation has a body. */
  requestBody?: Json;
  requestMediaType?: string;
  answers: DocumentedAnswer[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function exampleOfSchema(spec: JsonObject, schema: Json | undefined): Json | undefined {
  const resolved = deref(spec, schema);
  if (!resolved || typeof resolved !== 'object' || Array.isArray(resolved)) return undefined;
  if (resolved.example !== undefined) return resolved.example;
  if (Array.isArray(resolved.examples)) return resolved.examples[0];
  return resolved.default;
}

function parameterExample(spec: JsonObject, parameter: JsonObject): Json | undefined {
  if (parameter.example !== undefined) return parameter.example;
  const named =
    parameter.examples && typeof parameter.examples === 'object' && !Array.isArray(parameter.examples)
      ? Object.values(parameter.examples)[0]
      : undefined;
  const value = named ? (deref(spec, named) as JsonObject | undefined)?.value : undefined;
  return value ?? exampleOfSchema(spec, parameter.schema);
}

/** Every operation of the spec with the examples a contract needs to exercise each documented answer. */
export function documentedOperations(spec: JsonObject): DocumentedOperation[] {
  const operations: DocumentedOperation[] = [];
  for (const [path, rawItem] of Object.entries(asObject(spec.paths, 'paths'))) {
    const item = asObject(deref(spec, rawItem), path);
    for (const method of METHODS) {
      if (!item[method]) continue;
      const op = asObject(deref(spec, item[method]), `${method} ${path}`);
      const parameters = [...((item.parameters as Json[] | undefined) ?? []), ...((op.parameters as Json[] | undefined) ?? [])].map((p) =>
        asObject(deref(spec, p), `${path} parameter`),
      );
      const pathParams: Record<string, string> = {};
      for (const parameter of parameters) {
        if (parameter.in !== 'path') continue;
        const value = parameterExample(spec, parameter);
        if (value === undefined) throw new Error(`${method} ${path}: path parameter ${String(parameter.name)} has no example`);
        pathParams[String(parameter.name)] = String(value);
      }
      let requestBody: Json | undefined;
      let requestMediaType: string | undefined;
      if (op.requestBody) {
        const content = asObject(asObject(deref(spec, op.requestBody), 'requestBody').content, 'content');
        requestMediaType = Object.keys(content)[0];
        requestBody = requestMediaType
          ? examplesOfMedia(spec, asObject(content[requestMediaType], requestMediaType), path)[0]?.value
          : undefined;
      }
      const answers: DocumentedAnswer[] = [];
      for (const [status, rawResponse] of Object.entries(asObject(op.responses, 'responses'))) {
        const response = asObject(deref(spec, rawResponse), `${path} ${status}`);
        const headers: Record<string, string> = {};
        for (const [name, rawHeader] of Object.entries((response.headers as JsonObject | undefined) ?? {})) {
          const value = parameterExample(spec, asObject(deref(spec, rawHeader), name));
          if (value !== undefined) headers[name] = String(value);
        }
        const media = response.content ? (asObject(response.content, 'content')['application/json'] as JsonObject | undefined) : undefined;
        const examples = media ? examplesOfMedia(spec, media, `${path} ${status}`) : [];
        if (examples.length === 0) answers.push({ status, headers });
        for (const example of examples) answers.push({ status, example: example.name, body: example.value, headers });
      }
      operations.push({
        operationId: String(op.operationId),
        method,
        path,
        pathParams,
        ...(requestBody !== undefined ? { requestBody } : {}),
        ...(requestMediaType ? { requestMediaType } : {}),
        answers,
      });
    }
  }
  return operations;
}
