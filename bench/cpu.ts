/**
 * Handler CPU per message with the network stubbed out: the real sender and webhook handlers, with
 * DynamoDB, SQS and the provider answered in-process by canned responses, so what is measured is
 * our code (validation, pacing arithmetic, adapters, signatures), not I/O. Project: batches of 10;
 * naive: one message per invocation, and a dedupe record per callback (bench/naive.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { apiHandler } from '../src/functions/api-handler.ts';
import { createApiDeps } from '../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../src/functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../src/functions/webhook.ts';
import type { RuntimeEnvironment } from '../src/functions/runtime.ts';
import { STATUS_RANK, type MessageStatus } from '../src/messages/status.ts';
import { dynamoDBStorage } from '../src/store/dynamodb/index.ts';
import { toItem } from '../src/store/dynamodb/items.ts';
import { isMessageKey, messageIdOfKey } from '../src/store/table.ts';
import { newMessageId } from '../src/messages/queue-message.ts';
import { SendRequest } from '../src/messages/send-request.ts';
import { providerCallback } from '../src/local/simulator.ts';
import { silentLog } from '../src/runtime/log.ts';
import { API_KEY, testConfig, testSecrets } from '../test/support/local-aws.ts';
import { naiveWebhookHandler } from './naive.ts';
import { cpuMs } from './support/cpu-time.ts';

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, endpoint: 'http://127.0.0.1:9' };

/**
 * A DynamoDB client that never leaves the process: message records come back in `status`. It
 * answers in the `initialize` step, before the document client marshals (just before serializing)
 * and after it would unmarshal: keys come in, and items go out, as plain values.
 */
function stubDynamo(status: string): DynamoDBClient {
  const client = new DynamoDBClient(LOCAL);
  client.middlewareStack.add(
    () => async (args) => {
      const key = (args.input as { Key?: Record<string, unknown> }).Key ?? {};
      let output: Record<string, unknown> = {};
      if (isMessageKey(key)) {
        const createdAt = '2026-01-01T00:00:00.000Z';
        const queued = { provider: 'kaleyra', account: 'acme-kaleyra', kind: 'template', status: 'queued', createdAt } as const;
        const record = toItem({ ...queued, id: messageIdOfKey(key), recipient: { hash: 'h', last4: '5678' } });
        const at = { queued: createdAt, ...(status === 'queued' ? {} : { accepted: '2026-01-01T00:00:01.000Z' }) };
        output = { Item: { ...record, status, rank: STATUS_RANK[status as MessageStatus], at, providerMessageId: 'K-1' } };
      }
      if ('KeyConditionExpression' in (args.input as object)) output = { Items: [] };
      return { output: { $metadata: {}, ...output }, response: {} } as never;
    },
    { step: 'initialize', name: 'stub' },
  );
  return client;
}

function stubSqs(): SQSClient {
  const client = new SQSClient(LOCAL);
  client.middlewareStack.add(
    () => async (args) => {
      const entries = (args.input as { Entries?: Array<{ Id: string }> }).Entries ?? [];
      return {
        output: { $metadata: {}, Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })), Failed: [] },
        response: {},
      } as never;
    },
    { step: 'initialize', name: 'stub' },
  );
  return client;
}

const context = { getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

export async function runCpu(options: {
  naive: boolean;
  messages: number;
}): Promise<{ senderCpuMsPerMessage: number; webhookCpuMsPerEvent: number; acceptCpuMsPerMessage: number }> {
  const config = testConfig({ kaleyra: 'http://provider.invalid' });
  const secrets = { ...testSecrets(), webhookSecrets: { 'acme-kaleyra': ['t'.repeat(24)] } };
  const env = (status: string, dynamo = stubDynamo(status)) => ({
    dynamo,
    env: {
      config,
      secrets,
      storage: dynamoDBStorage({ client: dynamo, tableName: 'messages' }),
      queueUrl: 'http://127.0.0.1:9/q',
      sqs: stubSqs(),
    } satisfies RuntimeEnvironment,
  });
  const accepted = JSON.stringify({ code: 'WA202', message: 'Request Accepted', data: { message_id: 'K-1' }, error: {} });
  const fetch: typeof globalThis.fetch = async () =>
    new Response(accepted, { status: 202, headers: { 'content-type': 'application/json' } });
  const sender = senderHandler(() => createSenderDeps(env('queued').env, { fetch, log: silentLog }));
  const request = SendRequest.parse({
    provider: 'kaleyra',
    account: 'acme-kaleyra',
    recipient: '+919812345678',
    content: {
      kind: 'template',
      name: 'lto_template',
      language: 'en_US',
      body: ['Pablo', 'CARIBE25'],
      buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }],
    },
  });
  const batch = options.naive ? 1 : 10;
  const record = () => {
    const id = newMessageId();
    return {
      messageId: id,
      receiptHandle: id,
      body: JSON.stringify({ v: 1, id, request, acceptedAt: new Date().toISOString() }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn',
      awsRegion: 'us-east-1',
    };
  };
  // Warm up (the JIT, both configurations alike), then measure.
  for (let i = 0; i < 500; i += batch) await sender({ Records: Array.from({ length: batch }, record) } as SQSEvent, context);
  let started = cpuMs();
  for (let i = 0; i < options.messages; i += batch) await sender({ Records: Array.from({ length: batch }, record) } as SQSEvent, context);
  const senderCpuMsPerMessage = (cpuMs() - started) / options.messages;

  const webhookEnv = env('accepted');
  const webhookDeps = createWebhookDeps(webhookEnv.env, { log: silentLog });
  const webhook = options.naive
    ? naiveWebhookHandler({ ...webhookDeps, dynamo: webhookEnv.dynamo, tableName: 'messages' })
    : webhookHandler(() => webhookDeps);
  const event = (i: number): APIGatewayProxyEventV2 => {
    const callback = providerCallback('kaleyra', {
      status: ['sent', 'delivered', 'read'][i % 3]!,
      providerMessageId: 'K-1',
      messageId: newMessageId(),
      recipient: '919812345678',
      at: 1_795_300_000 + i,
      secret: 't'.repeat(24),
    });
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/webhooks/kaleyra/acme-kaleyra',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...callback.headers },
      requestContext: { http: { method: 'POST', path: '/v1/webhooks/kaleyra/acme-kaleyra' } },
      body: callback.body,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
  };
  for (let i = 0; i < 500; i++) await webhook(event(i));
  started = cpuMs();
  for (let i = 0; i < options.messages; i++) await webhook(event(i));
  const webhookCpuMsPerEvent = (cpuMs() - started) / options.messages;

  // Accept: requests of 100 messages (project) or one (naive), validated, sealed, written, enqueued.
  const acceptEnv = env('queued').env;
  const accept = apiHandler('accept', () => createApiDeps(acceptEnv, { log: silentLog }), { log: silentLog });
  const perRequest = options.naive ? 1 : 100;
  const one = { provider: 'kaleyra', account: 'acme-kaleyra', recipient: '+919812345678', content: request.content };
  const acceptEvent = (): APIGatewayProxyEventV2 => {
    const body = JSON.stringify(perRequest === 1 ? one : { messages: Array.from({ length: perRequest }, () => one) });
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/messages',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      requestContext: { http: { method: 'POST', path: '/v1/messages' } },
      body,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
  };
  const acceptAll = async () => {
    for (let i = 0; i < options.messages; i += perRequest) {
      const answer = await accept(acceptEvent());
      if (answer.statusCode !== 202) throw new Error(`accept answered ${answer.statusCode}: ${answer.body}`);
    }
  };
  await acceptAll();
  started = cpuMs();
  await acceptAll();
  return { senderCpuMsPerMessage, webhookCpuMsPerEvent, acceptCpuMsPerMessage: (cpuMs() - started) / options.messages };
}
