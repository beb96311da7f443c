/**
 * `npm run mock`: a Prism mock of every provider spec on its fixed port (src/mock/providers.ts),
 * for local work and for other repositories' tests. Sends to the scenario numbers get their
 * scenario's answer (docs/scenarios.md; no callbacks here: those need `npm start`). Ctrl-C stops
 * them all.
 */
import { scenarioAnswers } from '../src/local/scenarios.ts';
import { startProviderMock, type ProviderMock } from '../src/mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../src/mock/providers.ts';
import { PROVIDERS } from '../src/providers/names.ts';

const host = process.env.MOCK_HOST ?? '127.0.0.1';
const answers = scenarioAnswers({ holdMs: Number(process.env.WAPK_SCENARIO_HOLD_S ?? 40) * 1000 });
const mocks: ProviderMock[] = [];
try {
  for (const provider of PROVIDERS) {
    const { port } = MOCKED_PROVIDERS[provider];
    mocks.push(
      await startProviderMock(provider, { port, host, scenario: answers(provider) }).catch((error: NodeJS.ErrnoException) => {
        throw new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} for the ${provider} mock is taken; stop what uses it and retry`
            : `${provider} mock failed to start: ${error.message}`,
        );
      }),
    );
  }
} catch (error) {
  await Promise.all(mocks.map((mock) => mock.close()));
  console.error(`mock: ${(error as Error).message}`);
  process.exit(1);
}

for (const mock of mocks) console.log(`${mock.provider.padEnd(9)} ${mock.url}`);
console.log(
  'mocks ready; `Prefer: code=429` (or example=<name>) picks a documented answer; scenario numbers (docs/scenarios.md) answer as their scenario says. Ctrl-C stops.',
);

const stop = async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
