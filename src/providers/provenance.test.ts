/**
 * Provenance, per adapter (a property test): for generated accounts, credentials and messages,
 * each configured value lands exactly where the provider's document puts it and nowhere else —
 * the credential in its auth header, the sender number / SID / app name / number id / session id
 * in its path segment or field, the recipient in its field, our id in the echo field (Kaleyra's
 * `extra_info.ref` and Meta's `biz_opaque_callback_data`) or nowhere. The places and the
 * generators are test/support/provenance.ts's; contracts/fidelity-mutations.test.ts shows a
 * value moved to the wrong place fails it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVENANCE, provenanceViolations } from '../../test/support/provenance.ts';
import { providerModule } from './index.ts';
import { PROVIDERS } from './names.ts';

describe.each(PROVIDERS)('%s adapter: every configured value lands where the document says, and nowhere else', (provider) => {
  it('for generated accounts and messages', async () => {
    await fc.assert(
      fc.asyncProperty(PROVENANCE[provider].sample, async (sample) => {
        expect(await provenanceViolations(provider, providerModule(provider).adapter, sample)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
