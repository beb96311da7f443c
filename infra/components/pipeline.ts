/**
 * The whole pipeline as one component, for `pulumi up` (infra/index.ts) or another Pulumi program:
 *
 *   HTTP API ─▶ accept ─▶ send queue ─▶ sender ─▶ providers
 *            ─▶ status            │        │
 *            ─▶ webhook ─┐        ▼        ▼
 *   schedule ─▶ requeue  ├──▶ messages table ◀─┘
 *                        └──▶ push queue ─▶ push ─▶ the caller
 *
 * Each function gets only the table actions, queues and the configuration secret it uses.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import { Alarms } from './alarms.ts';
import { ConfigSecret } from './config-secret.ts';
import { HttpApi } from './http-api.ts';
import { MessagesTable } from './messages-table.ts';
import { NodeFunction, type Statement } from './node-function.ts';
import { PacedQueue } from './paced-queue.ts';

export interface WhatsAppPipelineArgs {
  /** `{config, secrets}` JSON (src/config/pipeline.ts), a Pulumi secret. */
  configDocument: pulumi.Input<string>;
  /** Bump when the configuration changes, to write the secret again. @default 1 */
  configVersion?: number;
  sender?: { batchSize?: number; maximumConcurrency?: number; timeoutSeconds?: number; memoryMb?: number };
  push?: { maximumConcurrency?: number };
  /** @default 30 */
  logRetentionDays?: number;
  /** SNS topic for alarms. */
  alarmTopicArn?: pulumi.Input<string>;
  /** @default true */
  tableDeletionProtection?: boolean;
}

const READ = ['GetItem', 'BatchGetItem', 'Query'];
const WRITE = ['PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem'];

export class WhatsAppPipeline extends pulumi.ComponentResource {
  readonly table: MessagesTable;
  readonly sendQueue: PacedQueue;
  readonly pushQueue: PacedQueue;
  readonly functions: Record<'accept' | 'status' | 'sender' | 'requeue' | 'webhook' | 'push', NodeFunction>;
  readonly api: HttpApi;
  readonly configSecret: ConfigSecret;

  constructor(name: string, args: WhatsAppPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:WhatsAppPipeline', name, {}, opts);
    const parent = { parent: this };
    const logRetentionDays = args.logRetentionDays ?? 30;
    const senderTimeout = args.sender?.timeoutSeconds ?? 30;

    this.table = new MessagesTable(`${name}-messages`, { deletionProtection: args.tableDeletionProtection ?? true }, parent);
    this.configSecret = new ConfigSecret(`${name}-config`, { document: args.configDocument, version: args.configVersion ?? 1 }, parent);
    // Queues first, so functions get their URLs; each consumer subscribes once it exists.
    this.sendQueue = new PacedQueue(`${name}-send`, { consumerTimeoutSeconds: senderTimeout }, parent);
    this.pushQueue = new PacedQueue(`${name}-push`, { consumerTimeoutSeconds: 30, maxReceiveCount: 8 }, parent);
    const sendRefs = this.sendQueue;
    const pushRefs = this.pushQueue;

    const env = {
      TABLE_NAME: this.table.table.name,
      QUEUE_URL: sendRefs.queue.url,
      PUSH_QUEUE_URL: pushRefs.queue.url,
      WAPK_CONFIG_SECRET_ID: this.configSecret.secret.arn,
    };
    const secret = this.configSecret.readStatements();
    const send = sendRefs.sendStatements();
    const pushSend = pushRefs.sendStatements();
    const fn = (fnName: string, entry: string, statements: pulumi.Output<Statement[]>[], extra: Partial<{ timeoutSeconds: number; memoryMb: number; environment: Record<string, pulumi.Input<string>> }> = {}) =>
      new NodeFunction(`${name}-${fnName}`, { entry, statements: pulumi.all(statements).apply((lists) => lists.flat()), logRetentionDays, environment: { ...env, ...extra.environment }, ...(extra.timeoutSeconds ? { timeoutSeconds: extra.timeoutSeconds } : {}), ...(extra.memoryMb ? { memoryMb: extra.memoryMb } : {}) }, parent);

    this.functions = {
      accept: fn('accept', 'src/functions/accept.ts', [this.table.statements([...READ, ...WRITE]), send, secret]),
      // `send`: lifting a pause puts the account's held messages back on the send queue at once.
      status: fn('status', 'src/functions/status.ts', [this.table.statements([...READ, 'UpdateItem', 'DeleteItem', 'PutItem']), send, secret]),
      sender: fn('sender', 'src/functions/sender.ts', [this.table.statements([...READ, ...WRITE]), sendRefs.consumeStatements(), send, pushSend, secret], {
        timeoutSeconds: senderTimeout,
        ...(args.sender?.memoryMb ? { memoryMb: args.sender.memoryMb } : {}),
        // A claim older than the function can run belongs to an invocation that died.
        environment: { SEND_CLAIM_EXPIRY_MS: String((senderTimeout + 30) * 1000) },
      }),
      requeue: fn('requeue', 'src/functions/requeue.ts', [this.table.statements(['GetItem', 'Query', 'UpdateItem']), send, secret], { timeoutSeconds: 60 }),
      webhook: fn('webhook', 'src/functions/webhook.ts', [this.table.statements([...READ, ...WRITE]), pushSend, secret]),
      push: fn('push', 'src/functions/push.ts', [pushRefs.consumeStatements(), secret], { timeoutSeconds: 30 }),
    };
    this.sendQueue.subscribe(this.functions.sender, { batchSize: args.sender?.batchSize ?? 10, maximumConcurrency: args.sender?.maximumConcurrency ?? 2 });
    this.pushQueue.subscribe(this.functions.push, { batchSize: 10, maximumConcurrency: args.push?.maximumConcurrency ?? 2 });

    // Every minute: held messages whose time has come go back on the send queue.
    const schedule = new aws.cloudwatch.EventRule(`${name}-requeue-schedule`, { scheduleExpression: 'rate(1 minute)' }, parent);
    new aws.cloudwatch.EventTarget(`${name}-requeue-target`, { rule: schedule.name, arn: this.functions.requeue.function.arn }, parent);
    new aws.lambda.Permission(`${name}-requeue-invoke`, { action: 'lambda:InvokeFunction', function: this.functions.requeue.function.name, principal: 'events.amazonaws.com', sourceArn: schedule.arn }, parent);

    this.api = new HttpApi(`${name}-api`, { functions: { accept: this.functions.accept, status: this.functions.status, webhook: this.functions.webhook } }, parent);
    new Alarms(`${name}-alarms`, { queues: { send: this.sendQueue, push: this.pushQueue }, functions: this.functions, ...(args.alarmTopicArn ? { topicArn: args.alarmTopicArn } : {}) }, parent);

    this.registerOutputs({ apiUrl: this.api.url, tableName: this.table.table.name, sendQueueUrl: this.sendQueue.queue.url });
  }
}
