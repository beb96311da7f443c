/**
 * Every status word each provider documents (and Meta's, where passed through) → our status,
 * pinned from the documents (test/support/status-words.ts), read through the provider's real
 * normaliser (LiveTok's through its adapter). contracts/fidelity-mutations.test.ts shows a word
 * mapped to a neighbouring status fails it.
 */
import { describe, expect, it } from 'vitest';
import { STATUS_WORD_ROWS, statusOfRow, statusWordViolations } from '../../test/support/status-words.ts';
import { providerModule } from './index.ts';
import { PROVIDERS } from './names.ts';

describe('status words: every documented word reads as the document says', () => {
  it.each(STATUS_WORD_ROWS.map((row) => [row.provider, row.word, row.expected, row] as const))(
    '%s %s → %s',
    async (_provider, _word, expected, row) => {
      expect(await statusOfRow(row)).toBe(expected);
    },
  );

  it.each(PROVIDERS)('%s: no word of its module is left out of the table', async (provider) => {
    expect(await statusWordViolations(provider)).toEqual([]);
    const documented = new Set(STATUS_WORD_ROWS.filter((row) => row.provider === provider).map((row) => row.word));
    for (const word of Object.keys(providerModule(provider).statusWords)) {
      // Loopwave's words are its broadcast recipients' (documented as broadcast.progress rows).
      const covered = documented.has(word) || [...documented].some((d) => d.endsWith(` ${word}`));
      expect(covered, `${provider} '${word}'`).toBe(true);
    }
  });
});
