/**
 * `npm run mock`: a Prism mock of every provider spec on its fixed port (src/mock/providers.ts),
 * for local work and for other repositories' tests. Ctrl-C stops them all.
 */
import { startProviderMock, type ProviderMock } from '../src/mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../src/mock/providers.ts';
import { PROVIDERS } from '../src/providers/names.ts';

const host = process.env.MOCK_HOST ?? '127.0.0.1';
const mocks: ProviderMock[] = [];
try {
  for (const provider of PROVIDERS) {
    const { port } = MOCKED_PROVIDERS[provider];
    mocks.push(
      await startProviderMock(provider, { port, host }).catch((error: NodeJS.ErrnoException) => {
        throw new Error(error.code === 'EADDRINUSE' ? `port ${port} for the ${provider} mock is taken; stop what uses it and retry` : `${provider} mock failed to start: ${error.message}`);
      }),
    );
  }
} catch (error) {
  await Promise.all(mocks.map((mock) => mock.close()));
  console.error(`mock: ${(error as Error).message}`);
  process.exit(1);
}

for (const mock of mocks) console.log(`${mock.provider.padEnd(9)} ${mock.url}`);
console.log('mocks ready; `Prefer: code=429` (or example=<name>) picks a documented answer. Ctrl-C stops.');

const stop = async () => {
  await Promise.all(mocks.map((mock) => mock.close()));
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
