/**
 * The local stack's crash, played deterministically against dynalite: an update that moves a
 * message's due time deletes the old `due` index entry, puts the new one and only then writes the
 * item, each a LevelDB write of its own. A process killed between them (the e2e crash test's
 * SIGKILL) leaves a `queued` item whose index entry is gone, which the sweeper (it reads only the
 * index) never sees again; or an entry no item matches. Here the kill is a failure injected into
 * dynalite's index maintenance for one write; `repairDueIndex` (run by the local stack at start)
 * brings the index back in line, and the sweeper then enqueues the message.
 */
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureMessagesTable, startDynamo } from '../../src/local/aws.ts';
import { QueueMessage } from '../../src/messages/queue-message.ts';
import { payloadCipher } from '../../src/privacy/payload-cipher.ts';
import type { SendQueue } from '../../src/queue/send-queue.ts';
import { requeueDue } from '../../src/scheduler/requeue.ts';
import { repairDueIndex } from '../../src/store/dynamodb/due-repair.ts';
import { dynamoDBStorage } from '../../src/store/dynamodb/index.ts';
import type { Storage } from '../../src/store/repositories.ts';
import { testSecrets } from '../support/local-aws.ts';

type Callback = (error?: Error | null) => void;
interface IndexDb {
  put(key: unknown, value: unknown, cb: Callback): void;
  del(key: unknown, cb: Callback): void;
}
interface DynaliteStore {
  getIndexDb(type: string, table: string, index: string): IndexDb;
}
type UpdateIndexes = (store: DynaliteStore, table: unknown, old: unknown, item: unknown, cb: Callback) => void;
/** dynalite's own module (CommonJS, shared with the server started here): its actions call `updateIndexes` through it. */
const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as { updateIndexes: UpdateIndexes };
const originalUpdateIndexes = dynaliteDb.updateIndexes;

/**
 * The process dies during the next writes: after the index entries' deletes (and, with
 * `puts`, their puts), before the item is written. The write fails; the item keeps its old values.
 */
function killDuringIndexUpdate(options: { puts: boolean }): void {
  dynaliteDb.updateIndexes = (store, table, old, item, cb) => {
    const partial: DynaliteStore = {
      getIndexDb: (...args) => {
        const real = store.getIndexDb(...args);
        const put: IndexDb['put'] = (key, value, done) => (options.puts ? real.put(key, value, done) : done());
        return { del: (key, done) => real.del(key, done), put };
      },
    };
    // An error dynalite answers with (a 500), as a request whose process died gets none.
    const killed = Object.assign(new Error('killed'), { statusCode: 500, body: { __type: 'InternalFailure', message: 'killed' } });
    originalUpdateIndexes(partial, table, old, item, (error) => cb(error ?? killed));
  };
}

const ID = '01M8N2FA4YT34XKB9M6QP90TQP';
const ACCEPTED_AT = '2026-11-22T10:00:00.000Z';
const FIRST_DUE = '2026-11-22T10:00:03.000Z';
const POSTPONED_TO = '2026-11-22T10:00:09.000Z';
const LATER = '2026-11-22T10:05:00.000Z';

describe('the due index after a crash in the middle of a write (dynalite)', () => {
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  let storage: Storage;
  const secrets = testSecrets();
  const cipher = payloadCipher(secrets.payloadKey);
  const message = QueueMessage.parse({
    v: 1,
    id: ID,
    request: {
      provider: 'kaleyra',
      account: 'acme-kaleyra',
      recipient: '+919812345678',
      content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
    },
    acceptedAt: ACCEPTED_AT,
  });
  const enqueued: string[] = [];
  const queue = {
    enqueue: async (entries: Array<{ message: QueueMessage }>) => {
      enqueued.push(...entries.map((e) => e.message.id));
      return [];
    },
  };
  const sweep = (at: string) =>
    requeueDue({
      due: storage.due,
      claims: storage.claims,
      queue: queue as unknown as SendQueue,
      cipher,
      now: () => new Date(at),
      graceMs: 3000,
    });
  const dueEntries = async () => (await storage.due.listDue(LATER, 100)).filter((entry) => entry.id === ID);

  beforeAll(async () => {
    dynamo = await startDynamo();
    await ensureMessagesTable(dynamo.client, 'messages');
    storage = dynamoDBStorage({ client: dynamo.client, tableName: 'messages' });
  });
  afterEach(() => {
    dynaliteDb.updateIndexes = originalUpdateIndexes;
    enqueued.length = 0;
  });
  afterAll(async () => {
    dynaliteDb.updateIndexes = originalUpdateIndexes;
    await dynamo.close();
  });

  async function acceptOne(id: string): Promise<void> {
    await storage.messages.createMany([
      {
        id,
        provider: 'kaleyra',
        account: 'acme-kaleyra',
        recipient: { hash: 'h'.repeat(22), last4: '5678' },
        kind: 'template',
        template: 'lto_template',
        status: 'queued',
        createdAt: ACCEPTED_AT,
        due: { at: FIRST_DUE, sealedPayload: cipher.seal(JSON.stringify({ ...message, id })) },
      },
    ]);
  }

  it('killed after the old entry went: the queued message is out of the index until the repair puts it back', async () => {
    await acceptOne(ID);
    expect(await dueEntries()).toEqual([{ id: ID, dueAt: FIRST_DUE }]);

    // The sweeper postpones the message it has just enqueued; the stack is killed inside that write.
    killDuringIndexUpdate({ puts: false });
    await expect(storage.due.postpone(ID, FIRST_DUE, POSTPONED_TO)).rejects.toThrow();
    dynaliteDb.updateIndexes = originalUpdateIndexes;

    // What the restarted stack finds: the record still queued and due, the index without it.
    const held = await storage.due.getHeld(ID);
    expect(held?.record).toMatchObject({ status: 'queued', dueAt: FIRST_DUE });
    expect(await dueEntries()).toEqual([]);
    expect((await sweep(LATER)).requeuedIds).toEqual([]); // stranded, without the repair

    expect(await repairDueIndex(dynamo.client, 'messages')).toEqual({ restored: [ID], removed: [] });
    expect(await dueEntries()).toEqual([{ id: ID, dueAt: FIRST_DUE }]);
    expect((await sweep(LATER)).requeuedIds).toEqual([ID]);
    expect(enqueued).toEqual([ID]);
    expect(await repairDueIndex(dynamo.client, 'messages')).toEqual({ restored: [], removed: [] });
  });

  it('killed after the new entry was put: the entry no item matches goes, the item’s own comes back', async () => {
    const id = '01M8N2FA4YT34XKB9M6QP90TQR';
    await acceptOne(id);
    killDuringIndexUpdate({ puts: true });
    await expect(storage.due.postpone(id, FIRST_DUE, POSTPONED_TO)).rejects.toThrow();
    dynaliteDb.updateIndexes = originalUpdateIndexes;
    expect((await storage.due.getHeld(id))?.record.dueAt).toBe(FIRST_DUE);
    // The index says the postponed time; the item (the sweeper's conditions) the old one.
    expect((await storage.due.listDue(LATER, 100)).filter((entry) => entry.id === id)).toEqual([{ id, dueAt: POSTPONED_TO }]);

    expect(await repairDueIndex(dynamo.client, 'messages')).toEqual({ restored: [id], removed: [id] });
    expect((await storage.due.listDue(LATER, 100)).filter((entry) => entry.id === id)).toEqual([{ id, dueAt: FIRST_DUE }]);
    // The entry the sweeper reads is the item's own again: the outcome's write takes it along (a dangling one would stay for good).
    expect((await sweep(LATER)).requeuedIds).toEqual([id]);
    await storage.messages.applyStatus(id, 'sent', LATER);
    expect((await storage.due.listDue('2026-11-22T11:00:00.000Z', 100)).filter((entry) => entry.id === id)).toEqual([]);
  });
});
