import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATUSES } from '../messages/status.ts';
import { RETRY_CLASSES } from '../providers/errors.ts';
import { decideFailover, type FailoverInput, type FailoverTrigger, type RouteEvidence } from './failover-decision.ts';

const base = { status: 'sending', failoverAfterMs: 60_000, hasNextRoute: true } as const;
const refused = (retryClass: (typeof RETRY_CLASSES)[number], senderRefused = false, waitedMs = 0): RouteEvidence => ({
  kind: 'refused',
  retryClass,
  senderRefused,
  waitedMs,
});

describe('the failover decision', () => {
  it.each<[string, Partial<FailoverInput> & { evidence: RouteEvidence }, false | FailoverTrigger]>([
    ['a pause refusal', { evidence: refused('pause_sender', true) }, 'pause_sender'],
    ['a permanent refusal of the sender', { evidence: refused('permanent', true) }, 'sender_refused'],
    ['a permanent refusal of the recipient or content', { evidence: refused('permanent') }, false],
    ['an opt-out', { evidence: refused('opted_out') }, false],
    ['an opt-out marked as the sender’s', { evidence: refused('opted_out', true) }, false],
    ['a recipient limit', { evidence: refused('per_recipient') }, false],
    ['the per-user marketing limit', { evidence: refused('not_before_24h') }, false],
    ['a back-off (429, documented 503)', { evidence: refused('backoff') }, false],
    ['a back-off after waiting on the route less than failoverAfter', { evidence: refused('backoff', false, 59_999) }, false],
    ['a back-off after waiting on the route failoverAfter', { evidence: refused('backoff', false, 60_000) }, 'blocked'],
    ['a recipient limit after waiting long', { evidence: refused('per_recipient', false, 3_600_000) }, false],
    ['a recipient refusal after waiting long', { evidence: refused('permanent', false, 3_600_000) }, false],
    ['an unknown outcome (no answer, open 5xx)', { evidence: { kind: 'unknown' } }, false],
    ['an accepted message', { evidence: { kind: 'accepted' } }, false],
    ['a pause refusal without a next route', { evidence: refused('pause_sender', true), hasNextRoute: false }, false],
    ['a pause refusal of a message already accepted', { evidence: refused('pause_sender', true), status: 'accepted' }, false],
    ['a pause refusal of a message already unknown', { evidence: refused('pause_sender', true), status: 'unknown' }, false],
    ['blocked exactly failoverAfter', { evidence: { kind: 'blocked', blockedForMs: 60_000 }, status: 'queued' }, 'blocked'],
    ['blocked longer', { evidence: { kind: 'blocked', blockedForMs: 3_600_000 }, status: 'queued' }, 'blocked'],
    ['blocked for less', { evidence: { kind: 'blocked', blockedForMs: 59_999 }, status: 'queued' }, false],
    ['blocked long, no next route', { evidence: { kind: 'blocked', blockedForMs: 3_600_000 }, hasNextRoute: false }, false],
    ['blocked long but delivered', { evidence: { kind: 'blocked', blockedForMs: 3_600_000 }, status: 'delivered' }, false],
    ['the route’s breaker is open (waiting)', { evidence: { kind: 'breaker_open' }, status: 'queued' }, 'breaker'],
    ['the route’s breaker opened on this refusal (under its claim)', { evidence: { kind: 'breaker_open' } }, 'breaker'],
    ['the route’s breaker is open, no next route', { evidence: { kind: 'breaker_open' }, hasNextRoute: false }, false],
    ['the route’s breaker is open, the message accepted meanwhile', { evidence: { kind: 'breaker_open' }, status: 'accepted' }, false],
    ['the route’s breaker is open, the outcome unknown', { evidence: { kind: 'breaker_open' }, status: 'unknown' }, false],
  ])('%s', (_name, input, expected) => {
    const decision = decideFailover({ ...base, ...input });
    expect(decision).toEqual(expected ? { failover: true, trigger: expected } : { failover: false, because: expect.any(String) });
  });

  const evidence = fc.oneof(
    fc.constant<RouteEvidence>({ kind: 'accepted' }),
    fc.constant<RouteEvidence>({ kind: 'unknown' }),
    fc.record({
      kind: fc.constant('refused' as const),
      retryClass: fc.constantFrom(...RETRY_CLASSES),
      senderRefused: fc.boolean(),
      waitedMs: fc.nat(),
    }),
    fc.record({ kind: fc.constant('blocked' as const), blockedForMs: fc.nat() }),
    fc.constant<RouteEvidence>({ kind: 'breaker_open' }),
  );
  const input = fc.record({
    evidence,
    status: fc.constantFrom(...STATUSES),
    failoverAfterMs: fc.nat(),
    hasNextRoute: fc.boolean(),
  });

  it('fails over only from an unsent message with a next route: a proven refusal of the sender, a block of failoverAfter, an open breaker', () => {
    fc.assert(
      fc.property(input, (i) => {
        const decision = decideFailover(i);
        if (!decision.failover) return;
        expect(i.hasNextRoute).toBe(true);
        expect(['queued', 'scheduled', 'sending']).toContain(i.status);
        const e = i.evidence;
        if (e.kind === 'refused') {
          const ofSender = e.retryClass === 'pause_sender' || (e.retryClass === 'permanent' && e.senderRefused);
          const blockedLong = e.retryClass === 'backoff' && e.waitedMs >= i.failoverAfterMs;
          expect(ofSender || blockedLong).toBe(true);
          expect(decision.trigger).toBe(ofSender ? (e.retryClass === 'pause_sender' ? 'pause_sender' : 'sender_refused') : 'blocked');
        } else if (e.kind === 'breaker_open') {
          expect(decision.trigger).toBe('breaker');
        } else {
          expect(e.kind).toBe('blocked');
          if (e.kind === 'blocked') expect(e.blockedForMs).toBeGreaterThanOrEqual(i.failoverAfterMs);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never fails over after an accepted or unknown outcome, whatever else holds', () => {
    fc.assert(
      fc.property(input, fc.constantFrom<RouteEvidence>({ kind: 'accepted' }, { kind: 'unknown' }), (i, e) => {
        expect(decideFailover({ ...i, evidence: e }).failover).toBe(false);
      }),
    );
  });
});
