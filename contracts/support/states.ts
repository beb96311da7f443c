/**
 * Provider states: how a consumer interaction names the situation it needs, and how the
 * verification makes the Prism mock answer that way (Prism's `Prefer: code=…, example=…`: `preferFor`
 * in src/mock/pact-verifier.ts, which the package exports with the Verifier's options).
 */

const STATE_NAMES: Record<number, string> = {
  200: 'the provider accepts the request',
  202: 'the provider accepts the request',
  204: 'the provider accepts the request',
  400: 'the provider refuses the request as invalid',
  401: 'the credentials are rejected',
  402: 'the licence is locked',
  403: 'the credentials lack the permission',
  404: 'the resource does not exist',
  409: 'no WhatsApp session is ready',
  429: 'the rate limit is exhausted',
  500: 'the provider fails internally',
  503: 'the provider is unavailable',
};

export interface ProviderStateParams {
  [key: string]: string | number;
  code: number;
}

export function stateFor(status: number, example?: string): { name: string; params: ProviderStateParams } {
  return { name: STATE_NAMES[status] ?? `the provider answers ${status}`, params: { code: status, ...(example ? { example } : {}) } };
}
