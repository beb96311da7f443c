/**
 * Applying status events — from callbacks, or kept callbacks released by a send result — to the
 * messages they are about. One forward-only conditional write per event (the store's
 * `applyStatus`): out of order, repeated for days, or early, they always end in the same record.
 *
 * Everything is scoped to the account the callback was authenticated for (`event.account`).
 * Matching an event to our message, first hit wins:
 * 1. our own id, where the provider echoes it (Kaleyra `extra_info.ref`, Meta's
 *    `biz_opaque_callback_data`): our ids are global, so the record is read and its account
 *    checked; a record of another account makes the event a cross-account callback;
 * 2. the provider's id of the message (the send answer's, or an alias such as the WhatsApp id),
 *    looked up among the account's own keys only;
 * 3. if another account holds one of the event's provider ids, the callback was meant for it: a
 *    cross-account callback (misrouted, or a tenant naming another's message). It changes nothing
 *    — not matched by recipient, not kept — and is counted by the webhook (`cross_account_callback`);
 * 4. for providers whose send answer carries no id (LiveChat, Loopwave): the one recent message
 *    of the account to the same recipient that has no provider id yet; more than one candidate is
 *    ambiguous and nothing is guessed;
 * 5. otherwise, if the event has a provider id, it is kept (under the account) and applied when
 *    the send result with that id lands (a callback can arrive before the send answer is stored).
 *
 * Termination, structurally: applying kept events never matches or keeps again — they are taken
 * (one atomic delete: one taker gets each) and applied to the message the send result names, in
 * one pass over a finite list. So a kept event is applied at most once, and nothing loops.
 */
import { recipientRef } from '../privacy/recipient.ts';
import { classifyMetaCode } from '../providers/errors.ts';
import { isProviderOptOutCode, matchesByRecipient, providerPauseScope, type ProviderName } from '../providers/index.ts';
import { advances, type MessageStatus } from '../messages/status.ts';
import type { StatusEvent } from '../messages/status-event.ts';
import { ACCOUNT_SCOPE, type MessageRecord, owningRoute, pushedRoute, type ScopedOutcome, templateScope } from '../store/model.ts';
import { planStatusWrite, scopeWasRoute } from '../store/rules.ts';
import type { CallbackIndexRepository, MessageRepository } from '../store/repositories.ts';
import type { PauseRepository, SuppressionRepository } from '../store/repositories.ts';
import type { StatusNotifier } from '../push/push.ts';

export interface ApplyDeps {
  messages: Pick<MessageRepository, 'get' | 'applyScoped'>;
  callbacks: CallbackIndexRepository;
  suppressions: Pick<SuppressionRepository, 'add'>;
  pauses: Pick<PauseRepository, 'set'>;
  recipientHashKey: string;
  notifier?: StatusNotifier;
  now(): Date;
}

export type EventFate = 'applied' | 'unchanged' | 'kept' | 'unmatched' | 'cross_account';

/** How far back a callback may be from its send, for recipient matching. */
const RECIPIENT_MATCH_WINDOW_MS = 3 * 24 * 3600_000;
/** How far a provider's clock may run behind ours. */
const CLOCK_SKEW_MS = 10 * 60_000;
/** Statuses only the pipeline itself sets: a report of one never moves a message. */
const NOT_REPORTED: ReadonlySet<MessageStatus> = new Set(['queued', 'scheduled', 'cancelled', 'sending']);
const isReported = (status: MessageStatus): status is Exclude<MessageStatus, 'queued' | 'scheduled' | 'cancelled' | 'sending'> =>
  !NOT_REPORTED.has(status);

/** Opt-out codes that suppress the recipient: Meta's 131050, and the provider's own (its module's `optOutCodes`: Gupshup's 1012). */
function isOptOut(provider: ProviderName, code: string | number | undefined): boolean {
  if (code === undefined) return false;
  const numeric = Number(code);
  if (Number.isInteger(numeric) && isProviderOptOutCode(provider, numeric)) return true;
  return Number.isInteger(numeric) && classifyMetaCode(numeric).retryClass === 'opted_out';
}

/**
 * What a callback's failure code pauses: the provider's own pause codes (its module's
 * `pauseCodes`: Gupshup's 1003 the account, 4005 the template), then Meta's (132015/132016 a
 * template, 131048… the account).
 */
function pauseScopeOf(provider: ProviderName, code: string | number | undefined): 'account' | 'template' | undefined {
  const numeric = Number(code);
  if (code === undefined || !Number.isInteger(numeric)) return undefined;
  const own = providerPauseScope(provider, numeric);
  if (own) return own;
  const reading = classifyMetaCode(numeric);
  return reading.retryClass === 'pause_sender' ? (reading.pauseScope ?? 'account') : undefined;
}

export async function applyEvents(events: readonly StatusEvent[], deps: ApplyDeps): Promise<EventFate[]> {
  const fates: EventFate[] = [];
  for (const event of events) fates.push(await applyEvent(event, deps));
  return fates;
}

async function applyEvent(event: StatusEvent, deps: ApplyDeps): Promise<EventFate> {
  if (!isReported(event.status)) return 'unchanged';
  const matched = await applyMatched(event, deps);
  if (matched) return matched;
  if (!event.providerMessageId) return 'unmatched';
  await deps.callbacks.keepPending(event.account, event.provider, event.providerMessageId, event, deps.now());
  // The send result may have landed meanwhile. It writes its id, then takes kept events; this
  // keeps the event, then looks for the id: one of the two always sees the other's write.
  const id = await deps.callbacks.findMessageId(event.account, event.provider, event.providerMessageId);
  if (id) {
    await applyKeptEvents(event.account, event.provider, event.providerMessageId, id, deps);
    return 'applied';
  }
  return 'kept';
}

/**
 * Matches the event to the account's message and applies it there (the matching order is in the
 * header); `undefined` if no message of the account matched. Nothing is read to check a candidate:
 * the scoped write applies it only to a message of the event's account and provider, and says
 * when the candidate is missing or another account's.
 */
async function applyMatched(event: StatusEvent, deps: ApplyDeps): Promise<EventFate | undefined> {
  if (event.messageId) {
    // Our ids are global: a message of another account named by its id is a cross-account callback.
    const fate = await applyToMessage(event, event.messageId, deps);
    if (fate === 'foreign') return 'cross_account';
    if (fate !== 'missing') return fate;
  }
  const providerIds = [event.providerMessageId, ...(event.providerAliases ?? [])].filter((id): id is string => Boolean(id));
  for (const id of providerIds) {
    const found = await deps.callbacks.findMessageId(event.account, event.provider, id);
    const fate = found ? await applyToMessage(event, found, deps) : 'missing';
    if (fate !== 'missing' && fate !== 'foreign') return fate;
  }
  if (providerIds.length > 0 && (await deps.callbacks.takenElsewhere(event.account, event.provider, providerIds))) return 'cross_account';
  if (matchesByRecipient(event.provider) && event.recipient && /^\+?\d{7,15}$/.test(event.recipient)) {
    const e164 = event.recipient.startsWith('+') ? event.recipient : `+${event.recipient}`;
    const hash = recipientRef(deps.recipientHashKey, e164).hash;
    const at = Date.parse(event.at);
    const candidates = await deps.callbacks.unmatchedTo(
      event.account,
      hash,
      new Date(at - RECIPIENT_MATCH_WINDOW_MS).toISOString(),
      new Date(at + CLOCK_SKEW_MS).toISOString(),
    );
    if (candidates.length === 1) {
      const fate = await applyToMessage(event, candidates[0]!, deps);
      if (fate !== 'missing' && fate !== 'foreign') return fate;
    }
  }
  return undefined;
}

/**
 * Whether the report's account owns the message's send: the route that owns it (`owner`; the
 * origin unless it failed over), a route that refused it (`unchanged`: it never had the message,
 * so its report changes nothing), or no route of the message (`foreign`: another account's).
 */
function ownership(record: MessageRecord, scope: { account: string; provider: ProviderName }): 'owner' | 'unchanged' | 'foreign' {
  const owner = owningRoute(record);
  if (owner.account === scope.account && owner.provider === scope.provider) return 'owner';
  return scopeWasRoute(record, scope) ? 'unchanged' : 'foreign';
}

/**
 * One event to message `id`, if it is the event's account's (else `foreign`, or `missing`):
 * the status, and the event's provider id if the message has none, in one scoped conditional
 * write; then what follows from it. Never matches, keeps or recurses.
 */
async function applyToMessage(event: StatusEvent, id: string, deps: ApplyDeps): Promise<EventFate | 'missing' | 'foreign'> {
  const status = event.status;
  if (!isReported(status)) return 'unchanged';
  const error = event.error
    ? {
        class: 'provider',
        ...(event.error.code !== undefined ? { code: event.error.code } : {}),
        reason: event.error.message ?? event.error.title ?? 'failed',
      }
    : undefined;
  const optedOut = event.status === 'failed' && isOptOut(event.provider, event.error?.code);
  const scope = { account: event.account, provider: event.provider };
  let result: ScopedOutcome | undefined;
  if (status === 'accepted') {
    // A report of `accepted` (Gupshup's `enqueued`) mostly repeats what the send answer recorded: a
    // read (half a unit) tells so, where a refused write would cost a whole one. A copy without the
    // message, or one the report could change, leaves it to the write (which decides).
    const current = await deps.messages.get(id, { consistent: false });
    const owner = current && ownership(current, scope);
    if (owner && owner !== 'owner') return owner;
    const repeat = current && planStatusWrite(status, event.at, { known: current }) === 'unchanged';
    if (repeat && (current.providerMessageId || !event.providerMessageId)) {
      result = { outcome: 'unchanged', record: current, boundProviderMessageId: false };
    }
  }
  // A failure that says the sender must stop (a paused template, a blocked account) pauses it, as
  // the same code in a send answer does; only when it fails the message, so a repeat days later
  // does not pause again what an operator lifted. The pause is written before the failure: a
  // reader who sees the message failed finds the pause, and a crash between the two writes leaves
  // the message unfailed, so the provider's retry of the callback pauses and fails it again
  // (written after, the retry would find the message failed already and never pause). These
  // codes are rare: the read they take (to know the template, and whether the report fails the
  // message) costs nothing on the common path.
  const pause = status === 'failed' ? pauseScopeOf(event.provider, event.error?.code) : undefined;
  if (pause) {
    const current = await deps.messages.get(id, { consistent: true });
    if (!current) return 'missing';
    const owner = ownership(current, scope);
    if (owner !== 'owner') return owner;
    if (advances(current.status, 'failed')) {
      const pauseScope = pause === 'template' && current.template ? templateScope(current.template) : ACCOUNT_SCOPE;
      const code = event.error?.code !== undefined ? { code: event.error.code } : {};
      // The account whose route reported it (after a failover, the fallback's, not the origin's).
      await deps.pauses.set(scope.account, pauseScope, { reason: error?.reason ?? 'paused by the provider', since: event.at, ...code });
    }
  }
  result ??= await deps.messages.applyScoped(id, status, event.at, scope, {
    ...(error ? { error: optedOut ? { ...error, class: 'opted_out' } : error } : {}),
    ...(event.providerMessageId ? { providerMessageId: event.providerMessageId } : {}),
  });
  if (!('record' in result)) return result.outcome;
  const { outcome, record } = result;
  // The provider id this report gave the message: where the account's later callbacks look for it.
  if (result.boundProviderMessageId && event.providerMessageId) {
    await deps.callbacks.addAliases(scope.account, event.provider, [event.providerMessageId], record.id, deps.now());
  }
  // Another id the provider will use for the message (Gupshup's WhatsApp id, for callbacks more
  // than a week late) is recorded once, with the first report that brings it (`enqueued`).
  const known = new Set([record.providerMessageId, event.providerMessageId].filter(Boolean));
  const aliases = event.status === 'accepted' ? (event.providerAliases ?? []).filter((alias) => !known.has(alias)) : [];
  if (aliases.length > 0) await deps.callbacks.addAliases(scope.account, event.provider, aliases, record.id, deps.now());

  if (optedOut)
    await deps.suppressions.add(scope.account, record.recipient.hash, {
      reason: error?.reason ?? 'opted out',
      since: event.at,
      ...(event.error?.code !== undefined ? { code: event.error.code } : {}),
    });
  if (outcome === 'advanced' && deps.notifier) {
    const via = pushedRoute(record);
    await deps.notifier.notify({
      id: record.id,
      account: record.account,
      provider: record.provider,
      status: event.status,
      at: event.at,
      ...(error ? { error } : {}),
      ...(record.metadata ? { metadata: record.metadata } : {}),
      ...(via ? { route: via } : {}),
    });
  }
  return outcome === 'unchanged' ? 'unchanged' : 'applied';
}

/**
 * After a send result with a provider id lands (or a callback finds it had): applies the
 * callbacks `account` kept for that id to message `messageId`, which the send result names. The
 * kept events are taken (deleted) first, so each is applied at most once, and they are applied
 * straight to that message: no matching, no keeping again — one pass, then done.
 */
export async function applyKeptEvents(
  account: string,
  provider: ProviderName,
  providerMessageId: string,
  messageId: string,
  deps: ApplyDeps,
): Promise<EventFate[]> {
  const kept = (await deps.callbacks.takePending(account, provider, providerMessageId)) as StatusEvent[];
  const fates: EventFate[] = [];
  // Only the account's own message: the keys are scoped, so this holds unless the record is gone.
  for (const event of kept) {
    const fate = await applyToMessage({ ...event, account, provider }, messageId, deps);
    fates.push(fate === 'missing' || fate === 'foreign' ? 'unmatched' : fate);
  }
  return fates;
}
