/**
 * The whole pipeline as one component, for `pulumi up` (infra/index.ts) or another Pulumi program:
 *
 *   HTTP API ─▶ accept ─▶ send queue ─▶ sender ─▶ providers
 *            ─▶ status ─┐         │        │
 *            ─▶ webhook ┤         ▼        ▼
 *   schedule ─▶ requeue ├──▶ messages table ◀─┘
 *                       └──▶ push queue ─▶ push ─▶ the caller
 *
 * Each function gets exactly the table actions and indexes its code uses (table-access.ts), the
 * queues it uses, and the configuration secret.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { RouteName } from '../../src/api/routes.ts';
import { Alarms } from './alarms.ts';
import { ConfigSecret } from './config-secret.ts';
import { functionEntry, type PipelineFunctionName } from './functions.ts';
import { HttpApi, type Throttle } from './http-api.ts';
import { MessagesTable } from './messages-table.ts';
import { NodeFunction, type Statement } from './node-function.ts';
import { PacedQueue } from './paced-queue.ts';
import { FUNCTION_CALLS } from './table-access.ts';

export interface WhatsAppPipelineArgs {
  /** `{config, secrets}` JSON (src/config/pipeline.ts), a Pulumi secret. */
  configDocument: pulumi.Input<string>;
  /**
   * Bump to write the secret again although the configuration did not change. A change of the
   * configuration itself needs no bump: its content hash is the secret's version. @default 1
   */
  configVersion?: number;
  /** Seconds a warm function keeps its copy of the configuration before reading the secret again. @default 300 */
  configMaxAgeSeconds?: number;
  sender?: { batchSize?: number; maximumConcurrency?: number; timeoutSeconds?: number; memoryMb?: number };
  push?: { maximumConcurrency?: number };
  /** @default 30 */
  logRetentionDays?: number;
  /** An existing SNS topic for alarms. Without it, the pipeline creates one. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Addresses subscribed to the created alarm topic (each confirms by email). */
  alarmEmails?: string[];
  /** Throttles per API route, over the defaults (http-api.ts `DEFAULT_ROUTE_THROTTLES`). */
  throttles?: Partial<Record<RouteName, Throttle>>;
  /** @default true */
  tableDeletionProtection?: boolean;
}

/** The API functions' timeout: under the HTTP API's 30 s, so a slow request ends in the function, not in a gateway 503. */
export const API_FUNCTION_TIMEOUT_S = 25;
/** The every-minute re-enqueue: done well within its minute, so runs never overlap. */
export const REQUEUE_TIMEOUT_S = 50;

export class WhatsAppPipeline extends pulumi.ComponentResource {
  readonly table: MessagesTable;
  readonly sendQueue: PacedQueue;
  readonly pushQueue: PacedQueue;
  readonly functions: Record<PipelineFunctionName, NodeFunction>;
  readonly api: HttpApi;
  readonly configSecret: ConfigSecret;
  readonly alarms: Alarms;

  constructor(name: string, args: WhatsAppPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:WhatsAppPipeline', name, {}, opts);
    const parent = { parent: this };
    const logRetentionDays = args.logRetentionDays ?? 30;
    const senderTimeout = args.sender?.timeoutSeconds ?? 30;

    this.table = new MessagesTable(`${name}-messages`, { deletionProtection: args.tableDeletionProtection ?? true }, parent);
    this.configSecret = new ConfigSecret(`${name}-config`, { document: args.configDocument, salt: args.configVersion ?? 1 }, parent);
    // Queues first, so functions get their URLs; each consumer subscribes once it exists.
    this.sendQueue = new PacedQueue(`${name}-send`, { consumerTimeoutSeconds: senderTimeout }, parent);
    this.pushQueue = new PacedQueue(`${name}-push`, { consumerTimeoutSeconds: 30, maxReceiveCount: 8 }, parent);

    const env = {
      TABLE_NAME: this.table.table.name,
      QUEUE_URL: this.sendQueue.queue.url,
      PUSH_QUEUE_URL: this.pushQueue.queue.url,
      WAPK_CONFIG_SECRET_ID: this.configSecret.secret.arn,
      // A new configuration changes this, so every function is updated and its new containers read it.
      CONFIG_VERSION: this.configSecret.version,
      CONFIG_MAX_AGE_S: String(args.configMaxAgeSeconds ?? 300),
    };
    const secret = this.configSecret.readStatements();
    const send = this.sendQueue.sendStatements();
    const push = this.pushQueue.sendStatements();
    const fn = (
      fnName: PipelineFunctionName,
      statements: pulumi.Output<Statement[]>[],
      extra: {
        timeoutSeconds?: number;
        memoryMb?: number;
        reservedConcurrency?: number;
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
          ...(extra.timeoutSeconds ? { timeoutSeconds: extra.timeoutSeconds } : {}),
          ...(extra.memoryMb ? { memoryMb: extra.memoryMb } : {}),
          ...(extra.reservedConcurrency ? { reservedConcurrency: extra.reservedConcurrency } : {}),
          // Not before the configuration they will read is written.
          dependsOn: [this.configSecret.secretVersion],
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
        ...(args.sender?.memoryMb ? { memoryMb: args.sender.memoryMb } : {}),
        // A claim older than the function can run belongs to an invocation that died.
        environment: { SEND_CLAIM_EXPIRY_MS: String((senderTimeout + 30) * 1000) },
      }),
      // One run at a time: a run that overlaps the next would enqueue the same held messages twice.
      requeue: fn('requeue', [send], { timeoutSeconds: REQUEUE_TIMEOUT_S, reservedConcurrency: 1 }),
      webhook: fn('webhook', [push], { timeoutSeconds: API_FUNCTION_TIMEOUT_S }),
      push: fn('push', [this.pushQueue.consumeStatements({ changesVisibility: true })], { timeoutSeconds: 30 }),
    };
    this.sendQueue.subscribe(this.functions.sender, {
      batchSize: args.sender?.batchSize ?? 10,
      maximumConcurrency: args.sender?.maximumConcurrency ?? 2,
    });
    this.pushQueue.subscribe(this.functions.push, { batchSize: 10, maximumConcurrency: args.push?.maximumConcurrency ?? 2 });

    // Every minute: held messages whose time has come go back on the send queue. A run that fails
    // or is late is not retried: the next minute's run does its work.
    const requeue = this.functions.requeue.function;
    const schedule = new aws.cloudwatch.EventRule(`${name}-requeue-schedule`, { scheduleExpression: 'rate(1 minute)' }, parent);
    new aws.cloudwatch.EventTarget(
      `${name}-requeue-target`,
      { rule: schedule.name, arn: requeue.arn, retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } },
      parent,
    );
    new aws.lambda.Permission(
      `${name}-requeue-invoke`,
      { action: 'lambda:InvokeFunction', function: requeue.name, principal: 'events.amazonaws.com', sourceArn: schedule.arn },
      parent,
    );
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-requeue-async`,
      { functionName: requeue.name, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      parent,
    );

    this.api = new HttpApi(
      `${name}-api`,
      {
        functions: { accept: this.functions.accept, status: this.functions.status, webhook: this.functions.webhook },
        logRetentionDays,
        ...(args.throttles ? { throttles: args.throttles } : {}),
      },
      parent,
    );
    this.alarms = new Alarms(
      `${name}-alarms`,
      {
        queues: { send: this.sendQueue, push: this.pushQueue },
        functions: this.functions,
        api: this.api,
        // A failing caller keeps its push for 10 s + 20 s + … + 15 min ≈ 36 min before it is dead-lettered.
        oldestMessageAgeSeconds: { send: 1800, push: 3600 },
        ...(args.alarmTopicArn ? { topicArn: args.alarmTopicArn } : {}),
        ...(args.alarmEmails ? { emails: args.alarmEmails } : {}),
      },
      parent,
    );

    this.registerOutputs({
      apiUrl: this.api.url,
      tableName: this.table.table.name,
      sendQueueUrl: this.sendQueue.queue.url,
      alarmTopicArn: this.alarms.topicArn,
    });
  }
}
