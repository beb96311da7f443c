/** DynamoDB (dynalite) and SQS (local-aws-sqs) on loopback for a test file, with the messages table and send queues. */
import { randomBytes } from 'node:crypto';
import { ensureMessagesTable, startDynamo, startSqs, createQueue } from '../../src/local/aws.ts';
import { hashApiKey } from '../../src/api/auth.ts';
import { PipelineConfig, PipelineSecrets } from '../../src/config/pipeline.ts';
import { PROVIDERS } from '../../src/providers/names.ts';
import { FIXTURES } from './providers.ts';

export async function startLocalAws() {
  const dynamo = await startDynamo();
  const queues = await startLocalSqs();
  const tableName = 'messages';
  await ensureMessagesTable(dynamo.client, tableName);
  return {
    ...queues,
    dynamo,
    tableName,
    close: async () => {
      await Promise.all([dynamo.close(), queues.close()]);
    },
  };
}

/**
 * SQS (local-aws-sqs) alone with the send queues, for tests whose storage is in memory
 * (src/store/memory: the same contract as DynamoDB's, test/store/contract.ts).
 */
export async function startLocalSqs() {
  const sqs = await startSqs();
  const deadLetterUrl = await createQueue(sqs.client, 'send-dlq');
  const queueUrl = await createQueue(sqs.client, 'send', {
    deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:send-dlq',
    maxReceiveCount: 5,
    visibilityTimeoutS: 30,
  });
  return { sqs, queueUrl, deadLetterUrl, close: () => sqs.close() };
}

export const API_KEY = 'test-key-all-accounts';
export const KALEYRA_ONLY_KEY = 'test-key-kaleyra-only';

/** One account per provider, each pointing at `baseUrls[provider]` (mocks) when given. */
export function testConfig(baseUrls: Partial<Record<string, string>> = {}) {
  const base = (provider: string) => (baseUrls[provider] ? { baseUrl: baseUrls[provider] } : {});
  return PipelineConfig.parse({
    accounts: PROVIDERS.map((provider) => {
      const { account } = FIXTURES[provider];
      // Loopwave has no default origin: its fixture's stands in when no mock is given.
      return { ...account, ...base(provider) };
    }),
    apiKeys: [
      { id: 'all', sha256: hashApiKey(API_KEY), accounts: '*' },
      { id: 'kaleyra-only', sha256: hashApiKey(KALEYRA_ONLY_KEY), accounts: ['acme-kaleyra'] },
    ],
  });
}

export function testSecrets() {
  return PipelineSecrets.parse({
    recipientHashKey: randomBytes(32).toString('hex'),
    payloadKey: randomBytes(32).toString('base64'),
    // Each account's credential from its provider's fixtures.
    credentials: Object.fromEntries(PROVIDERS.map((provider) => [FIXTURES[provider].account.id, FIXTURES[provider].credential])),
  });
}
