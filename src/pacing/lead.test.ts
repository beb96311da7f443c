import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAMPLES, SlotLead } from './lead.ts';

describe('the learned slot lead', () => {
  it('is the floor until a record needs more', () => {
    const lead = new SlotLead(25, 1000);
    expect(lead.ms).toBe(25);
    for (let i = 0; i < SAMPLES; i++) lead.observe(12);
    expect(lead.ms).toBe(25);
  });

  it('grows to the needs of slow writes, with a quarter to spare, and no further than the cap', () => {
    const lead = new SlotLead(25, 1000);
    for (let i = 0; i < SAMPLES; i++) lead.observe(80);
    expect(lead.ms).toBe(100);
    for (let i = 0; i < SAMPLES; i++) lead.observe(5000);
    expect(lead.ms).toBe(1000);
  });

  it('follows the 90th percentile: one slow record in ten does not set it, three do', () => {
    const lead = new SlotLead(10, 1000);
    for (let i = 0; i < SAMPLES; i++) lead.observe(i % 10 === 0 ? 400 : 40);
    // 4 of 32 at 400: above the 90th percentile's share (3.2), so it counts.
    expect(lead.ms).toBe(500);
    const calm = new SlotLead(10, 1000);
    for (let i = 0; i < SAMPLES; i++) calm.observe(i === 0 ? 400 : 40);
    expect(calm.ms).toBe(50);
  });

  it('comes back down once the writes are quick again (the last samples only)', () => {
    const lead = new SlotLead(25, 1000);
    for (let i = 0; i < SAMPLES; i++) lead.observe(300);
    expect(lead.ms).toBe(375);
    for (let i = 0; i < SAMPLES; i++) lead.observe(10);
    expect(lead.ms).toBe(25);
  });

  it('stays within [floor, cap] whatever it observes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 100 }),
        (floor, extra, needs) => {
          const lead = new SlotLead(floor, floor + extra);
          for (const need of needs) {
            lead.observe(need);
            expect(lead.ms).toBeGreaterThanOrEqual(floor);
            expect(lead.ms).toBeLessThanOrEqual(floor + extra);
          }
        },
      ),
    );
  });
});
