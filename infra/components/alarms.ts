/** Alarms on what needs a person: messages in a dead-letter queue, function errors and throttles. */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { NodeFunction } from './node-function.ts';
import type { PacedQueue } from './paced-queue.ts';

export interface AlarmsArgs {
  queues: Record<string, PacedQueue>;
  functions: Record<string, NodeFunction>;
  /** Where alarms notify (an SNS topic ARN). Without it, alarms still show in CloudWatch. */
  topicArn?: pulumi.Input<string>;
}

export class Alarms extends pulumi.ComponentResource {
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('whatsapp-provider-kit:aws:Alarms', name, {}, opts);
    const actions = args.topicArn ? { alarmActions: [args.topicArn], okActions: [args.topicArn] } : {};
    const alarm = (id: string, props: Omit<aws.cloudwatch.MetricAlarmArgs, 'comparisonOperator' | 'evaluationPeriods' | 'threshold'>) =>
      this.alarms.push(
        new aws.cloudwatch.MetricAlarm(`${name}-${id}`, { comparisonOperator: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1, threshold: 1, treatMissingData: 'notBreaching', ...actions, ...props }, { parent: this }),
      );
    for (const [queueName, queue] of Object.entries(args.queues)) {
      alarm(`${queueName}-dlq-depth`, {
        alarmDescription: `Messages in the ${queueName} dead-letter queue: inspect and redrive them`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue.deadLetterQueue.name },
        statistic: 'Maximum',
        period: 60,
      });
    }
    for (const [fnName, fn] of Object.entries(args.functions)) {
      for (const metricName of ['Errors', 'Throttles']) {
        alarm(`${fnName}-${metricName.toLowerCase()}`, {
          alarmDescription: `${metricName} of the ${fnName} function`,
          namespace: 'AWS/Lambda',
          metricName,
          dimensions: { FunctionName: fn.function.name },
          statistic: 'Sum',
          period: 300,
        });
      }
    }
    this.registerOutputs({});
  }
}
