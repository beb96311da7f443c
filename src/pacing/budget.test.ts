import { describe, expect, it } from 'vitest';
import { DEFAULT_ARRIVAL_JITTER_MS, DEFAULT_RECIPIENT_GAP_MS, recipientSpacingMs, type PacingConfig } from './budget.ts';

const pacing = (recipientGapMs: number, arrivalJitterMs?: number): PacingConfig => ({
  account: { windows: [{ limit: 80, windowMs: 1000 }], burstFraction: 0, ...(arrivalJitterMs !== undefined ? { arrivalJitterMs } : {}) },
  recipientGapMs,
});

describe('the spacing between two sends to one recipient', () => {
  it('is the gap plus 2δ: each send may reach the provider δ off its slot, so their arrivals stay the gap apart', () => {
    expect(recipientSpacingMs(pacing(DEFAULT_RECIPIENT_GAP_MS, DEFAULT_ARRIVAL_JITTER_MS))).toBe(6_020);
    expect(recipientSpacingMs(pacing(1_500, 250))).toBe(2_000);
    expect(recipientSpacingMs(pacing(1_500))).toBe(1_500);
  });

  it('is none when the account sets no gap (jitter or not)', () => {
    expect(recipientSpacingMs(pacing(0, 10))).toBe(0);
  });
});
