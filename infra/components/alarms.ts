/**
 * Alarms on what needs a person, sent to an SNS topic (the one given, or one created here with
 * optional email subscriptions):
 *
 * - a dead-letter queue holds messages (and, separately, holds them long enough that SQS will soon
 *   delete them: they must be redriven);
 * - a queue's oldest message is older than its consumer would ever leave it (nothing consumes it);
 * - a function's handler reports errors — counted from its structured logs (every `"level":
 *   "ERROR"` line: a 503 the API answered, a record that failed, a paused account), because the API
 *   functions turn errors into answers and the queue consumers into partial batch failures, so
 *   Lambda's own `Errors` counts only crashes and timeouts (alarmed too);
 * - a function is throttled;
 * - the API answers 5xx, or throttles callers (429s, counted from its access log);
 * - a provider's authenticated callbacks drift from its spec (the webhook's embedded metric
 *   `callback_drift`, src/webhooks/drift.ts), one alarm per provider;
 * - a valid callback named a message of another account (`cross_account_callback`,
 *   src/webhooks/app.ts), one alarm per provider;
 * - a message failed over from a provider's route to its fallback (the sender's embedded metric
 *   `failover`, src/sender/failover.ts), one alarm per provider: a provider refused or blocked.
 */
import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CALLBACK_DRIFT_METRIC, CROSS_ACCOUNT_CALLBACK_METRIC, FAILOVER_METRIC, METRIC_NAMESPACE } from '../../src/runtime/metrics.ts';
import type { HttpApi } from './http-api.ts';
import { awsName } from './names.ts';
import type { NodeFunction } from './node-function.ts';
import type { PacedQueue } from './paced-queue.ts';
import { transform, type Transform } from './transform.ts';

/** Namespace of the handler-error metrics; each function's metric is named after the function. */
export const HANDLER_ERRORS_NAMESPACE = 'whatsapp-provider-kit/HandlerErrors';
/** Namespace of the API's throttled-request metric. */
export const API_NAMESPACE = 'whatsapp-provider-kit/Api';
/** A log line a handler counts as an error: Lambda's JSON log format and Powertools both write `"level":"ERROR"`. */
export const ERROR_LOG_PATTERN = '{ $.level = "ERROR" }';
/** A request API Gateway throttled (the API's own code never answers 429). */
export const THROTTLED_LOG_PATTERN = '{ $.status = "429" }';

export interface AlarmsArgs {
  /**
   * The queues to watch, by a short name used in the alarms' names: each gets alarms on its
   * dead-letter queue's depth and age, and on its oldest message. Components, not inputs: how
   * many alarms to create follows from them.
   * @example
   * ```ts
   * { queues: { send: pipeline.sendQueue, push: pipeline.pushQueue } }
   * ```
   */
  queues: Record<string, PacedQueue>;
  /**
   * The functions to watch, by a short name: each gets a handler-error metric filter and alarm,
   * and alarms on Lambda's `Errors` and `Throttles`.
   * @example
   * ```ts
   * { functions: { sender: pipeline.functions.sender } }
   * ```
   */
  functions: Record<string, NodeFunction>;
  /**
   * The HTTP API to watch: alarms on its 5xx answers and on the requests it throttles.
   * @default none: no API alarms
   * @example
   * ```ts
   * { api: pipeline.api }
   * ```
   */
  api?: HttpApi;
  /**
   * The function that takes providers' callbacks, and the providers whose callbacks it takes: one
   * alarm per provider on the `callback_drift` metric the function writes (embedded metric
   * format, dimensions `function_name` and `provider`) — authenticated callbacks that broke the
   * provider's spec or carried a status word or field it does not know. Missing data (no drift)
   * is not breaching.
   * @default none: no drift alarms
   * @example
   * ```ts
   * { callbackDrift: { function: pipeline.functions.webhook, providers: ['kaleyra', 'gupshup'] } }
   * ```
   */
  callbackDrift?: {
    /**
     * The webhook function (its deployed name is the metric's `function_name`).
     * @example
     * ```ts
     * pipeline.functions.webhook
     * ```
     */
    function: NodeFunction;
    /**
     * The providers to alarm on, each by its name (the metric's `provider`).
     * @example
     * ```ts
     * ['livechat', 'gupshup', 'loopwave', 'kaleyra']
     * ```
     */
    providers: readonly string[];
    /**
     * Drifting callbacks of one provider in `periodSeconds` that raise its alarm.
     * @default `1`
     * @example
     * ```ts
     * 5
     * ```
     */
    threshold?: pulumi.Input<number>;
    /**
     * The alarm's period, in seconds: it returns to OK after a period without drift.
     * @default `3600`
     * @example
     * ```ts
     * 900
     * ```
     */
    periodSeconds?: pulumi.Input<number>;
  };
  /**
   * The function that takes providers' callbacks, and the providers whose callbacks it takes: one
   * alarm per provider on the `cross_account_callback` metric the function writes (embedded
   * metric format, dimensions `function_name` and `provider`) — a valid callback that named a
   * message of another account: a provider posting to the wrong account's URL, or a tenant naming
   * another tenant's message. Nothing was changed; someone should find out which. Missing data is
   * not breaching.
   * @default none: no cross-account alarms
   * @example
   * ```ts
   * { crossAccountCallbacks: { function: pipeline.functions.webhook, providers: ['kaleyra', 'gupshup'] } }
   * ```
   */
  crossAccountCallbacks?: {
    /**
     * The webhook function (its deployed name is the metric's `function_name`).
     * @example
     * ```ts
     * pipeline.functions.webhook
     * ```
     */
    function: NodeFunction;
    /**
     * The providers to alarm on, each by its name (the metric's `provider`).
     * @example
     * ```ts
     * ['livechat', 'gupshup', 'loopwave', 'kaleyra']
     * ```
     */
    providers: readonly string[];
    /**
     * Cross-account callbacks of one provider in `periodSeconds` that raise its alarm.
     * @default `1`
     * @example
     * ```ts
     * 5
     * ```
     */
    threshold?: pulumi.Input<number>;
    /**
     * The alarm's period, in seconds: it returns to OK after a period without one.
     * @default `3600`
     * @example
     * ```ts
     * 900
     * ```
     */
    periodSeconds?: pulumi.Input<number>;
  };
  /**
   * The function that sends (it runs src/sender), and the providers it sends through: one alarm
   * per provider on the `failover` metric the sender writes (embedded metric format, dimensions
   * `function_name` and `provider`: the provider of the route that refused or blocked, the
   * origin's for a message's first failover) — a message moved to a fallback, so that provider
   * refused the account or kept it waiting. Each failover is an event for a person (the
   * recipients now hear from another sender); missing data is not breaching, so the alarm clears
   * after a period without one.
   * @default none: no failover alarms
   * @example
   * ```ts
   * { failovers: { function: pipeline.functions.sender, providers: ['livetok', 'kaleyra'] } }
   * ```
   */
  failovers?: {
    /**
     * The sender function (its deployed name is the metric's `function_name`).
     * @example
     * ```ts
     * pipeline.functions.sender
     * ```
     */
    function: NodeFunction;
    /**
     * The providers to alarm on, each by its name (the metric's `provider`).
     * @example
     * ```ts
     * ['livetok', 'livechat', 'gupshup', 'loopwave', 'kaleyra']
     * ```
     */
    providers: readonly string[];
    /**
     * Failovers from one provider in `periodSeconds` that raise its alarm.
     * @default `1`
     * @example
     * ```ts
     * 1
     * ```
     */
    threshold?: pulumi.Input<number>;
    /**
     * The alarm's period, in seconds: it returns to OK after a period without a failover.
     * @default `300`
     * @example
     * ```ts
     * 600
     * ```
     */
    periodSeconds?: pulumi.Input<number>;
  };
  /**
   * An SNS topic to notify. Without it, one is created (see `emails`). Its presence decides
   * whether a topic is created, so give the key only when there is a topic (an output is fine).
   * @default a new topic
   * @example
   * ```ts
   * { topicArn: oncallTopic.arn }
   * ```
   */
  topicArn?: pulumi.Input<string>;
  /**
   * Addresses subscribed to the created topic; each must confirm the message AWS sends it. Plain
   * strings: each address is its own subscription, named after a hash of it.
   * @default `[]`: nobody is subscribed
   * @example
   * ```ts
   * { emails: ['oncall@example.com'] }
   * ```
   */
  emails?: string[];
  /**
   * Seconds a queue's oldest message may wait before the queue alarms (for two 5-minute periods),
   * by queue (as in `queues`). Longer than a message can legitimately wait (a delayed message, a
   * retry backoff).
   * @default `1800` for every queue
   * @example
   * ```ts
   * { oldestMessageAgeSeconds: { send: 1800, push: 3600 } }
   * ```
   */
  oldestMessageAgeSeconds?: Record<string, pulumi.Input<number>>;
  /**
   * Seconds a dead-lettered message may wait for a redrive before its queue alarms (SQS deletes
   * it at 14 days).
   * @default `864000` (10 days)
   * @example
   * ```ts
   * { deadLetterAgeSeconds: 3 * 86_400 }
   * ```
   */
  deadLetterAgeSeconds?: pulumi.Input<number>;
  /**
   * 5xx answers of the API in 5 minutes that raise its alarm.
   * @default `5`
   * @example
   * ```ts
   * { api5xxPer5Minutes: 1 }
   * ```
   */
  api5xxPer5Minutes?: pulumi.Input<number>;
  /**
   * Requests the API throttled (429) in 5 minutes that raise its alarm.
   * @default `10`
   * @example
   * ```ts
   * { apiThrottledPer5Minutes: 50 }
   * ```
   */
  apiThrottledPer5Minutes?: pulumi.Input<number>;
  /**
   * Changes to the underlying resources' arguments, applied just before each is created
   * (transform.ts: a partial merged over the arguments, or a callback that changes them). The
   * callback's `name` (`<alarms>-<queue or function>-<kind>`, `<alarms>-callback-drift-<provider>`,
   * `<alarms>-cross-account-callback-<provider>`, `<alarms>-failover-<provider>`)
   * tells one alarm from another.
   * @default no change
   * @example
   * ```ts
   * {
   *   transform: {
   *     topic: { kmsMasterKeyId: key.id },
   *     alarm: (args, _opts, name) => {
   *       if (name.endsWith('-throttles')) args.evaluationPeriods = 3;
   *     },
   *   },
   * }
   * ```
   */
  transform?: {
    /** The SNS topic created when no `topicArn` is given (`aws.sns.Topic`). */
    topic?: Transform<aws.sns.TopicArgs>;
    /** Each email subscription (`aws.sns.TopicSubscription`). */
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    /** Every alarm (`aws.cloudwatch.MetricAlarm`). */
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    /** The log metric filters: handler errors per function, throttled API requests (`aws.cloudwatch.LogMetricFilter`). */
    metricFilter?: Transform<aws.cloudwatch.LogMetricFilterArgs>;
  };
}

export class Alarms extends pulumi.ComponentResource {
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  /** Where every alarm (and its return to OK) is sent. */
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:Alarms', name, {}, opts);
    const change = args.transform ?? {};
    if (args.topicArn) {
      this.topicArn = pulumi.output(args.topicArn);
    } else {
      // Not encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and alarms carry no secret.
      const topic = new aws.sns.Topic(...transform(change.topic, `${name}-topic`, {}, { parent: this }));
      for (const email of args.emails ?? []) {
        const id = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 8);
        new aws.sns.TopicSubscription(
          ...transform(
            change.subscription,
            `${name}-email-${id}`,
            { topic: topic.arn, protocol: 'email', endpoint: email },
            { parent: this },
          ),
        );
      }
      this.topicArn = topic.arn;
    }
    const actions = { alarmActions: [this.topicArn], okActions: [this.topicArn] };
    const alarm = (id: string, props: Omit<aws.cloudwatch.MetricAlarmArgs, 'comparisonOperator'>) =>
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(
          ...transform(
            change.alarm,
            `${name}-${id}`,
            {
              comparisonOperator: 'GreaterThanOrEqualToThreshold',
              evaluationPeriods: 1,
              treatMissingData: 'notBreaching',
              ...actions,
              ...props,
            },
            { parent: this },
          ),
        ),
      );

    for (const [queueName, queue] of Object.entries(args.queues)) {
      alarm(`${queueName}-dlq-depth`, {
        alarmDescription: `Messages in the ${queueName} dead-letter queue: inspect and redrive them (wapk dlq)`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue.deadLetterQueue.name },
        statistic: 'Maximum',
        period: 60,
        threshold: 1,
      });
      const deadLetterAge = args.deadLetterAgeSeconds ?? 10 * 86_400;
      alarm(`${queueName}-dlq-age`, {
        alarmDescription: pulumi
          .output(deadLetterAge)
          .apply(
            (seconds) =>
              `A message has waited ${Math.round(seconds / 86_400)} days in the ${queueName} dead-letter queue: ` +
              'SQS deletes it at 14 days; redrive it now',
          ),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: queue.deadLetterQueue.name },
        statistic: 'Maximum',
        period: 300,
        threshold: deadLetterAge,
      });
      const oldest = args.oldestMessageAgeSeconds?.[queueName] ?? 1800;
      alarm(`${queueName}-oldest-age`, {
        alarmDescription: pulumi
          .output(oldest)
          .apply(
            (seconds) => `The ${queueName} queue's oldest message is over ${seconds} s old: its consumer is not keeping up, or not running`,
          ),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: queue.queue.name },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 2,
        threshold: oldest,
      });
    }

    for (const [fnName, fn] of Object.entries(args.functions)) {
      new aws.cloudwatch.LogMetricFilter(
        ...transform(
          change.metricFilter,
          `${name}-${fnName}-handler-errors`,
          {
            logGroupName: fn.logGroup.name,
            pattern: ERROR_LOG_PATTERN,
            metricTransformation: { namespace: HANDLER_ERRORS_NAMESPACE, name: fn.functionName, value: '1', unit: 'Count' },
          },
          { parent: this },
        ),
      );
      alarm(`${fnName}-handler-errors`, {
        alarmDescription: `The ${fnName} function logged errors (503s answered, records failed, accounts paused): see its log group`,
        namespace: HANDLER_ERRORS_NAMESPACE,
        metricName: fn.functionName,
        statistic: 'Sum',
        period: 300,
        threshold: 1,
      });
      for (const metricName of ['Errors', 'Throttles']) {
        alarm(`${fnName}-${metricName.toLowerCase()}`, {
          alarmDescription:
            metricName === 'Errors' ? `The ${fnName} function crashed or timed out` : `The ${fnName} function was throttled`,
          namespace: 'AWS/Lambda',
          metricName,
          dimensions: { FunctionName: fn.function.name },
          statistic: 'Sum',
          period: 300,
          threshold: 1,
        });
      }
    }

    const perProvider = (
      kind: string,
      metricName: string,
      watched: AlarmsArgs['callbackDrift'] | AlarmsArgs['failovers'],
      description: (p: string) => string,
      periodSeconds = 3600,
    ) => {
      for (const provider of watched?.providers ?? []) {
        alarm(`${kind}-${provider}`, {
          alarmDescription: description(provider),
          namespace: METRIC_NAMESPACE,
          metricName,
          dimensions: { function_name: watched!.function.function.name, provider },
          statistic: 'Sum',
          period: watched!.periodSeconds ?? periodSeconds,
          threshold: watched!.threshold ?? 1,
        });
      }
    };
    perProvider(
      'callback-drift',
      CALLBACK_DRIFT_METRIC,
      args.callbackDrift,
      (provider) =>
        `Authenticated ${provider} callbacks broke its spec, or carried a status word or field it does not know: ` +
        `see the webhook's 'callback drift' log lines (kind, path, rule), then the provider's changelog and specs/${provider}.yaml`,
    );
    perProvider(
      'cross-account-callback',
      CROSS_ACCOUNT_CALLBACK_METRIC,
      args.crossAccountCallbacks,
      (provider) =>
        `A valid ${provider} callback named a message of another account (nothing was changed): see the webhook's ` +
        `'callback names a message of another account' lines for the account whose URL it came to, then that account's ` +
        `webhook settings at ${provider} — a misrouted URL, or a tenant naming another tenant's message`,
    );
    perProvider(
      'failover',
      FAILOVER_METRIC,
      args.failovers,
      (provider) =>
        `Messages failed over from ${provider} to a fallback account: ${provider} refused an account (paused, credential, ` +
        `number) or kept it waiting past failoverAfter. See the sender's 'failed over' lines (reason, from, to) and ` +
        `'wapk pauses'; fix or resume the account (docs/operations.md, "A failover alarm")`,
      300,
    );

    if (args.api) {
      alarm('api-5xx', {
        alarmDescription: 'The API answered 5xx: callers retry, but something is failing',
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensions: { ApiId: args.api.api.id, Stage: '$default' },
        statistic: 'Sum',
        period: 300,
        threshold: args.api5xxPer5Minutes ?? 5,
      });
      const throttledMetric = awsName([pulumi.getProject(), pulumi.getStack(), name, 'throttled'], 255);
      new aws.cloudwatch.LogMetricFilter(
        ...transform(
          change.metricFilter,
          `${name}-api-throttled`,
          {
            logGroupName: args.api.accessLog.name,
            pattern: THROTTLED_LOG_PATTERN,
            metricTransformation: { namespace: API_NAMESPACE, name: throttledMetric, value: '1', unit: 'Count' },
          },
          { parent: this },
        ),
      );
      alarm('api-throttled', {
        alarmDescription: 'The API throttled callers (429): raise the route throttles, or find who sends too much',
        namespace: API_NAMESPACE,
        metricName: throttledMetric,
        statistic: 'Sum',
        period: 300,
        threshold: args.apiThrottledPer5Minutes ?? 10,
      });
    }
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
