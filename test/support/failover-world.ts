/**
 * What the sender's failover tests share: the origin `o` (Kaleyra, `lto_template`) and its
 * fallbacks' templates, the answers a scripted provider gives (as the sender sees them), the
 * secrets and a queue kept in a list. Each test builds its own route set and world from these
 * (src/sender/failover.test.ts, src/sender/route-guard.test.ts,
 * test/integration/failover-reset.test.ts).
 */
import type { PipelineSecrets } from '../../src/config/pipeline.ts';
import type { QueueMessage } from '../../src/messages/queue-message.ts';
import type { SendResult } from '../../src/providers/adapter.ts';
import { ProviderError, type RetryClass } from '../../src/providers/errors.ts';
import type { ProviderName } from '../../src/providers/names.ts';
import type { SendQueue } from '../../src/queue/send-queue.ts';

export const T0 = Date.parse('2026-11-30T10:00:00.000Z');
export const LTO = { name: 'lto_template', language: 'en_US', bodyParameters: 2 };
export const REMINDER = { name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 };

/** The origin `o`, its fallbacks in order (each carrying `lto_template` as `appointment_reminder`). */
export function origin(fallbacks: readonly string[], extra: Record<string, unknown> = {}) {
  return {
    id: 'o',
    provider: 'kaleyra',
    sid: 'HXIN1',
    senderNumber: '+919000014497',
    templates: [LTO],
    failoverAfter: '5m',
    fallbacks: fallbacks.map((account) => ({
      account,
      templates: [{ name: 'lto_template', language: 'en_US', to: { name: 'appointment_reminder', language: 'en_US' } }],
    })),
    limits: { recipientGapMs: 0 },
    ...extra,
  };
}

/** A LiveTok account with the reminder template (a fallback, or an account of its own). */
export const livetok = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider: 'livetok',
  templates: [REMINDER],
  limits: { recipientGapMs: 0 },
  ...extra,
});

export const SECRETS: PipelineSecrets = {
  recipientHashKey: 'k'.repeat(32),
  payloadKey: Buffer.alloc(32).toString('base64'),
  credentials: {},
  webhookSecrets: {},
  pushSecrets: {},
};

/** What a provider may answer, as the sender sees it. */
export type Answer =
  | 'accepted'
  | 'unknown'
  | 'pause_account'
  | 'pause_template'
  | 'sender_permanent'
  | 'recipient_permanent'
  | 'opted_out'
  | 'backoff'
  | 'unavailable'
  | 'per_recipient';

export function resultOf(answer: Answer, provider: ProviderName): SendResult {
  const refused = (retryClass: RetryClass, extra: Partial<ConstructorParameters<typeof ProviderError>[0]> = {}): SendResult => ({
    outcome: 'rejected',
    error: new ProviderError({ provider, retryClass, reason: answer, ...extra }),
  });
  switch (answer) {
    case 'accepted':
      return { outcome: 'accepted', status: 'accepted', providerMessageId: `id-${Math.random()}` };
    case 'unknown':
      return { outcome: 'unknown', reason: 'no answer' };
    case 'pause_account':
      return refused('pause_sender', { pauseScope: 'account', status: 401 });
    case 'pause_template':
      return refused('pause_sender', { pauseScope: 'template', code: 132015 });
    case 'sender_permanent':
      return refused('permanent', { sender: true, status: 404 });
    case 'recipient_permanent':
      return refused('permanent', { status: 400 });
    case 'opted_out':
      return refused('opted_out', { code: 131050 });
    case 'backoff':
      return refused('backoff', { status: 429, retryAfterMs: 2000 });
    case 'unavailable':
      return refused('backoff', { status: 503 });
    case 'per_recipient':
      return refused('per_recipient', { code: 131056 });
  }
}

/** A queue kept in `queued`: each copy's body and when it becomes visible by `now`. */
export function listQueue(queued: Array<{ body: string; at: number }>, now: () => number): SendQueue {
  return {
    async enqueue(entries: ReadonlyArray<{ message: QueueMessage; delaySeconds?: number }>) {
      for (const entry of entries) queued.push({ body: JSON.stringify(entry.message), at: now() + (entry.delaySeconds ?? 0) * 1000 });
      return [];
    },
  } as unknown as SendQueue;
}
