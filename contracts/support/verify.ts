/**
 * The two verifications of a committed pact: dynamic (Pact's Verifier replays it against a Prism
 * mock of the spec) and static (openapi-pact-comparator checks it against the spec itself).
 */
import { readFileSync } from 'node:fs';
import { bundle, dereference } from '@apidevtools/json-schema-ref-parser';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Verifier } from '@pact-foundation/pact';
import * as comparatorModule from '@pactflow/openapi-pact-comparator';
import { decodeJsonForm, jsonEncodedFormFields } from '../../src/mock/json-form.ts';
import { startProviderMock } from '../../src/mock/provider-mock.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import { preferFor } from './states.ts';
import type { API_SPEC } from '../../scripts/generation-jobs.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** One finding of openapi-pact-comparator (its package's type declarations do not resolve under NodeNext). */
export interface Result {
  type: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  mockDetails?: { interactionDescription?: string | null; location: string; value: unknown };
}
const { Comparator } = comparatorModule as unknown as {
  Comparator: new (options: { oas: unknown }) => { compare(pact: unknown): AsyncGenerator<Result> };
};

/** specs/<name>.yaml: a provider's, or `api` (our own API's). */
const specPathOf = (name: string) => new URL(`../../specs/${name}.yaml`, import.meta.url).pathname;

/** The Verifier's proxy hands filters an Express request (Express's types are not installed here). */
interface ProxiedRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  is(type: string): string | false | null;
}

interface PactJson {
  interactions: Array<{ providerStates?: Array<{ name: string }> }>;
}

/** Replays the pact against a Prism mock of `specPath` (default: the provider's spec); rejects on any mismatch. */
export async function verifyAgainstMock(provider: ProviderName, pactPath: string, specPath = specPathOf(provider)): Promise<void> {
  const pact = JSON.parse(readFileSync(pactPath, 'utf8')) as PactJson;
  const states = new Set(pact.interactions.flatMap((interaction) => (interaction.providerStates ?? []).map((state) => state.name)));
  let prefer: string | undefined;
  const setPrefer = async (params?: unknown) => {
    prefer = preferFor(params);
  };
  const mock = await startProviderMock(provider, { specPath });
  try {
    await new Verifier({
      provider,
      providerBaseUrl: mock.url,
      pactUrls: [pactPath],
      logLevel: 'error',
      stateHandlers: Object.fromEntries([...states].map((name) => [name, setPrefer])),
      requestFilter: (request: ProxiedRequest, _response: unknown, next: () => void) => {
        if (prefer) request.headers.prefer = prefer;
        // The Verifier's proxy parses form bodies into an object and then forwards them as JSON
        // text under the form content type (with the original length, so the provider waits for
        // bytes that never come). Put the form back as the consumer sent it.
        if (request.is('application/x-www-form-urlencoded') && request.body && !Buffer.isBuffer(request.body)) {
          const form = Buffer.from(new URLSearchParams(request.body as Record<string, string>).toString());
          request.body = form;
          request.headers['content-length'] = String(form.length);
        }
        next();
      },
    }).verifyProvider();
  } finally {
    await mock.close();
  }
}

interface PactInteraction {
  description: string;
  request: { method: string; path: string; body?: unknown; headers?: Record<string, string | string[]> };
}

/**
 * What openapi-pact-comparator finds when it checks the pact against `specPath`.
 *
 * The comparator reads a form body with `qs` (so `src.name` becomes `{src: {name}}`) and ignores
 * `encoding`, so JSON fields in a form look like strings to it. Form request bodies are therefore
 * decoded here and validated against the spec's schema with Ajv; the comparator checks the rest
 * of those interactions (path, method, headers, response) with the body left out.
 */
export async function compareWithSpec(
  provider: ProviderName | typeof API_SPEC,
  pactPath: string,
  specPath = specPathOf(provider),
): Promise<Result[]> {
  const openapi = (await bundle(specPath)) as { paths?: Record<string, Record<string, unknown>> };
  const pact = JSON.parse(readFileSync(pactPath, 'utf8')) as { interactions: PactInteraction[] };
  const findings: Result[] = [];
  const formFields = jsonEncodedFormFields(openapi);
  if (formFields.size > 0) {
    const resolved = (await dereference(specPath)) as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: object }> } }>>;
    };
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    pact.interactions.forEach((interaction, index) => {
      const { method, path, body } = interaction.request;
      const entry = [...formFields.entries()].find(([key]) => {
        const [m, template] = key.split(' ') as [string, string];
        return m === method.toLowerCase() && new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path);
      });
      if (!entry || typeof body !== 'string') return;
      const [key, fields] = entry;
      const [m, template] = key.split(' ') as [string, string];
      const schema = resolved.paths[template]?.[m]?.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
      const { value, notJson } = decodeJsonForm(body, fields);
      const validate = ajv.compile(stripAnnotations(schema ?? {}));
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
            interactionDescription: interaction.description,
            location: `[root].interactions[${index}].request.body`,
            value: body,
          },
        });
      }
      // Leave the body (and its content type, or the comparator still looks for one) out.
      delete interaction.request.body;
      for (const name of Object.keys(interaction.request.headers ?? {})) {
        if (name.toLowerCase() === 'content-type') delete interaction.request.headers![name];
      }
    });
  }
  const comparator = new Comparator({ oas: openapi });
  for await (const finding of comparator.compare(pact)) findings.push(finding);
  return findings;
}

/** OpenAPI annotations that Ajv does not take as keywords. */
function stripAnnotations(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema, (key, value) => (key === 'example' || key === 'examples' || key.startsWith('x-') ? undefined : value)),
  );
}
