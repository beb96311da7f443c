/**
 * The whole pipeline as one component, for `pulumi up` (infra/index.ts) or another Pulumi program:
 *
 *   HTTP API ─▶ accept ─▶ send queue ─▶ sender ─▶ providers
 *            ─▶ status ─┐         │        │         │ callbacks
 *   function URL ─▶ webhook ◀────────────────────────┘
 *   schedule ─▶ requeue ├──▶ messages table ◀─┘
 *                       └──▶ push queue ─▶ push ─▶ the caller
 *
 * Callers come through the HTTP API; providers' callbacks through the webhook function's own URL
 * (src/api/routes.ts `entry`: no API request to pay for each), bounded by its reserved concurrency.
 *
 * Each function gets exactly the table actions and indexes its code uses (table-access.ts), the
 * queues it uses, and the configuration secret.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { HttpApiRouteName } from '../../src/api/routes.ts';
import { CALLING_BACK_PROVIDERS } from '../../src/providers/index.ts';
import { PROVIDERS } from '../../src/providers/names.ts';
import { Alarms, type AlarmsArgs } from './alarms.ts';
import { ConfigSecret, type ConfigSecretArgs } from './config-secret.ts';
import { FunctionUrlEntry, type FunctionUrlEntryArgs } from './function-url.ts';
import { functionEntry, type PipelineFunctionName } from './functions.ts';
import { HttpApi, type HttpApiArgs, type Throttle } from './http-api.ts';
import { MessagesTable, type MessagesTableArgs } from './messages-table.ts';
import { NodeFunction, type NodeFunctionArgs, type Statement } from './node-function.ts';
import { PacedQueue, type PacedQueueArgs } from './paced-queue.ts';
import { FUNCTION_CALLS } from './table-access.ts';
import { chain, transform, type Transform } from './transform.ts';

export interface WhatsAppPipelineArgs {
  /**
   * The configuration and secrets the functions read: `{config, secrets}` JSON
   * (src/config/pipeline.ts), a Pulumi secret. Written write-only to one Secrets Manager secret;
   * a change reaches the functions by its content hash (`CONFIG_VERSION`).
   * @example
   * ```ts
   * { configDocument: new pulumi.Config().requireSecret('waConfig') }
   * ```
   */
  configDocument: pulumi.Input<string>;
  /**
   * Bump to write the secret again although the configuration did not change (e.g. after it was
   * edited by hand). A change of the configuration itself needs no bump: its content hash is the
   * secret's version.
   * @default `1`
   * @example
   * ```ts
   * { configVersion: 2 }
   * ```
   */
  configVersion?: pulumi.Input<number>;
  /**
   * Seconds a warm function keeps its copy of the configuration before reading the secret again
   * (`CONFIG_MAX_AGE_S`): how long a key revoked by editing the secret by hand still works.
   * @default `300`
   * @example
   * ```ts
   * { configMaxAgeSeconds: 60 }
   * ```
   */
  configMaxAgeSeconds?: pulumi.Input<number>;
  /** The sender: the send queue's consumer, which paces and sends each message to its provider. */
  sender?: {
    /**
     * Messages per sender invocation (1–10; up to 10,000 with a batching window of at least 1 s).
     * docs/operations.md, "Sizing the sender", says how to choose it with the concurrency.
     * @default `100`
     * @example
     * ```ts
     * { sender: { batchSize: 50 } }
     * ```
     */
    batchSize?: pulumi.Input<number>;
    /**
     * Seconds the send queue's event source mapping may gather a batch before invoking the sender
     * (0–300; at least 1 for a batch over 10). A plain number: the send queue's visibility timeout
     * covers it. With a backlog, batches fill at once; it delays only a trickle, by at most this.
     * @default `1`
     * @example
     * ```ts
     * { sender: { maximumBatchingWindowSeconds: 0, batchSize: 10 } }
     * ```
     */
    maximumBatchingWindowSeconds?: number;
    /**
     * At most this many sender invocations at once (≥ 2, Lambda's minimum): with the pacer, what
     * bounds the send rate (16 with batches of 100 fill four numbers at 80/s against providers
     * answering in 300 ms at the median: docs/operations.md, "Sizing the sender"). A plain number:
     * checked when the consumer is subscribed.
     * @default `16`
     * @example
     * ```ts
     * { sender: { maximumConcurrency: 4 } }
     * ```
     */
    maximumConcurrency?: number;
    /**
     * Seconds a sender invocation may run. A plain number: the send queue's visibility timeout
     * (six times it) and the sender's claim expiry (it + 30 s) follow from it, so change it here,
     * not with a transform.
     * @default `30`
     * @example
     * ```ts
     * { sender: { timeoutSeconds: 60 } }
     * ```
     */
    timeoutSeconds?: number;
    /**
     * The sender's memory in MB (and its share of a vCPU: a full one at 1,769 MB). The sender mostly
     * waits; 256 MB leaves its CPU room at a campaign's pace (docs/operations.md, "Sizing the sender").
     * @default `256`
     * @example
     * ```ts
     * { sender: { memoryMb: 1024 } }
     * ```
     */
    memoryMb?: pulumi.Input<number>;
  };
  /** The webhook function: the providers' status callbacks, by its own function URL. */
  webhook?: {
    /**
     * Concurrent invocations reserved for it, and its most: the function URL's flood guard (beyond
     * it Lambda answers 429 and providers retry). A callback takes a few table operations (tens of
     * milliseconds), so 10 take several hundred callbacks a second.
     * @default `10`
     * @example
     * ```ts
     * { webhook: { reservedConcurrency: 25 } }
     * ```
     */
    reservedConcurrency?: pulumi.Input<number>;
  };
  /** The push function: the push queue's consumer, which delivers status changes to the callers. */
  push?: {
    /**
     * At most this many push invocations at once (≥ 2, Lambda's minimum). A plain number: checked
     * when the consumer is subscribed.
     * @default `2`
     * @example
     * ```ts
     * { push: { maximumConcurrency: 10 } }
     * ```
     */
    maximumConcurrency?: number;
  };
  /**
   * Days every function's logs and the API's access log are kept (a value CloudWatch accepts: 1,
   * 3, 5, 7, 14, 30, 60, 90…).
   * @default `30`
   * @example
   * ```ts
   * { logRetentionDays: 90 }
   * ```
   */
  logRetentionDays?: pulumi.Input<number>;
  /**
   * An existing SNS topic for the alarms. Without it, the pipeline creates one (and subscribes
   * `alarmEmails` to it).
   * @default a new topic
   * @example
   * ```ts
   * { alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }
   * ```
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * Addresses subscribed to the created alarm topic (each confirms by email). Plain strings:
   * each is its own subscription.
   * @default `[]`: the alarms reach nobody until someone subscribes
   * @example
   * ```ts
   * { alarmEmails: ['oncall@example.com'] }
   * ```
   */
  alarmEmails?: string[];
  /**
   * Throttles per API route name, over the defaults (http-api.ts `DEFAULT_ROUTE_THROTTLES`); the
   * callbacks' routes are not the API's (see `webhook.reservedConcurrency`).
   * @default `DEFAULT_ROUTE_THROTTLES`: sends 100/s (burst 200), reads 50/s (burst 100)…
   * @example
   * ```ts
   * { throttles: { sendMessages: { rate: 300, burst: 600 } } }
   * ```
   */
  throttles?: pulumi.Input<Partial<Record<HttpApiRouteName, Throttle>>>;
  /**
   * Refuse to delete the messages table until this is turned off.
   * @default `true`
   * @example
   * ```ts
   * { tableDeletionProtection: false } // a throwaway test stack
   * ```
   */
  tableDeletionProtection?: pulumi.Input<boolean>;
  /**
   * Changes to the underlying resources' arguments, passed down to each component (each one's
   * `transform`: a partial merged over a resource's arguments, or a callback that changes them;
   * transform.ts). `functions.all` applies to every function, then `functions.<name>` to that one.
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     table: { table: { tags: { backup: 'daily' } } },
   *     sendQueue: { queue: { kmsMasterKeyId: key.arn, sqsManagedSseEnabled: false } },
   *     functions: {
   *       all: { function: { tracingConfig: { mode: 'Active' } } },
   *       sender: {
   *         function: (args) => {
   *           args.vpcConfig = { subnetIds, securityGroupIds };
   *         },
   *       },
   *     },
   *   },
   * }
   * ```
   */
  transform?: {
    /** The messages table ({@link MessagesTableArgs.transform}). */
    table?: MessagesTableArgs['transform'];
    /** The configuration secret ({@link ConfigSecretArgs.transform}). */
    configSecret?: ConfigSecretArgs['transform'];
    /** The send queue, its dead-letter queue and the sender's event source mapping ({@link PacedQueueArgs.transform}). */
    sendQueue?: PacedQueueArgs['transform'];
    /** The push queue, its dead-letter queue and the push function's event source mapping. */
    pushQueue?: PacedQueueArgs['transform'];
    /** The functions ({@link NodeFunctionArgs.transform}): `all` for every one, then one by name. */
    functions?: Partial<Record<PipelineFunctionName | 'all', NodeFunctionArgs['transform']>>;
    /** The HTTP API, its routes, integrations, stage and access log ({@link HttpApiArgs.transform}). */
    api?: HttpApiArgs['transform'];
    /** The webhook function's URL and its permissions ({@link FunctionUrlEntryArgs.transform}). */
    webhookUrl?: FunctionUrlEntryArgs['transform'];
    /** The alarms, their topic, subscriptions and metric filters ({@link AlarmsArgs.transform}). */
    alarms?: AlarmsArgs['transform'];
    /** The every-minute schedule of the requeue function (`aws.cloudwatch.EventRule`). */
    requeueSchedule?: Transform<aws.cloudwatch.EventRuleArgs>;
    /** The schedule's target, the requeue function, never retried (`aws.cloudwatch.EventTarget`). */
    requeueTarget?: Transform<aws.cloudwatch.EventTargetArgs>;
    /** EventBridge's permission to invoke the requeue function (`aws.lambda.Permission`). */
    requeuePermission?: Transform<aws.lambda.PermissionArgs>;
    /** The requeue function's asynchronous invocation settings: no retries (`aws.lambda.FunctionEventInvokeConfig`). */
    requeueInvokeConfig?: Transform<aws.lambda.FunctionEventInvokeConfigArgs>;
  };
}

/** The API functions' timeout: under the HTTP API's 30 s, so a slow request ends in the function, not in a gateway 503. */
export const API_FUNCTION_TIMEOUT_S = 25;
/** The webhook function's reserved concurrency by default: its function URL's flood guard. */
export const DEFAULT_WEBHOOK_CONCURRENCY = 10;
/** The every-minute re-enqueue: done well within its minute, so runs never overlap. */
export const REQUEUE_TIMEOUT_S = 50;
/**
 * The sender's settings when `sender` leaves them out: its event source mapping's batch size,
 * batching window and concurrency cap, its timeout and memory — sized for a campaign over four
 * numbers at Meta's 80/s with providers answering in 300 ms at the median (p99 1.5 s). By Little's
 * law an invocation of 100 takes about 5 s there (each number's first record alone, then 25 slots
 * lined up behind the other invocations', then the slowest answer), so 313 sends/s need
 * 313 × 5 ÷ 100 ≈ 16 invocations, and cost 0.25 GB × 16 ÷ 313 ≈ 0.013 GB-s a message.
 * bench/campaign.ts runs with these (docs/operations.md, "Sizing the sender").
 */
export const SENDER_DEFAULTS = {
  batchSize: 100,
  maximumBatchingWindowSeconds: 1,
  maximumConcurrency: 16,
  timeoutSeconds: 30,
  memoryMb: 256,
} as const;

export class WhatsAppPipeline extends pulumi.ComponentResource {
  readonly table: MessagesTable;
  readonly sendQueue: PacedQueue;
  readonly pushQueue: PacedQueue;
  readonly functions: Record<PipelineFunctionName, NodeFunction>;
  readonly api: HttpApi;
  /** The webhook function's URL: where providers send their callbacks. */
  readonly webhookUrl: FunctionUrlEntry;
  readonly configSecret: ConfigSecret;
  readonly alarms: Alarms;

  constructor(name: string, args: WhatsAppPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:WhatsAppPipeline', name, {}, opts);
    const parent = { parent: this };
    const change = args.transform ?? {};
    const logRetentionDays = args.logRetentionDays ?? 30;
    const senderTimeout = args.sender?.timeoutSeconds ?? SENDER_DEFAULTS.timeoutSeconds;

    this.table = new MessagesTable(
      `${name}-messages`,
      { deletionProtection: args.tableDeletionProtection ?? true, transform: change.table },
      parent,
    );
    this.configSecret = new ConfigSecret(
      `${name}-config`,
      { document: args.configDocument, salt: args.configVersion ?? 1, transform: change.configSecret },
      parent,
    );
    // Queues first, so functions get their URLs; each consumer subscribes once it exists.
    const senderWindow = args.sender?.maximumBatchingWindowSeconds ?? SENDER_DEFAULTS.maximumBatchingWindowSeconds;
    this.sendQueue = new PacedQueue(
      `${name}-send`,
      { consumerTimeoutSeconds: senderTimeout, batchingWindowSeconds: senderWindow, transform: change.sendQueue },
      parent,
    );
    this.pushQueue = new PacedQueue(
      `${name}-push`,
      { consumerTimeoutSeconds: 30, maxReceiveCount: 8, transform: change.pushQueue },
      parent,
    );

    const env = {
      TABLE_NAME: this.table.table.name,
      QUEUE_URL: this.sendQueue.queue.url,
      PUSH_QUEUE_URL: this.pushQueue.queue.url,
      WAPK_CONFIG_SECRET_ID: this.configSecret.secret.arn,
      // A new configuration changes this, so every function is updated and its new containers read it.
      CONFIG_VERSION: this.configSecret.version,
      CONFIG_MAX_AGE_S: pulumi.output(args.configMaxAgeSeconds ?? 300).apply(String),
    };
    const secret = this.configSecret.readStatements();
    const send = this.sendQueue.sendStatements();
    const push = this.pushQueue.sendStatements();
    // Every function's transform, then this one's, resource by resource.
    const functionTransform = (fnName: PipelineFunctionName): NodeFunctionArgs['transform'] => {
      const all = change.functions?.all;
      const one = change.functions?.[fnName];
      return {
        function: chain(all?.function, one?.function),
        role: chain(all?.role, one?.role),
        policy: chain(all?.policy, one?.policy),
        logGroup: chain(all?.logGroup, one?.logGroup),
      };
    };
    const fn = (
      fnName: PipelineFunctionName,
      statements: pulumi.Output<Statement[]>[],
      extra: Pick<NodeFunctionArgs, 'timeoutSeconds' | 'memoryMb' | 'reservedConcurrency'> & {
        environment?: Record<string, pulumi.Input<string>>;
      } = {},
    ) =>
      new NodeFunction(
        `${name}-${fnName}`,
        {
          entry: functionEntry(fnName),
          statements: pulumi.all([this.table.statements(FUNCTION_CALLS[fnName]), ...statements, secret]).apply((lists) => lists.flat()),
          logRetentionDays,
          environment: { ...env, ...extra.environment },
          ...(extra.timeoutSeconds !== undefined ? { timeoutSeconds: extra.timeoutSeconds } : {}),
          ...(extra.memoryMb !== undefined ? { memoryMb: extra.memoryMb } : {}),
          ...(extra.reservedConcurrency !== undefined ? { reservedConcurrency: extra.reservedConcurrency } : {}),
          // Not before the configuration they will read is written.
          dependsOn: [this.configSecret.secretVersion],
          transform: functionTransform(fnName),
        },
        parent,
      );

    this.functions = {
      accept: fn('accept', [send], { timeoutSeconds: API_FUNCTION_TIMEOUT_S }),
      // Cancels and resolves are status changes: pushed to callers like the others. `send`:
      // lifting a pause puts the account's held messages back on the send queue at once.
      status: fn('status', [send, push], { timeoutSeconds: API_FUNCTION_TIMEOUT_S }),
      sender: fn('sender', [this.sendQueue.consumeStatements(), send, push], {
        timeoutSeconds: senderTimeout,
        memoryMb: args.sender?.memoryMb ?? SENDER_DEFAULTS.memoryMb,
        // A claim older than the function can run belongs to an invocation that died.
        environment: { SEND_CLAIM_EXPIRY_MS: String((senderTimeout + 30) * 1000) },
      }),
      // One run at a time: a run that overlaps the next would enqueue the same held messages twice.
      requeue: fn('requeue', [send], { timeoutSeconds: REQUEUE_TIMEOUT_S, reservedConcurrency: 1 }),
      // Its function URL's flood guard: at most this many at once, and always that many available.
      webhook: fn('webhook', [push], {
        timeoutSeconds: API_FUNCTION_TIMEOUT_S,
        reservedConcurrency: args.webhook?.reservedConcurrency ?? DEFAULT_WEBHOOK_CONCURRENCY,
      }),
      push: fn('push', [this.pushQueue.consumeStatements({ changesVisibility: true })], { timeoutSeconds: 30 }),
    };
    this.sendQueue.subscribe(this.functions.sender, {
      batchSize: args.sender?.batchSize ?? SENDER_DEFAULTS.batchSize,
      maximumBatchingWindowSeconds: senderWindow,
      maximumConcurrency: args.sender?.maximumConcurrency ?? SENDER_DEFAULTS.maximumConcurrency,
    });
    this.pushQueue.subscribe(this.functions.push, { batchSize: 10, maximumConcurrency: args.push?.maximumConcurrency ?? 2 });

    // Every minute: held messages whose time has come go back on the send queue. A run that fails
    // or is late is not retried: the next minute's run does its work.
    const requeue = this.functions.requeue.function;
    const schedule = new aws.cloudwatch.EventRule(
      ...transform(change.requeueSchedule, `${name}-requeue-schedule`, { scheduleExpression: 'rate(1 minute)' }, { parent: this }),
    );
    new aws.cloudwatch.EventTarget(
      ...transform(
        change.requeueTarget,
        `${name}-requeue-target`,
        { rule: schedule.name, arn: requeue.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } },
        { parent: this },
      ),
    );
    new aws.lambda.Permission(
      ...transform(
        change.requeuePermission,
        `${name}-requeue-invoke`,
        { action: 'lambda:InvokeFunction', function: requeue.name, principal: 'events.amazonaws.com', sourceArn: schedule.arn },
        { parent: this },
      ),
    );
    new aws.lambda.FunctionEventInvokeConfig(
      ...transform(
        change.requeueInvokeConfig,
        `${name}-requeue-async`,
        { functionName: requeue.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
        { parent: this },
      ),
    );

    this.api = new HttpApi(
      `${name}-api`,
      {
        functions: { accept: this.functions.accept, status: this.functions.status },
        logRetentionDays,
        ...(args.throttles ? { throttles: args.throttles } : {}),
        transform: change.api,
      },
      parent,
    );
    this.webhookUrl = new FunctionUrlEntry(
      `${name}-webhook-url`,
      { function: this.functions.webhook, transform: change.webhookUrl },
      parent,
    );
    this.alarms = new Alarms(
      `${name}-alarms`,
      {
        queues: { send: this.sendQueue, push: this.pushQueue },
        functions: this.functions,
        // Every provider that calls back: an alarm costs little, and a stack's accounts are in its secret.
        callbackDrift: { function: this.functions.webhook, providers: CALLING_BACK_PROVIDERS },
        crossAccountCallbacks: { function: this.functions.webhook, providers: CALLING_BACK_PROVIDERS },
        // Any provider can be a route that refuses: every failover is told, by the provider that refused.
        failovers: { function: this.functions.sender, providers: PROVIDERS },
        api: this.api,
        // A failing caller keeps its push for 10 s + 20 s + … + 15 min ≈ 36 min before it is dead-lettered.
        oldestMessageAgeSeconds: { send: 1800, push: 3600 },
        ...(args.alarmTopicArn ? { topicArn: args.alarmTopicArn } : {}),
        ...(args.alarmEmails ? { emails: args.alarmEmails } : {}),
        transform: change.alarms,
      },
      parent,
    );

    this.registerOutputs({
      apiUrl: this.api.url,
      webhookUrl: this.webhookUrl.url,
      tableName: this.table.table.name,
      sendQueueUrl: this.sendQueue.queue.url,
      alarmTopicArn: this.alarms.topicArn,
    });
  }
}
