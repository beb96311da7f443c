/**
 * Pacing accuracy: the sender against a provider mock that enforces a limit (a fixed window) and
 * answers 429 beyond it, for at least 30 s. Project: the shared pacer at the provider's limit.
 * Naive: no pacer (a limit far above the provider's), relying on 429s and their Retry-After.
 * Plus a per-recipient case: messages to one recipient, with and without the recipient gap.
 */
import { acceptMessages } from '../src/api/accept.ts';
import { AccountConfig } from '../src/config/accounts.ts';
import { PipelineConfig } from '../src/config/pipeline.ts';
import { createApiDeps, type RuntimeEnvironment } from '../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../src/functions/sender.ts';
import { createQueue } from '../src/local/aws.ts';
import { dynamoDBStorage } from '../src/store/dynamodb/index.ts';
import { startEventSourceMapping } from '../src/local/event-source-mapping.ts';
import { startProviderMock } from '../src/mock/provider-mock.ts';
import { silentLog } from '../src/runtime/log.ts';
import { startLocalAws, testConfig, testSecrets } from '../test/support/local-aws.ts';

export interface PacingResult {
  limitPerS: number;
  achievedPerS: number;
  errorPct: number;
  utilisationPct: number;
  count429: number;
  recipientMinGapMs: number;
  recipientGapViolations: number;
}

let queueCount = 0;

async function sendThrough(options: {
  provider: 'livetok' | 'loopwave';
  mockLimit?: { limit: number; windowMs: number };
  limits: Record<string, unknown>;
  recipients: string[];
}) {
  const aws = await startLocalAws();
  const mock = await startProviderMock(options.provider, options.mockLimit ? { rateLimit: options.mockLimit } : {});
  try {
    const base = testConfig({ [options.provider]: mock.url });
    const config = PipelineConfig.parse({
      ...base,
      accounts: base.accounts.map((a) => AccountConfig.parse({ ...a, limits: options.limits })),
    });
    const n = queueCount++;
    const queueUrl = await createQueue(aws.sqs.client, `pacing-${n}`, { visibilityTimeoutS: 60 });
    const storage = dynamoDBStorage({ client: aws.dynamo.client, tableName: aws.tableName });
    const env: RuntimeEnvironment = { config, secrets: testSecrets(), storage, queueUrl, sqs: aws.sqs.client };
    const api = createApiDeps(env);
    const content =
      options.provider === 'loopwave'
        ? { kind: 'text', text: 'Hi' }
        : { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['A', 'B'] };
    for (let i = 0; i < options.recipients.length; i += 100) {
      const messages = options.recipients
        .slice(i, i + 100)
        .map((recipient) => ({ provider: options.provider, account: `acme-${options.provider}`, recipient, content }));
      await acceptMessages({ principal: { keyId: 'bench', accounts: '*' }, body: { messages } }, api);
    }
    const esm = startEventSourceMapping({
      sqs: aws.sqs.client,
      queueUrl,
      queueArn: `arn:aws:sqs:us-east-1:123456789012:pacing-${n}`,
      handler: senderHandler(() => createSenderDeps(env, { log: silentLog, maxInlineWaitMs: 2000 })),
      batchSize: 10,
      maximumConcurrency: 4,
      visibilityTimeoutS: 60,
      waitTimeS: 0.5,
      onError: () => {},
    });
    await esm.idle();
    await esm.stop();
    return mock.received.filter((r) => r.method === 'post');
  } finally {
    await mock.close();
    await aws.close();
  }
}

export async function runPacing(options: { naive: boolean; limitPerS: number; messages: number }): Promise<PacingResult> {
  const recipients = Array.from({ length: options.messages }, (_, i) => `+1415${String(6_000_000 + i).padStart(7, '0')}`);
  const calls = await sendThrough({
    provider: 'livetok',
    mockLimit: { limit: options.limitPerS, windowMs: 1000 },
    limits: options.naive ? { perSecond: 100_000, recipientGapMs: 0 } : { perSecond: options.limitPerS, recipientGapMs: 0 },
    recipients,
  });
  const accepted = calls
    .filter((c) => c.status === 200)
    .map((c) => c.at)
    .sort((a, b) => a - b);
  const seconds = (accepted.at(-1)! - accepted[0]!) / 1000;
  const achievedPerS = (accepted.length - 1) / seconds;

  // One recipient, ten messages: the project keeps the recipient gap (here 1 s), the naive run does not.
  const gapMs = 1000;
  const single = await sendThrough({
    provider: 'loopwave',
    limits: options.naive ? { perSecond: 1000, recipientGapMs: 0 } : { perSecond: 1000, recipientGapMs: gapMs },
    recipients: Array.from({ length: 10 }, () => '+14155550100'),
  });
  const times = single
    .filter((c) => c.status === 202)
    .map((c) => c.at)
    .sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  return {
    limitPerS: options.limitPerS,
    achievedPerS,
    errorPct: (Math.abs(options.limitPerS - achievedPerS) / options.limitPerS) * 100,
    utilisationPct: (achievedPerS / options.limitPerS) * 100,
    count429: calls.filter((c) => c.status === 429).length,
    recipientMinGapMs: Math.min(...gaps),
    recipientGapViolations: gaps.filter((g) => g < gapMs).length,
  };
}
