/**
 * Our side of the local stack (stack.ts has the whole picture): the local DynamoDB table (in this
 * process, journalled to disk: dynamo/), local-aws-sqs for the queues, the
 * accept/status/webhook handlers behind one HTTP server, the sender and push handlers on the
 * local event source mapping, and the scheduled re-enqueue — the same handler code that runs in
 * Lambda. The emulators and the HTTP server start together; the handlers are bound once the
 * providers' mocks listen (their URLs are the accounts' base URLs).
 */
import { AccountConfig } from '../config/accounts.ts';
import { parseConfigDocument } from '../config/pipeline.ts';
import { apiHandler } from '../functions/api-handler.ts';
import { createPushDeps, pushHandler } from '../functions/push.ts';
import { requeueDeps } from '../functions/requeue.ts';
import { createApiDeps, type RuntimeEnvironment } from '../functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../functions/webhook.ts';
import type { ProviderName } from '../providers/names.ts';
import { sinkLog } from '../runtime/log.ts';
import { DEFAULT_SWEEP_GRACE_MS, requeueDue } from '../scheduler/requeue.ts';
import { dynamoDBStorage } from '../store/dynamodb/index.ts';
import { createQueue, ensureMessagesTable, startSqs } from './aws.ts';
import { startLocalTables } from './dynamo/service.ts';
import { DRIFT_MESSAGE, driftLine } from './drift-line.ts';
import { startEventSourceMapping, type EventSourceMapping } from './event-source-mapping.ts';
import type { LocalHome } from './home.ts';
import { startLocalHttp } from './http-server.ts';
import { listenOrExplain, type LocalPorts } from './ports.ts';
import type { ProviderThread } from './provider-thread.ts';
import type { LocalFile, LocalStackOptions } from './stack.ts';

export interface LocalPipelineOptions
  extends Pick<LocalStackOptions, 'sweepGraceMs' | 'sweepIntervalMs' | 'senderTimeoutMs' | 'senderConcurrency' | 'slotLeadMs'> {
  home: LocalHome;
  ports: LocalPorts;
  local: LocalFile;
  providers: ProviderThread;
  failureRate: number;
  log(line: string): void;
}

export interface LocalPipeline {
  /** What `state.json` tells (with the stack's own fields). */
  state: {
    apiUrl: string;
    webhookBase: string;
    mocks: Record<ProviderName, string>;
    dynamoEndpoint: string;
    sqsEndpoint: string;
    queueUrl: string;
    deadLetterUrl: string;
    pushQueueUrl: string;
    pushDeadLetterUrl: string;
  };
  accountsByProvider: Partial<Record<ProviderName, string>>;
  stop(): Promise<void>;
}

/**
 * The local sender's invocations in flight: more than the deployed 2 (infra: a campaign needs
 * more, docs/operations.md), so that sends overlap each batch's waits for its slots; the pacing
 * and the claims, in DynamoDB, keep every limit and the one call per message whatever the
 * concurrency. Each invocation of 10 records takes about two slot leads and two provider calls
 * (≈ 0.4 s): 4 capped the stack near 90 messages/s once the local table made the CPU cheap; 8
 * went at 120–156/s on a shared 2-core machine (load average 4–5) where 16 went at 91–125/s, its
 * busier event loop making calls miss their slots (75–239 messages put back per 3,000, 2–23 at 8).
 * At a load average of about 3, 12 went at 105–187/s and 8 at 114–154/s: too noisy to choose, and
 * 8 × 10 records a 0.4 s invocation is itself about 200/s. On the quiet machine (load average
 * 1–1.7, `BENCH_ONLY=local-e2e`, 3,000 messages) 8 went at 173–175/s, 12 at 195–203/s (three runs)
 * and 16 at 196/s: 12.
 */
export const LOCAL_SENDER_CONCURRENCY = 12;
/**
 * The sender's slot lead here (`slotLeadMs`, AWS's default 25 ms: two conditional writes at
 * DynamoDB's latency). Chosen when a local write took several times that (dynalite on disk,
 * everything on two cores): a claim that ends past its slot (+ δ) retakes later slots and, after
 * three, puts its message back on the queue — with 25 ms a fifth of the messages went round again
 * on a loaded machine. The local table writes in microseconds now, but a busy event loop still
 * wakes timers late; 50 ms measured no better than 150 on the shared machine (75–133 against
 * 87–91 messages/s, too noisy to choose). 150 ms is the wait before a send on an idle account; it
 * changes no limit.
 */
export const LOCAL_SLOT_LEAD_MS = 150;

type QueueName = 'deadLetterUrl' | 'queueUrl' | 'pushDeadLetterUrl' | 'pushQueueUrl';
const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { home, ports, local, log } = options;
  const parsed = parseConfigDocument({ config: local.config, secrets: local.secrets }, home.configFile);
  const stoppers: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const fn of stoppers.splice(0).reverse()) await Promise.resolve(fn()).catch(() => {});
  };
  /** Keeps what started, so that it is stopped again if anything else fails. */
  const started = <T extends { close(): Promise<void> }>(service: Promise<T>) =>
    service.then((running) => {
      stoppers.push(() => running.close());
      return running;
    });
  // Handlers are bound once everything exists; the HTTP server listens before (the providers need its URL).
  const handlers: Record<string, Parameters<typeof startLocalHttp>[0]['functions'][string]> = {};
  try {
    const results = await Promise.allSettled([
      started(
        listenOrExplain('the local API', ports.http, () =>
          startLocalHttp(
            { functions: { accept: (e) => handlers.accept!(e), status: (e) => handlers.status!(e), webhook: (e) => handlers.webhook!(e) } },
            { port: ports.http },
          ),
        ),
      ),
      // The table in this process (src/local/dynamo/): the repositories' requests are answered
      // without HTTP or serialization, every change journalled under the home before it is answered.
      started(
        listenOrExplain('DynamoDB (the local table)', ports.dynamo, () =>
          startLocalTables({ port: ports.dynamo, dir: home.dynamoDir, log }),
        ),
      ).then(async (service) => {
        await ensureMessagesTable(service.client, 'messages');
        return service;
      }),
      started(listenOrExplain('SQS (local-aws-sqs)', ports.sqs, () => startSqs({ port: ports.sqs }))).then(async (service) => {
        const dlqs = ['send-dlq', 'push-dlq'].map((name) => createQueue(service.client, name));
        const [deadLetterUrl, pushDeadLetterUrl] = await Promise.all(dlqs);
        const [queueUrl, pushQueueUrl] = await Promise.all([
          createQueue(service.client, 'send', { deadLetterArn: arn('send-dlq'), maxReceiveCount: 5, visibilityTimeoutS: 180 }),
          createQueue(service.client, 'push', { deadLetterArn: arn('push-dlq'), maxReceiveCount: 8, visibilityTimeoutS: 60 }),
        ]);
        return { service, deadLetterUrl, queueUrl, pushDeadLetterUrl, pushQueueUrl };
      }),
      options.providers.ready,
    ] as const);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [http, dynamo, queues, mocks] = results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [
      Awaited<ReturnType<typeof startLocalHttp>>,
      Awaited<ReturnType<typeof startLocalTables>>,
      { service: Awaited<ReturnType<typeof startSqs>> } & Record<QueueName, string>,
      Record<ProviderName, string>,
    ];
    const sqs = queues.service;
    const webhookBase = `${http.url}/v1/webhooks`;

    // Every account talks to its provider's local mock.
    const accounts = parsed.config.accounts.map((account) => AccountConfig.parse({ ...account, baseUrl: mocks[account.provider] }));
    const env: RuntimeEnvironment = {
      config: { ...parsed.config, accounts },
      secrets: parsed.secrets,
      storage: dynamoDBStorage({ client: dynamo.client, tableName: 'messages' }),
      queueUrl: queues.queueUrl,
      pushQueueUrl: queues.pushQueueUrl,
      sqs: sqs.client,
      sweepGraceMs: options.sweepGraceMs ?? DEFAULT_SWEEP_GRACE_MS,
    };
    const senderTimeoutMs = options.senderTimeoutMs ?? 30_000;
    const callTimeoutMs = Math.min(10_000, Math.floor(senderTimeoutMs / 3));
    // The handlers' log lines, in the terminal: errors, and callbacks that drift from their spec, on one line each.
    const quiet = {
      log: sinkLog(({ level, message, ...fields }) => {
        if (level === 'error') log(`${message}: ${JSON.stringify(fields)}`);
        else if (message === DRIFT_MESSAGE) log(driftLine(fields));
      }),
    };
    handlers.accept = apiHandler('accept', () => createApiDeps(env, quiet), quiet);
    handlers.status = apiHandler('status', () => createApiDeps(env, quiet), quiet);
    handlers.webhook = webhookHandler(() => createWebhookDeps(env, quiet), quiet);
    options.providers.connect({
      webhookBase,
      accounts: Object.fromEntries(
        parsed.config.accounts.flatMap((a) => {
          const secret = parsed.secrets.webhookSecrets[a.id]?.[0];
          return secret ? [[a.provider, { account: a.id, secret }]] : [];
        }),
      ),
      failureRate: options.failureRate,
    });

    const mappings: EventSourceMapping[] = [
      startEventSourceMapping({
        sqs: sqs.client,
        queueUrl: queues.queueUrl,
        queueArn: arn('send'),
        // A timed-out invocation is abandoned here, not killed: its claims outlive it by a margin.
        handler: senderHandler(() =>
          createSenderDeps(env, {
            ...quiet,
            claimExpiryMs: 2 * senderTimeoutMs,
            callTimeoutMs,
            slotLeadMs: options.slotLeadMs ?? LOCAL_SLOT_LEAD_MS,
          }),
        ),
        batchSize: 10,
        maximumConcurrency: options.senderConcurrency ?? LOCAL_SENDER_CONCURRENCY,
        visibilityTimeoutS: 180,
        functionTimeoutMs: senderTimeoutMs,
        // An idle stack polls at most ~3 times a second per poller, not 20: the machine stays free.
        maxIdlePollMs: 300,
        onError: (e) => log(`sender: ${(e as Error).message}`),
      }),
      startEventSourceMapping({
        sqs: sqs.client,
        queueUrl: queues.pushQueueUrl,
        queueArn: arn('push'),
        handler: pushHandler(() => createPushDeps(env), quiet),
        batchSize: 10,
        maximumConcurrency: 2,
        visibilityTimeoutS: 60,
        functionTimeoutMs: 30_000,
        maxIdlePollMs: 1000,
        onError: (e) => log(`push: ${(e as Error).message}`),
      }),
    ];
    stoppers.push(() => Promise.all(mappings.map((m) => m.stop())).then(() => {}));

    // The sweeper, as deployed: at start (after a crash the in-memory queue is empty, and what it
    // held comes back from the table) and then every interval, one run at a time.
    const requeue = requeueDeps(env);
    let sweeping: Promise<void> | undefined;
    const tick = () => {
      sweeping ??= requeueDue(requeue)
        .then(
          () => {},
          (error: unknown) => log(`requeue: ${(error as Error).message}`),
        )
        .finally(() => (sweeping = undefined));
    };
    tick();
    const timer = setInterval(tick, options.sweepIntervalMs ?? 60_000);
    stoppers.push(async () => {
      clearInterval(timer);
      await sweeping;
    });

    return {
      state: {
        apiUrl: http.url,
        webhookBase,
        mocks,
        dynamoEndpoint: dynamo.endpoint,
        sqsEndpoint: sqs.endpoint,
        queueUrl: queues.queueUrl,
        deadLetterUrl: queues.deadLetterUrl,
        pushQueueUrl: queues.pushQueueUrl,
        pushDeadLetterUrl: queues.pushDeadLetterUrl,
      },
      accountsByProvider: Object.fromEntries(parsed.config.accounts.map((account) => [account.provider, account.id])),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
