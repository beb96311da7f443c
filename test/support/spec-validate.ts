/**
 * JSON Schema validators for the parts of a provider spec (specs/<provider>.yaml, with
 * shared/meta.yaml resolved): a request body, a response body, a webhook body, a parameter or a
 * response header, by where it is in the spec. Ajv with draft 2020-12, as OpenAPI 3.1 says, and
 * the formats (`uri`, `date-time`, `email`) the specs use. A validator answers the violations it
 * found (`/path message`), empty when the value is valid.
 */
import { fileURLToPath } from 'node:url';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Node = any;
export type Validate = (value: unknown) => string[];

/** Where a value sits in the spec. */
export type SpecPart =
  | { request: string; mediaType?: string }
  | { response: string; status: string; mediaType?: string }
  | { webhook: string; mediaType?: string }
  | { parameter: string; in: 'path' | 'query' | 'header'; name: string }
  | { responseHeader: string; status: string; name: string };

export interface SpecValidators {
  /** The validator of `part`; throws when the spec has no such part (a typo in a test is not a pass). */
  of(part: SpecPart): Validate;
}

const specsDir = fileURLToPath(new URL('../../specs/', import.meta.url));

/** Splits `'POST /v1/messages'` into the method and the path key. */
function operationOf(spec: Node, where: string, root: 'paths' | 'webhooks' = 'paths'): Node {
  const [method, ...rest] = where.split(' ');
  const key = rest.join(' ');
  const item = spec[root]?.[key];
  const op = item?.[method!.toLowerCase()];
  if (!op) throw new Error(`the spec has no operation ${where}`);
  return { item, op };
}

function withoutAnnotations(schema: Node): Node {
  return JSON.parse(
    JSON.stringify(schema, (key, value) => (key === 'example' || key === 'examples' || key.startsWith('x-') ? undefined : value)),
  );
}

export async function specValidators(provider: string, specPath = `${specsDir}${provider}.yaml`): Promise<SpecValidators> {
  const spec = (await dereference(specPath)) as Node;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const compile = (schema: Node, where: string): Validate => {
    if (!schema) throw new Error(`${provider}: no schema at ${where}`);
    const validate = ajv.compile(withoutAnnotations(schema));
    return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
  };
  return {
    of(part) {
      if ('request' in part) {
        const { op } = operationOf(spec, part.request);
        return compile(op.requestBody?.content?.[part.mediaType ?? 'application/json']?.schema, part.request);
      }
      if ('webhook' in part) {
        const { op } = operationOf(spec, `POST ${part.webhook}`, 'webhooks');
        return compile(op.requestBody?.content?.[part.mediaType ?? 'application/json']?.schema, `webhook ${part.webhook}`);
      }
      if ('response' in part) {
        const { op } = operationOf(spec, part.response);
        const response = op.responses?.[part.status] ?? op.responses?.default;
        return compile(response?.content?.[part.mediaType ?? 'application/json']?.schema, `${part.response} ${part.status}`);
      }
      if ('responseHeader' in part) {
        const { op } = operationOf(spec, part.responseHeader);
        const headers = op.responses?.[part.status]?.headers ?? {};
        const name = Object.keys(headers).find((header) => header.toLowerCase() === part.name.toLowerCase());
        return compile(name ? headers[name].schema : undefined, `${part.responseHeader} ${part.status} header ${part.name}`);
      }
      const { item, op } = operationOf(spec, part.parameter);
      const parameter = [...(item.parameters ?? []), ...(op.parameters ?? [])].find((p: Node) => p.in === part.in && p.name === part.name);
      return compile(parameter?.schema, `${part.parameter} ${part.in} ${part.name}`);
    },
  };
}
