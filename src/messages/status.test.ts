import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advances, applyReport, STATUSES, type MessageStatus, type StatusTimes } from './status.ts';

const REPORTED: MessageStatus[] = ['sending', 'unknown', 'accepted', 'sent', 'failed', 'delivered', 'read'];
const report = fc.record({ status: fc.constantFrom(...REPORTED), second: fc.integer({ min: 0, max: 59 }) });
const at = (second: number) => `2026-11-22T10:00:${String(second).padStart(2, '0')}.000Z`;

function replay(start: { status?: MessageStatus; times: StatusTimes }, reports: Array<{ status: MessageStatus; second: number }>) {
  return reports.reduce((state, r) => applyReport(state, r.status, at(r.second)), start);
}

describe('the status table', () => {
  it('ranks the ladder and keeps failed below delivery evidence', () => {
    expect(advances('sent', 'failed')).toBe(true);
    expect(advances('failed', 'sent')).toBe(false);
    expect(advances('failed', 'delivered')).toBe(true);
    expect(advances('read', 'delivered')).toBe(false);
    expect(advances('queued', 'sending')).toBe(true);
    expect(advances('sending', 'unknown')).toBe(true);
    expect(advances('unknown', 'accepted')).toBe(true);
  });

  it('cancels only from queued or scheduled, and nothing moves a cancelled message', () => {
    expect(advances('queued', 'cancelled')).toBe(true);
    expect(advances('scheduled', 'cancelled')).toBe(true);
    for (const status of STATUSES.filter((s) => s !== 'queued' && s !== 'scheduled')) expect(advances(status, 'cancelled')).toBe(false);
    for (const status of STATUSES) expect(advances('cancelled', status)).toBe(false);
  });

  it('any order and repetition of the same reports gives the same status and earliest times', () => {
    fc.assert(
      fc.property(fc.array(report, { minLength: 1, maxLength: 12 }), fc.infiniteStream(fc.nat()), (reports, seeds) => {
        const start = { status: 'queued' as MessageStatus, times: { queued: at(0) } };
        const shuffled = [...reports, ...reports.slice(0, 3)]
          .map((r) => ({ r, k: seeds.next().value }))
          .sort((a, b) => a.k - b.k)
          .map(({ r }) => r);
        const inOrder = replay(start, reports);
        const scrambled = replay(start, shuffled);
        expect(scrambled).toEqual(inOrder);
        const highest = reports.reduce<MessageStatus>((best, r) => (advances(best, r.status) ? r.status : best), 'queued');
        expect(inOrder.status).toBe(highest);
        for (const status of new Set(reports.map((r) => r.status))) {
          expect(inOrder.times[status]).toBe(at(Math.min(...reports.filter((r) => r.status === status).map((r) => r.second))));
        }
      }),
    );
  });
});
