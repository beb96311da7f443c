/**
 * What each function may do on the messages table, derived from what its code calls: the DynamoDB
 * requests each repository method sends (src/store/dynamodb/), and the repository methods each
 * function reaches (its handler, the modules it calls). A function gets exactly the actions of its
 * calls, and `Query` only on the indexes it reads. A new repository method must be added to
 * {@link STORE_CALLS} as `<repository>.<method>` (a test checks every method is), and to the
 * functions that call it.
 */
import type { INDEX } from '../../src/store/table.ts';

export type IndexName = (typeof INDEX)[keyof typeof INDEX]['name'];
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** One request: an action on the table, or a query on one of its indexes. */
export type TableRequest = TableAction | { query: IndexName };

/**
 * The requests each repository method sends, by its name in `Storage` (src/store/repositories.ts);
 * `messages.createMany` differs with `onlyIfMissing` (replays).
 */
export const STORE_CALLS = {
  'messages.createMany': ['BatchWriteItem'],
  'messages.createMany(onlyIfMissing)': ['PutItem'],
  'messages.get': ['GetItem'],
  'messages.getMany': ['BatchGetItem'],
  'messages.list': [{ query: 'byAccount' }, 'BatchGetItem'],
  'messages.cancel': ['UpdateItem', 'GetItem'],
  'messages.applyStatus': ['UpdateItem'],
  // A refused write is answered with the item it found; where a store does not (dynalite), it is read.
  'messages.applyScoped': ['UpdateItem', 'GetItem'],
  'claims.claim': ['UpdateItem'],
  'claims.unclaim': ['UpdateItem'],
  'claims.release': ['UpdateItem'],
  'claims.markUnknown': ['UpdateItem'],
  'claims.switchRoute': ['UpdateItem'],
  'claims.claimOf': ['GetItem'],
  'due.hold': ['UpdateItem'],
  'due.listDue': [{ query: 'due' }],
  'due.listPaused': [{ query: 'due' }],
  'due.getHeld': ['GetItem'],
  'due.postpone': ['UpdateItem'],
  'due.release': ['UpdateItem'],
  'due.listCreated': [{ query: 'byAccount' }, 'BatchGetItem'],
  'due.sweptUntil': ['GetItem'],
  'due.markSwept': ['PutItem'],
  'idempotency.claim': ['PutItem', 'GetItem'],
  'idempotency.complete': ['UpdateItem'],
  'pauses.set': ['PutItem'],
  'pauses.list': ['Query'],
  'pauses.lift': ['DeleteItem'],
  'suppressions.add': ['PutItem'],
  'suppressions.get': ['GetItem'],
  'suppressions.remove': ['DeleteItem'],
  'callbacks.findMessageId': ['GetItem', { query: 'byProviderMessageId' }],
  'callbacks.takenElsewhere': ['Query'],
  'callbacks.addAliases': ['PutItem'],
  'callbacks.unmatchedTo': [{ query: 'byRecipient' }, 'BatchGetItem'],
  'callbacks.keepPending': ['UpdateItem'],
  'callbacks.takePending': ['GetItem', 'DeleteItem'],
  // Token buckets and recipient gaps (src/pacing/pacer.ts over the pacing repository).
  'pacing.readSlots': ['GetItem'],
  'pacing.writeSlots': ['PutItem'],
  'pacing.claimGap': ['UpdateItem', 'GetItem'],
  // Breakers and failover switches (src/sender/breaker.ts; the operator's switch: src/api/operator.ts).
  'routeHealth.get': ['GetItem'],
  'routeHealth.writeBreaker': ['UpdateItem'],
  'routeHealth.setSwitch': ['UpdateItem'],
} as const satisfies Record<string, readonly TableRequest[]>;

export type StoreCall = keyof typeof STORE_CALLS;

/** Applying status events (src/status/apply.ts): the webhook's work, and the sender's for callbacks that came early. */
const APPLY_EVENTS: StoreCall[] = [
  'messages.get',
  'callbacks.findMessageId',
  'callbacks.takenElsewhere',
  'callbacks.unmatchedTo',
  'callbacks.keepPending',
  'callbacks.takePending',
  'callbacks.addAliases',
  'messages.applyScoped',
  'suppressions.add',
  'pauses.set',
];

/** The sweeper's work on what it found due (src/scheduler/requeue.ts `sweep`). */
const SWEEP: StoreCall[] = ['due.getHeld', 'due.release', 'due.postpone', 'claims.markUnknown'];

/** The store calls each function's code makes. */
export const FUNCTION_CALLS = {
  // src/api/accept.ts
  accept: [
    'idempotency.claim',
    'messages.createMany',
    'messages.createMany(onlyIfMissing)',
    'due.hold',
    'idempotency.complete',
    'messages.getMany',
  ],
  // src/api/messages.ts, src/api/operator.ts
  // (lifting a pause sweeps the account's held messages back onto the queue: src/scheduler/requeue.ts)
  status: [
    'messages.get',
    'messages.list',
    'messages.cancel',
    'messages.applyStatus',
    'pauses.list',
    'pauses.lift',
    'suppressions.remove',
    'routeHealth.get',
    'routeHealth.setSwitch',
    'due.listPaused',
    ...SWEEP,
  ],
  // src/sender/sender.ts and failover.ts (+ applyKeptEvents), src/pacing/pacer.ts
  sender: [
    'messages.get',
    'messages.createMany(onlyIfMissing)',
    'claims.claim',
    'claims.unclaim',
    'claims.release',
    'claims.markUnknown',
    'claims.switchRoute',
    'claims.claimOf',
    'messages.applyStatus',
    'due.hold',
    'pauses.list',
    'pauses.set',
    'suppressions.get',
    'suppressions.add',
    'callbacks.addAliases',
    ...APPLY_EVENTS,
    'pacing.readSlots',
    'pacing.writeSlots',
    'pacing.claimGap',
    'routeHealth.get',
    'routeHealth.writeBreaker',
  ],
  // src/scheduler/requeue.ts (the sweeper)
  requeue: [...SWEEP, 'due.listDue', 'due.listCreated', 'due.sweptUntil', 'due.markSwept'],
  // src/webhooks/app.ts → src/status/apply.ts
  webhook: APPLY_EVENTS,
  push: [],
} as const satisfies Record<string, readonly StoreCall[]>;

export type TableFunction = keyof typeof FUNCTION_CALLS;

/** The exact table actions and queried indexes of a list of store calls. */
export function tableAccess(calls: readonly StoreCall[]): { actions: TableAction[]; indexes: IndexName[] } {
  const requests = calls.flatMap((call): readonly TableRequest[] => STORE_CALLS[call]);
  const actions = new Set<TableAction>();
  const indexes = new Set<IndexName>();
  for (const request of requests) {
    if (typeof request === 'string') actions.add(request);
    else indexes.add(request.query);
  }
  return { actions: [...actions].sort(), indexes: [...indexes].sort() };
}
