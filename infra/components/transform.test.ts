/**
 * The components' escape hatch and their Input arguments, under Pulumi's runtime mocks: a
 * transform, as a partial or as a callback, reaches the inputs of the resource it names (through
 * the pipeline's nested `transform` too); an argument given as an output is resolved where it
 * lands; and a transform that breaks what the pipeline guarantees does not go unnoticed — the
 * components refuse it when they can see it, and the policies (policies.ts) catch it in the plan.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import { routesServedBy } from '../../src/api/routes.ts';
import { planProgram, type PlannedResource } from '../plan.ts';
import { checkPolicies } from '../policies.ts';
import { Alarms } from './alarms.ts';
import { NodeFunction } from './node-function.ts';
import { PacedQueue } from './paced-queue.ts';
import { WhatsAppPipeline, type WhatsAppPipelineArgs } from './pipeline.ts';
import { chain, transform } from './transform.ts';

// One stack for every program here: each function is bundled once.
const STACK = 'transforms';
const DOCUMENT = JSON.stringify({ config: { accounts: [], apiKeys: [] }, secrets: {} });

const only = (resources: PlannedResource[], type: string, name: string) => {
  const found = resources.filter((r) => r.type === `aws:${type}` && r.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0]!;
};
const pipeline = (args: Partial<WhatsAppPipelineArgs> = {}) =>
  planProgram(
    () => {
      const built = new WhatsAppPipeline('wa', { configDocument: pulumi.secret(DOCUMENT), tableDeletionProtection: false, ...args });
      return { apiUrl: built.api.url };
    },
    { stack: STACK },
  );
let laters = 0;
/** A value only known once a resource exists: an output, as another resource's attribute would be. */
const later = <T>(value: T): pulumi.Output<T> =>
  // The parameter's description: its value is a secret output.
  new aws.ssm.Parameter(`later-${++laters}`, { type: 'String', value: 'x', description: JSON.stringify(value) }).description.apply(
    (json) => JSON.parse(json!) as T,
  );

describe('transform', () => {
  const opts = () => ({ parent: undefined }) as pulumi.CustomResourceOptions;

  it('merges a partial over the arguments, one level deep, into a new object; undefined removes a key', () => {
    const args: { visibilityTimeoutSeconds: number; redrivePolicy?: string; tags: Record<string, string> } = {
      visibilityTimeoutSeconds: 180,
      redrivePolicy: '{}',
      tags: { a: '1' },
    };
    const [name, merged] = transform({ tags: { b: '2' }, redrivePolicy: undefined }, 'q', args, opts());
    expect(name).toBe('q');
    expect(merged).toEqual({ visibilityTimeoutSeconds: 180, redrivePolicy: undefined, tags: { b: '2' } });
    expect(args.redrivePolicy).toBe('{}');
  });

  it('calls a callback with the arguments, the options and the name, to change them in place', () => {
    const args: { timeout?: number; memorySize?: number } = { timeout: 30 };
    const options = opts();
    const seen: string[] = [];
    const [, changed, changedOpts] = transform<typeof args>(
      (a, o, name) => {
        seen.push(name);
        a.memorySize = a.timeout! * 100;
        o.protect = true;
      },
      'fn',
      args,
      options,
    );
    expect(seen).toEqual(['fn']);
    expect(changed).toBe(args);
    expect(changed).toEqual({ timeout: 30, memorySize: 3000 });
    expect(changedOpts.protect).toBe(true);
  });

  it('leaves the arguments as they are without a transform', () => {
    const args = { a: 1 };
    expect(transform(undefined, 'x', args, opts())[1]).toEqual({ a: 1 });
  });

  it('chains transforms in order, partials and callbacks alike', () => {
    const chained = chain<{ a?: number; b?: number; c?: number }>({ a: 1, b: 1 }, (args) => void (args.b = args.a! + 1), { c: 3 });
    const [, result] = transform(chained, 'x', { a: 0 }, opts());
    expect(result).toEqual({ a: 1, b: 2, c: 3 });
    expect(chain(undefined, undefined)).toBeUndefined();
    const one = { a: 5 };
    expect(chain(undefined, one)).toBe(one);
  });
});

describe('a component’s transform reaches its resources', () => {
  it('as a partial and as a callback, with the callback’s options honoured', async () => {
    const { resources } = await planProgram(
      () => {
        const marker = new aws.ssm.Parameter('marker', { type: 'String', value: 'x' });
        const names: string[] = [];
        const fn = new NodeFunction('fn', {
          entry: 'src/functions/push.ts',
          statements: [],
          transform: {
            function: { tracingConfig: { mode: 'Active' }, description: 'paced pushes' },
            role: (args, opts, name) => {
              names.push(name);
              args.maxSessionDuration = 7200;
              opts.dependsOn = [marker];
            },
            logGroup: (args) => {
              args.retentionInDays = 7;
            },
          },
        });
        const queue = new PacedQueue('tq', {
          consumerTimeoutSeconds: 30,
          // The visibility timeout covers the window the transform gives the mapping.
          batchingWindowSeconds: 2,
          transform: {
            queue: { delaySeconds: 5 },
            deadLetterQueue: (args) => {
              args.messageRetentionSeconds = 86_400;
            },
            eventSourceMapping: { maximumBatchingWindowInSeconds: 2 },
          },
        });
        queue.subscribe(fn, { batchSize: 20 });
        return { roleTransformedAs: names.join(',') };
      },
      { stack: STACK },
    ).then((plan) => {
      expect(plan.outputs.roleTransformedAs).toBe('fn-role');
      return plan;
    });
    const fn = only(resources, 'lambda/function:Function', 'fn');
    expect(fn.inputs).toMatchObject({ tracingConfig: { mode: 'Active' }, description: 'paced pushes', runtime: 'nodejs24.x', timeout: 30 });
    const role = only(resources, 'iam/role:Role', 'fn-role');
    expect(role.inputs.maxSessionDuration).toBe(7200);
    expect(role.dependencies).toContain(only(resources, 'ssm/parameter:Parameter', 'marker').urn);
    expect(only(resources, 'cloudwatch/logGroup:LogGroup', 'fn-logs').inputs).toMatchObject({
      retentionInDays: 7,
      name: expect.stringMatching(/-fn$/),
    });
    expect(only(resources, 'sqs/queue:Queue', 'tq').inputs).toMatchObject({ delaySeconds: 5, visibilityTimeoutSeconds: 6 * 30 + 2 });
    expect(only(resources, 'sqs/queue:Queue', 'tq-dlq').inputs.messageRetentionSeconds).toBe(86_400);
    expect(only(resources, 'lambda/eventSourceMapping:EventSourceMapping', 'tq-consumer').inputs).toMatchObject({
      maximumBatchingWindowInSeconds: 2,
      batchSize: 20,
      functionResponseTypes: ['ReportBatchItemFailures'],
    });
  }, 120_000);

  it('through the pipeline’s nested transform: every function, then one; queues, table, API, alarms, schedule', async () => {
    const routeNames: string[] = [];
    const { resources } = await pipeline({
      transform: {
        functions: {
          all: { function: { tracingConfig: { mode: 'Active' }, memorySize: 256 } },
          sender: {
            function: (args) => {
              args.memorySize = Number(args.memorySize) * 4;
            },
          },
        },
        sendQueue: { queue: { delaySeconds: 1 } },
        pushQueue: { deadLetterQueue: { messageRetentionSeconds: 7 * 86_400 } },
        table: {
          table: (args) => {
            args.tags = { backup: 'daily' };
          },
        },
        configSecret: { secret: { recoveryWindowInDays: 7 } },
        api: {
          route: (_args, _opts, name) => void routeNames.push(name),
          api: { description: 'WhatsApp messages' },
        },
        alarms: { alarm: { treatMissingData: 'missing' } },
        requeueSchedule: { description: 'held messages back on the send queue' },
      },
    });
    const fn = (name: string) => only(resources, 'lambda/function:Function', `wa-${name}`).inputs;
    for (const name of ['accept', 'status', 'requeue', 'webhook', 'push']) expect(fn(name), name).toMatchObject({ memorySize: 256 });
    expect(fn('sender')).toMatchObject({ memorySize: 1024, tracingConfig: { mode: 'Active' } });
    expect(only(resources, 'sqs/queue:Queue', 'wa-send').inputs.delaySeconds).toBe(1);
    expect(only(resources, 'sqs/queue:Queue', 'wa-push-dlq').inputs.messageRetentionSeconds).toBe(7 * 86_400);
    expect(only(resources, 'dynamodb/table:Table', 'wa-messages').inputs.tags).toEqual({ backup: 'daily' });
    expect(only(resources, 'secretsmanager/secret:Secret', 'wa-config').inputs.recoveryWindowInDays).toBe(7);
    expect(only(resources, 'apigatewayv2/api:Api', 'wa-api').inputs).toMatchObject({
      description: 'WhatsApp messages',
      protocolType: 'HTTP',
    });
    expect(routeNames.sort()).toEqual(
      routesServedBy('httpApi')
        .map((route) => `wa-api-${route.name}`)
        .sort(),
    );
    const alarms = resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms) expect(alarm.inputs.treatMissingData, alarm.name).toBe('missing');
    expect(only(resources, 'cloudwatch/eventRule:EventRule', 'wa-requeue-schedule').inputs).toMatchObject({
      description: 'held messages back on the send queue',
      scheduleExpression: 'rate(1 minute)',
    });
    // None of these breaks a policy.
    expect(checkPolicies({ resources })).toEqual([]);
  }, 120_000);
});

describe('an argument given as an output', () => {
  it('is resolved where it lands, across the pipeline', async () => {
    const { resources } = await pipeline({
      configMaxAgeSeconds: later(120),
      configVersion: later(3),
      logRetentionDays: later(14),
      sender: { memoryMb: later(2048), batchSize: later(5), maximumConcurrency: 3 },
      throttles: later({ sendMessages: { rate: 250, burst: 500 } }),
      tableDeletionProtection: later(true),
      alarmTopicArn: later('arn:aws:sns:us-east-1:123456789012:oncall'),
    });
    const sender = only(resources, 'lambda/function:Function', 'wa-sender').inputs;
    expect(sender.memorySize).toBe(2048);
    expect((sender.environment as { variables: Record<string, string> }).variables.CONFIG_MAX_AGE_S).toBe('120');
    for (const group of resources.filter((r) => r.type === 'aws:cloudwatch/logGroup:LogGroup'))
      expect(group.inputs.retentionInDays, group.name).toBe(14);
    expect(only(resources, 'lambda/eventSourceMapping:EventSourceMapping', 'wa-send-consumer').inputs).toMatchObject({
      batchSize: 5,
      scalingConfig: { maximumConcurrency: 3 },
    });
    const stage = only(resources, 'apigatewayv2/stage:Stage', 'wa-api-default').inputs;
    expect((stage.routeSettings as Array<{ routeKey: string }>).find((s) => s.routeKey === 'POST /v1/messages')).toMatchObject({
      throttlingRateLimit: 250,
      throttlingBurstLimit: 500,
    });
    expect(only(resources, 'dynamodb/table:Table', 'wa-messages').inputs.deletionProtectionEnabled).toBe(true);
    // A topic given: none created, and every alarm goes to it.
    expect(resources.filter((r) => r.type === 'aws:sns/topic:Topic')).toEqual([]);
    for (const alarm of resources.filter((r) => r.type === 'aws:cloudwatch/metricAlarm:MetricAlarm'))
      expect(alarm.inputs.alarmActions, alarm.name).toEqual(['arn:aws:sns:us-east-1:123456789012:oncall']);
    // The salt changes the content version, so the secret is written again.
    const version = only(resources, 'secretsmanager/secretVersion:SecretVersion', 'wa-config-value').inputs.secretStringWoVersion;
    const unsalted = only((await pipeline()).resources, 'secretsmanager/secretVersion:SecretVersion', 'wa-config-value');
    expect(version).not.toBe(unsalted.inputs.secretStringWoVersion);
  }, 120_000);

  it('is resolved in the queue’s redrive policy and retention, and in the alarms’ thresholds and descriptions', async () => {
    const { resources } = await planProgram(
      () => {
        const queue = new PacedQueue('oq', {
          consumerTimeoutSeconds: 30,
          maxReceiveCount: later(3),
          retentionSeconds: later(86_400),
          deadLetterRetentionSeconds: later(5 * 86_400),
        });
        new Alarms('oa', {
          queues: { work: queue },
          functions: {},
          emails: ['ops@example.com'],
          deadLetterAgeSeconds: later(3 * 86_400),
          oldestMessageAgeSeconds: { work: later(600) },
        });
        return {};
      },
      { stack: STACK },
    );
    const queue = only(resources, 'sqs/queue:Queue', 'oq').inputs;
    expect(JSON.parse(String(queue.redrivePolicy))).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:oq-dlq',
      maxReceiveCount: 3,
    });
    expect(queue.messageRetentionSeconds).toBe(86_400);
    expect(only(resources, 'sqs/queue:Queue', 'oq-dlq').inputs.messageRetentionSeconds).toBe(5 * 86_400);
    const age = only(resources, 'cloudwatch/metricAlarm:MetricAlarm', 'oa-work-dlq-age').inputs;
    expect(age).toMatchObject({
      threshold: 3 * 86_400,
      alarmDescription: expect.stringContaining('waited 3 days in the work dead-letter queue'),
    });
    const oldest = only(resources, 'cloudwatch/metricAlarm:MetricAlarm', 'oa-work-oldest-age').inputs;
    expect(oldest).toMatchObject({ threshold: 600, alarmDescription: expect.stringContaining('is over 600 s old') });
    expect(resources.filter((r) => r.type === 'aws:sns/topicSubscription:TopicSubscription').map((r) => r.inputs.endpoint)).toEqual([
      'ops@example.com',
    ]);
  }, 60_000);
});

describe('a transform that breaks a guarantee', () => {
  it('is caught by the policies when the component cannot see it: a queue without its dead-letter queue', async () => {
    const { resources } = await pipeline({ transform: { sendQueue: { queue: { redrivePolicy: undefined } } } });
    expect(checkPolicies({ resources }, ['queues'])).toContainEqual(
      expect.objectContaining({ policy: 'queues', resource: 'wa-send', message: expect.stringMatching(/^no dead-letter queue/) }),
    );
  }, 120_000);

  it('is caught by the policies when the component cannot see it: a visibility timeout (an output) too short', async () => {
    const { resources } = await pipeline({
      transform: {
        sendQueue: {
          queue: (args) => {
            args.visibilityTimeoutSeconds = later(60);
          },
        },
      },
    });
    expect(checkPolicies({ resources })).toEqual([
      expect.objectContaining({
        policy: 'consumers',
        resource: 'wa-send-consumer',
        message: expect.stringMatching(/visibility timeout \(60 s\) is under six times wa-sender's timeout/),
      }),
    ]);
  }, 120_000);

  it('is refused by the component when it can see it: a plain visibility timeout, an API function’s timeout', async () => {
    await expect(pipeline({ transform: { sendQueue: { queue: { visibilityTimeoutSeconds: 60 } } } })).rejects.toThrow(
      /wa-send: six times the consumer's timeout \(30 s\) plus its batching window \(1 s\) is over the visibility timeout \(60 s\)/,
    );
    // The mapping's values after the transform: a batch of 100 without the window Lambda requires for it.
    await expect(pipeline({ transform: { sendQueue: { eventSourceMapping: { maximumBatchingWindowInSeconds: 0 } } } })).rejects.toThrow(
      /wa-send: batchSize 100 is over 10: Lambda requires maximumBatchingWindowSeconds of at least 1/,
    );
    await expect(pipeline({ transform: { functions: { status: { function: { timeout: 30 } } } } })).rejects.toThrow(
      /wa-api: the status function's timeout \(30 s\) must be under the API's 30 s/,
    );
  }, 120_000);
});

describe('NodeFunction', () => {
  it('reports the timeout a transform set, which is what the queue and the API check', async () => {
    const { outputs, resources } = await planProgram(
      () => {
        const fn = new NodeFunction('tf', {
          entry: 'src/functions/push.ts',
          statements: [],
          timeoutSeconds: 10,
          transform: { function: { timeout: 29 } },
        });
        return { timeoutSeconds: fn.timeoutSeconds };
      },
      { stack: STACK },
    );
    expect(outputs.timeoutSeconds).toBe(29);
    expect(only(resources, 'lambda/function:Function', 'tf').inputs.timeout).toBe(29);
  }, 120_000);
});
