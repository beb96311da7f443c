/**
 * A queue with its dead-letter queue and, optionally, its consumer: an event source mapping that
 * reports batch item failures, with the batch size, batching window and maximum concurrency as
 * first-class arguments (they are the pacing knobs). The visibility timeout is at least six times
 * the consumer's timeout, as AWS recommends, plus the batching window (a message is hidden from the
 * moment the mapping receives it, while the batch is still gathered), so a slow batch is never
 * delivered twice meanwhile.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { NodeFunction, Statement } from './node-function.ts';
import { transform, type Transform } from './transform.ts';

export interface PacedQueueArgs {
  /**
   * Seconds the function that will consume the queue may run: the visibility timeout is six times
   * it. A plain number: {@link PacedQueue.subscribe} checks the consumer against it.
   * @example
   * ```ts
   * { consumerTimeoutSeconds: 30 }
   * ```
   */
  consumerTimeoutSeconds: number;
  /**
   * The consumer's batching window in seconds ({@link ConsumerArgs.maximumBatchingWindowSeconds}):
   * the visibility timeout is six times the consumer's timeout plus it.
   * @default `0`
   * @example
   * ```ts
   * { batchingWindowSeconds: 1 }
   * ```
   */
  batchingWindowSeconds?: number;
  /**
   * Receives before a message goes to the dead-letter queue: a consumer that fails it (or crashes
   * on it) this many times gives it up.
   * @default `5`
   * @example
   * ```ts
   * { maxReceiveCount: 8 }
   * ```
   */
  maxReceiveCount?: pulumi.Input<number>;
  /**
   * Seconds SQS keeps a message in the queue (60 to 1,209,600).
   * @default `345600` (4 days)
   * @example
   * ```ts
   * { retentionSeconds: 2 * 86_400 }
   * ```
   */
  retentionSeconds?: pulumi.Input<number>;
  /**
   * Seconds SQS keeps a message in the dead-letter queue: time to inspect and redrive it.
   * @default `1209600` (14 days, the longest SQS keeps a message)
   * @example
   * ```ts
   * { deadLetterRetentionSeconds: 7 * 86_400 }
   * ```
   */
  deadLetterRetentionSeconds?: pulumi.Input<number>;
  /**
   * Changes to the underlying resources' arguments, applied just before each is created
   * (transform.ts: a partial merged over the arguments, or a callback that changes them).
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     queue: { kmsMasterKeyId: key.arn, sqsManagedSseEnabled: false },
   *     eventSourceMapping: (args) => {
   *       args.maximumBatchingWindowInSeconds = 1;
   *     },
   *   },
   * }
   * ```
   */
  transform?: {
    /** The queue (`aws.sqs.Queue`), with its redrive policy to the dead-letter queue. */
    queue?: Transform<aws.sqs.QueueArgs>;
    /** The dead-letter queue (`aws.sqs.Queue`). */
    deadLetterQueue?: Transform<aws.sqs.QueueArgs>;
    /** The dead-letter queue's redrive-allow policy (`aws.sqs.RedriveAllowPolicy`): only the queue may send to it. */
    redriveAllowPolicy?: Transform<aws.sqs.RedriveAllowPolicyArgs>;
    /** The consumer's event source mapping (`aws.lambda.EventSourceMapping`), created by {@link PacedQueue.subscribe}. */
    eventSourceMapping?: Transform<aws.lambda.EventSourceMappingArgs>;
  };
}

export interface ConsumerArgs {
  /**
   * Messages per invocation: 1–10, or up to 10,000 with a batching window of at least 1 s (Lambda's
   * rule; a plain number is checked when the consumer is subscribed).
   * @default `10`
   * @example
   * ```ts
   * { batchSize: 5 }
   * ```
   */
  batchSize?: pulumi.Input<number>;
  /**
   * Seconds the event source mapping may gather records before invoking (0–300): it invokes once
   * the batch is full or the window has passed. Must be at most the queue's
   * `batchingWindowSeconds` (the visibility timeout covers it).
   * @default `0`
   * @example
   * ```ts
   * { batchSize: 100, maximumBatchingWindowSeconds: 1 }
   * ```
   */
  maximumBatchingWindowSeconds?: number;
  /**
   * At most this many concurrent invocations (2–1,000; 2 is Lambda's minimum). A plain number:
   * checked when the consumer is subscribed.
   * @default `2`
   * @example
   * ```ts
   * { maximumConcurrency: 4 }
   * ```
   */
  maximumConcurrency?: number;
}

export class PacedQueue extends pulumi.ComponentResource {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  eventSourceMapping?: aws.lambda.EventSourceMapping;
  /** Six times the consumer's timeout plus its batching window, or the `visibilityTimeoutSeconds` a transform set (when a plain number). */
  private readonly visibilityTimeoutSeconds: number;
  private readonly name: string;
  private readonly change: NonNullable<PacedQueueArgs['transform']>;

  constructor(name: string, args: PacedQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:PacedQueue', name, {}, opts);
    this.name = name;
    this.change = args.transform ?? {};
    this.deadLetterQueue = new aws.sqs.Queue(
      ...transform(
        this.change.deadLetterQueue,
        `${name}-dlq`,
        { sqsManagedSseEnabled: true, messageRetentionSeconds: args.deadLetterRetentionSeconds ?? 14 * 86_400 },
        { parent: this },
      ),
    );
    const [queueName, queueArgs, queueOpts] = transform(
      this.change.queue,
      name,
      {
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: args.retentionSeconds ?? 4 * 86_400,
        visibilityTimeoutSeconds: 6 * args.consumerTimeoutSeconds + (args.batchingWindowSeconds ?? 0),
        redrivePolicy: pulumi
          .all([this.deadLetterQueue.arn, args.maxReceiveCount ?? 5])
          .apply(([deadLetterTargetArn, maxReceiveCount]) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount })),
      },
      { parent: this },
    );
    const visibility = queueArgs.visibilityTimeoutSeconds;
    this.visibilityTimeoutSeconds =
      typeof visibility === 'number' ? visibility : 6 * args.consumerTimeoutSeconds + (args.batchingWindowSeconds ?? 0);
    this.queue = new aws.sqs.Queue(queueName, queueArgs, queueOpts);
    new aws.sqs.RedriveAllowPolicy(
      ...transform(
        this.change.redriveAllowPolicy,
        `${name}-dlq-allow`,
        {
          queueUrl: this.deadLetterQueue.id,
          redriveAllowPolicy: this.queue.arn.apply((arn) => JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arn] })),
        },
        { parent: this },
      ),
    );
    this.registerOutputs({ queueUrl: this.queue.url, deadLetterQueueUrl: this.deadLetterQueue.url });
  }

  /** Makes `fn` the queue's consumer: batches, partial batch failures, a concurrency cap. */
  subscribe(fn: NodeFunction, args: ConsumerArgs = {}): aws.lambda.EventSourceMapping {
    const maximumConcurrency = args.maximumConcurrency ?? 2;
    if (maximumConcurrency < 2) throw new Error(`${this.name}: maximumConcurrency must be at least 2 (Lambda's minimum)`);
    const given = args.maximumBatchingWindowSeconds ?? 0;
    const [mappingName, mappingArgs, mappingOpts] = transform(
      this.change.eventSourceMapping,
      `${this.name}-consumer`,
      {
        eventSourceArn: this.queue.arn,
        functionName: fn.function.arn,
        batchSize: args.batchSize ?? 10,
        ...(given > 0 ? { maximumBatchingWindowInSeconds: given } : {}),
        functionResponseTypes: ['ReportBatchItemFailures'],
        scalingConfig: { maximumConcurrency },
      },
      { parent: this },
    );
    // Checked on the values the mapping gets (after a transform), where they are plain numbers.
    const batchSize = mappingArgs.batchSize;
    const windowArg = mappingArgs.maximumBatchingWindowInSeconds ?? 0;
    const window = typeof windowArg === 'number' ? windowArg : 0;
    if (!Number.isInteger(window) || window < 0 || window > 300) {
      throw new Error(`${this.name}: maximumBatchingWindowSeconds ${window} must be a whole number of seconds, 0 to 300`);
    }
    if (6 * fn.timeoutSeconds + window > this.visibilityTimeoutSeconds) {
      throw new Error(
        `${this.name}: six times the consumer's timeout (${fn.timeoutSeconds} s) plus its batching window (${window} s) is over ` +
          `the visibility timeout (${this.visibilityTimeoutSeconds} s): a slow batch would be delivered twice`,
      );
    }
    if (typeof batchSize === 'number' && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)) {
      throw new Error(`${this.name}: batchSize ${batchSize} must be a whole number, 1 to 10,000`);
    }
    if (typeof batchSize === 'number' && batchSize > 10 && typeof windowArg === 'number' && window < 1) {
      throw new Error(`${this.name}: batchSize ${batchSize} is over 10: Lambda requires maximumBatchingWindowSeconds of at least 1`);
    }
    this.eventSourceMapping = new aws.lambda.EventSourceMapping(mappingName, mappingArgs, mappingOpts);
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
