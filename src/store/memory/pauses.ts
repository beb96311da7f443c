/** Pauses in memory, one per account and scope. */
import type { Pause, PauseDetails, PauseScope } from '../model.ts';
import type { PauseRepository } from '../repositories.ts';
import { compositeKey, copy, MemoryRepository } from './state.ts';

/** The account's pause first, then templates by name (the order DynamoDB's sort keys give). */
const scopeKey = (scope: PauseScope) => (scope.kind === 'account' ? compositeKey('account') : compositeKey('template', scope.template));

export class MemoryPauseRepository extends MemoryRepository implements PauseRepository {
  async set(account: string, scope: PauseScope, pause: PauseDetails): Promise<void> {
    const pauses = this.tables.pauses.get(account) ?? new Map<string, Pause>();
    const { reason, code, since } = pause;
    pauses.set(scopeKey(scope), copy({ account, scope, reason, since, ...(code !== undefined ? { code } : {}) }));
    this.tables.pauses.set(account, pauses);
  }

  async list(account: string): Promise<Pause[]> {
    const pauses = [...(this.tables.pauses.get(account)?.entries() ?? [])];
    return pauses.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pause]) => copy(pause));
  }

  async lift(account: string, scope: PauseScope): Promise<boolean> {
    return this.tables.pauses.get(account)?.delete(scopeKey(scope)) ?? false;
  }
}
