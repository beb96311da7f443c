/**
 * Reading and cancelling messages: `GET /v1/messages/{id}`, `GET /v1/messages?…`,
 * `POST /v1/messages/{id}/cancel`. A message of an account the API key may not use is answered
 * exactly like one that does not exist.
 */
import * as z from 'zod';
import { errorLogFields } from '../errors.ts';
import { AccountId, MessageId, violationsOf, type Violation } from '../messages/fields.ts';
import { STATUSES, STATUS_RANK, type MessageStatus } from '../messages/status.ts';
import type { StatusChange, StatusNotifier } from '../push/push.ts';
import type { Log } from '../runtime/log.ts';
import { InvalidCursorError, owningRoute, pushedRoute, type MessageRecord } from '../store/model.ts';
import type { MessageRepository } from '../store/repositories.ts';
import { mayUse, type Principal } from './auth.ts';
import type { CursorCodec, CursorScope } from './cursor.ts';
import { json, problem, type HttpResponse } from './http.ts';
import { lazySchema } from '../runtime/lazy-schema.ts';

export interface MessagesDeps {
  messages: Pick<MessageRepository, 'get' | 'list' | 'cancel'>;
  /** Seals and checks list cursors (src/api/cursor.ts). */
  cursors: CursorCodec;
  /** Pushes the changes made here (cancel, an operator's resolve) to callers, like every other status change. */
  notifier?: StatusNotifier;
  now(): Date;
  log: Log;
}

/**
 * Pushes a change the API made to the caller. The change itself is already written: a push that
 * cannot be queued is logged as an error (the function's error alarm counts it), not answered as a
 * failure the caller would retry into a conflict.
 */
export async function pushChange(
  deps: Pick<MessagesDeps, 'notifier' | 'log'>,
  record: MessageRecord,
  change: Pick<StatusChange, 'status' | 'at' | 'error'>,
): Promise<void> {
  if (!deps.notifier) return;
  const { id, account, provider, metadata } = record;
  const route = pushedRoute(record);
  const via = route ? { route } : {};
  try {
    await deps.notifier.notify({ id, account, provider, ...change, ...(metadata ? { metadata } : {}), ...via });
  } catch (error) {
    deps.log.error('status push not queued', { correlation_id: id, id, status: change.status, ...errorLogFields(error) });
  }
}

/** A message as the API shows it: no phone number, only its last digits. */
export function presentMessage(record: MessageRecord) {
  const history = (Object.entries(record.times) as Array<[MessageStatus, string]>)
    .map(([status, at]) => ({ status, at }))
    .sort((a, b) => a.at.localeCompare(b.at) || STATUS_RANK[a.status] - STATUS_RANK[b.status]);
  return {
    id: record.id,
    provider: record.provider,
    account: record.account,
    status: record.status,
    recipient: `…${record.recipient.last4}`,
    kind: record.kind,
    ...(record.template ? { template: record.template } : {}),
    createdAt: record.createdAt,
    ...(record.scheduleAt ? { scheduleAt: record.scheduleAt } : {}),
    history,
    attempts: record.attempts,
    ...(record.error ? { lastError: record.error } : {}),
    ...(record.providerMessageId ? { providerMessageId: record.providerMessageId } : {}),
    ...(record.metadata ? { metadata: record.metadata } : {}),
    ...presentRoutes(record),
  };
}

/**
 * The routes of a message that failed over (docs/pipeline.md, "Failover across routes"): each
 * route that refused it (account, provider, when, why) and the route that owns the send. Accounts
 * and providers only: no number of either side.
 */
function presentRoutes(record: MessageRecord) {
  if (!record.route && !record.routes?.length) return {};
  const { index, account, provider } = owningRoute(record);
  return {
    route: { index, account, provider, since: record.route?.since ?? record.createdAt },
    routes: (record.routes ?? []).map((r) => ({
      index: r.index,
      account: r.account,
      provider: r.provider,
      since: r.since,
      until: r.until,
      outcome: r.outcome,
      error: r.error,
      ...(r.trigger ? { trigger: r.trigger } : {}),
    })),
  };
}

function notFound(id: string): HttpResponse {
  return problem(404, 'not_found', `no message ${id}`);
}

export async function getMessage(principal: Principal, id: string, deps: MessagesDeps): Promise<HttpResponse> {
  if (!MessageId.safeParse(id).success) return notFound(id);
  const record = await deps.messages.get(id);
  if (!record || !mayUse(principal, record.account)) return notFound(id);
  return json(200, presentMessage(record));
}

export async function cancelMessage(principal: Principal, id: string, deps: MessagesDeps): Promise<HttpResponse> {
  if (!MessageId.safeParse(id).success) return notFound(id);
  const record = await deps.messages.get(id);
  if (!record || !mayUse(principal, record.account)) return notFound(id);
  const at = deps.now().toISOString();
  const result = await deps.messages.cancel(id, at);
  if (!result.cancelled) {
    return problem(
      409,
      'not_cancellable',
      `message ${id} is ${result.current ?? 'gone'}; only queued or scheduled messages can be cancelled`,
    );
  }
  await pushChange(deps, record, { status: 'cancelled', at });
  return json(200, presentMessage((await deps.messages.get(id)) ?? record));
}

const ListQuery = lazySchema(() =>
  z.strictObject({
    account: AccountId.optional(),
    status: z.enum(STATUSES, { error: `must be one of ${STATUSES.join(', ')}` }).optional(),
    since: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }).optional(),
    until: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }).optional(),
    cursor: z.string().min(1).optional(),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').optional(),
  }),
);

export async function listMessages(principal: Principal, query: Record<string, string>, deps: MessagesDeps): Promise<HttpResponse> {
  const parsed = ListQuery.safeParse(query);
  // An unknown parameter is the query's, not a body's: `(query)` (violationsOf names the root `(body)`).
  const violations: Violation[] = parsed.success
    ? []
    : violationsOf(parsed.error).map((v) => (v.field === '(body)' ? { ...v, field: '(query)' } : v));
  const requested = typeof query.account === 'string' && query.account !== '' ? query.account : undefined;
  const account = requested ?? (principal.accounts !== '*' && principal.accounts.length === 1 ? principal.accounts[0] : undefined);
  if (!account) violations.push({ field: 'account', rule: 'is required when the API key may use several accounts' });
  // DynamoDB refuses a range whose bounds are reversed (a 400 we would otherwise pass on as a 5xx).
  if (parsed.success && parsed.data.since && parsed.data.until && Date.parse(parsed.data.since) > Date.parse(parsed.data.until)) {
    violations.push({ field: 'until', rule: 'must not be before since' });
  }
  if (!parsed.success || !account || violations.length > 0) {
    return problem(400, 'invalid_request', `the query has ${violations.length} problem(s)`, violations);
  }
  if (!mayUse(principal, account)) {
    // Another account's listing looks empty; a cursor is still checked (none can be valid here).
    if (parsed.data.cursor) return invalidCursor();
    return json(200, { messages: [] });
  }
  const iso = (value: string | undefined) => (value ? new Date(value).toISOString() : undefined);
  const scope: CursorScope = {
    keyId: principal.keyId,
    account,
    ...(parsed.data.status ? { status: parsed.data.status } : {}),
    ...(parsed.data.since ? { since: iso(parsed.data.since)! } : {}),
    ...(parsed.data.until ? { until: iso(parsed.data.until)! } : {}),
  };
  const after = parsed.data.cursor ? deps.cursors.open(parsed.data.cursor, scope) : undefined;
  if (parsed.data.cursor && !after) return invalidCursor();
  try {
    const page = await deps.messages.list({
      account,
      ...(scope.status ? { status: scope.status as MessageStatus } : {}),
      ...(scope.since ? { since: scope.since } : {}),
      ...(scope.until ? { until: scope.until } : {}),
      ...(after ? { after } : {}),
      ...(parsed.data.limit ? { limit: parsed.data.limit } : {}),
    });
    return json(200, { messages: page.items.map(presentMessage), ...(page.next ? { cursor: deps.cursors.seal(page.next, scope) } : {}) });
  } catch (error) {
    if (error instanceof InvalidCursorError) return invalidCursor();
    throw error;
  }
}

function invalidCursor(): HttpResponse {
  return problem(400, 'invalid_request', 'the query has 1 problem(s)', [
    { field: 'cursor', rule: 'is not valid: use the cursor of the previous page, with the same account, filters and API key' },
  ]);
}
