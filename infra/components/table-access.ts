/**
 * What each function may do on the messages table, derived from what its code calls: the DynamoDB
 * requests each store method sends (src/store/message-store.ts, src/pacing/pacer.ts), and the
 * store methods each function reaches (its handler, the modules it calls). A function gets exactly
 * the actions of its calls, and `Query` only on the indexes it reads. A new store method must be
 * added to {@link STORE_CALLS} (a test checks every method is), and to the functions that call it.
 */
import { INDEX } from '../../src/store/table.ts';

export type IndexName = (typeof INDEX)[keyof typeof INDEX]['name'];
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** One request: an action on the table, or a query on one of its indexes. */
export type TableRequest = TableAction | { query: IndexName };

/** The requests each store method sends; `createMany` differs with `onlyIfMissing` (replays). */
export const STORE_CALLS = {
  createMany: ['BatchWriteItem'],
  'createMany(onlyIfMissing)': ['PutItem'],
  get: ['GetItem'],
  getMany: ['BatchGetItem'],
  list: [{ query: 'byAccount' }, 'BatchGetItem'],
  cancel: ['UpdateItem', 'GetItem'],
  applyStatus: ['UpdateItem'],
  hold: ['UpdateItem'],
  listDue: [{ query: 'due' }],
  listShard: [{ query: 'due' }],
  postpone: ['UpdateItem'],
  getHeld: ['GetItem'],
  release: ['UpdateItem'],
  claim: ['UpdateItem'],
  unclaim: ['UpdateItem'],
  markUnknown: ['UpdateItem'],
  claimOf: ['GetItem'],
  findByProviderMessageId: ['GetItem', { query: 'byProviderMessageId' }],
  providerIdTakenElsewhere: ['Query'],
  bindProviderMessageId: ['UpdateItem'],
  addAliases: ['PutItem'],
  unmatchedTo: [{ query: 'byRecipient' }, 'BatchGetItem'],
  keepPending: ['UpdateItem'],
  takePending: ['GetItem', 'DeleteItem'],
  setPause: ['PutItem'],
  pausesOf: ['Query'],
  liftPause: ['DeleteItem'],
  suppress: ['PutItem'],
  suppression: ['GetItem'],
  unsuppress: ['DeleteItem'],
  claimIdempotencyKey: ['PutItem', 'GetItem'],
  completeIdempotencyKey: ['UpdateItem'],
  // src/pacing/pacer.ts: token buckets and recipient gaps, items of the same table.
  'pacer.acquire': ['GetItem', 'PutItem'],
  'pacer.block': ['GetItem', 'PutItem'],
  'pacer.acquireGap': ['UpdateItem', 'GetItem'],
} as const satisfies Record<string, readonly TableRequest[]>;

export type StoreCall = keyof typeof STORE_CALLS;

/** Applying status events (src/status/apply.ts): the webhook's work, and the sender's for callbacks that came early. */
const APPLY_EVENTS: StoreCall[] = [
  'get',
  'findByProviderMessageId',
  'providerIdTakenElsewhere',
  'unmatchedTo',
  'keepPending',
  'takePending',
  'bindProviderMessageId',
  'addAliases',
  'applyStatus',
  'suppress',
  'setPause',
];

/** The sweeper's work on what it found due (src/scheduler/requeue.ts `sweep`). */
const SWEEP: StoreCall[] = ['getHeld', 'release', 'postpone', 'markUnknown'];

/** The store calls each function's code makes. */
export const FUNCTION_CALLS = {
  // src/api/accept.ts
  accept: ['claimIdempotencyKey', 'createMany', 'createMany(onlyIfMissing)', 'hold', 'completeIdempotencyKey', 'getMany'],
  // src/api/messages.ts, src/api/operator.ts
  // (lifting a pause sweeps the account's held messages back onto the queue: src/scheduler/requeue.ts)
  status: ['get', 'list', 'cancel', 'applyStatus', 'pausesOf', 'liftPause', 'unsuppress', 'listShard', ...SWEEP],
  // src/sender/sender.ts (+ applyKeptEvents), src/pacing/pacer.ts
  sender: [
    'get',
    'createMany(onlyIfMissing)',
    'claim',
    'unclaim',
    'markUnknown',
    'claimOf',
    'applyStatus',
    'hold',
    'pausesOf',
    'setPause',
    'suppression',
    'suppress',
    'addAliases',
    ...APPLY_EVENTS,
    'pacer.acquire',
    'pacer.block',
    'pacer.acquireGap',
  ],
  // src/scheduler/requeue.ts (the sweeper)
  requeue: [...SWEEP, 'listDue'],
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
