/**
 * Init plus the first invocation, per function: a fresh Node process imports the function's bundle
 * (bench/coldstart.ts builds it: project as deployed, naive its own way) and calls its handler once
 * with a typical event; the time from before the import to the handler's answer, measured inside
 * the process (Node's own start, the same for every function, is left out), median of the runs.
 *
 * What is stubbed: AWS and the provider, by one HTTP server on loopback in this process, which every
 * client reaches through its endpoint variables (`AWS_ENDPOINT_URL_DYNAMODB`, `_SQS`, the Kaleyra
 * account's `baseUrl`, the push URL). It speaks DynamoDB's and SQS's JSON protocols over a table
 * that holds a queued record for any message id asked for and nothing else (every write succeeds),
 * takes every SQS message (with the MD5 the SDK checks), answers a send as Kaleyra documents it and
 * a push with 204. The SDK, the configuration file (`WAPK_CONFIG_FILE`, as the local stack reads
 * it), the handlers and their first-use loads (configuration, clients, a provider's sending part)
 * are real; Secrets Manager is not called (the configuration comes from the file). Each answer is
 * checked (accept 202, status 200, no failed record, a requeue without failures, webhook 200).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { REPO_ROOT } from '../infra/bundle.ts';
import type { PipelineFunctionName } from '../infra/components/functions.ts';
import { providerCallback } from '../src/local/simulator.ts';
import { newMessageId } from '../src/messages/queue-message.ts';
import { STATUS_RANK } from '../src/messages/status.ts';
import { toItem } from '../src/store/dynamodb/items.ts';
import { isMessageKey, messageIdOfKey } from '../src/store/table.ts';
import { API_KEY, testConfig, testSecrets } from '../test/support/local-aws.ts';

const run = promisify(execFile);
const WEBHOOK_TOKEN = 't'.repeat(24);

const read = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** DynamoDB's JSON for a plain value (strings, numbers, booleans, lists, maps: what a record holds). */
function marshall(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(marshall) };
  return { M: marshallItem(value as Record<string, unknown>) };
}
const marshallItem = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).flatMap(([k, v]) => (v === undefined ? [] : [[k, marshall(v)]])));
/** A key's plain values (keys are strings and numbers). */
const unmarshallKey = (key: Record<string, AttributeValue>) =>
  Object.fromEntries(Object.entries(key).map(([k, v]) => [k, v.S ?? (v.N !== undefined ? Number(v.N) : undefined)]));

/** The record of a queued Kaleyra message, for any message key (the sender reads its message back after creating it). */
function messageRecord(key: Record<string, unknown>): Record<string, AttributeValue> | undefined {
  if (!isMessageKey(key)) return undefined;
  const createdAt = new Date(Date.now() - 1000).toISOString();
  const queued = { provider: 'kaleyra', account: 'acme-kaleyra', kind: 'template', status: 'queued', createdAt } as const;
  const item = toItem({ ...queued, id: messageIdOfKey(key), recipient: { hash: 'h', last4: '5678' } });
  return marshallItem({ ...item, rank: STATUS_RANK.queued, at: { queued: createdAt } });
}

/** DynamoDB over a table holding only queued message records: other reads find nothing, writes succeed. */
function dynamoAnswer(operation: string, input: Record<string, unknown>): unknown {
  switch (operation) {
    case 'GetItem': {
      const item = messageRecord(unmarshallKey(input.Key as Record<string, AttributeValue>));
      return item ? { Item: item } : {};
    }
    case 'Query':
    case 'Scan':
      return { Items: [], Count: 0, ScannedCount: 0 };
    case 'BatchGetItem':
      return {
        Responses: Object.fromEntries(Object.keys((input.RequestItems as object) ?? {}).map((table) => [table, []])),
        UnprocessedKeys: {},
      };
    case 'BatchWriteItem':
      return { UnprocessedItems: {} };
    case 'TransactGetItems':
      return { Responses: [] };
    default:
      return {};
  }
}

/** SQS: every message taken. */
function sqsAnswer(operation: string, input: Record<string, unknown>): unknown {
  if (operation === 'SendMessageBatch') {
    const entries = (input.Entries as Array<{ Id: string; MessageBody: string }>) ?? [];
    return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] };
  }
  if (operation === 'SendMessage') return { MessageId: 'm-1', MD5OfMessageBody: md5(String(input.MessageBody ?? '')) };
  return {};
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await read(request);
  const target = request.headers['x-amz-target'];
  const send = (status: number, value: unknown, type = 'application/json') => {
    response.writeHead(status, { 'content-type': type });
    response.end(value === undefined ? undefined : JSON.stringify(value));
  };
  if (typeof target === 'string') {
    const [service, operation = ''] = target.split('.');
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const json = 'application/x-amz-json-1.0';
    if (service?.startsWith('DynamoDB')) return send(200, dynamoAnswer(operation, input), json);
    if (service === 'AmazonSQS') return send(200, sqsAnswer(operation, input), json);
    return send(400, { __type: 'UnknownOperation', message: target }, json);
  }
  if (request.url?.startsWith('/push')) return send(204, undefined);
  // The provider: Kaleyra's documented answer to a send.
  return send(202, { code: 'WA202', message: 'Request Accepted', data: { message_id: 'K-1' }, error: {} });
}

/** The first event each function gets, and what its answer must show for the run to count. */
function firstEvents(): Record<PipelineFunctionName, { event: unknown; expect: string }> {
  const http = (method: string, path: string, body: string | undefined, headers: Record<string, string>) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: { http: { method, path }, requestId: 'bench-1' },
    ...(body !== undefined ? { body, isBase64Encoded: false } : {}),
  });
  const request = {
    provider: 'kaleyra',
    account: 'acme-kaleyra',
    recipient: '+919812345678',
    content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
  };
  const record = (body: unknown) => ({
    messageId: 'r-1',
    receiptHandle: 'r-1',
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  });
  const id = newMessageId();
  const callback = providerCallback('kaleyra', {
    status: 'delivered',
    providerMessageId: 'K-1',
    messageId: id,
    recipient: '919812345678',
    at: Math.floor(Date.now() / 1000),
    secret: WEBHOOK_TOKEN,
  });
  const webhookPath = '/v1/webhooks/kaleyra/acme-kaleyra';
  return {
    accept: {
      event: http('POST', '/v1/messages', JSON.stringify(request), {
        'content-type': 'application/json',
        authorization: `Bearer ${API_KEY}`,
      }),
      expect: '"statusCode":202',
    },
    status: { event: http('GET', `/v1/messages/${id}`, undefined, { authorization: `Bearer ${API_KEY}` }), expect: '"statusCode":200' },
    sender: {
      event: { Records: [record({ v: 1, id, acceptedAt: new Date().toISOString(), request })] },
      expect: '"batchItemFailures":[]',
    },
    requeue: { event: undefined, expect: '"failed":0' },
    webhook: {
      event: http('POST', webhookPath, callback.body, { 'content-type': 'application/json', ...callback.headers }),
      expect: '"statusCode":200',
    },
    push: {
      event: {
        Records: [record({ v: 1, id, account: 'acme-kaleyra', provider: 'kaleyra', status: 'delivered', at: new Date().toISOString() })],
      },
      expect: '"batchItemFailures":[]',
    },
  };
}

/** The child: imports the bundle, calls its handler once, prints the time and the answer. */
const RUNNER = `
const [bundle, eventFile] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8')).event;
const context = { getRemainingTimeInMillis: () => 30000, functionName: 'bench', awsRequestId: 'bench-1' };
const started = performance.now();
const { handler } = await import(bundle);
const result = await handler(event, context);
const ms = performance.now() - started;
process.stdout.write('\\n' + JSON.stringify({ ms, result }) + '\\n');
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `first_invocation_ms_<function>` for each bundle in `bundles` (function name → its entry module). */
export async function runFirstInvocation(
  bundles: ReadonlyArray<{ name: PipelineFunctionName; file: string }>,
  { label, runs = 5 }: { label: string; runs?: number },
): Promise<Record<string, number>> {
  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const dir = join(REPO_ROOT, '.build', 'bench-first', label);
    mkdirSync(dir, { recursive: true });
    const base = testConfig({ kaleyra: stub });
    const config = {
      ...base,
      accounts: base.accounts.map((account) => (account.id === 'acme-kaleyra' ? { ...account, push: { url: `${stub}/push` } } : account)),
    };
    const secrets = {
      ...testSecrets(),
      webhookSecrets: Object.fromEntries(config.accounts.map((account) => [account.id, [WEBHOOK_TOKEN]])),
      pushSecrets: { 'acme-kaleyra': `whsec_${randomBytes(24).toString('base64')}` },
    };
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ config, secrets }));
    const runner = join(dir, 'runner.mjs');
    writeFileSync(runner, RUNNER);
    const env = {
      PATH: process.env.PATH ?? '',
      WAPK_CONFIG_FILE: configFile,
      TABLE_NAME: 'messages',
      QUEUE_URL: `${stub}/000000000000/send`,
      PUSH_QUEUE_URL: `${stub}/000000000000/push`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_DYNAMODB: stub,
      AWS_ENDPOINT_URL_SQS: stub,
      // Lines at WARN and above only: what a first invocation logs is not what is measured.
      POWERTOOLS_LOG_LEVEL: 'WARN',
    };
    const events = firstEvents();
    const times = new Map<string, number[]>();
    for (let i = 0; i < runs; i++) {
      for (const { name, file } of bundles) {
        const eventFile = join(dir, `${name}.json`);
        writeFileSync(eventFile, JSON.stringify({ event: events[name].event }));
        const { stdout, stderr } = await run(process.execPath, [runner, file, eventFile], { cwd: dir, env });
        const line = stdout.trim().split('\n').at(-1)!;
        const { ms, result } = JSON.parse(line) as { ms: number; result: unknown };
        const answer = JSON.stringify(result);
        if (!answer.includes(events[name].expect)) {
          throw new Error(
            `${label} ${name}: the first invocation answered ${answer.slice(0, 300)}, expected ${events[name].expect}\n${stderr.slice(0, 2000)}`,
          );
        }
        times.set(name, [...(times.get(name) ?? []), ms]);
      }
    }
    return Object.fromEntries([...times].map(([name, values]) => [`first_invocation_ms_${name}`, Math.round(median(values) * 10) / 10]));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
