/**
 * The static check of a pact against one of our specs: `@pactflow/openapi-pact-comparator`
 * (bi-directional contract testing without a broker) over the spec this package ships, plus what
 * the comparator does not do — form bodies whose fields carry JSON text (Gupshup's `template`,
 * declared with `encoding.<field>.contentType: application/json`) are decoded and validated against
 * the spec's schema with Ajv.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as comparatorModule from '@pactflow/openapi-pact-comparator';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { decodeJsonForm, jsonEncodedFormFields } from '../mock/json-form.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';
import { bundleSpec } from './spec-bundle.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The specs a pact can be checked against: each provider's, and `api`, our own HTTP API's. */
export type SpecName = ProviderName | 'api';
export const SPEC_NAMES: readonly SpecName[] = [...PROVIDERS, 'api'];

/**
 * One finding, as openapi-pact-comparator reports it (`code` is its rule, e.g.
 * `request.body.incompatible`, `request.path-or-method.unknown`, `response.status.unknown`).
 * An `error` means the pact asks for something the spec does not allow; `warning` and `info` do not.
 */
export interface PactFinding {
  type: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  /** Where in the pact: `[root].interactions[0].request.body`, and the interaction's description. */
  mockDetails?: { interactionDescription?: string | null; interactionState?: string | null; location: string; value: unknown };
  /** Where in the spec: `[root].paths./v1/messages/templates.post.requestBody`. */
  specDetails?: { location: string; pathMethod?: string | null; pathName?: string | null; value: unknown };
  /** The findings this one sums up, where the comparator gives them. */
  causes?: PactFinding[];
}

/**
 * A pact file (Pact specification 2, 3 or 4) as Pact writes it, parsed (`JSON.parse`, or a JSON
 * import): loosely typed, so that any pact is one.
 */
export interface PactDocument {
  consumer?: unknown;
  provider?: unknown;
  interactions: readonly unknown[];
  metadata?: unknown;
}

/** Of an interaction, what the JSON form check reads and changes. */
interface PactInteraction {
  description?: string;
  request?: { method: string; path: string; body?: unknown; headers?: Record<string, unknown> };
}

export interface PactCheckOptions {
  /** Check against this spec file instead of the package's `specs/<spec>.yaml` (a copy you changed, say). */
  specPath?: string;
}

const { Comparator } = comparatorModule as unknown as {
  Comparator: new (options: { oas: unknown }) => { compare(pact: unknown): AsyncIterable<PactFinding> };
};

/**
 * The package's `specs/<name>.yaml`, found from this module, never from the working directory:
 * two folders up from `src/contracts/` in a checkout, three from `dist/src/contracts/` in an
 * installed package (specs/ ships beside dist/).
 */
function packagedSpec(name: SpecName): string {
  const candidates = ['../../specs/', '../../../specs/'].map((dir) => fileURLToPath(new URL(`${dir}${name}.yaml`, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/**
 * Checks a pact against our spec of `spec` (a provider, or `api`) without running anything: every
 * request must be one the spec accepts (path, method, headers, query, body) and every response one
 * it documents for that request. Resolves to the findings; none of type `error` means the pact
 * agrees with the spec.
 *
 * @param pact the pact, parsed, or the path of its file.
 * @throws TypeError when `spec` is not one of {@link SPEC_NAMES} or `pact` is not a pact.
 */
export async function checkPactAgainstSpec(
  pact: PactDocument | string | URL,
  spec: SpecName,
  options: PactCheckOptions = {},
): Promise<PactFinding[]> {
  if (typeof spec !== 'string' || !SPEC_NAMES.includes(spec)) {
    throw new TypeError(`spec: must be one of ${SPEC_NAMES.join(', ')} (got ${JSON.stringify(spec)})`);
  }
  const document: unknown =
    typeof pact === 'string' || pact instanceof URL ? JSON.parse(readFileSync(pact, 'utf8')) : structuredClone(pact);
  if (typeof document !== 'object' || document === null || !Array.isArray((document as PactDocument).interactions)) {
    throw new TypeError('pact: must be a pact file (an object with an `interactions` array)');
  }
  const checked = document as { interactions: PactInteraction[] };
  const openapi = bundleSpec(options.specPath ?? packagedSpec(spec));
  const findings = checkJsonFormBodies(openapi, checked);
  for await (const finding of new Comparator({ oas: openapi }).compare(checked)) findings.push(finding);
  return findings;
}

/**
 * The comparator reads a form body with `qs` (so `src.name` becomes `{src: {name}}`) and ignores
 * `encoding`, so JSON fields in a form look like strings to it. Form request bodies with JSON
 * fields are therefore decoded here and validated against the spec's schema with Ajv, and then
 * left out of `pact` (with their content type, or the comparator still looks for one): the
 * comparator checks the rest of those interactions (path, method, headers, response).
 */
function checkJsonFormBodies(openapi: Record<string, unknown>, pact: { interactions: PactInteraction[] }): PactFinding[] {
  const formFields = jsonEncodedFormFields(openapi);
  if (formFields.size === 0) return [];
  const findings: PactFinding[] = [];
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
  ajv.addSchema(withoutAnnotations(openapi), 'spec');
  const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
  const operations = [...formFields.entries()].map(([key, fields]) => {
    const [method, template] = key.split(' ') as [string, string];
    return {
      method,
      path: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      fields,
      schema: `spec#/paths/${escapePointer(template)}/${method}/requestBody/content/${escapePointer('application/x-www-form-urlencoded')}/schema`,
    };
  });
  pact.interactions.forEach((interaction, index) => {
    const request = interaction.request;
    // Pact 3 writes a form body as its text; Pact 4 as `{ content, contentType, encoded: false }`.
    const body = request?.body;
    const form = typeof body === 'string' ? body : (body as { content?: unknown } | undefined)?.content;
    if (!request || typeof form !== 'string') return;
    const operation = operations.find(({ method, path }) => method === request.method.toLowerCase() && path.test(request.path));
    if (!operation) return;
    const validate = ajv.getSchema(operation.schema) ?? ajv.compile({ $ref: operation.schema });
    const { value, notJson } = decodeJsonForm(form, operation.fields);
    const errors = [
      ...notJson.map((field) => `${field} must be JSON text`),
      ...(validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`)),
    ];
    for (const message of errors) {
      findings.push({
        type: 'error',
        code: 'request.body.incompatible',
        message: `Request body is incompatible with the request body schema in the spec file: ${message}`,
        mockDetails: {
          interactionDescription: interaction.description ?? null,
          location: `[root].interactions[${index}].request.body`,
          value: form,
        },
      });
    }
    delete request.body;
    for (const name of Object.keys(request.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') delete request.headers![name];
    }
  });
  return findings;
}

/** The document without the OpenAPI annotations that Ajv would otherwise take for keywords or schemas. */
function withoutAnnotations(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema, (key, value) => (key === 'example' || key === 'examples' || key.startsWith('x-') ? undefined : value)),
  );
}
