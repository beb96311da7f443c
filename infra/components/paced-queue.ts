/**
 * A queue with its dead-letter queue and, optionally, its consumer: an event source mapping that
 * reports batch item failures, with the batch size and maximum concurrency as first-class
 * arguments (they are the pacing knobs). The visibility timeout is at least six times the
 * consumer's timeout, as AWS recommends, so a slow batch is never delivered twice meanwhile.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { NodeFunction, Statement } from './node-function.ts';

export interface PacedQueueArgs {
  /** The timeout of the function that will consume the queue: the visibility timeout is six times it. */
  consumerTimeoutSeconds: number;
  /** Receives before a message goes to the dead-letter queue. @default 5 */
  maxReceiveCount?: number;
  /** @default 4 days */
  retentionSeconds?: number;
  /** @default 14 days, the longest SQS keeps a message */
  deadLetterRetentionSeconds?: number;
}

export interface ConsumerArgs {
  /** @default 10 */
  batchSize?: number;
  /** At most this many concurrent invocations (≥ 2, Lambda's minimum). @default 2 */
  maximumConcurrency?: number;
}

export class PacedQueue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  eventSourceMapping?: aws.lambda.EventSourceMapping;
  private readonly visibilityTimeoutSeconds: number;
  private readonly name: string;

  constructor(name: string, args: PacedQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:PacedQueue', name, {}, opts);
    const parent = { parent: this };
    this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, { sqsManagedSseEnabled: true, messageRetentionSeconds: args.deadLetterRetentionSeconds ?? 14 * 86_400 }, parent);
    this.name = name;
    this.visibilityTimeoutSeconds = 6 * args.consumerTimeoutSeconds;
    this.queue = new aws.sqs.Queue(
      name,
      {
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: args.retentionSeconds ?? 4 * 86_400,
        visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
        redrivePolicy: this.deadLetterQueue.arn.apply((deadLetterTargetArn) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount: args.maxReceiveCount ?? 5 })),
      },
      parent,
    );
    new aws.sqs.RedriveAllowPolicy(`${name}-dlq-allow`, { queueUrl: this.deadLetterQueue.id, redriveAllowPolicy: this.queue.arn.apply((arn) => JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arn] })) }, parent);
    this.registerOutputs({ queueUrl: this.queue.url, deadLetterQueueUrl: this.deadLetterQueue.url });
  }

  /** Makes `fn` the queue's consumer: batches, partial batch failures, a concurrency cap. */
  subscribe(fn: NodeFunction, args: ConsumerArgs = {}): aws.lambda.EventSourceMapping {
    if (6 * fn.timeoutSeconds > this.visibilityTimeoutSeconds) throw new Error(`${this.name}: the consumer's timeout (${fn.timeoutSeconds} s) is over a sixth of the visibility timeout`);
    const maximumConcurrency = args.maximumConcurrency ?? 2;
    if (maximumConcurrency < 2) throw new Error(`${this.name}: maximumConcurrency must be at least 2 (Lambda's minimum)`);
    this.eventSourceMapping = new aws.lambda.EventSourceMapping(
      `${this.name}-consumer`,
      {
        eventSourceArn: this.queue.arn,
        functionName: fn.function.arn,
        batchSize: args.batchSize ?? 10,
        functionResponseTypes: ['ReportBatchItemFailures'],
        scalingConfig: { maximumConcurrency },
      },
      { parent: this },
    );
    return this.eventSourceMapping;
  }

  /**
   * What a consumer of this queue may do: what the event source mapping needs (receive, delete,
   * read attributes), and `ChangeMessageVisibility` only for a consumer whose code calls it
   * (the push function's backoff).
   */
  consumeStatements(options: { changesVisibility?: boolean } = {}): pulumi.Output<Statement[]> {
    const actions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
    if (options.changesVisibility) actions.push('sqs:ChangeMessageVisibility');
    return this.queue.arn.apply((arn) => [{ Effect: 'Allow' as const, Action: actions, Resource: arn }]);
  }

  /** What a producer of this queue may do. */
  sendStatements(): pulumi.Output<Statement[]> {
    return this.queue.arn.apply((arn) => [{ Effect: 'Allow' as const, Action: ['sqs:SendMessage'], Resource: arn }]);
  }
}
