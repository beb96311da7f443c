/**
 * What Pact's `Verifier` needs to replay a pact against one of our mocks, beyond the mock's URL:
 *
 * - Provider states: a state's params pick the mock's answer through Prism's `Prefer` header —
 *   `{ code: 429 }` becomes `Prefer: code=429`, `{ code: 401, example: 'invalidApiKey' }`
 *   `Prefer: code=401, example=invalidApiKey` — for the one interaction that has the state.
 * - Form bodies (Gupshup): the Verifier's proxy parses a form body into an object and then
 *   forwards it as JSON text under the form content type (with the original length, so the mock
 *   waits for bytes that never come). The request filter puts the form back as the consumer sent it.
 *
 * Typed structurally, so this package does not depend on Pact: the result goes straight into
 * `new Verifier({ ...pactVerifierOptions(mock, pact), pactUrls: [file] })`.
 */
import type { ProviderMock } from './provider-mock.ts';

/** Of a pact (Pact specification 2, 3 or 4), the provider states its interactions name. */
export interface PactWithStates {
  interactions: ReadonlyArray<{ providerStates?: ReadonlyArray<{ name: string }>; providerState?: string }>;
}

/** The Verifier's proxy hands its request filter an Express request; only what is used is typed. */
export interface ProxiedRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  is(type: string): string | false | null;
}

export interface PactVerifierOptions {
  /** The mock's provider: `livetok`, …. */
  provider: string;
  /** The mock's URL. */
  providerBaseUrl: string;
  /** One handler per provider state of the pact: it sets the `Prefer` header its params ask for, and unsets it after. */
  stateHandlers: Record<string, { setup: (params?: unknown) => Promise<void>; teardown: () => Promise<void> }>;
  requestFilter: (request: ProxiedRequest, response: unknown, next: () => void) => void;
}

/**
 * The `Prefer` header that makes the mock give the answer a provider state's params ask for:
 * `code` (a documented status) and optionally `example` (the name of one of its documented
 * examples); undefined when the params name no code.
 */
export function preferFor(params: unknown): string | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const { code, example } = params as { code?: unknown; example?: unknown };
  if (typeof code !== 'number') return undefined;
  return typeof example === 'string' ? `code=${code}, example=${example}` : `code=${code}`;
}

/** The Verifier options that replay `pact` against `mock` (add `pactUrls` and, if you like, `logLevel`). */
export function pactVerifierOptions(mock: Pick<ProviderMock, 'provider' | 'url'>, pact: PactWithStates): PactVerifierOptions {
  const states = new Set(
    pact.interactions.flatMap((interaction) => [
      ...(interaction.providerStates ?? []).map((state) => state.name),
      ...(interaction.providerState ? [interaction.providerState] : []),
    ]),
  );
  let prefer: string | undefined;
  const handler = {
    // An interaction with several states: the one whose params name a code decides.
    setup: async (params?: unknown) => {
      prefer = preferFor(params) ?? prefer;
    },
    teardown: async () => {
      prefer = undefined;
    },
  };
  return {
    provider: mock.provider,
    providerBaseUrl: mock.url,
    stateHandlers: Object.fromEntries([...states].map((name) => [name, handler])),
    requestFilter: (request, _response, next) => {
      if (prefer) request.headers.prefer = prefer;
      if (request.is('application/x-www-form-urlencoded') && request.body && !Buffer.isBuffer(request.body)) {
        const form = Buffer.from(new URLSearchParams(request.body as Record<string, string>).toString());
        request.body = form;
        request.headers['content-length'] = String(form.length);
      }
      next();
    },
  };
}
