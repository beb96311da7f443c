/**
 * Provenance, per normaliser (a property test): every id of a callback comes from the field the
 * document gives it, never from a sibling — each field gets its own generated value
 * (test/support/callback-provenance.ts). contracts/fidelity-mutations.test.ts shows an id read
 * from a sibling field fails it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALLBACK_ROWS, callbackIds, callbackViolations } from '../../test/support/callback-provenance.ts';

describe('callback provenance: each id read from its own field', () => {
  it.each(CALLBACK_ROWS.map((row) => [row.provider, row.name, row] as const))('%s %s', (_provider, _name, row) => {
    fc.assert(
      fc.property(callbackIds, (ids) => {
        expect(callbackViolations(row, ids)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
