/**
 * What the in-memory repositories keep, shared between them as one table is in DynamoDB (a message
 * is read by the record, claim, due and callback repositories alike). Values are copied on the way
 * in and out, as a round trip through DynamoDB would, so a caller never holds stored state.
 * Each repository method does its checks and its change without awaiting in between: one step, as
 * a conditional write is.
 */
import type { SlotState } from '../../pacing/slots.ts';
import type { Claim, MessageRecord, Pause, RouteHealth, Suppression } from '../model.ts';

/** A message as kept: its record (without `dueAt`) and what DynamoDB keeps as attributes and index keys. */
export interface StoredMessage {
  record: Omit<MessageRecord, 'dueAt'>;
  /** The status's rank as written (a claim given back lowers it with the status). */
  rank: number;
  /** Its listing sort key (`<ISO time>#<id>`), also the `byRecipient` one. */
  created: string;
  /** In the recipient index (`NewMessage.indexRecipient`). */
  recipientIndexed: boolean;
  /** Findable by the provider id of this account (`[provider, account, id]`). */
  providerIdIndex?: string;
  /** Its `due` entry: when, and whether it waits with a paused account's held messages. */
  due?: { at: string; pausedAccount?: string };
  payload?: string;
  claim?: Claim;
  /** When DynamoDB's TTL may delete it (epoch seconds). */
  expiresAt: number;
}

export interface StoredAlias {
  messageId: string;
  expiresAt: number;
}

export interface StoredPending {
  /** The first event kept per status. */
  slots: Map<string, unknown>;
  expiresAt: number;
}

export interface StoredIdempotencyKey {
  requestHash: string;
  messageIds: string[];
  complete: boolean;
  createdAt: string;
  expiresAt: number;
}

export interface StoredPace {
  bucket?: { state: SlotState; version: number };
  nextAt?: number;
  expiresAt: number;
}

export class MemoryTables {
  readonly messages = new Map<string, StoredMessage>();
  /** By `[provider, provider id]`, then by account. */
  readonly aliases = new Map<string, Map<string, StoredAlias>>();
  /** By `[provider, account, provider id]`. */
  readonly pending = new Map<string, StoredPending>();
  /** By `[account, key]`. */
  readonly idempotency = new Map<string, StoredIdempotencyKey>();
  /** By account, then by `[scope kind, template]`. */
  readonly pauses = new Map<string, Map<string, Pause>>();
  /** By `[account, recipient hash]`. */
  readonly suppressions = new Map<string, Suppression & { code?: string | number }>();
  readonly pacing = new Map<string, StoredPace>();
  /** By account: how far the sweeper has looked at its messages by creation time. */
  readonly sweeps = new Map<string, string>();
  /** By account: its breaker and failover switch. */
  readonly routeHealth = new Map<string, RouteHealth>();

  /** Every item kept, as plain data with its key (what a test can count, or search for what must not be stored). */
  items(): unknown[] {
    const entries = <V>(map: Map<string, V>) => [...map.entries()].map(([key, value]) => ({ key, value }));
    return [
      ...entries(this.messages),
      ...[...this.aliases.entries()].flatMap(([key, byAccount]) =>
        entries(byAccount).map((alias) => ({ key: [key, alias.key], value: alias.value })),
      ),
      ...[...this.pending.entries()].map(([key, kept]) => ({ key, value: { ...kept, slots: Object.fromEntries(kept.slots) } })),
      ...entries(this.idempotency),
      ...[...this.pauses.values()].flatMap((byScope) => entries(byScope)),
      ...entries(this.suppressions),
      ...entries(this.pacing),
      ...entries(this.sweeps),
      ...entries(this.routeHealth),
    ];
  }
}

/** A map key made of several parts (no separator can be confused with a part). */
export const compositeKey = (...parts: readonly string[]): string => JSON.stringify(parts);

export const copy = <T>(value: T): T => structuredClone(value);

/** The record as a reader gets it: a copy, with its due time. */
export function recordOf(message: StoredMessage): MessageRecord {
  return copy({ ...message.record, ...(message.due ? { dueAt: message.due.at } : {}) }) as MessageRecord;
}

/** What every in-memory repository shares: the tables. */
export abstract class MemoryRepository {
  protected readonly tables: MemoryTables;

  constructor(tables: MemoryTables) {
    this.tables = tables;
  }
}
