import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineConfig } from '../config/pipeline.ts';
import type { BreakerState } from '../store/model.ts';
import { breakerAfter, breakerGate, breakerPolicy, CLOSED, DEFAULT_BREAKER_POLICY, type BreakerEvent } from './breaker.ts';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const POLICY = DEFAULT_BREAKER_POLICY;
const PROBE = { token: 'p1', leaseMs: 35_000 };

/** Applies events in order, as the sender would write them (nothing to write: the state stays). */
function run(events: ReadonlyArray<[BreakerEvent, number]>, start: BreakerState | undefined = undefined) {
  let state = start;
  const transitions: string[] = [];
  for (const [event, at] of events) {
    const change = breakerAfter(state, event, POLICY, at);
    if (!change) continue;
    state = change.state;
    if (change.transition) transitions.push(change.transition);
  }
  return { state, transitions };
}

describe('the breaker', () => {
  it('opens on the 5th consecutive proven refusal of the sender, for 60 s; an accepted send in between starts the count again', () => {
    const refused = (at: number): [BreakerEvent, number] => [{ kind: 'refused' }, at];
    expect(run([refused(T0), refused(T0), refused(T0), refused(T0)]).state).toEqual({ state: 'closed', refusals: 4 });
    const reset = run([refused(T0), refused(T0), refused(T0), refused(T0), [{ kind: 'accepted' }, T0], refused(T0)]);
    expect(reset).toEqual({ state: { state: 'closed', refusals: 1 }, transitions: [] });
    const opened = run([1, 2, 3, 4, 5].map((i) => refused(T0 + i)));
    expect(opened.transitions).toEqual(['opened']);
    expect(opened.state).toEqual({ state: 'open', refusals: 5, openedAt: iso(T0 + 5), until: iso(T0 + 5 + 60_000), coolDownMs: 60_000 });
  });

  it('writes nothing for an accepted send on a closed breaker with no refusals (the common send costs no write)', () => {
    expect(breakerAfter(undefined, { kind: 'accepted' }, POLICY, T0)).toBeUndefined();
    expect(breakerAfter(CLOSED, { kind: 'accepted' }, POLICY, T0)).toBeUndefined();
  });

  const open: BreakerState = { state: 'open', refusals: 5, openedAt: iso(T0), until: iso(T0 + 60_000), coolDownMs: 60_000 };

  it('sends while closed; skips while open; lets one probe through after the cool-down, and skips while its lease lasts', () => {
    expect(breakerGate(undefined, T0, PROBE)).toEqual({ kind: 'send' });
    expect(breakerGate({ state: 'closed', refusals: 4 }, T0, PROBE)).toEqual({ kind: 'send' });
    expect(breakerGate(open, T0 + 59_999, PROBE)).toEqual({ kind: 'skip', until: T0 + 60_000 });
    const gate = breakerGate(open, T0 + 60_000, PROBE);
    expect(gate).toEqual({ kind: 'probe', state: { ...open, state: 'half_open', probe: { token: 'p1', until: iso(T0 + 95_000) } } });
    const halfOpen = gate.kind === 'probe' ? gate.state : open;
    expect(breakerGate(halfOpen, T0 + 94_999, { token: 'p2', leaseMs: 35_000 })).toEqual({ kind: 'skip', until: T0 + 95_000 });
    // The probe's outcome was lost (or it never called): once its lease ends, the next message probes.
    expect(breakerGate(halfOpen, T0 + 95_000, { token: 'p2', leaseMs: 35_000 })).toMatchObject({
      kind: 'probe',
      state: { state: 'half_open', probe: { token: 'p2' } },
    });
  });

  it('closes when the probe is accepted; reopens with the cool-down doubled when it is refused, up to the maximum', () => {
    const probing = (state: BreakerState, token = 'p1'): BreakerState => ({
      ...state,
      state: 'half_open',
      probe: { token, until: iso(T0) },
    });
    expect(breakerAfter(probing(open), { kind: 'accepted' }, POLICY, T0 + 61_000)).toEqual({ state: CLOSED, transition: 'closed' });
    let state = open;
    const coolDowns: number[] = [];
    for (let i = 0; i < 6; i++) {
      const change = breakerAfter(probing(state), { kind: 'refused', probe: 'p1' }, POLICY, T0);
      expect(change?.transition).toBe('reopened');
      state = change!.state;
      coolDowns.push(state.coolDownMs!);
      expect(Date.parse(state.until!) - T0).toBe(state.coolDownMs);
    }
    expect(coolDowns).toEqual([120_000, 240_000, 480_000, 600_000, 600_000, 600_000]);
    // Closing starts again from the first cool-down.
    const closed = breakerAfter(probing(state), { kind: 'accepted' }, POLICY, T0)!.state;
    const reopened = run(
      [1, 2, 3, 4, 5].map((i) => [{ kind: 'refused' }, T0 + i] as [BreakerEvent, number]),
      closed,
    ).state;
    expect(reopened?.coolDownMs).toBe(60_000);
  });

  it('ignores a refusal while open that is not the probe’s (a send under way when it opened, a probe whose lease was taken over)', () => {
    expect(breakerAfter(open, { kind: 'refused' }, POLICY, T0 + 1)).toBeUndefined();
    const halfOpen: BreakerState = { ...open, state: 'half_open', probe: { token: 'p2', until: iso(T0 + 100_000) } };
    expect(breakerAfter(halfOpen, { kind: 'refused', probe: 'p1' }, POLICY, T0 + 1)).toBeUndefined();
    expect(breakerAfter(halfOpen, { kind: 'refused' }, POLICY, T0 + 1)).toBeUndefined();
  });

  it('over any sequence of events: a skip always ends by its cool-down or lease, the cool-down stays within its bounds', () => {
    const event = fc.oneof(
      fc.constant<BreakerEvent>({ kind: 'accepted' }),
      fc.constant<BreakerEvent>({ kind: 'refused' }),
      fc.constant<BreakerEvent>({ kind: 'refused', probe: 'p' }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(event, fc.nat({ max: 3_600_000 }), fc.boolean())), (steps) => {
        let state: BreakerState | undefined;
        let now = T0;
        for (const [e, dt, gate] of steps) {
          now += dt;
          if (gate) {
            const g = breakerGate(state, now, { token: 'p', leaseMs: 35_000 });
            if (g.kind === 'skip') expect(g.until).toBeGreaterThan(now);
            if (g.kind === 'skip') expect(g.until - now).toBeLessThanOrEqual(POLICY.maxCoolDownMs);
            if (g.kind === 'probe') state = g.state;
            if (g.kind === 'send') expect(state?.state ?? 'closed').toBe('closed');
          }
          const change = breakerAfter(state, e, POLICY, now);
          if (change) state = change.state;
          if (e.kind === 'accepted') expect(state ?? CLOSED).toEqual(CLOSED);
          if (state?.coolDownMs !== undefined) {
            expect(state.coolDownMs).toBeGreaterThanOrEqual(POLICY.coolDownMs);
            expect(state.coolDownMs).toBeLessThanOrEqual(POLICY.maxCoolDownMs);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the breaker settings of an account', () => {
  const account = (breaker: unknown) => ({ id: 'a', provider: 'livetok', breaker });
  const parse = (breaker: unknown) =>
    PipelineConfig.safeParse({ accounts: [account(breaker)], apiKeys: [{ id: 'k', sha256: 'a'.repeat(64), accounts: '*' }] });

  it('takes the defaults (5, 60 s, 10 min) and the account’s own', () => {
    expect(breakerPolicy({})).toEqual({ after: 5, coolDownMs: 60_000, maxCoolDownMs: 600_000 });
    expect(breakerPolicy({ breaker: { after: 3, coolDown: '30s', maxCoolDown: '5m' } })).toEqual({
      after: 3,
      coolDownMs: 30_000,
      maxCoolDownMs: 300_000,
    });
    expect(parse({ after: 3, coolDown: '30s', maxCoolDown: '5m' }).success).toBe(true);
  });

  it.each<[unknown, string, string]>([
    [{ after: 0 }, 'after', 'must be at least 1'],
    [{ after: 2.5 }, 'after', ''],
    [{ coolDown: '1 minute' }, 'coolDown', ''],
    [{ coolDown: '500ms' }, 'coolDown', 'must be at least 1s'],
    [{ coolDown: '20m' }, 'coolDown', 'must not be longer than maxCoolDown (10m)'],
    [{ coolDown: '2m', maxCoolDown: '1m' }, 'coolDown', 'must not be longer than maxCoolDown (1m)'],
    [{ maxCoolDown: '25h' }, 'maxCoolDown', 'must be at most 24h'],
    [{ afterr: 3 }, '', ''],
  ])('refuses %j at load, naming the field and the rule', (breaker, field, rule) => {
    const parsed = parse(breaker);
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path.slice(0, 3)).toEqual(['accounts', 0, 'breaker']);
    if (field) expect(issue.path[3]).toBe(field);
    expect(issue.message).toContain(rule);
  });
});
