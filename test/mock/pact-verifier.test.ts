/**
 * `pactVerifierOptions` (exported by `whatsapp-provider-kit/mock`): a handler for every provider
 * state of the pact, whose params become the `Prefer` header of that interaction only, and a
 * request filter that puts back the form body the Verifier's proxy parsed. (The whole replay runs
 * in the contract tests, contracts/support/verify.ts, and from the packed package in
 * test/package.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { pactVerifierOptions, preferFor, type ProxiedRequest } from '../../src/mock/index.ts';

const mock = { provider: 'gupshup' as const, url: 'http://127.0.0.1:4999' };
const pact = {
  interactions: [
    { providerStates: [{ name: 'the rate limit is exhausted' }] },
    { providerStates: [{ name: 'the provider accepts the request' }, { name: 'a template is approved' }] },
    { providerState: 'a pact 2 state' },
    {},
  ],
};

function request(headers: Record<string, string>, body?: unknown): ProxiedRequest {
  return { headers, body, is: (type) => (headers['content-type']?.startsWith(type) ? type : false) };
}

function filtered(options: ReturnType<typeof pactVerifierOptions>, proxied: ProxiedRequest): ProxiedRequest {
  let passed = false;
  options.requestFilter(proxied, {}, () => {
    passed = true;
  });
  expect(passed).toBe(true);
  return proxied;
}

describe('pactVerifierOptions', () => {
  it('names the mock, and has a handler for every state of the pact (Pact 2, 3 and 4)', () => {
    const options = pactVerifierOptions(mock, pact);
    expect(options.provider).toBe('gupshup');
    expect(options.providerBaseUrl).toBe('http://127.0.0.1:4999');
    expect(Object.keys(options.stateHandlers).sort()).toEqual([
      'a pact 2 state',
      'a template is approved',
      'the provider accepts the request',
      'the rate limit is exhausted',
    ]);
  });

  it("sets the Prefer header a state's params ask for, during that interaction only", async () => {
    const options = pactVerifierOptions(mock, pact);
    const handler = options.stateHandlers['the rate limit is exhausted']!;
    await handler.setup({ code: 429, example: 'rateLimited' });
    expect(filtered(options, request({})).headers.prefer).toBe('code=429, example=rateLimited');
    await handler.teardown();
    expect(filtered(options, request({})).headers).not.toHaveProperty('prefer');
    // Of several states, the one with a code decides, whatever the order.
    await options.stateHandlers['the provider accepts the request']!.setup({ code: 200 });
    await options.stateHandlers['a template is approved']!.setup({ template: 'x' });
    expect(filtered(options, request({})).headers.prefer).toBe('code=200');
  });

  it('puts back a form body that the proxy parsed, with its length; leaves other bodies alone', () => {
    const options = pactVerifierOptions(mock, pact);
    const form = filtered(
      options,
      request(
        { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '99' },
        { channel: 'whatsapp', template: '{"id":"t"}' },
      ),
    );
    expect(String(form.body)).toBe('channel=whatsapp&template=%7B%22id%22%3A%22t%22%7D');
    expect(form.headers['content-length']).toBe(String((form.body as Buffer).length));
    const json = filtered(options, request({ 'content-type': 'application/json' }, { to: '+1' }));
    expect(json.body).toEqual({ to: '+1' });
    const raw = Buffer.from('a=b');
    expect(filtered(options, request({ 'content-type': 'application/x-www-form-urlencoded' }, raw)).body).toBe(raw);
  });
});

describe('preferFor', () => {
  it('makes a Prefer header of a code and an example, and nothing of params without a numeric code', () => {
    expect(preferFor({ code: 401 })).toBe('code=401');
    expect(preferFor({ code: 401, example: 'invalidApiKey' })).toBe('code=401, example=invalidApiKey');
    expect(preferFor({ code: '401' })).toBeUndefined();
    expect(preferFor(undefined)).toBeUndefined();
    expect(preferFor('code=401')).toBeUndefined();
  });
});
