/**
 * Checking one answer of a provider against its spec: is its status a documented answer of the
 * operation, do the documented headers hold, is its media type documented, and does its body
 * validate against the response schema (JSON Schema 2020-12, as OpenAPI 3.1 says, with the formats
 * the specs use). Every violation is `drift`, with the JSON pointer where it is and the rule (the
 * JSON Schema keyword) it breaks; a field the schema does not name, where the schema does not
 * forbid it, is `additive` — reported, not failing.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { documentedResponse, documentedStatuses, type Node, type SpecOperation, type SpecResponse } from './spec.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export interface Finding {
  kind: 'drift' | 'additive';
  /** Which part of the answer. */
  in: 'status' | 'header' | 'body';
  /** A JSON pointer into the body (`/data/message_id`; `` for the body itself), the header's name, or `` for the status. */
  path: string;
  /** The rule broken: a JSON Schema keyword (`required`, `type`, `enum`…), `status`, `media-type`, `json`, `code`, or `additive`. */
  rule: string;
  message: string;
  /** How many places (array items) showed the same finding, when more than one. */
  count?: number;
}

/** An answer as it came: status, headers, the raw body. */
export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

export interface CheckedAnswer {
  findings: Finding[];
  /** The documented response it was checked against, if its status is documented. */
  response?: SpecResponse;
  /** The parsed body, when it was JSON. */
  json?: unknown;
}

/** Validators compiled once per schema object (the dereferenced spec shares them between operations). */
export class AnswerChecker {
  readonly #ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  readonly #compiled = new WeakMap<object, ValidateFunction>();

  validator(schema: Node): ValidateFunction {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#ajv.compile(withoutAnnotations(schema));
      this.#compiled.set(schema, validate);
    }
    return validate;
  }

  check(operation: SpecOperation, answer: Answer): CheckedAnswer {
    const response = documentedResponse(operation, answer.status);
    if (!response) {
      const documented = documentedStatuses(operation).join(', ');
      return {
        findings: [
          drift(
            'status',
            '',
            'status',
            `HTTP ${answer.status} is not a documented answer of ${operation.operationId} (documented: ${documented})`,
          ),
        ],
      };
    }
    const findings = this.#headers(response, answer.headers);
    const mediaTypes = Object.keys(response.content);
    const answered = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaTypes.length === 0) {
      if (answer.body.trim() !== '') findings.push(additive('body', '', 'a body where the spec documents none'));
      return { findings, response };
    }
    if (answer.body.trim() === '') {
      findings.push(drift('body', '', 'required', `no body, where the spec documents ${mediaTypes.join(' or ')}`));
      return { findings, response };
    }
    const mediaType = mediaTypes.find((type) => mediaTypeMatches(type, answered));
    if (!mediaType) {
      findings.push(
        drift(
          'header',
          'content-type',
          'media-type',
          `${answered || 'no content-type'}, where the spec documents ${mediaTypes.join(' or ')}`,
        ),
      );
      return { findings, response };
    }
    if (!/[/+]json$/.test(mediaType) && !/[/+]json$/.test(answered)) return { findings, response };
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      findings.push(drift('body', '', 'json', `not JSON, where the spec documents ${mediaType}`));
      return { findings, response };
    }
    const schema = response.content[mediaType]!;
    const validate = this.validator(schema);
    if (!validate(json)) findings.push(...schemaFindings(validate.errors ?? []));
    findings.push(...this.additions(schema, json));
    return { findings: collapse(findings), response, json };
  }

  #headers(response: SpecResponse, headers: Headers): Finding[] {
    const findings: Finding[] = [];
    for (const [name, header] of Object.entries(response.headers)) {
      // Content-Type is described by `content`, not by `headers` (OpenAPI ignores it there).
      if (name.toLowerCase() === 'content-type') continue;
      const value = headers.get(name);
      if (value === null) {
        if (header.required) findings.push(drift('header', name.toLowerCase(), 'required', `the documented header ${name} is missing`));
        continue;
      }
      if (!header.schema || Object.keys(header.schema).length === 0) continue;
      const validate = this.validator(header.schema);
      if (!validate(headerValue(value, header.schema))) {
        const error = validate.errors?.[0];
        findings.push(drift('header', name.toLowerCase(), error?.keyword ?? 'schema', `${name} ${error?.message ?? 'is invalid'}`));
      }
    }
    return findings;
  }

  /**
   * The fields of `value` that `schema` does not name, where it leaves them open (no
   * `additionalProperties` at all): the provider added them. Under `allOf` every branch names
   * fields; under `oneOf`/`anyOf` the branches the value matches do. A field under an explicitly
   * open map (`additionalProperties: true` or a schema) is expected, not added.
   */
  additions(schema: Node, value: unknown, pointer = ''): Finding[] {
    const branches = this.#branches(schema, value);
    if (Array.isArray(value)) {
      const items = branches.map((branch) => branch.items).filter(isNode);
      return value.flatMap((item, index) => items.flatMap((itemSchema) => this.additions(itemSchema, item, `${pointer}/${index}`)));
    }
    if (!value || typeof value !== 'object') return [];
    // A schema that says nothing of objects (`{}`, a description only) does not know any field either way.
    const objectSchemas = branches.filter(
      (branch) => typesOf(branch).includes('object') || isNode(branch.properties) || 'additionalProperties' in branch,
    );
    if (objectSchemas.length === 0) return [];
    const findings: Finding[] = [];
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      const path = `${pointer}/${escapePointer(key)}`;
      const named = objectSchemas.map((branch) => (isNode(branch.properties) ? branch.properties[key] : undefined)).filter(isNode);
      if (named.length > 0) {
        findings.push(...named.flatMap((fieldSchema) => this.additions(fieldSchema, field, path)));
        continue;
      }
      const open = objectSchemas.map((branch) => branch.additionalProperties).filter((extra) => extra !== undefined);
      if (open.length > 0) {
        findings.push(...open.filter(isNode).flatMap((extraSchema) => this.additions(extraSchema, field, path)));
        continue;
      }
      findings.push(additive('body', path, `${key}: a field the spec does not know`));
    }
    return dedupe(findings);
  }

  /** The schema and the subschemas that describe `value` with it: every `allOf` branch, the `oneOf`/`anyOf` branches it matches. */
  #branches(schema: Node, value: unknown): Node[] {
    const out: Node[] = [schema];
    for (const branch of asNodes(schema.allOf)) out.push(...this.#branches(branch, value));
    for (const keyword of ['oneOf', 'anyOf'] as const) {
      for (const branch of asNodes(schema[keyword])) if (this.validator(branch)(value)) out.push(...this.#branches(branch, value));
    }
    return out;
  }
}

const isNode = (value: unknown): value is Node => !!value && typeof value === 'object' && !Array.isArray(value);
const asNodes = (value: unknown): Node[] => (Array.isArray(value) ? value.filter(isNode) : []);
const typesOf = (schema: Node): unknown[] => (Array.isArray(schema.type) ? schema.type : [schema.type]);
const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const drift = (part: Finding['in'], path: string, rule: string, message: string): Finding => ({
  kind: 'drift',
  in: part,
  path,
  rule,
  message,
});
const additive = (part: Finding['in'], path: string, message: string): Finding => ({
  kind: 'additive',
  in: part,
  path,
  rule: 'additive',
  message,
});

/** `application/json` matches `application/json`, `application/*` and `*\/*`. */
function mediaTypeMatches(documented: string, answered: string): boolean {
  const [type, subtype] = documented.toLowerCase().split('/');
  const [answeredType, answeredSubtype] = answered.split('/');
  return (type === '*' || type === answeredType) && (subtype === '*' || subtype === answeredSubtype);
}

/** A header's text as its schema types it: `integer` and `number` headers are numbers, `boolean` ones booleans. */
function headerValue(value: string, schema: Node): unknown {
  const types = typesOf(schema);
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim())) return Number(value);
  if (types.includes('boolean') && /^(true|false)$/.test(value.trim())) return value.trim() === 'true';
  return value;
}

/**
 * Ajv's errors as findings: a missing field is reported at its own path (`/data/message_id`,
 * rule `required`). The errors inside the branches of a failed `oneOf`/`anyOf` are left out: the
 * combinator's own error says the value matches none, and the branches' say why each did not.
 */
export function schemaFindings(errors: readonly ErrorObject[]): Finding[] {
  const combinators = errors
    .filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf')
    .map((error) => `${error.schemaPath}/`);
  return errors
    .filter((error) => !combinators.some((prefix) => error.schemaPath.startsWith(prefix)))
    .map((error) => {
      const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
      const path = missing === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(missing)}`;
      return drift('body', path, error.keyword, error.message ?? 'is invalid');
    });
}

/** The same finding in several array items: one finding, at its first place, with the count. */
function collapse(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.kind} ${finding.in} ${finding.path.replace(/\/\d+(?=\/|$)/g, '/*')} ${finding.rule} ${finding.message}`;
    const seen = byKey.get(key);
    if (seen) seen.count = (seen.count ?? 1) + (finding.count ?? 1);
    else byKey.set(key, { ...finding });
  }
  return [...byKey.values()];
}

/** One finding per place (a field two matching branches both leave unnamed is one addition). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.kind} ${finding.path} ${finding.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** OpenAPI annotations Ajv does not know as keywords; the schemas keep them for people, not for validation. */
function withoutAnnotations(schema: Node): Node {
  return JSON.parse(
    JSON.stringify(schema, (key, value) => (key === 'example' || key === 'examples' || key.startsWith('x-') ? undefined : value)),
  ) as Node;
}
