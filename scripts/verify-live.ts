/**
 * `npm run verify:live -- --provider <name> [--base-url URL] [--send-to +E164] [--json FILE]`: the
 * live drift check against a provider's real API, or one of our mocks (src/verify/main.ts,
 * docs/drift.md). The credential comes from WAPK_LIVE_CREDENTIAL.
 */
import { verifyLive } from '../src/verify/main.ts';

// `npm run` runs in the package's root; a relative --json path is where the terminal is.
const cwd = process.env.npm_lifecycle_event === 'verify:live' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
process.exitCode = await verifyLive(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd,
});
