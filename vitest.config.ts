import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    env: { PACT_DO_NOT_TRACK: 'true' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'infra/**/*.test.ts'] },
      },
      {
        // Pact's mock servers and verifier write shared files: one contract file at a time.
        extends: true,
        test: { name: 'contracts', include: ['contracts/**/*.test.ts'], fileParallelism: false },
      },
    ],
  },
});
