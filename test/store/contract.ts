/**
 * The storage contract: what every implementation of the repositories (src/store/repositories.ts)
 * must do, written once and run against each — in memory (memory.test.ts) and DynamoDB on
 * dynalite (dynamodb.test.ts). It pins the conditional semantics the pipeline relies on:
 * exactly-once claims under concurrency, forward-only status with the status table's
 * `applyReport` rules, first-writer-wins idempotency keys, pauses and suppressions, kept
 * callbacks taken once, listings that page without skipping or repeating, the sweeper's due
 * entries, pacing's optimistic concurrency, and the expiry each item is written with.
 *
 * Each test gets fresh, empty storage from the factory.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/messages/queue-message.ts';
import { applyReport, type MessageStatus, type StatusTimes } from '../../src/messages/status.ts';
import type { Budget } from '../../src/pacing/budget.ts';
import { Pacer } from '../../src/pacing/pacer.ts';
import type { ExpiryProbe } from '../../src/store/memory/index.ts';
import { ACCOUNT_SCOPE, InvalidCursorError, templateScope, type ListPosition, type NewMessage } from '../../src/store/model.ts';
import type { Storage } from '../../src/store/repositories.ts';
import { IDEMPOTENCY_TTL_S, MESSAGE_TTL_S, messageExpiresAt } from '../../src/store/table.ts';

export interface ContractSubject {
  storage: Storage;
  /** When items expire (epoch seconds), as the implementation keeps it. */
  expiry: ExpiryProbe;
}

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
/** An ISO time `s` seconds after T0. */
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const epochS = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const REPORTED = ['sending', 'unknown', 'accepted', 'sent', 'failed', 'delivered', 'read'] as const;

function message(overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    id: newMessageId(T0),
    provider: 'kaleyra',
    account: 'acme',
    recipient: { hash: 'h1', last4: '5678' },
    kind: 'template',
    template: 'lto_template',
    status: 'queued',
    createdAt: at(0),
    ...overrides,
  };
}

export function storageContract(name: string, subject: () => Promise<ContractSubject>): void {
  describe(`storage contract: ${name}`, () => {
    let s: Storage;
    let expiry: ExpiryProbe;
    beforeEach(async () => {
      ({ storage: s, expiry } = await subject());
    });

    /** Writes messages and returns them. */
    const created = async (...messages: NewMessage[]) => {
      await s.messages.createMany(messages);
      return messages;
    };

    describe('message records', () => {
      it('reads back what was written, with its first status time, and keeps what replays would overwrite', async () => {
        const [full] = await created(
          message({
            status: 'scheduled',
            scheduleAt: at(3600),
            metadata: { order: 'A-17' },
            idempotencyKey: 'k1',
            due: { at: at(3000), sealedPayload: 'sealed' },
          }),
        );
        expect(await s.messages.get(full!.id)).toEqual({
          id: full!.id,
          provider: 'kaleyra',
          account: 'acme',
          recipient: { hash: 'h1', last4: '5678' },
          kind: 'template',
          template: 'lto_template',
          status: 'scheduled',
          times: { scheduled: at(0) },
          attempts: 0,
          createdAt: at(0),
          scheduleAt: at(3600),
          metadata: { order: 'A-17' },
          idempotencyKey: 'k1',
          dueAt: at(3000),
        });
        expect(await s.messages.get(newMessageId(T0))).toBeUndefined();
        expect(await s.messages.get(full!.id, { consistent: false })).toMatchObject({ status: 'scheduled' });

        await s.messages.applyStatus(full!.id, 'sending', at(1));
        await s.messages.createMany([full!], { onlyIfMissing: true });
        expect((await s.messages.get(full!.id))?.status).toBe('sending');
      });

      it('reads many in the order asked, across batches, leaving out what does not exist', async () => {
        const messages = await created(...Array.from({ length: 120 }, () => message()));
        const ids = messages.map((m) => m.id).reverse();
        const missing = newMessageId(T0);
        const records = await s.messages.getMany([ids[0]!, missing, ...ids.slice(1)]);
        expect(records.map((r) => r.id)).toEqual(ids);
        expect(await s.messages.getMany([])).toEqual([]);
      });

      it('refuses a batch that names a message twice', async () => {
        const one = message();
        await expect(s.messages.createMany([one, one])).rejects.toThrow();
        await created(one);
        await expect(s.messages.getMany([one.id, one.id])).rejects.toThrow();
      });

      it.each(['applyStatus', 'applyScoped'] as const)(
        '%s reaches the reference result (applyReport) for any order and repetition of reports',
        async (method) => {
          const apply = (id: string, status: (typeof REPORTED)[number], time: string) =>
            method === 'applyStatus'
              ? s.messages.applyStatus(id, status, time)
              : s.messages.applyScoped(id, status, time, { account: 'acme', provider: 'kaleyra' });
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.record({ status: fc.constantFrom(...REPORTED), second: fc.integer({ min: 1, max: 59 }) }), {
                minLength: 1,
                maxLength: 8,
              }),
              async (reports) => {
                const [m] = await created(message());
                const withRepeats = [...reports, ...reports.slice(0, 2)];
                for (const r of withRepeats) await apply(m!.id, r.status, at(r.second));
                const start: { status?: MessageStatus; times: StatusTimes } = { status: 'queued', times: { queued: at(0) } };
                const expected = withRepeats.reduce((state, r) => applyReport(state, r.status, at(r.second)), start);
                const record = await s.messages.get(m!.id);
                expect({ status: record?.status, times: record?.times }).toEqual(expected);
              },
            ),
            { numRuns: 20 },
          );
        },
      );

      it('says what a report did: advanced, recorded as history, or nothing; the first failure’s error stays', async () => {
        const [m] = await created(message());
        expect(await s.messages.applyStatus(m!.id, 'failed', at(5), { error: { code: 131026, reason: 'undeliverable' } })).toBe('advanced');
        expect(await s.messages.applyStatus(m!.id, 'failed', at(5), { error: { code: 1, reason: 'other' } })).toBe('unchanged');
        expect(await s.messages.applyStatus(m!.id, 'failed', at(4), { error: { code: 2, reason: 'earlier' } })).toBe('recorded');
        expect(await s.messages.applyStatus(m!.id, 'sent', at(3))).toBe('recorded');
        expect(await s.messages.applyStatus(m!.id, 'delivered', at(7))).toBe('advanced');
        expect(await s.messages.get(m!.id)).toMatchObject({
          status: 'delivered',
          error: { code: 131026, reason: 'undeliverable' },
          times: { queued: at(0), sent: at(3), failed: at(4), delivered: at(7) },
        });
        expect(await s.messages.applyStatus(newMessageId(T0), 'sent', at(1))).toBe('unchanged');
      });

      it('skips a write the caller’s copy shows would change nothing, and still writes what it could change', async () => {
        const [m] = await created(message());
        await s.messages.applyStatus(m!.id, 'delivered', at(5));
        const known = (await s.messages.get(m!.id))!;
        expect(await s.messages.applyStatus(m!.id, 'delivered', at(6), { known })).toBe('unchanged');
        expect(await s.messages.applyStatus(m!.id, 'sent', at(4), { known })).toBe('recorded');
        expect(await s.messages.applyStatus(m!.id, 'read', at(9), { known })).toBe('advanced');
      });

      it('applies a scoped report to its account’s message of its provider only, reading nothing, and answers the record after', async () => {
        const [m] = await created(message());
        const scope = { account: 'acme', provider: 'kaleyra' } as const;
        const sent = await s.messages.applyScoped(m!.id, 'sent', at(2), scope, { providerMessageId: 'K-1' });
        expect(sent).toMatchObject({
          outcome: 'advanced',
          boundProviderMessageId: true,
          record: { status: 'sent', providerMessageId: 'K-1' },
        });
        expect(sent).toEqual({ ...sent, record: await s.messages.get(m!.id) });

        // Another account's or provider's message: nothing changes, nothing of it is answered.
        expect(await s.messages.applyScoped(m!.id, 'read', at(3), { account: 'other', provider: 'kaleyra' })).toEqual({
          outcome: 'foreign',
        });
        expect(await s.messages.applyScoped(m!.id, 'read', at(3), { account: 'acme', provider: 'gupshup' })).toEqual({
          outcome: 'foreign',
        });
        expect(await s.messages.applyScoped(newMessageId(T0), 'read', at(3), scope)).toEqual({ outcome: 'missing' });
        expect((await s.messages.get(m!.id))?.status).toBe('sent');

        // A repeat changes nothing and keeps the first provider id; a late report is history, its error kept.
        const repeat = await s.messages.applyScoped(m!.id, 'sent', at(2), scope, { providerMessageId: 'K-2' });
        expect(repeat).toMatchObject({ outcome: 'unchanged', boundProviderMessageId: false, record: { providerMessageId: 'K-1' } });
        expect(await s.messages.applyScoped(m!.id, 'delivered', at(5), scope)).toMatchObject({ outcome: 'advanced' });
        const error = { class: 'provider', code: 131026, reason: 'undeliverable' };
        const late = await s.messages.applyScoped(m!.id, 'failed', at(4), scope, { error });
        expect(late).toMatchObject({
          outcome: 'recorded',
          record: { status: 'delivered', error, times: { failed: at(4), delivered: at(5) } },
        });
        expect(late).toEqual({ ...late, record: await s.messages.get(m!.id) });

        // A report that changes nothing still gives a message without a provider id the report's.
        const [unbound] = await created(message());
        await s.messages.applyStatus(unbound!.id, 'read', at(9));
        const bound = await s.messages.applyScoped(unbound!.id, 'read', at(9), scope, { providerMessageId: 'K-7' });
        expect(bound).toMatchObject({ outcome: 'unchanged', boundProviderMessageId: true, record: { providerMessageId: 'K-7' } });
        expect((await s.messages.get(unbound!.id))?.providerMessageId).toBe('K-7');

        // A cancelled message never moves.
        const [cancelled] = await created(message());
        await s.messages.cancel(cancelled!.id, at(1));
        expect(await s.messages.applyScoped(cancelled!.id, 'sent', at(2), scope)).toMatchObject({
          outcome: 'unchanged',
          record: { status: 'cancelled' },
        });
      });

      it('never moves a cancelled message, and cancels only a waiting one', async () => {
        const [waiting, sending] = await created(message(), message({ status: 'scheduled' }));
        expect(await s.messages.cancel(waiting!.id, at(2))).toEqual({ cancelled: true });
        expect(await s.messages.cancel(waiting!.id, at(3))).toEqual({ cancelled: false, current: 'cancelled' });
        expect(await s.messages.applyStatus(waiting!.id, 'sent', at(3))).toBe('unchanged');
        const cancelled = { status: 'cancelled', times: { queued: at(0), cancelled: at(2) }, updatedAt: at(2) };
        expect(await s.messages.get(waiting!.id)).toMatchObject(cancelled);
        await s.messages.applyStatus(sending!.id, 'sending', at(2));
        expect(await s.messages.cancel(sending!.id, at(3))).toEqual({ cancelled: false, current: 'sending' });
        expect(await s.messages.cancel(newMessageId(T0), at(3))).toEqual({ cancelled: false });
      });

      it('keeps the first provider id, findable only by the same account, and needs the account to index it', async () => {
        const [m, unindexed] = await created(message(), message());
        await s.messages.applyStatus(m!.id, 'accepted', at(2), { provider: 'kaleyra', account: 'acme', providerMessageId: 'K-1' });
        await s.messages.applyStatus(m!.id, 'sent', at(3), { provider: 'kaleyra', account: 'acme', providerMessageId: 'K-2' });
        expect((await s.messages.get(m!.id))?.providerMessageId).toBe('K-1');
        expect(await s.callbacks.findMessageId('acme', 'kaleyra', 'K-1')).toBe(m!.id);
        expect(await s.callbacks.findMessageId('other', 'kaleyra', 'K-1')).toBeUndefined();
        expect(await s.callbacks.findMessageId('acme', 'gupshup', 'K-1')).toBeUndefined();
        const unscoped = s.messages.applyStatus(m!.id, 'read', at(4), { provider: 'kaleyra', providerMessageId: 'K-3' });
        await expect(unscoped).rejects.toThrow(/account/);

        const notIndexed = { provider: 'kaleyra', providerMessageId: 'K-9', indexProviderMessageId: false } as const;
        await s.messages.applyStatus(unindexed!.id, 'accepted', at(2), notIndexed);
        expect((await s.messages.get(unindexed!.id))?.providerMessageId).toBe('K-9');
        expect(await s.callbacks.findMessageId('acme', 'kaleyra', 'K-9')).toBeUndefined();
      });

      it('writes records to expire the retention after the latest time the pipeline acts on them', async () => {
        const [plain, scheduled] = await created(message(), message({ status: 'scheduled', scheduleAt: at(200 * 86_400) }));
        const [single] = [message({ status: 'scheduled', scheduleAt: at(300 * 86_400) })];
        await s.messages.createMany([single!], { onlyIfMissing: true });
        expect(await expiry.message(plain!.id)).toBe(messageExpiresAt({ createdAt: at(0) }));
        expect(await expiry.message(scheduled!.id)).toBe(epochS(at(200 * 86_400)) + MESSAGE_TTL_S);
        expect(await expiry.message(single!.id)).toBe(epochS(at(300 * 86_400)) + MESSAGE_TTL_S);
      });
    });

    describe('listing', () => {
      /** `count` messages of `account`, one second apart; their ids newest first. */
      const listed = async (account: string, count: number, from = 0) => {
        const messages = Array.from({ length: count }, (_, i) =>
          message({ account, id: newMessageId(T0 + (from + i) * 1000), createdAt: at(from + i) }),
        );
        await s.messages.createMany(messages);
        return messages.map((m) => m.id).reverse();
      };

      it('pages newest first with positions that skip and repeat nothing, one account only', async () => {
        const ids = await listed('acme', 7);
        await listed('other', 3);
        const pages: string[][] = [];
        let after: ListPosition | undefined;
        do {
          const page = await s.messages.list({ account: 'acme', limit: 3, ...(after ? { after } : {}) });
          pages.push(page.items.map((m) => m.id));
          after = page.next;
        } while (after && pages.length < 10);
        expect(pages).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
        expect((await s.messages.list({ account: 'nobody' })).items).toEqual([]);
      });

      it('says where a full page ended even when nothing follows; that position gives an empty last page', async () => {
        const ids = await listed('acme', 4);
        const page = await s.messages.list({ account: 'acme', limit: 4 });
        expect(page.items.map((m) => m.id)).toEqual(ids);
        expect(page.next).toBeDefined();
        expect(await s.messages.list({ account: 'acme', limit: 4, after: page.next! })).toEqual({ items: [] });
      });

      it('keeps to [since, until]', async () => {
        const ids = await listed('acme', 10);
        const page = await s.messages.list({ account: 'acme', since: at(3), until: at(6) });
        expect(page.items.map((m) => m.id)).toEqual(ids.slice(3, 7));
      });

      it('fills each page of one status from further down, within the read budget, and the position finds the rest', async () => {
        const ids = await listed('acme', 40);
        const cancelled = [2, 20, 21, 39].map((i) => ids[i]!);
        for (const id of cancelled) await s.messages.cancel(id, at(100));
        const pages: string[][] = [];
        let after: ListPosition | undefined;
        do {
          const page = await s.messages.list({ account: 'acme', status: 'cancelled', limit: 2, ...(after ? { after } : {}) });
          pages.push(page.items.map((m) => m.id));
          after = page.next;
        } while (after && pages.length < 10);
        expect(pages).toEqual([cancelled.slice(0, 2), cancelled.slice(2)]);

        const budgeted = await s.messages.list({ account: 'acme', status: 'cancelled', limit: 5, readBudget: 10 });
        expect(budgeted.items.map((m) => m.id)).toEqual([cancelled[0]]);
        expect(budgeted.next).toBeDefined();
        const rest = await s.messages.list({ account: 'acme', status: 'cancelled', limit: 5, readBudget: 10, after: budgeted.next! });
        expect(rest.items).toEqual([]);
        expect(rest.next).toBeDefined();
      });

      it('refuses a position no page gave, or one outside the query’s range', async () => {
        await listed('acme', 5);
        const page = await s.messages.list({ account: 'acme', limit: 2 });
        await expect(s.messages.list({ account: 'acme', after: { created: 'made up' } })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(s.messages.list({ account: 'acme', until: at(-10), after: page.next! })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(s.messages.list({ account: 'acme', since: at(100), after: page.next! })).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('send claims', () => {
      it('lets exactly one of concurrent claims through', async () => {
        const [m] = await created(message({ due: { at: at(120), sealedPayload: 'sealed' } }));
        const tokens = Array.from({ length: 8 }, (_, i) => `token-${i}`);
        const results = await Promise.all(tokens.map((token) => s.claims.claim(m!.id, token, at(1), { until: at(121) })));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = tokens[results.indexOf(true)]!;
        expect(await s.claims.claimOf(m!.id)).toEqual({ token: winner, claimedAt: at(1), until: at(121) });
        const sending = { status: 'sending', attempts: 1, times: { queued: at(0), sending: at(1) }, dueAt: at(120) };
        expect(await s.messages.get(m!.id)).toMatchObject(sending);
        // The due entry stays (the sweeper finds a claim whose invocation died); the body is dropped.
        const claim = { token: winner, claimedAt: at(1), until: at(121) };
        expect(await s.due.getHeld(m!.id)).toEqual({ record: expect.objectContaining({ status: 'sending' }), claim });
        expect(await s.claims.claim(newMessageId(T0), 'x', at(1))).toBe(false);
      });

      it('keeps the sealed body while sending when asked (providers with a lookup)', async () => {
        const [m] = await created(message({ due: { at: at(120), sealedPayload: 'sealed' } }));
        expect(await s.claims.claim(m!.id, 't', at(1), { keepPayload: true })).toBe(true);
        expect(await s.due.getHeld(m!.id)).toMatchObject({ sealedPayload: 'sealed', claim: { token: 't', claimedAt: at(1) } });
        expect((await s.claims.claimOf(m!.id))?.until).toBeUndefined();
      });

      it('gives a claim back only to its holder, holding the message again; a new claim counts another attempt', async () => {
        const [m] = await created(message());
        await s.claims.claim(m!.id, 'first', at(1), { until: at(60) });
        const error = { class: 'backoff', status: 429, reason: 'slow down' };
        expect(await s.claims.unclaim(m!.id, 'other', error)).toBe(false);
        expect(await s.claims.unclaim(m!.id, 'first', error, { dueAt: at(600), sealedPayload: 'again' })).toBe(true);
        expect(await s.claims.unclaim(m!.id, 'first', error)).toBe(false);
        expect(await s.messages.get(m!.id)).toMatchObject({ status: 'queued', error, dueAt: at(600) });
        expect(await s.claims.claimOf(m!.id)).toBeUndefined();
        expect(await s.due.getHeld(m!.id)).toEqual({ record: expect.objectContaining({ status: 'queued' }), sealedPayload: 'again' });
        expect(await s.due.listDue(at(600))).toEqual([{ id: m!.id, dueAt: at(600) }]);

        expect(await s.claims.claim(m!.id, 'second', at(700))).toBe(true);
        expect(await s.messages.get(m!.id)).toMatchObject({ attempts: 2, times: { sending: at(1) } });
      });

      it('releases a claim no call was made for: only its holder, the attempt taken back, the last error kept', async () => {
        const [m] = await created(message());
        const error = { class: 'backoff', status: 429, reason: 'slow down' };
        await s.claims.claim(m!.id, 'first', at(1), { until: at(60) });
        await s.claims.unclaim(m!.id, 'first', error);
        await s.claims.claim(m!.id, 'second', at(100), { until: at(160) });
        expect(await s.claims.release(m!.id, 'other', { dueAt: at(600), sealedPayload: 'again' })).toBe(false);
        expect(await s.claims.release(m!.id, 'second', { dueAt: at(600), sealedPayload: 'again' })).toBe(true);
        expect(await s.claims.release(m!.id, 'second', { dueAt: at(600), sealedPayload: 'again' })).toBe(false);
        expect(await s.messages.get(m!.id)).toMatchObject({ status: 'queued', attempts: 1, error, dueAt: at(600) });
        expect(await s.claims.claimOf(m!.id)).toBeUndefined();
        expect(await s.due.getHeld(m!.id)).toEqual({ record: expect.objectContaining({ status: 'queued' }), sealedPayload: 'again' });
        expect(await s.due.listDue(at(600))).toEqual([{ id: m!.id, dueAt: at(600) }]);
      });

      it('holds a message given back on a pause with the paused account’s messages', async () => {
        const [m] = await created(message());
        await s.claims.claim(m!.id, 't', at(1));
        await s.claims.unclaim(m!.id, 't', { reason: 'paused' }, { dueAt: at(900), sealedPayload: 'p', pausedAccount: 'acme' });
        expect(await s.due.listDue(at(1000))).toEqual([]);
        expect(await s.due.listDue(at(1000), 100, ['acme'])).toEqual([{ id: m!.id, dueAt: at(900) }]);
        expect(await s.due.listPaused('acme')).toEqual([{ id: m!.id, dueAt: at(900) }]);
      });

      it('marks a lost outcome unknown from sending only, with the claim’s token, once', async () => {
        const [m, other] = await created(message({ due: { at: at(120), sealedPayload: 's' } }), message());
        expect(await s.claims.markUnknown(m!.id, at(2), 'timeout')).toBe(false);
        await s.claims.claim(m!.id, 't', at(1), { keepPayload: true });
        expect(await s.claims.markUnknown(m!.id, at(2), 'timeout', 'not-t')).toBe(false);
        expect(await s.claims.markUnknown(m!.id, at(2), 'timeout', 't', { status: 504 })).toBe(true);
        expect(await s.claims.markUnknown(m!.id, at(3), 'again', 't')).toBe(false);
        const unknown = { status: 'unknown', times: { unknown: at(2) }, error: { class: 'unknown', status: 504, reason: 'timeout' } };
        expect(await s.messages.get(m!.id)).toMatchObject(unknown);
        expect((await s.due.getHeld(m!.id))?.sealedPayload).toBeUndefined();
        expect(await s.due.listDue(at(1000))).toEqual([]);
        // Without a token: any claim.
        await s.claims.claim(other!.id, 'u', at(1));
        expect(await s.claims.markUnknown(other!.id, at(2), 'crash')).toBe(true);
      });
    });

    describe('route switches (failover)', () => {
      const refusal = { class: 'pause_sender', status: 401, reason: 'credentials rejected' };
      const toB = { index: 1, account: 'acme-b', provider: 'livetok' as const, since: at(2) };
      const refusedA = { index: 0, account: 'acme', provider: 'kaleyra' as const, since: at(0), until: at(2), outcome: 'refused' as const };
      const switchFrom = (token?: string) => ({
        from: 0,
        ...(token ? { token } : {}),
        to: toB,
        refused: { ...refusedA, error: refusal },
        hold: { dueAt: at(300), sealedPayload: 'again' },
      });

      it('moves the send of a refused claim to the next route once, only for the claim’s holder and the owning route', async () => {
        const [m] = await created(message());
        await s.claims.claim(m!.id, 't', at(1), { route: 0 });
        expect(await s.claims.switchRoute(m!.id, switchFrom('other'))).toBe(false);
        expect(await s.claims.switchRoute(m!.id, switchFrom('t'))).toBe(true);
        expect(await s.claims.switchRoute(m!.id, switchFrom('t'))).toBe(false);
        const record = await s.messages.get(m!.id);
        expect(record).toMatchObject({
          status: 'queued',
          account: 'acme',
          provider: 'kaleyra',
          route: toB,
          error: refusal,
          dueAt: at(300),
        });
        expect(record?.routes).toEqual([{ ...refusedA, error: refusal }]);
        expect(await s.claims.claimOf(m!.id)).toBeUndefined();
        expect(await s.due.getHeld(m!.id)).toMatchObject({ sealedPayload: 'again' });
        // The old route can no longer claim it; the new one can, with the usual claim.
        expect(await s.claims.claim(m!.id, 'late', at(3), { route: 0 })).toBe(false);
        expect(await s.claims.claim(m!.id, 'next', at(3), { route: 1 })).toBe(true);
        // From a route that no longer owns it: refused.
        expect(await s.claims.switchRoute(m!.id, { ...switchFrom('next'), to: { ...toB, index: 2 } })).toBe(false);
      });

      it('lets exactly one of a route switch and a claim on the old route through, and never switches a sent message', async () => {
        const [m, sent] = await created(message(), message());
        const results = await Promise.all([
          s.claims.switchRoute(m!.id, switchFrom()),
          s.claims.claim(m!.id, 'old-route', at(1), { route: 0 }),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        await s.claims.claim(sent!.id, 't', at(1), { route: 0 });
        await s.messages.applyStatus(sent!.id, 'accepted', at(2));
        expect(await s.claims.switchRoute(sent!.id, switchFrom('t'))).toBe(false);
        expect(await s.claims.switchRoute(sent!.id, switchFrom())).toBe(false);
        expect((await s.messages.get(sent!.id))?.route).toBeUndefined();
      });

      it('switches a waiting message (a route blocked too long) without a claim, keeping its status', async () => {
        const [m] = await created(message({ status: 'scheduled' }));
        expect(await s.claims.switchRoute(m!.id, switchFrom())).toBe(true);
        expect(await s.messages.get(m!.id)).toMatchObject({ status: 'scheduled', route: toB });
        expect(await s.claims.switchRoute(m!.id, switchFrom())).toBe(false);
      });

      it('makes the message findable by recipient under the new route’s account only when asked (callbacks matched by recipient)', async () => {
        const [m, n] = await created(message({ indexRecipient: true }), message({ indexRecipient: true }));
        for (const x of [m!, n!]) await s.claims.claim(x.id, 't', at(1));
        await s.claims.switchRoute(m!.id, { ...switchFrom('t'), indexRecipient: 'h1' });
        await s.claims.switchRoute(n!.id, switchFrom('t'));
        for (const x of [m!, n!]) await s.claims.claim(x.id, 'b', at(3), { route: 1 });
        expect(await s.callbacks.unmatchedTo('acme-b', 'h1', at(-1), at(10))).toEqual([m!.id]);
        expect(await s.callbacks.unmatchedTo('acme', 'h1', at(-1), at(10))).toEqual([]);
      });

      it('applies reports only from the owning route: a refused route’s change nothing, another account’s are foreign', async () => {
        const [m] = await created(message());
        await s.claims.claim(m!.id, 't', at(1));
        await s.claims.switchRoute(m!.id, switchFrom('t'));
        await s.claims.claim(m!.id, 'b', at(3), { route: 1 });
        expect(await s.messages.applyStatus(m!.id, 'accepted', at(4))).toBe('advanced');
        const late = await s.messages.applyScoped(m!.id, 'failed', at(5), { account: 'acme', provider: 'kaleyra' });
        expect(late).toMatchObject({ outcome: 'unchanged' });
        expect(await s.messages.get(m!.id)).toMatchObject({ status: 'accepted' });
        expect(await s.messages.applyScoped(m!.id, 'delivered', at(6), { account: 'other', provider: 'livetok' })).toEqual({
          outcome: 'foreign',
        });
        const delivered = await s.messages.applyScoped(m!.id, 'delivered', at(6), { account: 'acme-b', provider: 'livetok' });
        expect(delivered).toMatchObject({ outcome: 'advanced', record: { status: 'delivered', account: 'acme' } });
        // Still the origin's message for listing.
        expect((await s.messages.list({ account: 'acme' })).items.map((r) => r.id)).toEqual([m!.id]);
      });
    });

    describe('due entries', () => {
      it('holds only a waiting message, moving its expiry to the retention after the hold', async () => {
        const [m, gone] = await created(message(), message());
        await s.messages.cancel(gone!.id, at(1));
        expect(await s.due.hold(m!.id, at(120 * 86_400), 'sealed')).toBe(true);
        expect(await expiry.message(m!.id)).toBe(epochS(at(120 * 86_400)) + MESSAGE_TTL_S);
        expect(await s.due.hold(gone!.id, at(60), 'sealed')).toBe(false);
        expect(await s.due.hold(newMessageId(T0), at(60), 'sealed')).toBe(false);
        const held = { record: expect.objectContaining({ dueAt: at(120 * 86_400) }), sealedPayload: 'sealed' };
        expect(await s.due.getHeld(m!.id)).toEqual(held);
      });

      it('lists what is due by then, at most `limit`, paused accounts’ messages only when asked', async () => {
        const due = await created(...[10, 20, 30, 40, 50].map((t) => message({ due: { at: at(t), sealedPayload: 'p' } })));
        const [paused] = await created(message({ account: 'held' }));
        await s.due.hold(paused!.id, at(5), 'p', { pausedAccount: 'held' });
        const byId = (entries: Array<{ id: string; dueAt: string }>) => [...entries].sort((a, b) => a.id.localeCompare(b.id));
        const first4 = due.slice(0, 4).map((m, i) => ({ id: m.id, dueAt: at(10 * (i + 1)) }));
        expect(byId(await s.due.listDue(at(40)))).toEqual(byId(first4));
        expect(await s.due.listDue(at(40), 2)).toHaveLength(2);
        expect(byId(await s.due.listDue(at(40), 100, ['held']))).toEqual(byId([...first4, { id: paused!.id, dueAt: at(5) }]));
        expect(await s.due.listPaused('held')).toEqual([{ id: paused!.id, dueAt: at(5) }]);
        expect(await s.due.listPaused('acme')).toEqual([]);
        // Settling removes the entry and the body.
        await s.messages.applyStatus(due[0]!.id, 'sent', at(60));
        expect((await s.due.listDue(at(40))).map((e) => e.id)).not.toContain(due[0]!.id);
        expect((await s.due.getHeld(due[0]!.id))?.sealedPayload).toBeUndefined();
      });

      it('postpones and releases only from the due time read, and a postponed paused message rejoins the ordinary ones', async () => {
        const [m, paused] = await created(message({ due: { at: at(10), sealedPayload: 'p' } }), message());
        await s.due.hold(paused!.id, at(10), 'p', { pausedAccount: 'acme' });
        expect(await s.due.postpone(m!.id, at(11), at(100))).toBe(false);
        expect(await s.due.postpone(m!.id, at(10), at(100))).toBe(true);
        expect(await s.due.listDue(at(50))).toEqual([]);
        expect(await s.due.release(m!.id, at(10))).toBe(false);
        expect(await s.due.release(m!.id, at(100))).toBe(true);
        expect(await s.due.release(m!.id, at(100))).toBe(false);
        expect(await s.due.getHeld(m!.id)).toEqual({ record: expect.not.objectContaining({ dueAt: expect.anything() }) });
        expect(await s.due.postpone(newMessageId(T0), at(10), at(20))).toBe(false);

        expect(await s.due.postpone(paused!.id, at(10), at(20))).toBe(true);
        expect(await s.due.listPaused('acme')).toEqual([]);
        expect(await s.due.listDue(at(20))).toEqual([{ id: paused!.id, dueAt: at(20) }]);
      });

      it('keeps a message for now out of the due index, with its body; a first entry only for one that is not settled', async () => {
        const [now, sent, entered] = await created(
          message({ due: { sealedPayload: 'p' } }),
          message({ due: { sealedPayload: 'p' } }),
          message({ due: { at: at(10), sealedPayload: 'p' } }),
        );
        expect((await s.messages.get(now!.id))?.dueAt).toBeUndefined();
        expect(await s.due.getHeld(now!.id)).toMatchObject({ sealedPayload: 'p' });
        expect(await s.due.listDue(at(9999))).toEqual([{ id: entered!.id, dueAt: at(10) }]);
        await s.messages.applyStatus(sent!.id, 'sent', at(2));
        expect(await s.due.postpone(sent!.id, undefined, at(60))).toBe(false);
        expect(await s.due.postpone(entered!.id, undefined, at(60))).toBe(false);
        expect(await s.due.postpone(newMessageId(T0), undefined, at(60))).toBe(false);
        expect(await s.due.postpone(now!.id, undefined, at(60))).toBe(true);
        expect(await s.due.postpone(now!.id, undefined, at(70))).toBe(false);
        expect(await s.due.listDue(at(60))).toEqual(expect.arrayContaining([{ id: now!.id, dueAt: at(60) }]));
      });

      it('lists an account’s messages by creation time in pages: the unsettled ones without a due entry, with their bodies', async () => {
        const ids = Array.from({ length: 5 }, (_, i) => newMessageId(T0 + i * 1000));
        const [waiting, sent, sending, entered, later] = await created(
          ...ids.map((id, i) =>
            message({ id, createdAt: at(i), due: i === 3 ? { at: at(90), sealedPayload: 'p' } : { sealedPayload: 'p' } }),
          ),
        );
        await created(message({ account: 'other', createdAt: at(1), due: { sealedPayload: 'p' } }));
        await s.messages.applyStatus(sent!.id, 'sent', at(9));
        await s.claims.claim(sending!.id, 'token', at(9), { until: at(40) });

        const all = await s.due.listCreated('acme', at(-60), at(3));
        expect(all.held.map((h) => h.record.id)).toEqual([waiting!.id, sending!.id]);
        expect(all.held[0]).toMatchObject({ sealedPayload: 'p', record: { status: 'queued' } });
        expect(all.held[1]).toMatchObject({ record: { status: 'sending' }, claim: { token: 'token', until: at(40) } });
        expect(all.last).toBeUndefined();

        // Page by page: each page says where it ended; the next starts after it; `until` is inclusive.
        const first = await s.due.listCreated('acme', at(-60), at(4), 2);
        expect(first.held.map((h) => h.record.id)).toEqual([waiting!.id]);
        const second = await s.due.listCreated('acme', first.last!, at(4), 2);
        expect(second.held.map((h) => h.record.id)).toEqual([sending!.id]);
        const third = await s.due.listCreated('acme', second.last!, at(4), 2);
        expect(third.held.map((h) => h.record.id)).toEqual([later!.id]);
        expect(entered).toBeDefined();
        // After a position at the end of a time, nothing of that time again.
        expect((await s.due.listCreated('acme', `${at(4)}#~`, at(4))).held).toEqual([]);

        expect(await s.due.sweptUntil('acme')).toBeUndefined();
        await s.due.markSwept('acme', third.last ?? `${at(4)}#~`);
        expect(await s.due.sweptUntil('acme')).toBe(third.last ?? `${at(4)}#~`);
        expect(await s.due.sweptUntil('other')).toBeUndefined();
      });
    });

    describe('idempotency keys', () => {
      it('lets the first of concurrent claims win and tells the others what it was taken for', async () => {
        const now = new Date(at(1));
        const claim = (hash: string) => s.idempotency.claim('acme', 'k1', `hash-${hash}`, [`id-${hash}`], now);
        const claims = await Promise.all(['a', 'b', 'c', 'd'].map(claim));
        const winner = claims.findIndex((c) => c.claimed);
        expect(claims.filter((c) => c.claimed)).toHaveLength(1);
        const hash = `hash-${'abcd'[winner]}`;
        const takenFor = { claimed: false, requestHash: hash, messageIds: [`id-${'abcd'[winner]}`], complete: false };
        for (const lost of claims.filter((c) => !c.claimed)) expect(lost).toEqual(takenFor);
        expect(await expiry.idempotencyKey('acme', 'k1')).toBe(epochS(at(1)) + IDEMPOTENCY_TTL_S);
      });

      it('completes a key, keeps keys per account, and frees an expired one', async () => {
        const now = new Date(at(1));
        expect(await s.idempotency.claim('acme', 'k1', 'hash-a', ['A'], now)).toEqual({ claimed: true });
        await s.idempotency.complete('acme', 'k1');
        const completed = { claimed: false, requestHash: 'hash-a', messageIds: ['A'], complete: true };
        expect(await s.idempotency.claim('acme', 'k1', 'hash-a', ['C'], now)).toEqual(completed);
        expect(await s.idempotency.claim('other', 'k1', 'hash-a', ['D'], now)).toEqual({ claimed: true });
        const later = new Date(now.getTime() + (IDEMPOTENCY_TTL_S + 1) * 1000);
        expect(await s.idempotency.claim('acme', 'k1', 'hash-z', ['E'], later)).toEqual({ claimed: true });
        const reclaimed = { claimed: false, requestHash: 'hash-z', complete: false };
        expect(await s.idempotency.claim('acme', 'k1', 'hash-y', ['F'], later)).toMatchObject(reclaimed);
      });
    });

    describe('pauses', () => {
      it('pauses an account or a template until lifted, scoped to the account', async () => {
        await s.pauses.set('acme', templateScope('lto_template'), { reason: 'Meta 132015', code: 132015, since: at(1) });
        await s.pauses.set('acme', ACCOUNT_SCOPE, { reason: 'blocked', since: at(2) });
        await s.pauses.set('acme', ACCOUNT_SCOPE, { reason: 'blocked again', code: '131048', since: at(3) });
        await s.pauses.set('other', templateScope('welcome'), { reason: 'x', since: at(4) });
        const pauses = await s.pauses.list('acme');
        expect(pauses).toHaveLength(2);
        expect(pauses).toEqual(
          expect.arrayContaining([
            { account: 'acme', scope: { kind: 'template', template: 'lto_template' }, reason: 'Meta 132015', code: 132015, since: at(1) },
            { account: 'acme', scope: { kind: 'account' }, reason: 'blocked again', code: '131048', since: at(3) },
          ]),
        );
        expect(await s.pauses.lift('acme', templateScope('welcome'))).toBe(false);
        expect(await s.pauses.lift('acme', templateScope('lto_template'))).toBe(true);
        expect(await s.pauses.lift('acme', templateScope('lto_template'))).toBe(false);
        expect((await s.pauses.list('acme')).map((p) => p.scope)).toEqual([{ kind: 'account' }]);
        const welcome = { account: 'other', scope: { kind: 'template', template: 'welcome' }, reason: 'x', since: at(4) };
        expect(await s.pauses.list('other')).toEqual([welcome]);
        expect(await s.pauses.list('nobody')).toEqual([]);
      });
    });

    describe('suppressions', () => {
      it('suppresses a recipient on one account until removed', async () => {
        await s.suppressions.add('acme', 'h1', { reason: 'opted_out', code: 131050, since: at(1) });
        expect(await s.suppressions.get('acme', 'h1')).toEqual({ reason: 'opted_out', since: at(1) });
        expect(await s.suppressions.get('other', 'h1')).toBeUndefined();
        expect(await s.suppressions.get('acme', 'h2')).toBeUndefined();
        expect(await s.suppressions.remove('acme', 'h1')).toBe(true);
        expect(await s.suppressions.remove('acme', 'h1')).toBe(false);
        expect(await s.suppressions.get('acme', 'h1')).toBeUndefined();
      });
    });

    describe('route health (breakers and failover switches)', () => {
      const open = { state: 'open', refusals: 5, openedAt: at(1), until: at(61), coolDownMs: 60_000 } as const;

      it('keeps a breaker per account, written only on the version read: of two writers on one version, one wins', async () => {
        expect(await s.routeHealth.get('acme')).toEqual({ version: 0 });
        expect(await s.routeHealth.writeBreaker('acme', { state: 'closed', refusals: 1 }, 0)).toBe(true);
        // A second first write (two workers that both read nothing) is refused.
        expect(await s.routeHealth.writeBreaker('acme', { state: 'closed', refusals: 1 }, 0)).toBe(false);
        expect(await s.routeHealth.get('acme')).toEqual({ breaker: { state: 'closed', refusals: 1 }, version: 1 });
        const racing = await Promise.all([
          s.routeHealth.writeBreaker('acme', open, 1),
          s.routeHealth.writeBreaker('acme', { state: 'closed', refusals: 2 }, 1),
        ]);
        expect(racing.filter(Boolean)).toHaveLength(1);
        const after = await s.routeHealth.get('acme');
        expect(after.version).toBe(2);
        expect(after.breaker).toEqual(racing[0] ? open : { state: 'closed', refusals: 2 });
        // Another account's is its own.
        expect(await s.routeHealth.get('other')).toEqual({ version: 0 });
      });

      it('takes a probe once: a half-open breaker with its lease, written by one of two workers', async () => {
        await s.routeHealth.writeBreaker('acme', open, 0);
        const probe = (token: string) => ({ ...open, state: 'half_open' as const, probe: { token, until: at(100) } });
        const taken = await Promise.all([
          s.routeHealth.writeBreaker('acme', probe('a'), 1),
          s.routeHealth.writeBreaker('acme', probe('b'), 1),
        ]);
        expect(taken.filter(Boolean)).toHaveLength(1);
        expect((await s.routeHealth.get('acme')).breaker?.probe?.token).toBe(taken[0] ? 'a' : 'b');
      });

      it('turns failover off and on without losing the breaker, and refuses a breaker write read before the switch', async () => {
        await s.routeHealth.writeBreaker('acme', open, 0);
        const off = { since: at(2), reason: 'provider B double-charges' };
        expect(await s.routeHealth.setSwitch('acme', off)).toBeUndefined();
        expect(await s.routeHealth.get('acme')).toEqual({ breaker: open, disabled: off, version: 2 });
        // Read at version 1, before the switch: refused.
        expect(await s.routeHealth.writeBreaker('acme', { state: 'closed', refusals: 0 }, 1)).toBe(false);
        expect(await s.routeHealth.setSwitch('acme', undefined)).toEqual(off);
        expect(await s.routeHealth.get('acme')).toEqual({ breaker: open, version: 3 });
        // A switch on an account with nothing kept creates it; a breaker write then needs its version.
        expect(await s.routeHealth.setSwitch('fresh', off)).toBeUndefined();
        expect(await s.routeHealth.writeBreaker('fresh', { state: 'closed', refusals: 1 }, 0)).toBe(false);
        expect(await s.routeHealth.writeBreaker('fresh', { state: 'closed', refusals: 1 }, 1)).toBe(true);
        expect(await s.routeHealth.get('fresh')).toEqual({ breaker: { state: 'closed', refusals: 1 }, disabled: off, version: 2 });
      });
    });

    describe('callback index', () => {
      it('scopes aliases to their account: another account neither finds nor replaces them, only learns one is taken', async () => {
        const [mine, theirs] = await created(message(), message({ account: 'other' }));
        const now = new Date(at(1));
        await s.callbacks.addAliases('acme', 'gupshup', ['G-1'], mine!.id, now);
        await s.callbacks.addAliases('other', 'gupshup', ['G-1'], theirs!.id, now);
        expect(await s.callbacks.findMessageId('acme', 'gupshup', 'G-1')).toBe(mine!.id);
        expect(await s.callbacks.findMessageId('other', 'gupshup', 'G-1')).toBe(theirs!.id);
        expect(await s.callbacks.findMessageId('third', 'gupshup', 'G-1')).toBeUndefined();
        expect(await s.callbacks.findMessageId('acme', 'kaleyra', 'G-1')).toBeUndefined();
        expect(await s.callbacks.takenElsewhere('third', 'gupshup', ['nope', 'G-1'])).toBe(true);
        await s.callbacks.addAliases('acme', 'gupshup', ['G-2'], mine!.id, now);
        expect(await s.callbacks.takenElsewhere('acme', 'gupshup', ['G-2'])).toBe(false);
        expect(await s.callbacks.takenElsewhere('other', 'gupshup', ['G-2'])).toBe(true);
        expect(await s.callbacks.takenElsewhere('other', 'kaleyra', ['G-2'])).toBe(false);
        expect(await expiry.alias('acme', 'gupshup', 'G-1')).toBe(epochS(at(1)) + MESSAGE_TTL_S);
      });

      it('takes any provider id: over the key size limit, non-ASCII, lone surrogates, the hashed form itself', async () => {
        const [m] = await created(message());
        const now = new Date(at(1));
        const ids = ['x'.repeat(3000), 'é'.repeat(1500), 'id with spaces', '~', `~${'A'.repeat(43)}`, 'a\ud800b', '\u{1F600}'.repeat(600)];
        await s.callbacks.addAliases('acme', 'gupshup', ids, m!.id, now);
        for (const id of ids) expect(await s.callbacks.findMessageId('acme', 'gupshup', id)).toBe(m!.id);
        expect(await s.callbacks.findMessageId('acme', 'gupshup', 'x'.repeat(2999))).toBeUndefined();
        await s.callbacks.keepPending('acme', 'gupshup', ids[0]!, { status: 'delivered' }, now);
        expect(await s.callbacks.takePending('acme', 'gupshup', ids[0]!)).toEqual([{ status: 'delivered' }]);
        await s.messages.applyStatus(m!.id, 'accepted', at(2), { provider: 'gupshup', account: 'acme', providerMessageId: ids[1]! });
        expect(await s.callbacks.findMessageId('acme', 'gupshup', ids[1]!)).toBe(m!.id);
      });

      it('keeps early callbacks per account and status, the first of each; one taker gets them once; kept a week', async () => {
        const now = new Date(at(1));
        const event = (status: string, n: number) => ({ status, n }) as { status: string };
        for (let i = 0; i < 30; i++) await s.callbacks.keepPending('acme', 'gupshup', 'G-early', event('delivered', i), now);
        await s.callbacks.keepPending('acme', 'gupshup', 'G-early', event('read', 0), now);
        await s.callbacks.keepPending('other', 'gupshup', 'G-early', event('sent', 0), now);
        expect(await expiry.pending('acme', 'gupshup', 'G-early')).toBe(epochS(at(1)) + 7 * 86_400);
        const take = () => s.callbacks.takePending('acme', 'gupshup', 'G-early');
        const taken = await Promise.all([take(), take()]);
        const events = taken.flat() as Array<{ status: string; n: number }>;
        expect(events.sort((a, b) => a.status.localeCompare(b.status))).toEqual([
          { status: 'delivered', n: 0 },
          { status: 'read', n: 0 },
        ]);
        expect(await s.callbacks.takePending('acme', 'gupshup', 'G-early')).toEqual([]);
        expect(await s.callbacks.takePending('other', 'gupshup', 'G-early')).toEqual([{ status: 'sent', n: 0 }]);
      });

      it('finds the recipient’s recent sent messages without a provider id, only where recipients are indexed', async () => {
        const to = (t: number, overrides: Partial<NewMessage> = {}) =>
          message({ provider: 'livechat', indexRecipient: true, id: newMessageId(T0 + t * 1000), createdAt: at(t), ...overrides });
        const [waiting, sent, bound, early, otherRecipient, notIndexed, otherAccount] = await created(
          to(10),
          to(20),
          to(30),
          to(1),
          to(40, { recipient: { hash: 'h2', last4: '0000' } }),
          to(50, { indexRecipient: false }),
          to(60, { account: 'other' }),
        );
        for (const m of [sent, bound, early, otherRecipient, notIndexed, otherAccount]) await s.messages.applyStatus(m!.id, 'sent', at(70));
        const binding = await s.messages.applyScoped(
          bound!.id,
          'sent',
          at(70),
          { account: 'acme', provider: 'livechat' },
          { providerMessageId: 'L-1' },
        );
        expect(binding).toMatchObject({ boundProviderMessageId: true });
        expect(await s.callbacks.unmatchedTo('acme', 'h1', at(5), at(100))).toEqual([sent!.id]);
        await s.messages.applyStatus(waiting!.id, 'sending', at(71));
        expect(await s.callbacks.unmatchedTo('acme', 'h1', at(5), at(100))).toEqual([waiting!.id, sent!.id]);
        expect(await s.callbacks.unmatchedTo('acme', 'h1', at(0), at(15))).toEqual([early!.id, waiting!.id]);
      });
    });

    describe('pacing', () => {
      const state = (tatUs: number) => ({ tatUs: { '1000': tatUs } });

      it('writes slot state only over the version it read', async () => {
        expect(await s.pacing.readSlots('acct#a')).toEqual({ version: 0 });
        const writes = await Promise.all([1, 2, 3].map((n) => s.pacing.writeSlots('acct#a', state(n), 0, 1_000_000)));
        expect(writes.filter(Boolean)).toHaveLength(1);
        const read = await s.pacing.readSlots('acct#a');
        expect(read.version).toBe(1);
        expect(await s.pacing.writeSlots('acct#a', state(9), 0, 1_000_000)).toBe(false);
        expect(await s.pacing.writeSlots('acct#a', state(9), 2, 1_000_000)).toBe(false);
        expect(await s.pacing.writeSlots('acct#a', state(9), 1, 1_000_000)).toBe(true);
        expect(await s.pacing.readSlots('acct#a')).toEqual({ state: state(9), version: 2 });
        expect(await expiry.pacing('acct#a')).toBe(1000 + 2 * 86_400);
      });

      it('claims a recipient’s slot once it is free', async () => {
        expect(await s.pacing.claimGap('rcpt#a#h', 10_000, 16_000)).toEqual({ claimed: true });
        expect(await s.pacing.claimGap('rcpt#a#h', 12_000, 18_000)).toEqual({ claimed: false, nextAt: 16_000 });
        expect(await s.pacing.claimGap('rcpt#a#h', 16_000, 22_000)).toEqual({ claimed: true });
        expect(await s.pacing.claimGap('rcpt#a#other', 16_001, 22_001)).toEqual({ claimed: true });
        expect(await expiry.pacing('rcpt#a#h')).toBe(22 + 3600);
      });

      it('hands concurrent pacers distinct slots an interval apart, and holds everyone back once blocked', async () => {
        // 100/s with δ = 10 ms: a slot every 10.201 ms (10.2 and 1 µs), 10 of them in a horizon of 100 ms.
        const budget: Budget = { windows: [{ limit: 100, windowMs: 1000 }], burstFraction: 0, arrivalJitterMs: 10 };
        const pacers = Array.from({ length: 4 }, () => new Pacer(s.pacing));
        // However the concurrent reservations interleave, no slot is handed out twice (the losers
        // of too many races back off), and the slots left are there for later reservations.
        const reserve = (i: number) => pacers[i % 4]!.reserve('acct#concurrent', budget, 1, 1_000_000, 100);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => reserve(i)));
        const concurrent = results.flatMap((r) => r.slots);
        expect(concurrent.length).toBeGreaterThan(0);
        expect(concurrent.length).toBeLessThanOrEqual(10);
        expect(results.filter((r) => r.slots.length === 0).every((r) => r.waitMs > 0)).toBe(true);
        const later: number[] = [];
        for (let i = 0; i < 20; i++) later.push(...(await reserve(i)).slots);
        const all = [...concurrent, ...later].sort((a, b) => a - b);
        expect(all).toHaveLength(10);
        for (let i = 1; i < all.length; i++) expect(all[i]! - all[i - 1]!).toBeCloseTo(10.201, 6);
        expect(all[0]).toBe(1_000_000);

        await pacers[0]!.block('acct#blocked', budget, 50_000, 20_000);
        expect(await pacers[1]!.reserve('acct#blocked', budget, 1, 30_000, 1000)).toEqual({ slots: [], waitMs: 20_000 });
        expect((await pacers[2]!.reserve('acct#blocked', budget, 1, 50_000, 0)).slots).toEqual([50_000]);
        expect(await pacers[3]!.acquireGap('rcpt#b#h', 6000, 10_000)).toEqual({ granted: 1, waitMs: 0 });
        expect(await pacers[3]!.acquireGap('rcpt#b#h', 6000, 12_000)).toEqual({ granted: 0, waitMs: 4000 });
      });
    });
  });
}
