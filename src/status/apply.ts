/**
 * Applying status events — from callbacks, or kept callbacks released by a send result — to the
 * messages they are about. One forward-only conditional write per event (the store's
 * `applyStatus`): out of order, repeated for days, or early, they always end in the same record.
 *
 * Matching an event to our message, first hit wins:
 * 1. our own id, where the provider echoes it (Kaleyra `extra_info.ref`, Meta's
 *    `biz_opaque_callback_data`) — only if that message belongs to the event's account;
 * 2. the provider's id of the message (the send answer's, or an alias such as the WhatsApp id);
 * 3. for providers whose send answer carries no id (LiveChat, Loopwave): the one recent message
 *    of the account to the same recipient that has no provider id yet; more than one candidate is
 *    ambiguous and nothing is guessed;
 * 4. otherwise, if the event has a provider id, it is kept and applied when the send result with
 *    that id lands (a callback can arrive before the send answer is stored). Never dropped.
 */
import { recipientRef } from '../privacy/recipient.ts';
import { classifyMetaCode } from '../providers/errors.ts';
import type { ProviderName } from '../providers/names.ts';
import type { StatusEvent } from '../messages/status-event.ts';
import type { MessageRecord, MessageStore } from '../store/message-store.ts';
import type { StatusNotifier } from '../push/push.ts';

export interface ApplyDeps {
  store: MessageStore;
  recipientHashKey: string;
  notifier?: StatusNotifier;
  now(): Date;
  /**
   * Keep a separate dedupe record per event before applying it. Never needed — the forward-only
   * write absorbs repeats — and off by default; it exists to measure that naive design (bench/).
   */
  dedupeRecords?: boolean;
}

export type EventFate = 'applied' | 'unchanged' | 'kept' | 'unmatched';

/** Providers whose send answer carries no id: callbacks are matched by recipient and time. */
const MATCH_BY_RECIPIENT: ReadonlySet<ProviderName> = new Set(['livechat', 'loopwave']);
/** How far back a callback may be from its send, for recipient matching. */
const RECIPIENT_MATCH_WINDOW_MS = 3 * 24 * 3600_000;
/** How far a provider's clock may run behind ours. */
const CLOCK_SKEW_MS = 10 * 60_000;

/** Opt-out codes that suppress the recipient: Meta's 131050 and Gupshup's 1012. */
function isOptOut(provider: ProviderName, code: string | number | undefined): boolean {
  if (code === undefined) return false;
  const numeric = Number(code);
  if (provider === 'gupshup' && numeric === 1012) return true;
  return Number.isInteger(numeric) && classifyMetaCode(numeric).retryClass === 'opted_out';
}

/** What a callback's failure code pauses (Meta's pause-the-sender codes: 132015/132016 a template, 131048… the account). */
function pauseScopeOf(code: string | number | undefined): 'account' | 'template' | undefined {
  const numeric = Number(code);
  if (code === undefined || !Number.isInteger(numeric)) return undefined;
  const reading = classifyMetaCode(numeric);
  return reading.retryClass === 'pause_sender' ? (reading.pauseScope ?? 'account') : undefined;
}

export async function applyEvents(events: readonly StatusEvent[], deps: ApplyDeps): Promise<EventFate[]> {
  const fates: EventFate[] = [];
  for (const event of events) fates.push(await applyEvent(event, deps));
  return fates;
}

async function applyEvent(event: StatusEvent, deps: ApplyDeps): Promise<EventFate> {
  if (deps.dedupeRecords && !(await deps.store.firstSighting(`${event.provider}#${event.providerMessageId ?? event.messageId}#${event.status}`, deps.now()))) return 'unchanged';
  const record = await findRecord(event, deps);
  if (!record) {
    if (!event.providerMessageId) return 'unmatched';
    await deps.store.keepPending(event.provider, event.providerMessageId, event, deps.now());
    // The send result may have landed meanwhile. It writes its id, then takes kept events; this
    // keeps the event, then looks for the id: one of the two always sees the other's write.
    if (await deps.store.findByProviderMessageId(event.provider, event.providerMessageId)) {
      await applyKeptEvents(event.provider, event.providerMessageId, deps);
      return 'applied';
    }
    return 'kept';
  }
  if (event.status === 'queued' || event.status === 'scheduled' || event.status === 'cancelled' || event.status === 'sending') return 'unchanged';

  if (event.providerMessageId && !record.providerMessageId) await deps.store.bindProviderMessageId(record.id, event.provider, event.providerMessageId);
  // Another id the provider will use for the message (Gupshup's WhatsApp id, for callbacks more
  // than a week late) is recorded once, with the first report that brings it (`enqueued`).
  const known = new Set([record.providerMessageId, event.providerMessageId].filter(Boolean));
  const aliases = event.status === 'accepted' ? (event.providerAliases ?? []).filter((alias) => !known.has(alias)) : [];
  if (aliases.length > 0) await deps.store.addAliases(event.provider, aliases, record.id, deps.now());

  const error = event.error ? { class: 'provider', ...(event.error.code !== undefined ? { code: event.error.code } : {}), reason: event.error.message ?? event.error.title ?? 'failed' } : undefined;
  const optedOut = event.status === 'failed' && isOptOut(event.provider, event.error?.code);
  const outcome = await deps.store.applyStatus(record.id, event.status, event.at, { known: record, ...(error ? { error: optedOut ? { ...error, class: 'opted_out' } : error } : {}) });
  if (optedOut) await deps.store.suppress(record.account, record.recipient.hash, { reason: error?.reason ?? 'opted out', since: event.at, ...(event.error?.code !== undefined ? { code: event.error.code } : {}) });
  // A failure that says the sender must stop (a paused template, a blocked account) pauses it, as
  // the same code in a send answer does; only when it fails the message, so a repeat days later
  // does not pause again what an operator lifted.
  const pause = event.status === 'failed' && outcome === 'advanced' ? pauseScopeOf(event.error?.code) : undefined;
  if (pause) {
    const scope = pause === 'template' && record.template ? `T#${record.template}` : '*';
    const code = event.error?.code !== undefined ? { code: event.error.code } : {};
    await deps.store.setPause(record.account, scope, { reason: error?.reason ?? 'paused by the provider', since: event.at, ...code });
  }
  if (outcome === 'advanced' && deps.notifier) {
    await deps.notifier.notify({ id: record.id, account: record.account, provider: record.provider, status: event.status, at: event.at, ...(error ? { error } : {}), ...(record.metadata ? { metadata: record.metadata } : {}) });
  }
  return outcome === 'unchanged' ? 'unchanged' : 'applied';
}

async function findRecord(event: StatusEvent, deps: ApplyDeps): Promise<MessageRecord | undefined> {
  const mine = (record: MessageRecord | undefined) => (record && record.account === event.account && record.provider === event.provider ? record : undefined);
  // Records are read eventually consistent: a callback comes long after its record was written,
  // and the write that applies it is conditional (always consistent) anyway.
  const read = (id: string) => deps.store.get(id, { consistent: false });
  if (event.messageId) {
    const record = mine(await read(event.messageId));
    if (record) return record;
  }
  for (const id of [event.providerMessageId, ...(event.providerAliases ?? [])]) {
    if (!id) continue;
    const found = await deps.store.findByProviderMessageId(event.provider, id);
    if (found) return mine(await read(found));
  }
  if (MATCH_BY_RECIPIENT.has(event.provider) && event.recipient && /^\+?\d{7,15}$/.test(event.recipient)) {
    const e164 = event.recipient.startsWith('+') ? event.recipient : `+${event.recipient}`;
    const hash = recipientRef(deps.recipientHashKey, e164).hash;
    const at = Date.parse(event.at);
    const candidates = await deps.store.unmatchedTo(event.account, hash, new Date(at - RECIPIENT_MATCH_WINDOW_MS).toISOString(), new Date(at + CLOCK_SKEW_MS).toISOString());
    if (candidates.length === 1) return mine(await read(candidates[0]!));
  }
  return undefined;
}

/** After a send result with a provider id lands: applies the callbacks that came before it. */
export async function applyKeptEvents(provider: ProviderName, providerMessageId: string, deps: ApplyDeps): Promise<EventFate[]> {
  const kept = (await deps.store.takePending(provider, providerMessageId)) as StatusEvent[];
  return kept.length > 0 ? applyEvents(kept, deps) : [];
}
