/**
 * The cost run: messages through the local pipeline end to end — accept over HTTP, the send
 * queue, the sender on the event source mapping, the provider mocks, and the simulated
 * sent/delivered/read callbacks through the webhook handler — with the SDK clients and handler
 * entry points counted. Run twice: the project's configuration, and a naive one (the same code
 * with batching and merging switched off: one message per API request, SQS request and sender
 * invocation, and a dedupe record per callback — the naive parts are in bench/naive.ts).
 */
import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../src/api/auth.ts';
import { AccountConfig } from '../src/config/accounts.ts';
import { PipelineConfig, PipelineSecrets } from '../src/config/pipeline.ts';
import { apiHandler } from '../src/functions/api-handler.ts';
import { createApiDeps, type RuntimeEnvironment } from '../src/functions/runtime.ts';
import { requeueDeps, requeueHandler } from '../src/functions/requeue.ts';
import { createSenderDeps, senderHandler } from '../src/functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../src/functions/webhook.ts';
import { createQueue, ensureMessagesTable, startDynamo, startSqs } from '../src/local/aws.ts';
import { startEventSourceMapping } from '../src/local/event-source-mapping.ts';
import { startLocalHttp } from '../src/local/http-server.ts';
import { CallbackSimulator } from '../src/local/simulator.ts';
import { startProviderMock, type ProviderMock } from '../src/mock/provider-mock.ts';
import { SendQueue } from '../src/queue/send-queue.ts';
import { DEFAULT_SWEEP_GRACE_MS } from '../src/scheduler/requeue.ts';
import { functionLog, silentLog, sinkLog, type Log } from '../src/runtime/log.ts';
import { DynamoDBClient, dynamoDBStorage } from '../src/store/dynamodb/index.ts';
import { captureLogs, counted, instrumentDynamo, instrumentSqs, labelStorage, newCounters, type Counters } from './instrument.ts';
import { LOG_EVENT_OVERHEAD_BYTES } from './prices.ts';
import { NaiveSendQueue, naiveWebhookHandler } from './naive.ts';

export interface PipelineRun {
  messages: number;
  counters: Counters;
  /** Accept of the first message to the provider's answer to the last, seconds. */
  sendSeconds: number;
}

const PROVIDERS = ['kaleyra', 'gupshup', 'livechat'] as const;
const CONTENT = {
  kaleyra: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
  gupshup: { kind: 'template', name: 'order_update', language: 'en', body: ['A-17', 'shipped'] },
  livechat: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
} as const;

export async function runPipeline(options: { messages: number; naive: boolean }): Promise<PipelineRun> {
  const counters = newCounters();
  // The functions log through Powertools at the deployed level, as in Lambda; the lines are counted, not shown.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const stopCapture = captureLogs(counters, LOG_EVENT_OVERHEAD_BYTES);
  const dynamo = await startDynamo();
  const sqs = await startSqs();
  const stops: Array<() => Promise<void> | void> = [() => dynamo.close(), () => sqs.close(), stopCapture];
  try {
    await ensureMessagesTable(dynamo.client, 'messages');
    const raw = new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      endpoint: dynamo.endpoint,
    });
    stops.push(() => raw.destroy());
    instrumentDynamo(dynamo.client, counters, raw);
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
    await createQueue(sqs.client, 'send-dlq');
    const queueUrl = await createQueue(sqs.client, 'send', { deadLetterArn: arn('send-dlq'), maxReceiveCount: 5, visibilityTimeoutS: 120 });
    instrumentSqs(sqs.client, counters);

    const apiKey = randomBytes(16).toString('hex');
    const secrets = PipelineSecrets.parse({
      recipientHashKey: randomBytes(32).toString('hex'),
      payloadKey: randomBytes(32).toString('base64'),
      credentials: { 'b-kaleyra': 'key', 'b-gupshup': 'key', 'b-livechat': 'bench:token' },
      webhookSecrets: {
        'b-kaleyra': ['k'.repeat(24)],
        'b-gupshup': ['g'.repeat(24)],
        'b-livechat': [`whsec_${randomBytes(24).toString('base64')}`],
      },
    });
    const http = await startLocalHttp({ functions: {} });
    stops.unshift(() => http.close());
    const simulator = new CallbackSimulator({
      webhookBase: `${http.url}/v1/webhooks`,
      accounts: Object.fromEntries(PROVIDERS.map((p) => [p, { account: `b-${p}`, secret: secrets.webhookSecrets[`b-${p}`]![0]! }])),
      failureRate: 0,
      // The first callback a second after the provider's answer, the next a second apart (as providers send them).
      stepMs: 1000,
    });
    stops.unshift(() => simulator.stop());
    const mocks = new Map<string, ProviderMock>();
    let lastAnswer = 0;
    for (const provider of PROVIDERS) {
      const listener = simulator.listener(provider);
      mocks.set(
        provider,
        await startProviderMock(provider, {
          onAnswered: (answer) => {
            counters.providerCalls++;
            lastAnswer = Date.now();
            listener(answer);
          },
        }),
      );
    }
    stops.unshift(() => Promise.all([...mocks.values()].map((m) => m.close())).then(() => {}));
    const limits = { perSecond: 100_000 };
    const config = PipelineConfig.parse({
      accounts: [
        { id: 'b-kaleyra', provider: 'kaleyra', sid: 'SID', senderNumber: '+919000014497', baseUrl: mocks.get('kaleyra')!.url, limits },
        {
          id: 'b-gupshup',
          provider: 'gupshup',
          source: '919163000003',
          appName: 'Bench',
          baseUrl: mocks.get('gupshup')!.url,
          limits,
          templates: [{ name: 'order_update', language: 'en', providerTemplateId: 't-1', bodyParameters: 2 }],
        },
        { id: 'b-livechat', provider: 'livechat', numberId: '1', baseUrl: mocks.get('livechat')!.url, limits },
      ].map((a) => AccountConfig.parse(a)),
      apiKeys: [{ id: 'bench', sha256: hashApiKey(apiKey), accounts: '*' }],
    });
    const storage = labelStorage(dynamoDBStorage({ client: dynamo.client, tableName: 'messages' }));
    const env: RuntimeEnvironment = { config, secrets, storage, queueUrl, sqs: sqs.client };
    const queue = () => (options.naive ? new NaiveSendQueue(sqs.client, queueUrl) : new SendQueue(sqs.client, queueUrl));
    const apiDeps = { ...createApiDeps(env, { log: functionLog('accept') }), queue: queue() };
    // What the sender did with each message, by outcome line and reason (delays show where writes come from).
    const senderLog = sinkLog((entry) => {
      const what = `${entry.level} ${entry.message}${typeof entry.reason === 'string' ? ` (${entry.reason.replace(/:.*/, '')})` : ''}`;
      counters.outcomes[what] = (counters.outcomes[what] ?? 0) + 1;
    });
    const senderDeps = { ...createSenderDeps(env, { log: tee(functionLog('sender'), senderLog) }), queue: queue() };
    const webhookDeps = createWebhookDeps(env, { log: functionLog('webhook') });
    const accept = counted(
      'accept',
      counters,
      apiHandler('accept', () => apiDeps),
    );
    const webhook = counted(
      'webhook',
      counters,
      options.naive
        ? naiveWebhookHandler({ ...webhookDeps, dynamo: dynamo.client, tableName: 'messages' })
        : webhookHandler(() => webhookDeps),
    );
    // The handlers are served through the local HTTP server: swap them in.
    const serve = await startLocalHttp({ functions: { accept, webhook } });
    stops.unshift(() => serve.close());
    (simulator as unknown as { options: { webhookBase: string } }).options.webhookBase = `${serve.url}/v1/webhooks`;
    const esm = startEventSourceMapping({
      sqs: sqs.client,
      queueUrl,
      queueArn: arn('send'),
      handler: counted(
        'sender',
        counters,
        senderHandler(() => senderDeps),
      ),
      batchSize: options.naive ? 1 : 10,
      maximumConcurrency: 4,
      visibilityTimeoutS: 120,
      functionTimeoutMs: 60_000,
      waitTimeS: 0.5,
      onError: () => {},
    });
    stops.unshift(() => esm.stop());

    const requests = Array.from({ length: options.messages }, (_, i) => {
      const provider = PROVIDERS[i % PROVIDERS.length]!;
      return {
        provider,
        account: `b-${provider}`,
        recipient: `+1415${String(5_000_000 + i).padStart(7, '0')}`,
        content: CONTENT[provider],
      };
    });
    const perRequest = options.naive ? 1 : 100;
    const bodies: unknown[] = [];
    for (let i = 0; i < requests.length; i += perRequest)
      bodies.push(perRequest === 1 ? requests[i] : { messages: requests.slice(i, i + perRequest) });
    const started = Date.now();
    let next = 0;
    const client = async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        counters.apiRequests++;
        const response = await fetch(`${serve.url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (response.status !== 202) throw new Error(`accept answered ${response.status}: ${await response.text()}`);
      }
    };
    await Promise.all(Array.from({ length: options.naive ? 16 : 2 }, client));
    // Each message gets sent, delivered and read (Gupshup also enqueued).
    const expected = requests.reduce((sum, r) => sum + (r.provider === 'gupshup' ? 4 : 3), 0);
    while (simulator.delivered < expected) await new Promise((resolve) => setTimeout(resolve, 200));
    await esm.idle();
    // The sweeper, as if it ran a grace later: it looks at every message of the run once, by its
    // creation time (its requests are a per-message cost; its runs, once a minute, are not).
    const grace = DEFAULT_SWEEP_GRACE_MS;
    const sweeper = counted(
      'requeue',
      counters,
      requeueHandler(() => ({ ...requeueDeps(env), queue: queue(), now: () => new Date(Date.now() + grace + 1000) }), { log: silentLog }),
    );
    await sweeper();
    counters.invocations.requeue = 0; // once a minute whatever the traffic: not a per-message cost
    return { messages: options.messages, counters, sendSeconds: (lastAnswer - started) / 1000 };
  } finally {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => {});
  }
}

/** A log that writes each line to both. */
function tee(a: Log, b: Log): Log {
  const both =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      a[level](message, fields);
      b[level](message, fields);
    };
  return { debug: both('debug'), info: both('info'), warn: both('warn'), error: both('error'), with: (f) => tee(a.with(f), b.with(f)) };
}
