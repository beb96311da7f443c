/**
 * When a message may leave its current route for the next one: only when the current route
 * provably did not send it. Pure: the sender (src/sender/failover.ts) gathers the evidence and
 * acts on the answer; the table and property tests pin it (failover-decision.test.ts).
 *
 * | evidence on the current route                          | decision                    |
 * |--------------------------------------------------------|-----------------------------|
 * | the provider accepted the message (or the message has  | never                       |
 * | moved past `sending`)                                  |                             |
 * | the outcome is unknown (no answer, timeout, open 5xx)  | never                       |
 * | refused `pause_sender` (account or template paused)    | fail over (`pause_sender`)  |
 * | refused `permanent`, of the sender (credential,        | fail over (`sender_refused`)|
 * | number, template not approved on it)                   |                             |
 * | refused `permanent` of the recipient or content,       | never                       |
 * | `opted_out`, `per_recipient`, `not_before_24h`         |                             |
 * | refused `backoff` (429, a documented 503, no           | fail over (`blocked`) once  |
 * | connection) after waiting on the route at least        | the message has waited on   |
 * | `failoverAfter`; before that                           | the route `failoverAfter`;  |
 * |                                                        | not yet before              |
 * | blocked (paused) at least `failoverAfter`, nothing     | fail over (`blocked`)       |
 * | attempted on it that could have sent                   |                             |
 * | blocked for less                                       | not yet                     |
 * | the route's breaker is open (or another message probes | fail over (`breaker`), no   |
 * | it): nothing attempted on it                           | call                        |
 *
 * And never without a next route that can carry the message's template.
 */
import { InternalError } from '../errors.ts';
import type { MessageStatus } from '../messages/status.ts';
import type { RetryClass } from '../providers/errors.ts';

/** What is known about the message on its current route. */
export type RouteEvidence =
  | { kind: 'accepted' }
  | { kind: 'unknown' }
  /** `waitedMs`: how long the message has waited on this route (since it took the send, or the schedule). */
  | { kind: 'refused'; retryClass: RetryClass; senderRefused: boolean; waitedMs: number }
  | { kind: 'blocked'; blockedForMs: number }
  /** The route's breaker is open (src/sender/breaker.ts): nothing was, or will be, attempted on it for this message. */
  | { kind: 'breaker_open' };

export interface FailoverInput {
  evidence: RouteEvidence;
  /** The message's status as the deciding worker holds it: `sending` under its own claim, or waiting. */
  status: MessageStatus;
  /** How long a message may wait on a blocked route (the account's `failoverAfter`). */
  failoverAfterMs: number;
  /** Whether a later route can carry the message (a fallback with a mapping for its template). */
  hasNextRoute: boolean;
}

export type FailoverTrigger = 'pause_sender' | 'sender_refused' | 'blocked' | 'breaker';

/** Every trigger, in the order the docs list them. */
export const FAILOVER_TRIGGERS: readonly FailoverTrigger[] = ['pause_sender', 'sender_refused', 'blocked', 'breaker'];

export type FailoverDecision = { failover: true; trigger: FailoverTrigger } | { failover: false; because: string };

const no = (because: string): FailoverDecision => ({ failover: false, because });

/** Statuses from which the message has not been sent by any route (the sender's own claim is `sending`). */
const UNSENT: ReadonlySet<MessageStatus> = new Set(['queued', 'scheduled', 'sending']);

export function decideFailover(input: FailoverInput): FailoverDecision {
  const { evidence } = input;
  if (!UNSENT.has(input.status)) return no(`the message is already ${input.status}`);
  switch (evidence.kind) {
    case 'accepted':
      return no('the provider accepted the message');
    case 'unknown':
      return no('the outcome is unknown: the route may have sent it');
    case 'refused':
      return refusal(evidence, input);
    case 'blocked':
      if (evidence.blockedForMs < input.failoverAfterMs) return no('blocked for less than failoverAfter');
      return input.hasNextRoute ? { failover: true, trigger: 'blocked' } : no('no later route can carry it');
    case 'breaker_open':
      // Proven not sent: the route's breaker kept the message from it.
      return input.hasNextRoute ? { failover: true, trigger: 'breaker' } : no('no later route can carry it');
    default:
      return unreachable(evidence);
  }
}

function refusal(evidence: Extract<RouteEvidence, { kind: 'refused' }>, input: FailoverInput): FailoverDecision {
  const { retryClass, senderRefused } = evidence;
  let trigger: FailoverTrigger;
  switch (retryClass) {
    case 'pause_sender':
      trigger = 'pause_sender';
      break;
    case 'permanent':
      if (!senderRefused) return no('a permanent refusal of the recipient or the content');
      trigger = 'sender_refused';
      break;
    case 'opted_out':
      return no('the recipient opted out');
    case 'per_recipient':
      return no('a limit of the recipient');
    case 'not_before_24h':
      return no('a limit of the recipient (per-user marketing)');
    case 'backoff':
      // Proven not sent, and the route keeps the message waiting: blocked, once that lasted failoverAfter.
      if (evidence.waitedMs < input.failoverAfterMs) return no('the route asked to wait, for less than failoverAfter so far');
      trigger = 'blocked';
      break;
    default:
      return unreachable(retryClass);
  }
  return input.hasNextRoute ? { failover: true, trigger } : no('no later route can carry it');
}

function unreachable(value: never): never {
  throw new InternalError(`unhandled failover evidence: ${JSON.stringify(value)}`);
}
