/**
 * A failure callback whose code says the sender must stop pauses it, as the same code in a send
 * answer does: Meta 132015 the message's template, 131048 the account (and a provider's own codes:
 * Gupshup's 4005 the template, 1003 the account) — once, when it fails the
 * message, so a repeat after an operator lifted the pause does not pause again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { recipientRef } from '../../src/privacy/recipient.ts';
import { applyEvents } from '../../src/status/apply.ts';
import { memoryStorage, type MemoryStorage } from '../../src/store/memory/index.ts';
import { templateScope } from '../../src/store/model.ts';
import { testSecrets } from '../support/local-aws.ts';

const secrets = testSecrets();
let store: MemoryStorage;
const deps = () => ({ ...store, recipientHashKey: secrets.recipientHashKey, now: () => new Date('2026-11-22T10:00:00.000Z') });

beforeEach(() => {
  store = memoryStorage();
});

async function sentMessage(id: string, account: string, provider: 'kaleyra' | 'gupshup' = 'kaleyra') {
  const recipient = recipientRef(secrets.recipientHashKey, '+919812345678');
  const createdAt = '2026-11-22T09:59:00.000Z';
  const template = 'lto_template';
  await store.messages.createMany([{ id, provider, account, recipient, kind: 'template', template, status: 'queued', createdAt }]);
  await store.messages.applyStatus(id, 'sent', '2026-11-22T09:59:30.000Z');
}
const failed = (messageId: string, account: string, code: number) => ({
  provider: 'kaleyra' as const,
  account,
  messageId,
  status: 'failed' as const,
  at: '2026-11-22T10:00:00.000Z',
  error: { code, title: `Meta ${code}` },
});

describe('failure callbacks that stop the sender', () => {
  it('pause the template for 132015 and the account for 131048, once', async () => {
    await sentMessage('01JPAUSE000000000000000001', 'acme-a');
    await sentMessage('01JPAUSE000000000000000002', 'acme-b');
    const events = [failed('01JPAUSE000000000000000001', 'acme-a', 132015), failed('01JPAUSE000000000000000002', 'acme-b', 131048)];
    await applyEvents(events, deps());
    const templatePause = expect.objectContaining({ scope: templateScope('lto_template'), code: 132015, reason: 'Meta 132015' });
    expect(await store.pauses.list('acme-a')).toEqual([templatePause]);
    expect(await store.pauses.list('acme-b')).toEqual([expect.objectContaining({ scope: { kind: 'account' }, code: 131048 })]);
    expect(await store.messages.get('01JPAUSE000000000000000001')).toMatchObject({ status: 'failed', error: { code: 132015 } });

    // An operator lifts it; the provider repeats the callback: nothing is paused again.
    await store.pauses.lift('acme-a', templateScope('lto_template'));
    await applyEvents([failed('01JPAUSE000000000000000001', 'acme-a', 132015)], deps());
    expect(await store.pauses.list('acme-a')).toEqual([]);
  });

  it("pause for the provider's own codes too: Gupshup's 4005 the template, 1003 (wallet empty) the account", async () => {
    const gupshupFailed = (messageId: string, account: string, code: number) => ({
      ...failed(messageId, account, code),
      provider: 'gupshup' as const,
    });
    await sentMessage('01JPAUSE000000000000000005', 'acme-g1', 'gupshup');
    await sentMessage('01JPAUSE000000000000000006', 'acme-g2', 'gupshup');
    await applyEvents(
      [gupshupFailed('01JPAUSE000000000000000005', 'acme-g1', 4005), gupshupFailed('01JPAUSE000000000000000006', 'acme-g2', 1003)],
      deps(),
    );
    expect(await store.pauses.list('acme-g1')).toEqual([expect.objectContaining({ scope: templateScope('lto_template'), code: 4005 })]);
    expect(await store.pauses.list('acme-g2')).toEqual([expect.objectContaining({ scope: { kind: 'account' }, code: 1003 })]);
    // The same numbers are no pause code of another provider's.
    await sentMessage('01JPAUSE000000000000000007', 'acme-k', 'kaleyra');
    await applyEvents([failed('01JPAUSE000000000000000007', 'acme-k', 1003)], deps());
    expect(await store.pauses.list('acme-k')).toEqual([]);
  });

  it('leave other failures unpaused', async () => {
    await sentMessage('01JPAUSE000000000000000003', 'acme-c');
    await applyEvents([failed('01JPAUSE000000000000000003', 'acme-c', 131026)], deps());
    expect(await store.pauses.list('acme-c')).toEqual([]);
  });

  it('survive a crash at either write: the retried callback leaves the message failed and the template paused', async () => {
    // The handler dies at one of its two writes (the pause, the failure); the provider retries the callback.
    for (const crashAt of ['pauses.set', 'messages.applyScoped'] as const) {
      store = memoryStorage();
      const id = '01JPAUSE000000000000000004';
      await sentMessage(id, 'acme-d');
      let crashed = false;
      const crashOnce =
        <A extends unknown[], R>(name: string, write: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          if (name === crashAt && !crashed) {
            crashed = true;
            throw new Error(`crash at ${name}`);
          }
          return write(...args);
        };
      // What a reader saw of the pauses at the moment the message was failed.
      const pausesWhenFailed: unknown[] = [];
      const messages = Object.create(store.messages) as typeof store.messages;
      messages.applyScoped = crashOnce('messages.applyScoped', async (...args: Parameters<typeof store.messages.applyScoped>) => {
        if (args[1] === 'failed') pausesWhenFailed.push(...(await store.pauses.list('acme-d')));
        return store.messages.applyScoped(...args);
      });
      const pauses = Object.create(store.pauses) as typeof store.pauses;
      pauses.set = crashOnce('pauses.set', (...args: Parameters<typeof store.pauses.set>) => store.pauses.set(...args));
      const crashing = { ...deps(), messages, pauses };

      await expect(applyEvents([failed(id, 'acme-d', 132015)], crashing), crashAt).rejects.toThrow(`crash at ${crashAt}`);
      await applyEvents([failed(id, 'acme-d', 132015)], crashing);
      expect(await store.messages.get(id), crashAt).toMatchObject({ status: 'failed', error: { code: 132015 } });
      expect(await store.pauses.list('acme-d'), crashAt).toEqual([expect.objectContaining({ scope: templateScope('lto_template') })]);
      expect(pausesWhenFailed, `${crashAt}: the pause exists before the message shows failed`).toEqual([
        expect.objectContaining({ scope: templateScope('lto_template') }),
      ]);
    }
  });
});
