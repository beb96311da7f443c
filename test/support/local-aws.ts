/** DynamoDB (dynalite) and SQS (local-aws-sqs) on loopback for a test file, with the messages table and send queues. */
import { randomBytes } from 'node:crypto';
import { ensureMessagesTable, startDynamo, startSqs, createQueue } from '../../src/local/aws.ts';
import { hashApiKey } from '../../src/api/auth.ts';
import { PipelineConfig, PipelineSecrets } from '../../src/config/pipeline.ts';

export async function startLocalAws() {
  const dynamo = await startDynamo();
  const sqs = await startSqs();
  const tableName = 'messages';
  await ensureMessagesTable(dynamo.client, tableName);
  const deadLetterUrl = await createQueue(sqs.client, 'send-dlq');
  const queueUrl = await createQueue(sqs.client, 'send', { deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:send-dlq', maxReceiveCount: 5, visibilityTimeoutS: 30 });
  return {
    dynamo,
    sqs,
    tableName,
    queueUrl,
    deadLetterUrl,
    close: async () => {
      await Promise.all([dynamo.close(), sqs.close()]);
    },
  };
}

export const API_KEY = 'test-key-all-accounts';
export const KALEYRA_ONLY_KEY = 'test-key-kaleyra-only';

/** One account per provider, each pointing at `baseUrls[provider]` (mocks) when given. */
export function testConfig(baseUrls: Partial<Record<string, string>> = {}) {
  const base = (provider: string) => (baseUrls[provider] ? { baseUrl: baseUrls[provider] } : {});
  return PipelineConfig.parse({
    accounts: [
      { id: 'acme-livetok', provider: 'livetok', plan: 'pro', ...base('livetok') },
      { id: 'acme-livechat', provider: 'livechat', numberId: '1234', ...base('livechat') },
      {
        id: 'acme-gupshup',
        provider: 'gupshup',
        source: '919163000003',
        appName: 'DemoApp',
        templates: [{ name: 'order_update', language: 'en', providerTemplateId: 'tmpl-7f2', bodyParameters: 2 }],
        ...base('gupshup'),
      },
      { id: 'acme-loopwave', provider: 'loopwave', baseUrl: baseUrls.loopwave ?? 'https://loopwave.example.com', sessionId: 'n1a2b3c' },
      { id: 'acme-kaleyra', provider: 'kaleyra', sid: 'HXIN1691385017IN', senderNumber: '+919000014497', ...base('kaleyra') },
    ],
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
    credentials: { 'acme-livetok': 'sk_test_abc123', 'acme-livechat': '12345:pat-token', 'acme-gupshup': 'gupshup-key', 'acme-loopwave': 'lw_live_test', 'acme-kaleyra': 'kaleyra-key' },
  });
}
