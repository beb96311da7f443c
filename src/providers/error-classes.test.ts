/**
 * Every documented error answer of every provider → its retry class (or "open", where the answer
 * does not prove the message was not sent), through each adapter's real send path; every Meta
 * error code a callback carries → its class; the providers' own opt-out codes. Pinned from the
 * documents in test/support/error-classes.ts; contracts/fidelity-mutations.test.ts shows a
 * retryable answer classified permanent fails it.
 */
import { describe, expect, it } from 'vitest';
import {
  ANSWER_ROWS,
  answerClassViolations,
  isProviderOptOutCode,
  META_CODE_ROWS,
  PROVIDER_OPT_OUT_ROWS,
  verdictOfAnswer,
  verdictOfMetaCode,
} from '../../test/support/error-classes.ts';
import { PROVIDERS } from './names.ts';

describe('error classes: every documented answer and code in its class', () => {
  it.each(ANSWER_ROWS.map((row) => [row.provider, row.code, row.expected, row] as const))('%s %s → %s', async (_p, _c, expected, row) => {
    expect(await verdictOfAnswer(row)).toBe(expected);
  });

  it.each(PROVIDERS)('%s: the table covers every documented error answer of its send', async (provider) => {
    expect(await answerClassViolations(provider)).toEqual([]);
    expect(ANSWER_ROWS.some((row) => row.provider === provider)).toBe(true);
  });

  it.each(META_CODE_ROWS.map((row) => [row.code, row.expected] as const))('Meta %s → %s', (code, expected) => {
    expect(verdictOfMetaCode(code)).toBe(expected);
  });

  it.each(PROVIDER_OPT_OUT_ROWS.map((row) => [row.provider, row.code] as const))('%s %s → opted out', (provider, code) => {
    expect(isProviderOptOutCode(provider, code)).toBe(true);
    for (const other of PROVIDERS.filter((p) => p !== provider)) expect(isProviderOptOutCode(other, code)).toBe(false);
  });
});
