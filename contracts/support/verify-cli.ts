/**
 * `node contracts/support/verify-cli.ts <provider> <pact file> <spec file>`: the dynamic
 * verification in a process of its own. The mutation tests use it so that the verifier's report
 * of each deliberate failure (which Pact's native core prints straight to stdout) is captured
 * instead of filling the test output with FAILED lines that are expected.
 */
import { isProviderName } from '../../src/providers/names.ts';
import { verifyAgainstMock } from './verify.ts';

const [provider = '', pact = '', spec = ''] = process.argv.slice(2);
if (!isProviderName(provider) || !pact || !spec) {
  console.error('usage: verify-cli.ts <provider> <pact file> <spec file>');
  process.exit(2);
}
try {
  await verifyAgainstMock(provider, pact, spec);
} catch (error) {
  console.error(String(error));
  process.exit(1);
}
