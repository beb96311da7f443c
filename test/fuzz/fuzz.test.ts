/**
 * The fuzz suite, small: a few hundred generated requests against the accept, status and
 * webhook routes through the real handlers behind the local HTTP server (loopback, ephemeral
 * port, dynalite, local SQS), with a fixed seed. Each figure must be 0: no 5xx, no hang (no
 * answer within 10 s), no 2xx for an input that breaks a rule, no 4xx for a valid one, nothing
 * written by a refused request, metadata kept as sent, and a callback on one account's route can
 * neither hang on nor change another account's message. `npm run fuzz` runs the same generators
 * at ≥ 10,000 cases per endpoint with a random seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERSIZE_BYTES } from './support/accept.ts';
import { ENDPOINTS } from './support/endpoints.ts';
import { isCallbackProvider, PROVIDERS } from './support/model.ts';
import { FIGURES } from './support/oracle.ts';
import { failures, runCrossAccount, runEndpoint, type CrossResult, type EndpointResult } from './support/runner.ts';
import { startFuzzStack, type FuzzStack } from './support/stack.ts';

const SEED = 20_261_122;
const CASES_PER_ENDPOINT = 30;
/** The webhook routes of the providers that send no callbacks (e.g. LiveTok): every case there is refused. */
const SILENT_WEBHOOKS = PROVIDERS.filter((p) => !isCallbackProvider(p)).map((p) => `POST /v1/webhooks/${p}/{account}`);

function expectAllZero(result: EndpointResult | CrossResult): void {
  const report = failures([result]);
  for (const figure of FIGURES) expect.soft(result.figures[figure], `${result.name}: ${figure}\n${report}`).toBe(0);
}

describe('fuzz: the API and webhook routes through the local HTTP server', () => {
  let stack: FuzzStack;

  beforeAll(async () => {
    stack = await startFuzzStack({ quiet: true, cancellable: 6, callbackTargets: 3, callbackVictims: 2, crossTargets: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  for (const [i, endpoint] of ENDPOINTS.entries()) {
    it(`${endpoint.name}: ${CASES_PER_ENDPOINT} cases, every figure 0`, async () => {
      const result = await runEndpoint(endpoint, stack, {
        count: CASES_PER_ENDPOINT,
        seed: SEED + i * 7919,
        concurrency: 8,
        caseOptions: { oversize: [OVERSIZE_BYTES] },
        shrink: true,
        shrinkMs: 4000,
      });
      expect(result.requests).toBeGreaterThanOrEqual(CASES_PER_ENDPOINT);
      // Each kind of case ran: valid inputs that must pass and broken ones that must be refused.
      if (!SILENT_WEBHOOKS.includes(endpoint.name)) expect(result.expectations.accept).toBeGreaterThan(0);
      expect(result.expectations.refuse).toBeGreaterThan(0);
      expectAllZero(result);
    }, 90_000);
  }

  // Last: on code that loops on such a callback, the looping handler keeps running until the stack stops.
  it('a valid callback on account B’s route naming account A’s message answers 200 within 10 s and changes nothing', async () => {
    const result = await runCrossAccount(stack, { perProvider: 1, concurrency: 4 });
    expect(result.cases).toBe(4);
    expectAllZero(result);
  }, 60_000);
});
