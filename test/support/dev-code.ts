/**
 * What in this repository is development code: whole folders, and the providers' local-only parts.
 * No function bundle carries any of it (infra/bundle.test.ts); the npm package carries only what
 * its `./mock` and `./contracts` exports (our mocks, the static pact check) need (test/package.test.ts).
 */

/** Folders of the repository whose code is for development only. */
export const DEV_ONLY_FOLDERS = ['src/mock/', 'src/contracts/', 'src/local/', 'src/verify/', 'bench/', 'test/', 'scripts/', 'contracts/'];
/** Providers' local-only parts (`src/providers/<name>/dev/`: dev kits, live-check kits; the list of dev kits) and test fixtures. */
export const PROVIDER_DEV_PARTS = /^src\/providers\/(?:[^/]+\/dev\/|dev\.ts$|dev-kit\.ts$|fixtures\.ts$|[^/]+\/fixtures\.ts$)/;

/** The development folder or part a repository path (`src/mock/index.ts`) is in, or undefined. */
export function devPart(path: string): string | undefined {
  return DEV_ONLY_FOLDERS.find((prefix) => path.startsWith(prefix)) ?? PROVIDER_DEV_PARTS.exec(path)?.[0];
}
