/** Accounts' route health in memory: a breaker and a failover switch per account, versioned as the DynamoDB item is. */
import type { BreakerState, FailoverSwitch, RouteHealth } from '../model.ts';
import type { RouteHealthRepository } from '../repositories.ts';
import { copy, MemoryRepository } from './state.ts';

export class MemoryRouteHealthRepository extends MemoryRepository implements RouteHealthRepository {
  async get(account: string): Promise<RouteHealth> {
    const kept = this.tables.routeHealth.get(account);
    return kept ? copy(kept) : { version: 0 };
  }

  async writeBreaker(account: string, breaker: BreakerState, version: number): Promise<boolean> {
    const kept = this.tables.routeHealth.get(account);
    if ((kept?.version ?? 0) !== version) return false;
    this.tables.routeHealth.set(account, { ...kept, breaker: copy(breaker), version: version + 1 });
    return true;
  }

  async setSwitch(account: string, disabled: FailoverSwitch | undefined): Promise<FailoverSwitch | undefined> {
    const kept = this.tables.routeHealth.get(account) ?? { version: 0 };
    const { disabled: before, ...rest } = kept;
    this.tables.routeHealth.set(account, { ...rest, ...(disabled ? { disabled: copy(disabled) } : {}), version: kept.version + 1 });
    return before ? copy(before) : undefined;
  }
}
