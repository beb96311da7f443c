/**
 * The in-memory implementation of the repositories: the same semantics as the DynamoDB one (both
 * pass test/store/contract.ts), without a database — for behavioural tests of the modules above
 * the store, and anywhere state need not outlive the process.
 */
import type { Storage } from '../repositories.ts';
import { MemoryCallbackIndexRepository } from './callbacks.ts';
import { MemorySendClaimRepository } from './claims.ts';
import { MemoryDueRepository } from './due.ts';
import { MemoryIdempotencyRepository } from './idempotency.ts';
import { MemoryMessageRepository } from './messages.ts';
import { MemoryPacingRepository } from './pacing.ts';
import { MemoryPauseRepository } from './pauses.ts';
import { MemoryRouteHealthRepository } from './route-health.ts';
import { compositeKey, MemoryTables } from './state.ts';
import { MemorySuppressionRepository } from './suppressions.ts';

export {
  MemoryCallbackIndexRepository,
  MemoryDueRepository,
  MemoryIdempotencyRepository,
  MemoryMessageRepository,
  MemoryPacingRepository,
  MemoryPauseRepository,
  MemoryRouteHealthRepository,
  MemorySendClaimRepository,
  MemorySuppressionRepository,
  MemoryTables,
};

/** When items would expire (epoch seconds), as DynamoDB's TTL attribute would say: what tests can check. */
export interface ExpiryProbe {
  message(id: string): Promise<number | undefined>;
  idempotencyKey(account: string, key: string): Promise<number | undefined>;
  alias(account: string, provider: string, providerMessageId: string): Promise<number | undefined>;
  pending(account: string, provider: string, providerMessageId: string): Promise<number | undefined>;
  pacing(scope: string): Promise<number | undefined>;
}

export interface MemoryStorage extends Storage {
  tables: MemoryTables;
  expiry: ExpiryProbe;
}

export function memoryStorage(tables = new MemoryTables()): MemoryStorage {
  return {
    messages: new MemoryMessageRepository(tables),
    claims: new MemorySendClaimRepository(tables),
    due: new MemoryDueRepository(tables),
    idempotency: new MemoryIdempotencyRepository(tables),
    pauses: new MemoryPauseRepository(tables),
    suppressions: new MemorySuppressionRepository(tables),
    callbacks: new MemoryCallbackIndexRepository(tables),
    pacing: new MemoryPacingRepository(tables),
    routeHealth: new MemoryRouteHealthRepository(tables),
    tables,
    expiry: {
      message: async (id) => tables.messages.get(id)?.expiresAt,
      idempotencyKey: async (account, key) => tables.idempotency.get(compositeKey(account, key))?.expiresAt,
      alias: async (account, provider, id) => tables.aliases.get(compositeKey(provider, id))?.get(account)?.expiresAt,
      pending: async (account, provider, id) => tables.pending.get(compositeKey(provider, account, id))?.expiresAt,
      pacing: async (scope) => tables.pacing.get(scope)?.expiresAt,
    },
  };
}
