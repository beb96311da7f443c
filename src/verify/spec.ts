/**
 * A provider's spec (specs/<provider>.yaml, shared/meta.yaml resolved) as the live drift check
 * reads it: its operations by id and by the request a client made, the answers each documents,
 * where its credential goes, and the requests the check builds from it.
 */
import { fileURLToPath } from 'node:url';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import type { ProviderName } from '../providers/names.ts';
import type { LiveRequest } from './kit.ts';

/** A JSON Schema (or any object of the spec), read field by field. */
export type Node = { readonly [key: string]: unknown };

export interface SpecResponse {
  /** The key it is documented under: `200`, `2XX`, `default`. */
  key: string;
  headers: Readonly<Record<string, { required?: boolean; schema?: Node }>>;
  /** Media type → schema (an empty object where the spec gives none). */
  content: Readonly<Record<string, Node>>;
}

export interface SpecOperation {
  operationId: string;
  /** Upper case. */
  method: string;
  /** The path template, `/v2/{sid}/whatsapp/{phone_number}/messages`. */
  path: string;
  responses: Readonly<Record<string, Node>>;
  /** The security requirements that apply (the operation's, or the document's). */
  security: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** The request body's schema by media type. */
  requestBodies: Readonly<Record<string, Node>>;
}

export interface ProviderSpec {
  provider: ProviderName;
  /** The first server's URL, its variables at their defaults. */
  defaultOrigin: string;
  operations: readonly SpecOperation[];
  operation(operationId: string): SpecOperation;
  /** The operation a request to `path` (the URL's path, without the base URL's own) with `method` is, if any. */
  match(method: string, path: string): SpecOperation | undefined;
  securitySchemes: Readonly<Record<string, Node>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const specsDir = fileURLToPath(new URL('../../specs/', import.meta.url));

const nodes = (value: unknown): Node[] => (Array.isArray(value) ? value.map(object) : []);
const object = (value: unknown): Node => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : {});

export async function loadSpec(provider: ProviderName, specPath = `${specsDir}${provider}.yaml`): Promise<ProviderSpec> {
  const document = object(await dereference(specPath));
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(object(document.paths))) {
    for (const method of METHODS) {
      const operation = object(object(item)[method]);
      if (typeof operation.operationId !== 'string') continue;
      const requestBodies = Object.fromEntries(
        Object.entries(object(object(operation.requestBody).content)).map(([type, media]) => [type, object(object(media).schema)]),
      );
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        responses: object(operation.responses) as Record<string, Node>,
        security: nodes(operation.security ?? document.security),
        requestBodies,
      });
    }
  }
  const patterns = operations.map((operation) => ({ operation, pattern: pathPattern(operation.path) }));
  const server = object(Array.isArray(document.servers) ? document.servers[0] : undefined);
  const variables = object(server.variables);
  const defaultOrigin = String(server.url ?? '').replace(/\{([^}]+)\}/g, (_, name: string) =>
    String(object(variables[name]).default ?? ''),
  );
  return {
    provider,
    defaultOrigin,
    operations,
    operation(operationId) {
      const found = operations.find((operation) => operation.operationId === operationId);
      if (!found) throw new TypeError(`specs/${provider}.yaml has no operation ${operationId}`);
      return found;
    },
    match: (method, path) =>
      // A literal segment beats a parameter (`/chats/{id}` vs a longer literal path): the first match of the most literal template.
      patterns
        .filter(({ operation, pattern }) => operation.method === method.toUpperCase() && pattern.test(path))
        .sort((a, b) => literalLength(b.operation.path) - literalLength(a.operation.path))[0]?.operation,
    securitySchemes: object(object(document.components).securitySchemes) as Record<string, Node>,
  };
}

function pathPattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

const literalLength = (template: string) => template.replace(/\{[^}]+\}/g, '').length;

/**
 * The documented answer for `status`: its own code, then its range (`2XX`), then `default`;
 * undefined when the operation does not document it.
 */
export function documentedResponse(operation: SpecOperation, status: number): SpecResponse | undefined {
  const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find((candidate) =>
    Object.hasOwn(operation.responses, candidate),
  );
  if (key === undefined) return undefined;
  const response = object(operation.responses[key]);
  return {
    key,
    headers: Object.fromEntries(
      Object.entries(object(response.headers)).map(([name, header]) => {
        const { required, schema } = object(header);
        return [name, { required: required === true, schema: object(schema) }];
      }),
    ),
    content: Object.fromEntries(Object.entries(object(response.content)).map(([type, media]) => [type, object(object(media).schema)])),
  };
}

/** The statuses an operation documents, as the spec writes them. */
export const documentedStatuses = (operation: SpecOperation): string[] => Object.keys(operation.responses);

/** How the credential travels: the first security requirement's schemes, as the generated clients apply them. */
export type CredentialPlace = { in: 'header' | 'query'; name: string; scheme?: 'bearer' | 'basic' };

export function credentialPlaces(spec: ProviderSpec, operation: SpecOperation): CredentialPlace[] {
  const requirement = operation.security[0] ?? {};
  return Object.keys(requirement).flatMap((name): CredentialPlace[] => {
    const scheme = object(spec.securitySchemes[name]);
    if (scheme.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query') && typeof scheme.name === 'string') {
      return [{ in: scheme.in, name: scheme.name }];
    }
    if (scheme.type === 'http' && (scheme.scheme === 'bearer' || scheme.scheme === 'basic')) {
      return [{ in: 'header', name: 'Authorization', scheme: scheme.scheme }];
    }
    return [];
  });
}

/**
 * The HTTP request for one check: the operation's method and path under `baseUrl` (an origin, or
 * an origin and a base path), its parameters, its body, and the credential where the spec puts it
 * (`undefined`: none at all).
 */
export function buildRequest(
  spec: ProviderSpec,
  operation: SpecOperation,
  baseUrl: string,
  request: LiveRequest,
  credential: string | undefined,
): { url: string; init: RequestInit } {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = request.path?.[name];
    if (value === undefined) throw new TypeError(`${spec.provider} ${operation.operationId}: no value for the path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const headers = new Headers({ accept: 'application/json' });
  if (request.body) headers.set('content-type', request.body.mediaType);
  if (credential !== undefined) {
    for (const place of credentialPlaces(spec, operation)) {
      const value =
        place.scheme === 'bearer'
          ? `Bearer ${credential}`
          : place.scheme === 'basic'
            ? `Basic ${Buffer.from(credential).toString('base64')}`
            : credential;
      if (place.in === 'header') headers.set(place.name, value);
      else url.searchParams.set(place.name, value);
    }
  }
  return { url: url.toString(), init: { method: operation.method, headers, ...(request.body ? { body: request.body.text } : {}) } };
}
