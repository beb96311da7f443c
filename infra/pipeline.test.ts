/**
 * The Pulumi program under runtime mocks, checked as policies: what would only show up in
 * production otherwise (a queue without a dead-letter queue, a visibility timeout shorter than
 * its consumer can run, a wildcard in IAM, a secret in an environment variable, an alarm nobody
 * hears, a configuration change that never reaches the functions, a message deleted before it is
 * due). The policies that hold for any program built from the components are plain functions over
 * the resources the mocks capture (policies.ts, also run over transformed programs in
 * transform.test.ts); what is particular to this program (counts, exact grants, the dev stack's
 * settings) is checked here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SCHEDULE_AHEAD_MS } from '../src/api/accept.ts';
import { ROUTES, routesServedBy, type HttpApiRouteName } from '../src/api/routes.ts';
import { CALLING_BACK_PROVIDERS } from '../src/providers/index.ts';
import { PROVIDERS } from '../src/providers/names.ts';
import { CALLBACK_DRIFT_METRIC, CROSS_ACCOUNT_CALLBACK_METRIC, FAILOVER_METRIC, METRIC_NAMESPACE } from '../src/runtime/metrics.ts';
import { messageExpiresAt, MESSAGE_TTL_S, TTL_ATTRIBUTE } from '../src/store/table.ts';
import { BUILD_DIR, REPO_ROOT } from './bundle.ts';
import { ERROR_LOG_PATTERN, HANDLER_ERRORS_NAMESPACE, THROTTLED_LOG_PATTERN } from './components/alarms.ts';
import { ACCESS_LOG_FORMAT, DEFAULT_ROUTE_THROTTLES, INTEGRATION_TIMEOUT_MS } from './components/http-api.ts';
import { awsName } from './components/names.ts';
import { plan, type Plan, type PlannedResource } from './plan.ts';
import { checkPolicies, POLICIES, type PolicyName } from './policies.ts';

const FUNCTIONS = ['accept', 'status', 'sender', 'requeue', 'webhook', 'push'] as const;

let result: Plan;
const ofType = (type: string) => result.resources.filter((r) => r.type === type);
const named = (type: string, name: string) => result.resources.find((r) => r.type === type && r.name === name)!;
/** The mocks' ARNs end in `:<resource name>` (plus `/index/<name>` or `:*`). */
const byArn = (arn: unknown) => {
  const [, , service] = String(arn).split(':');
  return result.resources.find((r) => r.type.startsWith(`aws:${service}/`) && String(arn).endsWith(`:${r.name}`));
};
const fnNamed = (fn: string) => named('aws:lambda/function:Function', `wa-${fn}`);
const variables = (fn: PlannedResource) => (fn.inputs.environment as { variables: Record<string, string> }).variables;
const violations = (...policies: PolicyName[]) => checkPolicies(result, policies);

describe('the Pulumi program (dev stack, mocked)', () => {
  beforeAll(async () => {
    result = await plan('dev', undefined, { standInSecrets: true });
  }, 180_000);

  it('creates the whole inventory', () => {
    const count = (type: string) => ofType(type).length;
    expect(count('aws:lambda/function:Function')).toBe(6);
    expect(count('aws:sqs/queue:Queue')).toBe(4);
    expect(count('aws:lambda/eventSourceMapping:EventSourceMapping')).toBe(2);
    expect(count('aws:dynamodb/table:Table')).toBe(1);
    expect(count('aws:apigatewayv2/route:Route')).toBe(routesServedBy('httpApi').length);
    expect(count('aws:lambda/functionUrl:FunctionUrl')).toBe(1);
    expect(count('aws:secretsmanager/secret:Secret')).toBe(1);
    expect(count('aws:cloudwatch/eventRule:EventRule')).toBe(1);
    expect(count('aws:sns/topic:Topic')).toBe(1);
    expect(count('aws:cloudwatch/logGroup:LogGroup')).toBe(7);
    console.log(
      `resources planned: ${result.resources.length} (${result.resources.filter((r) => r.type.startsWith('aws:')).length} AWS resources)`,
    );
  });

  it('keeps every policy (policies.ts)', () => {
    expect(Object.keys(POLICIES).length).toBeGreaterThanOrEqual(11);
    expect(checkPolicies(result)).toEqual([]);
  });

  it('gives every queue a dead-letter queue, encryption and retention', () => {
    expect(violations('queues')).toEqual([]);
    const queues = ofType('aws:sqs/queue:Queue');
    const redrives = queues.flatMap((q) => (q.inputs.redrivePolicy ? [JSON.parse(String(q.inputs.redrivePolicy))] : []));
    const deadLetters = redrives.map((redrive: { deadLetterTargetArn: string }) => redrive.deadLetterTargetArn);
    expect(deadLetters.map((arn) => byArn(arn)!.name).sort()).toEqual(['wa-push-dlq', 'wa-send-dlq']);
  });

  it('reports batch item failures, caps concurrency, and keeps visibility ≥ 6× the consumer’s timeout', () => {
    expect(violations('consumers')).toEqual([]);
    const mappings = ofType('aws:lambda/eventSourceMapping:EventSourceMapping');
    expect(mappings.map((m) => `${byArn(m.inputs.eventSourceArn)!.name} → ${byArn(m.inputs.functionName)!.name}`).sort()).toEqual([
      'wa-push → wa-push',
      'wa-send → wa-sender',
    ]);
  });

  it('runs every function on nodejs24.x, arm64, with a log group that has retention', () => {
    expect(violations('functions')).toEqual([]);
    for (const fn of ofType('aws:lambda/function:Function'))
      expect((fn.inputs.loggingConfig as { logGroup: string }).logGroup).toBe(`/aws/lambda/${String(fn.inputs.name)}`);
  });

  // Issue 18: logs are billed by the GB; Lambda's start and report lines would outweigh a callback's own.
  it('logs the handlers’ lines from INFO and none of Lambda’s per-invocation lines', () => {
    for (const fn of ofType('aws:lambda/function:Function')) {
      expect(fn.inputs.loggingConfig, fn.name).toMatchObject({ logFormat: 'JSON', applicationLogLevel: 'INFO', systemLogLevel: 'WARN' });
    }
  });

  it('grants no wildcard action, and no wildcard resource', () => {
    expect(ofType('aws:iam/rolePolicy:RolePolicy')).toHaveLength(6);
    expect(violations('least-privilege')).toEqual([]);
  });

  // Item 12: what each function's code calls (infra/components/table-access.ts), written out by hand.
  it('grants each function exactly the actions its code uses, on exactly the resources it uses them on', () => {
    const table = (...actions: string[]) => actions.map((a) => `dynamodb:${a} table`);
    const expected: Record<(typeof FUNCTIONS)[number], string[]> = {
      accept: [...table('BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem', 'UpdateItem'), 'sqs:SendMessage send'],
      status: [
        ...table('BatchGetItem', 'DeleteItem', 'GetItem', 'Query', 'UpdateItem'),
        'dynamodb:Query index/byAccount',
        'dynamodb:Query index/due',
        'sqs:SendMessage send',
        'sqs:SendMessage push',
      ],
      sender: [
        ...table('BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'),
        'dynamodb:Query index/byProviderMessageId',
        'dynamodb:Query index/byRecipient',
        'sqs:ReceiveMessage send',
        'sqs:DeleteMessage send',
        'sqs:GetQueueAttributes send',
        'sqs:SendMessage send',
        'sqs:SendMessage push',
      ],
      // The due index, and each account's messages by creation time (the byAccount index and their records).
      requeue: [
        ...table('BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'),
        'dynamodb:Query index/byAccount',
        'dynamodb:Query index/due',
        'sqs:SendMessage send',
      ],
      webhook: [
        ...table('BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'),
        'dynamodb:Query index/byProviderMessageId',
        'dynamodb:Query index/byRecipient',
        'dynamodb:Query table',
        'sqs:SendMessage push',
      ],
      push: ['sqs:ReceiveMessage push', 'sqs:DeleteMessage push', 'sqs:GetQueueAttributes push', 'sqs:ChangeMessageVisibility push'],
    };
    const kind = (fn: string, arn: string) => {
      const name = arn.split(':123456789012:')[1]!.replace(/^wa-/, '');
      if (name === `${fn}-logs:*`) return 'own logs';
      if (name === 'config') return 'secret';
      if (name === 'messages') return 'table';
      return name.replace(/^messages\//, '');
    };
    for (const fn of FUNCTIONS) {
      const policy = named('aws:iam/rolePolicy:RolePolicy', `wa-${fn}-policy`);
      const statements = (
        JSON.parse(String(policy.inputs.policy)) as { Statement: Array<{ Action: string[]; Resource: string | string[] }> }
      ).Statement;
      const granted = statements.flatMap((s) =>
        s.Action.flatMap((action) => [s.Resource].flat().map((resource) => `${action} ${kind(fn, resource)}`)),
      );
      expect(granted.sort(), fn).toEqual(
        [...expected[fn], 'secretsmanager:GetSecretValue secret', 'logs:CreateLogStream own logs', 'logs:PutLogEvents own logs'].sort(),
      );
    }
  });

  // Item 2 (deployed part): a function created before its policy cold-starts without permissions.
  it('creates each function after its role policy, its log group and the configuration it reads', () => {
    expect(violations('function-order')).toEqual([]);
    const urnOf = (type: string, name: string) => named(type, name).urn!;
    const version = urnOf('aws:secretsmanager/secretVersion:SecretVersion', 'wa-config-value');
    for (const fn of FUNCTIONS) {
      expect(fnNamed(fn).dependencies, fn).toEqual(
        expect.arrayContaining([
          urnOf('aws:iam/rolePolicy:RolePolicy', `wa-${fn}-policy`),
          urnOf('aws:cloudwatch/logGroup:LogGroup', `wa-${fn}-logs`),
          version,
        ]),
      );
    }
  });

  it('keeps every secret out of environment variables, resource inputs and outputs', () => {
    expect(result.secretValues.length).toBeGreaterThan(5);
    expect(violations('secrets')).toEqual([]);
    for (const fn of ofType('aws:lambda/function:Function')) {
      expect(Object.keys(variables(fn)).sort()).toEqual(
        [
          'CONFIG_MAX_AGE_S',
          'CONFIG_VERSION',
          'PUSH_QUEUE_URL',
          'QUEUE_URL',
          'TABLE_NAME',
          'WAPK_CONFIG_SECRET_ID',
          ...(fn.name === 'wa-sender' ? ['SEND_CLAIM_EXPIRY_MS'] : []),
        ].sort(),
      );
      expect(variables(fn).WAPK_CONFIG_SECRET_ID).toMatch(/^arn:aws:secretsmanager:/);
    }
    // Written write-only: Pulumi keeps only the first value, encrypted, in the state's inputs.
    const version = ofType('aws:secretsmanager/secretVersion:SecretVersion')[0]!;
    expect(version.inputs.secretString).toBeUndefined();
    expect(version.inputs.secretStringWo).toBeDefined();
  });

  // Item 3: a write-only value is never diffed, so its version must follow its content.
  it('versions the configuration by its content, and hands that version to every function', () => {
    const configVersion = String(result.outputs.configVersion);
    expect(configVersion).toMatch(/^[0-9a-f]{16}$/);
    const version = ofType('aws:secretsmanager/secretVersion:SecretVersion')[0]!;
    expect(version.inputs.secretStringWoVersion).toBe(Number.parseInt(configVersion.slice(0, 12), 16));
    for (const fn of ofType('aws:lambda/function:Function')) {
      expect(variables(fn).CONFIG_VERSION, fn.name).toBe(configVersion);
      expect(Number(variables(fn).CONFIG_MAX_AGE_S), fn.name).toBeLessThanOrEqual(300);
    }
  });

  // Item 1: TTL must never delete a message before it is due.
  it('lets the table’s TTL delete a message only after its due time plus the retention, for the longest schedule the API accepts', () => {
    expect(violations('table')).toEqual([]);
    const [table] = ofType('aws:dynamodb/table:Table');
    expect(table!.inputs.ttl).toEqual({ attributeName: TTL_ATTRIBUTE, enabled: true });
    const now = Date.parse('2026-11-22T10:00:00Z');
    const furthest = now + MAX_SCHEDULE_AHEAD_MS;
    const expiresMs = messageExpiresAt({ createdAt: new Date(now).toISOString(), scheduleAt: new Date(furthest).toISOString() }) * 1000;
    expect(expiresMs).toBeGreaterThanOrEqual(furthest + MESSAGE_TTL_S * 1000);
  });

  it('creates the table on demand, with point-in-time recovery, encryption and four indexes', () => {
    const [table] = ofType('aws:dynamodb/table:Table');
    expect(table!.inputs).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
    });
    expect((table!.inputs.globalSecondaryIndexes as Array<{ name: string }>).map((i) => i.name).sort()).toEqual([
      'byAccount',
      'byProviderMessageId',
      'byRecipient',
      'due',
    ]);
  });

  it('routes the API to the function that serves each route, and gives the callbacks’ function its URL', () => {
    const routes = ofType('aws:apigatewayv2/route:Route')
      .map((r) => r.inputs.routeKey)
      .sort();
    expect(routes).toEqual(
      routesServedBy('httpApi')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    expect(ROUTES.length).toBeGreaterThan(routes.length);
    expect(violations('function-urls')).toEqual([]);
    const [url] = ofType('aws:lambda/functionUrl:FunctionUrl');
    expect(url!.inputs).toMatchObject({ functionName: fnNamed('webhook').inputs.name, authorizationType: 'NONE', invokeMode: 'BUFFERED' });
    expect(url!.inputs.cors).toBeUndefined();
    expect(fnNamed('webhook').inputs.reservedConcurrentExecutions).toBe(10);
    expect(result.outputs.webhookBaseUrl).toMatch(/\/v1\/webhooks$/);
  });

  // Item 11: a function that may run as long as the gateway waits leaves callers with a gateway 503.
  it('times every API function out before the HTTP API gives up on it', () => {
    const integrations = ofType('aws:apigatewayv2/integration:Integration');
    expect(integrations).toHaveLength(2);
    for (const integration of integrations) expect(Number(integration.inputs.timeoutMilliseconds)).toBe(INTEGRATION_TIMEOUT_MS);
    expect(violations('api-timeouts')).toEqual([]);
  });

  // Item 8: one throttle for the whole API held callbacks to what sends need.
  it('throttles each API route on its own (the stack’s settings over the defaults); callbacks are not the API’s', () => {
    expect(violations('api-stage')).toEqual([]);
    const stage = ofType('aws:apigatewayv2/stage:Stage')[0]!;
    const settings = stage.inputs.routeSettings as Array<{ routeKey: string; throttlingRateLimit: number; throttlingBurstLimit: number }>;
    const byRoute = new Map(settings.map((s) => [s.routeKey, s]));
    const served = routesServedBy('httpApi');
    expect(byRoute.size).toBe(served.length);
    for (const route of served) {
      // Pulumi.dev.yaml raises the send route's throttle.
      const expected = route.name === 'sendMessages' ? { rate: 150, burst: 300 } : DEFAULT_ROUTE_THROTTLES[route.name as HttpApiRouteName];
      expect(byRoute.get(`${route.method} ${route.path}`), route.name).toMatchObject({
        throttlingRateLimit: expected.rate,
        throttlingBurstLimit: expected.burst,
      });
    }
    // Callbacks are not the API's: they come by the webhook function's URL, bounded by its reserved concurrency.
    for (const callback of routesServedBy('functionUrl')) expect(byRoute.has(`${callback.method} ${callback.path}`)).toBe(false);
    // Sized for an account at 40 messages/s.
    expect(DEFAULT_ROUTE_THROTTLES.sendMessages.rate).toBeGreaterThanOrEqual(40);
    const fallback = stage.inputs.defaultRouteSettings as { throttlingRateLimit: number };
    expect(fallback.throttlingRateLimit).toBeLessThanOrEqual(Math.min(...settings.map((s) => s.throttlingRateLimit)));
  });

  it('logs every API request as JSON to a log group with retention, without paths, queries or bodies', () => {
    const stage = ofType('aws:apigatewayv2/stage:Stage')[0]!;
    const access = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
    const group = byArn(access.destinationArn)!;
    expect(group.type).toBe('aws:cloudwatch/logGroup:LogGroup');
    expect(Number(group.inputs.retentionInDays)).toBeGreaterThan(0);
    const format = JSON.parse(access.format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FORMAT);
    expect(format).toMatchObject({ routeKey: '$context.routeKey', status: '$context.status' });
    // Paths carry phone numbers (/v1/suppressions/{account}/{recipient}) and callback tokens.
    for (const variable of Object.values(format)) expect(variable).not.toMatch(/path|query|body|header/i);
  });

  // Item 10: overlapping or retried runs of the every-minute re-enqueue.
  it('runs the re-enqueue once at a time, within its minute, never retried', () => {
    expect(violations('schedules')).toEqual([]);
    const requeue = fnNamed('requeue');
    expect(requeue.inputs.reservedConcurrentExecutions).toBe(1);
    expect(Number(requeue.inputs.timeout)).toBeLessThan(60);
    const [invokeConfig] = ofType('aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig');
    expect(invokeConfig!.inputs).toMatchObject({ functionName: requeue.inputs.name, maximumRetryAttempts: 0 });
    expect(Number(invokeConfig!.inputs.maximumEventAgeInSeconds)).toBeLessThanOrEqual(120);
    const [target] = ofType('aws:cloudwatch/eventTarget:EventTarget');
    expect(target!.inputs.retryPolicy).toMatchObject({ maximumRetryAttempts: 0 });
    const [rule] = ofType('aws:cloudwatch/eventRule:EventRule');
    expect(rule!.inputs.scheduleExpression).toBe('rate(1 minute)');
  });

  // Item 7: alarms nobody hears, and alarms that cannot fire.
  it('sends every alarm to a topic with the stack’s subscribers', () => {
    expect(violations('alarms')).toEqual([]);
    const [topic] = ofType('aws:sns/topic:Topic');
    const topicArn = `arn:aws:sns:us-east-1:123456789012:${topic!.name}`;
    expect(ofType('aws:sns/topicSubscription:TopicSubscription').map((s) => s.inputs)).toEqual([
      expect.objectContaining({ topic: topicArn, protocol: 'email', endpoint: 'oncall@acme.example' }),
    ]);
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    for (const alarm of alarms) {
      expect(alarm.inputs.alarmActions, alarm.name).toEqual([topicArn]);
      expect(alarm.inputs.okActions, alarm.name).toEqual([topicArn]);
    }
    expect(result.outputs.alarmTopicArn).toBe(topicArn);
  });

  it('alarms on dead letters, on each queue’s oldest message, and on their age in the dead-letter queues', () => {
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    const onQueue = (metric: string, queueName: string) =>
      alarms.filter((a) => a.inputs.metricName === metric && (a.inputs.dimensions as { QueueName: string }).QueueName === queueName);
    for (const queue of ['wa-send', 'wa-push']) {
      expect(onQueue('ApproximateNumberOfMessagesVisible', `${queue}-dlq`), queue).toHaveLength(1);
      expect(onQueue('ApproximateAgeOfOldestMessage', `${queue}-dlq`), queue).toHaveLength(1);
      const [oldest] = onQueue('ApproximateAgeOfOldestMessage', queue);
      // Longer than a message can legitimately wait: a 15-minute delay, or the push backoff (≈ 36 min).
      expect(Number(oldest!.inputs.threshold), queue).toBeGreaterThan(900);
      expect(Number(oldest!.inputs.threshold), queue).toBeLessThanOrEqual(3600);
    }
  });

  it('alarms on errors as the handlers count them (their ERROR log lines), on crashes and on throttles', () => {
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    const filters = ofType('aws:cloudwatch/logMetricFilter:LogMetricFilter');
    for (const fn of FUNCTIONS) {
      const functionName = String(fnNamed(fn).inputs.name);
      const filter = filters.find((f) => f.inputs.logGroupName === `/aws/lambda/${functionName}`);
      expect(filter?.inputs.pattern, fn).toBe(ERROR_LOG_PATTERN);
      const metric = filter!.inputs.metricTransformation as { namespace: string; name: string; value: string };
      expect(metric).toMatchObject({ namespace: HANDLER_ERRORS_NAMESPACE, name: functionName, value: '1' });
      expect(
        alarms.filter((a) => a.inputs.namespace === metric.namespace && a.inputs.metricName === metric.name),
        fn,
      ).toHaveLength(1);
      for (const lambdaMetric of ['Errors', 'Throttles']) {
        expect(
          alarms.filter(
            (a) => a.inputs.metricName === lambdaMetric && (a.inputs.dimensions as { FunctionName: string }).FunctionName === functionName,
          ),
          `${fn} ${lambdaMetric}`,
        ).toHaveLength(1);
      }
    }
  });

  it('alarms on the API’s 5xx answers and on the requests it throttles', () => {
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    const api = ofType('aws:apigatewayv2/api:Api')[0]!;
    expect(alarms.filter((a) => a.inputs.namespace === 'AWS/ApiGateway' && a.inputs.metricName === '5xx')).toEqual([
      expect.objectContaining({ inputs: expect.objectContaining({ dimensions: { ApiId: `${api.name}-id`, Stage: '$default' } }) }),
    ]);
    const stage = ofType('aws:apigatewayv2/stage:Stage')[0]!;
    const accessLog = byArn((stage.inputs.accessLogSettings as { destinationArn: string }).destinationArn)!;
    const throttled = ofType('aws:cloudwatch/logMetricFilter:LogMetricFilter').find(
      (f) => f.inputs.logGroupName === accessLog.inputs.name || f.inputs.logGroupName === accessLog.name,
    )!;
    expect(throttled.inputs.pattern).toBe(THROTTLED_LOG_PATTERN);
    const metric = throttled.inputs.metricTransformation as { namespace: string; name: string };
    expect(alarms.filter((a) => a.inputs.namespace === metric.namespace && a.inputs.metricName === metric.name)).toHaveLength(1);
  });

  it('alarms on each calling-back provider’s callback drift, counted by the webhook function under its own name', () => {
    const drift = ofType('aws:cloudwatch/metricAlarm:MetricAlarm').filter(
      (a) => a.inputs.namespace === METRIC_NAMESPACE && a.inputs.metricName === CALLBACK_DRIFT_METRIC,
    );
    // Lambda sets AWS_LAMBDA_FUNCTION_NAME to the function's name: the dimension the webhook writes (src/webhooks/app.ts).
    const webhook = String(fnNamed('webhook').inputs.name);
    expect(drift.map((a) => a.inputs.dimensions)).toEqual(CALLING_BACK_PROVIDERS.map((provider) => ({ function_name: webhook, provider })));
    expect(CALLING_BACK_PROVIDERS).not.toContain('livetok');
    for (const alarm of drift) {
      // Any drifting callback in an hour; quiet (OK) after an hour without one, and while there is none at all.
      expect(alarm.inputs, alarm.name).toMatchObject({
        statistic: 'Sum',
        period: 3600,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
      expect(String(alarm.inputs.alarmDescription)).toMatch(/callback drift/);
    }
    expect(drift.map((a) => a.name)).toEqual(CALLING_BACK_PROVIDERS.map((provider) => `wa-alarms-callback-drift-${provider}`));
  });

  it('alarms on each calling-back provider’s cross-account callbacks, counted by the webhook function under its own name', () => {
    const cross = ofType('aws:cloudwatch/metricAlarm:MetricAlarm').filter(
      (a) => a.inputs.namespace === METRIC_NAMESPACE && a.inputs.metricName === CROSS_ACCOUNT_CALLBACK_METRIC,
    );
    const webhook = String(fnNamed('webhook').inputs.name);
    expect(cross.map((a) => a.inputs.dimensions)).toEqual(CALLING_BACK_PROVIDERS.map((provider) => ({ function_name: webhook, provider })));
    for (const alarm of cross) {
      expect(alarm.inputs, alarm.name).toMatchObject({
        statistic: 'Sum',
        period: 3600,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
      expect(String(alarm.inputs.alarmDescription)).toMatch(/callback names a message of another account/);
    }
    expect(cross.map((a) => a.name)).toEqual(CALLING_BACK_PROVIDERS.map((provider) => `wa-alarms-cross-account-callback-${provider}`));
  });

  it('alarms on every failover from each provider, counted by the sender function under its own name, within 5 minutes', () => {
    const failovers = ofType('aws:cloudwatch/metricAlarm:MetricAlarm').filter(
      (a) => a.inputs.namespace === METRIC_NAMESPACE && a.inputs.metricName === FAILOVER_METRIC,
    );
    // The sender's `failed over` line carries function_name (Lambda's AWS_LAMBDA_FUNCTION_NAME: src/runtime/metrics.ts failoverMetric).
    const sender = String(fnNamed('sender').inputs.name);
    expect(failovers.map((a) => a.inputs.dimensions)).toEqual(PROVIDERS.map((provider) => ({ function_name: sender, provider })));
    expect(PROVIDERS).toContain('livetok');
    for (const alarm of failovers) {
      // One failover in 5 minutes raises it; OK again after 5 minutes without one, and while there is none at all.
      expect(alarm.inputs, alarm.name).toMatchObject({
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
      expect(String(alarm.inputs.alarmDescription)).toMatch(/failed over .*'failed over' lines/s);
    }
    expect(failovers.map((a) => a.name)).toEqual(PROVIDERS.map((provider) => `wa-alarms-failover-${provider}`));
  });

  // Item 13: the SDK the tests ran is the SDK that runs.
  it('bundles the AWS SDK into every function, leaving only Node’s own modules to the runtime', () => {
    const sizes = result.outputs.bundleBytes as Record<string, number>;
    expect(Object.keys(sizes).sort()).toEqual([...FUNCTIONS].sort());
    for (const fn of FUNCTIONS) {
      const meta = JSON.parse(readFileSync(join(BUILD_DIR, awsName(['dev'], 100), `wa-${fn}`, 'meta.json'), 'utf8')) as {
        packages: string[];
        externalImports: string[];
      };
      for (const external of meta.externalImports) expect(external, fn).toMatch(/^node:/);
      expect(meta.packages, fn).toEqual(
        expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sqs', '@aws-sdk/client-secrets-manager']),
      );
      expect(sizes[fn], fn).toBeGreaterThan(10_000);
      expect(sizes[fn], fn).toBeLessThan(3_000_000);
    }
    console.log(
      `bundle sizes (minified, SDK included): ${Object.entries(sizes)
        .map(([n, b]) => `${n} ${(b / 1024).toFixed(0)} KB`)
        .join(', ')}`,
    );
  });

  // Item 14: `export *` made every component class an (empty) stack output.
  it('exports the stack’s outputs and nothing else', () => {
    expect(Object.keys(result.outputs).sort()).toEqual([
      'alarmTopicArn',
      'apiUrl',
      'bundleBytes',
      'callbackUrls',
      'configVersion',
      'pushDeadLetterQueueUrl',
      'sendDeadLetterQueueUrl',
      'sendQueueUrl',
      'tableName',
      'webhookBaseUrl',
    ]);
  });

  it('tags every AWS resource with the project and the stack, through the provider', () => {
    const [provider] = ofType('pulumi:providers:aws');
    const tags = JSON.parse(String(provider!.inputs.defaultTags)) as { tags: Record<string, string> };
    expect(tags.tags).toEqual({ project: 'whatsapp-provider-kit', stack: 'dev', team: 'messaging' });
    expect(provider!.inputs.region).toBe('us-east-1');
    for (const resource of result.resources.filter((r) => r.type.startsWith('aws:')))
      expect(resource.provider, resource.name).toMatch(new RegExp(`^${provider!.urn!.replace(/[$]/g, '\\$')}::`));
  });
});

describe('the Pulumi program for a long, dotted stack name', () => {
  const stack = 'acme.messaging.production-eu-west-1.blue-green-2026';
  let long: Plan;
  beforeAll(async () => {
    long = await plan(stack, join(REPO_ROOT, 'Pulumi.dev.yaml'), { standInSecrets: true });
  }, 180_000);

  it('gives every function a valid, distinct name of at most 64 characters, and its log group that name', () => {
    const functions = long.resources.filter((r) => r.type === 'aws:lambda/function:Function');
    const names = functions.map((fn) => String(fn.inputs.name));
    expect(new Set(names).size).toBe(6);
    for (const fn of functions) {
      const name = String(fn.inputs.name);
      expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(name.endsWith(fn.name)).toBe(true);
      expect((fn.inputs.loggingConfig as { logGroup: string }).logGroup).toBe(`/aws/lambda/${name}`);
    }
    expect(names.some((name) => name.length === 64)).toBe(true);
  });
});
