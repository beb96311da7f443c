/**
 * The real sender (createSenderDeps over in-memory storage) with what it reaches outside scripted:
 * a clock and a sleep the test drives, a queue that only records, and adapters whose sends answer
 * as the test says (accepted by default). For tests of the sender's pacing and refusals that need
 * neither HTTP nor a provider mock.
 */
import { AccountConfig } from '../../src/config/accounts.ts';
import { PipelineConfig } from '../../src/config/pipeline.ts';
import { createSenderDeps } from '../../src/functions/sender.ts';
import type { ProviderAdapter, SendResult } from '../../src/providers/adapter.ts';
import type { QueueEntry, SendQueue } from '../../src/queue/send-queue.ts';
import { silentLog } from '../../src/runtime/log.ts';
import type { SenderDeps } from '../../src/sender/sender.ts';
import { memoryStorage, type MemoryStorage } from '../../src/store/memory/index.ts';
import { testConfig, testSecrets } from './local-aws.ts';

/** The test configuration with `account`'s limits set (and no recipient gap unless `limits` sets one). */
export function configWithLimits(account: string, limits: Record<string, unknown>): PipelineConfig {
  const base = testConfig();
  return PipelineConfig.parse({
    ...base,
    accounts: base.accounts.map((a) => (a.id === account ? AccountConfig.parse({ ...a, limits: { recipientGapMs: 0, ...limits } }) : a)),
  });
}

export interface ScriptedSenderOptions {
  config: PipelineConfig;
  /** Shared between senders to play two invocations over one table. */
  storage?: MemoryStorage;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Each send's answer (default: accepted, with a provider id). */
  answer?: (message: { messageId: string }, account: AccountConfig) => SendResult | Promise<SendResult>;
  /** Each batch the sender puts on the queue. */
  enqueued?: (entries: readonly QueueEntry[]) => void;
}

export function scriptedSender(options: ScriptedSenderOptions): SenderDeps {
  const accepted = (message: { messageId: string }): SendResult => ({
    outcome: 'accepted',
    status: 'accepted',
    providerMessageId: `p-${message.messageId}`,
  });
  const answer = options.answer ?? accepted;
  return {
    ...createSenderDeps(
      {
        config: options.config,
        secrets: testSecrets(),
        storage: options.storage ?? memoryStorage(),
        queueUrl: 'unused',
        sqs: undefined as never,
        now: () => new Date(options.now()),
      },
      { log: silentLog, sleep: options.sleep },
    ),
    now: options.now,
    queue: {
      enqueue: async (entries: readonly QueueEntry[]) => {
        options.enqueued?.(entries);
        return [];
      },
    } as unknown as SendQueue,
    adapterFor: (account) =>
      ({
        provider: account.provider,
        capabilities: { lookup: false, statusCallbacks: false, returnsMessageId: true, echoesMessageId: true },
        check: () => [],
        send: async (message: { messageId: string }) => answer(message, account),
      }) as unknown as ProviderAdapter,
  };
}
