/**
 * The HTTP consumer contract of one provider, and its verification.
 *
 * The consumer side drives our generated client (later: our adapter) through every documented
 * answer of every operation in the provider's spec — the success and each documented error, one
 * interaction per documented example — against Pact's mock server, and writes the pact to a
 * temporary folder. The pact committed in `contracts/pacts/` must be exactly what the consumer
 * tests produce (`npm run pacts:update` rewrites it), so a client change that alters what goes
 * over the wire fails until the contract is consciously updated.
 *
 * The committed pact is then verified two ways: replayed by Pact's `Verifier` against a Prism mock
 * of the same spec (provider states become `Prefer` headers, see states.ts), and compared with the
 * spec by `@pactflow/openapi-pact-comparator`.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatchersV3, PactV3, PactV4, type TemplateHeaders } from '@pact-foundation/pact';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../src/providers/names.ts';
import type { SendResult } from '../../src/providers/adapter.ts';
import { documentedOperations, loadSpec, type DocumentedAnswer, type DocumentedOperation, type Json } from '../../test/support/spec.ts';
import { HTTP_CONSUMER, pactFile, PACTS_DIR, UPDATE_PACTS } from './pact-files.ts';
import { stateFor } from './states.ts';
import { compareWithSpec, verifyAgainstMock } from './verify.ts';

const { like, regex } = MatchersV3;

/** What a generated SDK function returns (hey-api, `throwOnError: false`). */
interface SdkResult {
  data?: unknown;
  error?: unknown;
  response?: Response;
}
type SdkFunction = (options: Record<string, unknown>) => Promise<SdkResult>;

export interface HttpContract<Auth = unknown> {
  provider: ProviderName;
  /** The generated SDK module (or the package's client module, for Gupshup's serializer). */
  sdk: Record<string, unknown>;
  createClient: (config: { baseUrl: string; auth?: Auth }) => unknown;
  /** The credential handed to the client, and the header it must produce on the wire. */
  auth: { value: Auth; header: string; example: string; pattern: RegExp };
  /**
   * Per operation, the response fields the consumer relies on in a successful answer (dotted
   * paths). The contract type-matches only those; without an entry, every documented field.
   */
  reliesOn?: Record<string, string[]>;
  /** Serialises a form body as the client does, for providers whose sends are form-urlencoded. */
  formBody?: (body: Json) => string;
  /**
   * Messages our provider adapter sends through the operation `adapterOperation`: each becomes an
   * interaction whose request is exactly what the adapter puts on the wire.
   */
  adapterSends?: AdapterSend[];
  adapterOperation?: string;
}

export interface AdapterSend {
  name: string;
  /** Sends the message through the adapter to `baseUrl` (with `fetch`, when given). */
  run(baseUrl: string, fetch?: typeof globalThis.fetch): Promise<SendResult>;
}

export function defineHttpContract<Auth>(contract: HttpContract<Auth>): void {
  const spec = loadSpec(contract.provider);
  const operations = documentedOperations(spec);
  const outDir = mkdtempSync(join(tmpdir(), `pact-${contract.provider}-`));
  const file = pactFile(HTTP_CONSUMER, contract.provider);

  describe(`${contract.provider} HTTP contract`, () => {
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    describe('consumer: our client against the Pact mock server', () => {
      for (const operation of operations) {
        for (const answer of operation.answers) {
          if (answer.status === 'default') continue; // an undocumented error: nothing to contract
          it(`${operation.operationId} → ${answer.status}${answer.example ? ` (${answer.example})` : ''}`, async () => {
            await runInteraction(contract, operation, answer, outDir);
          });
        }
      }

      for (const send of contract.adapterSends ?? []) {
        it(`adapter: ${send.name}`, async () => {
          const operation = operations.find((op) => op.operationId === contract.adapterOperation);
          if (!operation) throw new Error(`${contract.provider}: adapterOperation ${contract.adapterOperation} is not in the spec`);
          await runAdapterInteraction(contract, send, operation, outDir);
        });
      }

      it('produces exactly the committed pact', () => {
        const produced = join(outDir, file);
        const committed = join(PACTS_DIR, file);
        if (UPDATE_PACTS) copyFileSync(produced, committed);
        expect(existsSync(committed), `${committed} is missing: run npm run pacts:update`).toBe(true);
        expect(
          normalise(readFileSync(produced, 'utf8')),
          'the client no longer sends what the committed pact says: run npm run pacts:update and review the diff',
        ).toEqual(normalise(readFileSync(committed, 'utf8')));
      });
    });

    describe('provider: the committed pact against the spec', () => {
      it('verifies against a Prism mock of the spec', async () => {
        await verifyAgainstMock(contract.provider, join(PACTS_DIR, file));
      }, 60_000);

      it('agrees with the spec (openapi-pact-comparator)', async () => {
        const findings = await compareWithSpec(contract.provider, join(PACTS_DIR, file));
        expect(findings.filter((finding) => finding.type === 'error')).toEqual([]);
      });

      it('covers every documented answer of every operation', () => {
        const pact = JSON.parse(readFileSync(join(PACTS_DIR, file), 'utf8')) as { interactions: Array<{ description: string }> };
        const descriptions = new Set(pact.interactions.map((interaction) => interaction.description));
        const expected = operations.flatMap((operation) =>
          operation.answers.filter((answer) => answer.status !== 'default').map((answer) => describeInteraction(operation, answer)),
        );
        expect(expected.filter((description) => !descriptions.has(description))).toEqual([]);
      });
    });
  });
}

function describeInteraction(operation: DocumentedOperation, answer: DocumentedAnswer): string {
  return `${operation.operationId}: ${answer.status}${answer.example ? ` ${answer.example}` : ''}`;
}

/** Pact files record the library versions that wrote them; nothing else may differ. */
function normalise(text: string): unknown {
  const pact = JSON.parse(text) as { metadata?: unknown };
  delete pact.metadata;
  return pact;
}

function concreteStatus(status: string): number {
  return status === '2XX' ? 200 : Number(status);
}

function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** A type-matching template of the fields the consumer relies on. */
function responseTemplate(body: Json | undefined, fields: string[] | undefined): unknown {
  if (body === undefined || body === null) return undefined;
  if (!fields || typeof body !== 'object' || Array.isArray(body)) return like(body);
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const keys = field.split('.');
    let source: Json | undefined = body;
    let target = picked;
    keys.forEach((key, index) => {
      source = source && typeof source === 'object' && !Array.isArray(source) ? source[key] : undefined;
      if (index === keys.length - 1) {
        if (source === undefined) throw new Error(`reliesOn: ${field} is not in the documented answer`);
        target[key] = source;
      } else {
        target = (target[key] ??= {}) as Record<string, unknown>;
      }
    });
  }
  return like(picked);
}

function headerTemplate(headers: Record<string, string>): TemplateHeaders {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, /^\d+$/.test(value) ? regex(/^\d+$/, value) : like(value)]),
  );
}

async function runInteraction<Auth>(
  contract: HttpContract<Auth>,
  operation: DocumentedOperation,
  answer: DocumentedAnswer,
  dir: string,
): Promise<void> {
  const status = concreteStatus(answer.status);
  const success = status < 300;
  const state = stateFor(status, answer.example);
  const path = fillPath(operation.path, operation.pathParams);
  const requestHeaders: TemplateHeaders = { [contract.auth.header]: regex(contract.auth.pattern, contract.auth.example) };
  const responseBody = success
    ? responseTemplate(answer.body, contract.reliesOn?.[operation.operationId])
    : answer.body === undefined
      ? undefined
      : like(answer.body);
  const responseHeaders = headerTemplate(answer.headers);
  const description = describeInteraction(operation, answer);

  const callClient = async (baseUrl: string): Promise<SdkResult> => {
    const client = contract.createClient({ baseUrl, auth: contract.auth.value });
    const call = contract.sdk[operation.operationId] as SdkFunction | undefined;
    if (!call) throw new Error(`the ${contract.provider} SDK has no ${operation.operationId}`);
    const options: Record<string, unknown> = { client };
    if (Object.keys(operation.pathParams).length > 0) options.path = operation.pathParams;
    if (operation.requestBody !== undefined) options.body = operation.requestBody;
    return call(options);
  };

  const assess = (result: SdkResult) => {
    expect(result.response?.status).toBe(status);
    if (success) {
      // The client validated the answer with the spec's zod schema; a failure would be in `error`.
      expect(result.error).toBeUndefined();
      expect(result.data).toBeDefined();
    } else if (answer.body !== undefined) {
      expect(result.error).toEqual(answer.body);
    }
  };

  if (operation.requestMediaType === 'application/x-www-form-urlencoded' && !contract.formBody)
    throw new Error(`${contract.provider}: a form operation needs formBody`);
  await recordInteraction({
    provider: contract.provider,
    dir,
    state,
    description,
    method: operation.method.toUpperCase(),
    path,
    requestHeaders,
    body:
      operation.requestBody === undefined
        ? undefined
        : operation.requestMediaType === 'application/x-www-form-urlencoded'
          ? { form: contract.formBody!(operation.requestBody) }
          : { json: operation.requestBody },
    status,
    responseHeaders,
    responseBody,
    run: async (baseUrl) => assess(await callClient(baseUrl)),
  });
}

interface Interaction {
  provider: ProviderName;
  dir: string;
  state: { name: string; params: Record<string, string | number> };
  description: string;
  method: string;
  path: string;
  requestHeaders: TemplateHeaders;
  body: { json: unknown } | { form: string } | undefined;
  status: number;
  responseHeaders: TemplateHeaders;
  responseBody: unknown;
  run(baseUrl: string): Promise<void>;
}

/** Writes one HTTP interaction to the pact while `run` drives the consumer against Pact's mock server. */
async function recordInteraction(i: Interaction): Promise<void> {
  if (i.body && 'form' in i.body) {
    // Pact's V4 interface fails form bodies even when byte-identical; V3 with a string body works.
    const pact = new PactV3({ consumer: HTTP_CONSUMER, provider: i.provider, dir: i.dir, logLevel: 'error' });
    pact
      .given(i.state.name, i.state.params)
      .uponReceiving(i.description)
      .withRequest({
        method: i.method,
        path: i.path,
        headers: { ...i.requestHeaders, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: i.body.form,
      })
      .willRespondWith({ status: i.status, headers: i.responseHeaders, ...(i.responseBody !== undefined ? { body: i.responseBody } : {}) });
    await pact.executeTest(async (server) => i.run(server.url));
    return;
  }
  const body = i.body;
  const pact = new PactV4({ consumer: HTTP_CONSUMER, provider: i.provider, dir: i.dir, logLevel: 'error' });
  await pact
    .addInteraction()
    .given(i.state.name, i.state.params)
    .uponReceiving(i.description)
    .withRequest(i.method, i.path, (request) => {
      request.headers(i.requestHeaders);
      if (body) request.jsonBody(body.json);
    })
    .willRespondWith(i.status, (response) => {
      response.headers(i.responseHeaders);
      if (i.responseBody !== undefined) response.jsonBody(i.responseBody);
    })
    .executeTest(async (server) => i.run(server.url));
}

/**
 * One interaction of the adapter sending `message` on `account`: what the adapter puts on the wire
 * (recorded first against a stand-in answering the documented success), answered with the
 * documented success. Verified like the others, it proves the adapter's requests are ones the
 * provider's spec accepts.
 */
async function runAdapterInteraction<Auth>(
  contract: HttpContract<Auth>,
  send: AdapterSend,
  operation: DocumentedOperation,
  dir: string,
): Promise<void> {
  const success = operation.answers.find((answer) => concreteStatus(answer.status) < 300)!;
  const status = concreteStatus(success.status);
  let recorded: { method: string; path: string; contentType: string; body: string } | undefined;
  const recorder: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    recorded = {
      method: request.method,
      path: url.pathname,
      contentType: request.headers.get('content-type') ?? '',
      body: await request.text(),
    };
    return new Response(JSON.stringify(success.body ?? {}), { status, headers: { 'content-type': 'application/json' } });
  };
  const first = await send.run('http://adapter.invalid', recorder);
  expect(first.outcome, 'the adapter must accept the documented success').toBe('accepted');
  if (!recorded) throw new Error('the adapter made no request');
  const { method, path, contentType, body } = recorded;
  await recordInteraction({
    provider: contract.provider,
    dir,
    state: stateFor(status, success.example),
    description: `adapter: ${send.name}`,
    method,
    path,
    requestHeaders: { [contract.auth.header]: regex(contract.auth.pattern, contract.auth.example) },
    body:
      body === '' ? undefined : contentType.startsWith('application/x-www-form-urlencoded') ? { form: body } : { json: JSON.parse(body) },
    status,
    responseHeaders: headerTemplate(success.headers),
    responseBody: responseTemplate(success.body, contract.reliesOn?.[operation.operationId]),
    run: async (baseUrl) => {
      const result = await send.run(baseUrl);
      expect(result.outcome).toBe('accepted');
    },
  });
}
