/**
 * Callbacks for a message that failed over: applied only from the route that owns the send; a
 * refused route's late report changes nothing (and is not another account's); what a report pauses
 * or suppresses, and the aliases it records, are the reporting route's.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../messages/queue-message.ts';
import type { StatusEvent } from '../messages/status-event.ts';
import type { StatusChange } from '../push/push.ts';
import { type MemoryStorage, memoryStorage } from '../store/memory/index.ts';
import { applyEvents, type ApplyDeps } from './apply.ts';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

describe('callbacks of a message that failed over', () => {
  let storage: MemoryStorage;
  let deps: ApplyDeps;
  let id: string;
  const event = (account: string, provider: StatusEvent['provider'], status: StatusEvent['status'], extra: Partial<StatusEvent> = {}) =>
    ({ account, provider, messageId: id, status, at: at(10), ...extra }) as StatusEvent;

  beforeEach(async () => {
    storage = memoryStorage();
    deps = { ...storage, recipientHashKey: 'k'.repeat(32), now: () => new Date(T0) };
    id = newMessageId(T0);
    await storage.messages.createMany([
      {
        id,
        provider: 'kaleyra',
        account: 'origin',
        recipient: { hash: 'h1', last4: '5678' },
        kind: 'template',
        template: 'lto_template',
        status: 'queued',
        createdAt: at(0),
      },
    ]);
    await storage.claims.claim(id, 't', at(1), { route: 0 });
    await storage.claims.switchRoute(id, {
      from: 0,
      token: 't',
      to: { index: 1, account: 'fallback', provider: 'livetok', since: at(2) },
      refused: {
        index: 0,
        account: 'origin',
        provider: 'kaleyra',
        since: at(0),
        until: at(2),
        outcome: 'refused',
        error: { class: 'pause_sender', reason: 'credentials' },
      },
      hold: { dueAt: at(300), sealedPayload: 'p' },
    });
    await storage.claims.claim(id, 'b', at(3), { route: 1 });
    await storage.messages.applyStatus(id, 'accepted', at(4));
  });

  it('applies the owning route’s reports, and records the aliases under its account', async () => {
    expect(await applyEvents([event('fallback', 'livetok', 'delivered', { providerMessageId: 'LT-1' })], deps)).toEqual(['applied']);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'delivered', account: 'origin', providerMessageId: 'LT-1' });
    expect(await storage.callbacks.findMessageId('fallback', 'livetok', 'LT-1')).toBe(id);
    expect(await storage.callbacks.findMessageId('origin', 'livetok', 'LT-1')).toBeUndefined();
  });

  it('pushes the owning route’s report under the origin, naming the route that sent it', async () => {
    const pushes: StatusChange[] = [];
    deps.notifier = { notify: async (change) => void pushes.push(change) };
    await applyEvents([event('origin', 'kaleyra', 'delivered')], deps);
    await applyEvents([event('fallback', 'livetok', 'delivered')], deps);
    expect(pushes).toEqual([
      { id, account: 'origin', provider: 'kaleyra', status: 'delivered', at: at(10), route: { account: 'fallback', provider: 'livetok' } },
    ]);
  });

  it('lets a refused route’s late failure change nothing, without counting it as another account’s', async () => {
    expect(await applyEvents([event('origin', 'kaleyra', 'failed', { error: { code: 131026 } })], deps)).toEqual(['unchanged']);
    expect(await applyEvents([event('origin', 'kaleyra', 'accepted')], deps)).toEqual(['unchanged']);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'accepted' });
    expect(await applyEvents([event('someone-else', 'livetok', 'failed')], deps)).toEqual(['cross_account']);
  });

  it('pauses and suppresses for the reporting route’s account', async () => {
    expect(await applyEvents([event('origin', 'kaleyra', 'failed', { error: { code: 131048 } })], deps)).toEqual(['unchanged']);
    expect(await storage.pauses.list('origin')).toEqual([]);
    await applyEvents([event('fallback', 'livetok', 'failed', { error: { code: 131048 } })], deps);
    expect(await storage.pauses.list('fallback')).toMatchObject([{ scope: { kind: 'account' } }]);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'failed' });
  });

  it('suppresses an opted-out recipient for the route that reported it', async () => {
    await applyEvents([event('fallback', 'livetok', 'failed', { error: { code: 131050 } })], deps);
    expect(await storage.suppressions.get('fallback', 'h1')).toBeDefined();
    expect(await storage.suppressions.get('origin', 'h1')).toBeUndefined();
  });
});
