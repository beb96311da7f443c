/**
 * DynamoDB's TTL never deletes a message before it is due: the expiry counts from the latest time
 * the pipeline will act on the message (creation, `scheduleAt`, a hold's due time), never from
 * creation alone. The rule as a pure function (property); the expiry each repository writes is
 * in the storage contract (test/store/contract.ts), for DynamoDB as the TTL attribute itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SCHEDULE_AHEAD_MS } from '../../src/api/accept.ts';
import { MESSAGE_TTL_S, messageExpiresAt } from '../../src/store/table.ts';

const CREATED = Date.parse('2026-11-22T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('the message expiry rule', () => {
  it('keeps a message until it is due and for the retention after that, whatever its schedule and holds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SCHEDULE_AHEAD_MS }),
        fc.option(fc.integer({ min: 0, max: 2 * MAX_SCHEDULE_AHEAD_MS })),
        (scheduleInMs, holdInMs) => {
          const times = {
            createdAt: iso(CREATED),
            scheduleAt: iso(CREATED + scheduleInMs),
            ...(holdInMs !== null ? { dueAt: iso(CREATED + holdInMs) } : {}),
          };
          const expiresMs = messageExpiresAt(times) * 1000;
          const due = Math.max(CREATED + scheduleInMs, CREATED + (holdInMs ?? 0));
          expect(expiresMs).toBeGreaterThanOrEqual(due + MESSAGE_TTL_S * 1000);
          expect(expiresMs).toBeLessThan(due + MESSAGE_TTL_S * 1000 + 1000);
        },
      ),
    );
  });

  it('is the old rule (creation + 90 days) for a message with no schedule', () => {
    expect(messageExpiresAt({ createdAt: iso(CREATED) })).toBe(CREATED / 1000 + 90 * 86_400);
  });

  it('refuses to guess without a valid time', () => {
    expect(() => messageExpiresAt({ createdAt: 'yesterday' })).toThrow(/needs at least one ISO-8601 time/);
  });
});
