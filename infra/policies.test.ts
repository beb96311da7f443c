/**
 * Each policy (policies.ts) catches what it is for: the stack's program passes them all (see
 * pipeline.test.ts), and each change below — made to a copy of that plan's resources, as a bad
 * transform or a bad edit would make it — is a violation of the policy it breaks, naming the
 * resource at fault.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './bundle.ts';
import { plan, type Plan, type PlannedResource } from './plan.ts';
import { checkPolicies, POLICIES, type PolicyName } from './policies.ts';

let base: Plan;
type Break = (resources: PlannedResource[], secrets: string[]) => void;
const find = (resources: PlannedResource[], type: string, name: string) => {
  const found = resources.find((r) => r.type === `aws:${type}` && r.name === name);
  if (!found) throw new Error(`no ${type} ${name} in the plan`);
  return found;
};
/** A JSON copy of the plan's resources: inputs hold assets (with promises) that structuredClone refuses. */
const copy = () => JSON.parse(JSON.stringify(base.resources)) as PlannedResource[];
/** The violations of `policy` once `change` is made to a copy of the plan. */
const after = (policy: PolicyName, change: Break) => {
  const resources = copy();
  change(resources, base.secretValues);
  return checkPolicies({ ...base, resources }, [policy]).map(({ resource, message }) => `${resource}: ${message}`);
};

const CASES: Array<{ policy: PolicyName; what: string; change: Break; expected: RegExp }> = [
  {
    policy: 'queues',
    what: 'a queue without its dead-letter queue',
    change: (r) => delete find(r, 'sqs/queue:Queue', 'wa-send').inputs.redrivePolicy,
    expected: /^wa-send: no dead-letter queue/,
  },
  {
    policy: 'queues',
    what: 'an unencrypted dead-letter queue',
    change: (r) => void (find(r, 'sqs/queue:Queue', 'wa-push-dlq').inputs.sqsManagedSseEnabled = false),
    expected: /^wa-push-dlq: not encrypted/,
  },
  {
    policy: 'consumers',
    what: 'a visibility timeout shorter than six times the consumer’s timeout',
    change: (r) => void (find(r, 'sqs/queue:Queue', 'wa-send').inputs.visibilityTimeoutSeconds = 60),
    expected: /^wa-send-consumer: wa-send's visibility timeout \(60 s\) is under six times wa-sender's timeout \(30 s\)/,
  },
  {
    policy: 'consumers',
    what: 'a visibility timeout that leaves out the batching window',
    change: (r) => {
      find(r, 'sqs/queue:Queue', 'wa-send').inputs.visibilityTimeoutSeconds = 180;
      find(r, 'lambda/eventSourceMapping:EventSourceMapping', 'wa-send-consumer').inputs.maximumBatchingWindowInSeconds = 5;
    },
    expected:
      /^wa-send-consumer: wa-send's visibility timeout \(180 s\) is under six times wa-sender's timeout \(30 s\) plus its batching window \(5 s\)/,
  },
  {
    policy: 'consumers',
    what: 'a batch over 10 without a batching window',
    change: (r) => {
      const mapping = find(r, 'lambda/eventSourceMapping:EventSourceMapping', 'wa-send-consumer');
      mapping.inputs.batchSize = 100;
      delete mapping.inputs.maximumBatchingWindowInSeconds;
    },
    expected: /^wa-send-consumer: batchSize 100 is over 10 without a batching window of at least 1 s/,
  },
  {
    policy: 'consumers',
    what: 'a consumer that fails whole batches',
    change: (r) => void (find(r, 'lambda/eventSourceMapping:EventSourceMapping', 'wa-push-consumer').inputs.functionResponseTypes = []),
    expected: /^wa-push-consumer: does not report batch item failures/,
  },
  {
    policy: 'functions',
    what: 'another runtime',
    change: (r) => void (find(r, 'lambda/function:Function', 'wa-accept').inputs.runtime = 'nodejs20.x'),
    expected: /^wa-accept: runtime nodejs20.x/,
  },
  {
    policy: 'functions',
    what: 'a log group that keeps its logs forever',
    change: (r) => delete find(r, 'cloudwatch/logGroup:LogGroup', 'wa-push-logs').inputs.retentionInDays,
    expected: /^wa-push-logs: keeps its logs forever/,
  },
  {
    policy: 'least-privilege',
    what: 'a wildcard action',
    change: (r) => {
      const policy = find(r, 'iam/rolePolicy:RolePolicy', 'wa-accept-policy');
      const document = JSON.parse(String(policy.inputs.policy)) as { Statement: unknown[] };
      document.Statement.push({ Effect: 'Allow', Action: ['dynamodb:*'], Resource: 'arn:aws:dynamodb:us-east-1:123456789012:x' });
      policy.inputs.policy = JSON.stringify(document);
    },
    expected: /^wa-accept-policy: wildcard action dynamodb:\*/,
  },
  {
    policy: 'function-order',
    what: 'a function created before its role policy',
    change: (r) => {
      const policy = find(r, 'iam/rolePolicy:RolePolicy', 'wa-sender-policy');
      const fn = find(r, 'lambda/function:Function', 'wa-sender');
      fn.dependencies = fn.dependencies.filter((urn) => urn !== policy.urn);
    },
    expected: /^wa-sender: not created after wa-sender-policy/,
  },
  {
    policy: 'table',
    what: 'a table whose TTL is off',
    change: (r) => void (find(r, 'dynamodb/table:Table', 'wa-messages').inputs.ttl = { attributeName: 'expiresAt', enabled: false }),
    expected: /^wa-messages: TTL is not on/,
  },
  {
    policy: 'api-timeouts',
    what: 'an API function that runs as long as the gateway waits',
    change: (r) => void (find(r, 'lambda/function:Function', 'wa-status').inputs.timeout = 30),
    expected: /^wa-status: times out at 30 s: the API gives up at 30000 ms/,
  },
  {
    policy: 'function-urls',
    what: 'a function URL without AWS auth on a function that does not authenticate its requests (the status API)',
    change: (r) => {
      const url = find(r, 'lambda/functionUrl:FunctionUrl', 'wa-webhook-url');
      url.inputs.functionName = find(r, 'lambda/function:Function', 'wa-status').inputs.name;
      find(r, 'lambda/function:Function', 'wa-status').inputs.reservedConcurrentExecutions = 5;
    },
    expected: /^wa-webhook-url: anyone may call wa-status by its URL, and it does not authenticate requests itself/,
  },
  {
    policy: 'function-urls',
    what: 'the callbacks’ function URL without a flood guard',
    change: (r) => delete find(r, 'lambda/function:Function', 'wa-webhook').inputs.reservedConcurrentExecutions,
    expected: /^wa-webhook-url: wa-webhook has no reserved concurrency/,
  },
  {
    policy: 'function-urls',
    what: 'CORS on the callbacks’ function URL',
    change: (r) => void (find(r, 'lambda/functionUrl:FunctionUrl', 'wa-webhook-url').inputs.cors = { allowOrigins: ['*'] }),
    expected: /^wa-webhook-url: CORS is on/,
  },
  {
    policy: 'function-urls',
    what: 'a function anyone may invoke directly, not only through its URL',
    change: (r) => delete find(r, 'lambda/permission:Permission', 'wa-webhook-url-invoke').inputs.invokedViaFunctionUrl,
    expected: /^wa-webhook-url-invoke: anyone may invoke the function directly/,
  },
  {
    policy: 'api-stage',
    what: 'a route without a throttle of its own',
    change: (r) => {
      const stage = find(r, 'apigatewayv2/stage:Stage', 'wa-api-default');
      stage.inputs.routeSettings = (stage.inputs.routeSettings as Array<{ routeKey: string }>).filter(
        (s) => s.routeKey !== 'POST /v1/messages',
      );
    },
    expected: /^wa-api-default: route POST \/v1\/messages has no throttle of its own/,
  },
  {
    policy: 'api-stage',
    what: 'an access log with paths',
    change: (r) => {
      const settings = find(r, 'apigatewayv2/stage:Stage', 'wa-api-default').inputs.accessLogSettings as { format: string };
      settings.format = JSON.stringify({ ...JSON.parse(settings.format), path: '$context.path' });
    },
    expected: /^wa-api-default: the access log logs \$context.path/,
  },
  {
    policy: 'schedules',
    what: 'a scheduled function that may overlap itself',
    change: (r) => delete find(r, 'lambda/function:Function', 'wa-requeue').inputs.reservedConcurrentExecutions,
    expected: /^wa-requeue: scheduled, but not one run at a time/,
  },
  {
    policy: 'schedules',
    what: 'a schedule that retries',
    change: (r) => {
      find(r, 'cloudwatch/eventTarget:EventTarget', 'wa-requeue-target').inputs.retryPolicy = { maximumRetryAttempts: 2 };
    },
    expected: /^wa-requeue-target: retries a failed run/,
  },
  {
    policy: 'alarms',
    what: 'an alarm nobody hears',
    change: (r) => void (find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-sender-errors').inputs.alarmActions = []),
    expected: /^wa-alarms-sender-errors: no alarmActions/,
  },
  {
    policy: 'alarms',
    what: 'a dead-letter queue without its alarm',
    change: (r) => r.splice(r.indexOf(find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-send-dlq-depth')), 1),
    expected: /^wa-send-dlq: no alarm on the messages in this dead-letter queue/,
  },
  {
    policy: 'alarms',
    what: 'a provider whose callbacks nobody watches for drift',
    change: (r) => r.splice(r.indexOf(find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-callback-drift-gupshup')), 1),
    expected: /^wa-webhook: no alarm on the drift of gupshup's callbacks/,
  },
  {
    policy: 'alarms',
    what: 'a drift alarm on another function (another stack’s webhook)',
    change: (r) => {
      const alarm = find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-callback-drift-kaleyra');
      alarm.inputs.dimensions = { ...(alarm.inputs.dimensions as object), function_name: 'wapk-prod-wa-webhook' };
    },
    expected: /^wa-webhook: no alarm on the drift of kaleyra's callbacks/,
  },
  {
    policy: 'alarms',
    what: 'a drift alarm that never clears (missing data breaching)',
    change: (r) =>
      void (find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-callback-drift-livechat').inputs.treatMissingData = 'breaching'),
    expected:
      /^wa-alarms-callback-drift-livechat: treats missing data as breaching: with no drifting callbacks there is no data, so it never clears/,
  },
  {
    policy: 'alarms',
    what: 'a provider whose cross-account callbacks nobody is told of',
    change: (r) => r.splice(r.indexOf(find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-cross-account-callback-kaleyra')), 1),
    expected: /^wa-webhook: no alarm on cross-account callbacks of kaleyra's callbacks/,
  },
  {
    policy: 'alarms',
    what: 'a cross-account alarm that keeps its state without data (ignore)',
    change: (r) =>
      void (find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-cross-account-callback-gupshup').inputs.treatMissingData = 'ignore'),
    expected: /^wa-alarms-cross-account-callback-gupshup: treats missing data as ignore: with no cross-account callbacks there is no data/,
  },
  {
    policy: 'alarms',
    what: 'a provider whose failovers nobody is told of (LiveTok: it sends no callbacks, but it can refuse)',
    change: (r) => r.splice(r.indexOf(find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-failover-livetok')), 1),
    expected: /^wa-sender: no alarm on failovers from livetok$/,
  },
  {
    policy: 'alarms',
    what: 'a failover alarm on another function (the requeue function writes no failover)',
    change: (r) => {
      const alarm = find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-failover-kaleyra');
      alarm.inputs.dimensions = {
        ...(alarm.inputs.dimensions as object),
        function_name: find(r, 'lambda/function:Function', 'wa-requeue').inputs.name,
      };
    },
    expected: /^wa-sender: no alarm on failovers from kaleyra$/,
  },
  {
    policy: 'alarms',
    what: 'a failover alarm that never clears (missing data breaching)',
    change: (r) => void (find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-failover-gupshup').inputs.treatMissingData = 'breaching'),
    expected: /^wa-alarms-failover-gupshup: treats missing data as breaching: with no failovers there is no data, so it never clears/,
  },
  {
    policy: 'alarms',
    what: 'a failover alarm that lets a few failovers go unseen (threshold 5)',
    change: (r) => void (find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-failover-loopwave').inputs.threshold = 5),
    expected: /^wa-alarms-failover-loopwave: does not fire on one of the failovers \(threshold 5\)/,
  },
  {
    policy: 'alarms',
    what: 'a failover alarm on the average, not the count',
    change: (r) => void (find(r, 'cloudwatch/metricAlarm:MetricAlarm', 'wa-alarms-failover-livechat').inputs.statistic = 'Average'),
    expected: /^wa-alarms-failover-livechat: does not count failovers \(Sum, at least 1\)/,
  },
  {
    policy: 'secrets',
    what: 'a secret in an environment variable',
    change: (r, secrets) => {
      const fn = find(r, 'lambda/function:Function', 'wa-push');
      (fn.inputs.environment as { variables: Record<string, string> }).variables.PUSH_SECRET = secrets[0]!;
    },
    expected: /^wa-push: a secret value is in its inputs/,
  },
];

describe('the policies', () => {
  beforeAll(async () => {
    base = await plan('policies', join(REPO_ROOT, 'Pulumi.dev.yaml'), { standInSecrets: true });
  }, 180_000);

  it('pass on the stack’s program, and on the copy each case changes', () => {
    expect(checkPolicies(base)).toEqual([]);
    expect(checkPolicies({ ...base, resources: copy() })).toEqual([]);
  });

  it.each(CASES)('$policy catches $what', ({ policy, change, expected }) => {
    const found = after(policy, change);
    expect(
      found.some((line) => expected.test(line)),
      found.join('\n') || 'no violation',
    ).toBe(true);
  });

  it('are each shown catching something', () => {
    expect(new Set(CASES.map((c) => c.policy))).toEqual(new Set(Object.keys(POLICIES)));
  });
});
