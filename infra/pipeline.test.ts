/**
 * The Pulumi program under runtime mocks, checked as policies: what would only show up in
 * production otherwise (a queue without a dead-letter queue, a visibility timeout shorter than
 * its consumer can run, a wildcard in IAM, a secret in an environment variable).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/api/routes.ts';
import { plan, type Plan, type PlannedResource } from './plan.ts';

let result: Plan;
const ofType = (type: string) => result.resources.filter((r) => r.type === type);
const byArn = (arn: unknown) => {
  const [, , service] = String(arn).split(':');
  return result.resources.find((r) => r.type.startsWith(`aws:${service}/`) && String(arn).endsWith(`:${r.name}`));
};

describe('the Pulumi program (dev stack, mocked)', () => {
  beforeAll(async () => {
    result = await plan('dev');
  }, 120_000);

  it('creates the whole inventory', () => {
    const count = (type: string) => ofType(type).length;
    expect(count('aws:lambda/function:Function')).toBe(6);
    expect(count('aws:sqs/queue:Queue')).toBe(4);
    expect(count('aws:lambda/eventSourceMapping:EventSourceMapping')).toBe(2);
    expect(count('aws:dynamodb/table:Table')).toBe(1);
    expect(count('aws:apigatewayv2/route:Route')).toBe(ROUTES.length);
    expect(count('aws:secretsmanager/secret:Secret')).toBe(1);
    expect(count('aws:cloudwatch/eventRule:EventRule')).toBe(1);
  });

  it('gives every queue a dead-letter queue, encryption and retention', () => {
    const queues = ofType('aws:sqs/queue:Queue');
    const deadLetters = new Set(queues.flatMap((q) => (q.inputs.redrivePolicy ? [JSON.parse(String(q.inputs.redrivePolicy)).deadLetterTargetArn as string] : [])));
    for (const queue of queues) {
      expect(queue.inputs.sqsManagedSseEnabled, queue.name).toBe(true);
      expect(Number(queue.inputs.messageRetentionSeconds), queue.name).toBeGreaterThan(0);
      const isDeadLetter = [...deadLetters].some((arn) => arn.endsWith(`:${queue.name}`));
      if (!isDeadLetter) expect(JSON.parse(String(queue.inputs.redrivePolicy)).maxReceiveCount, queue.name).toBeGreaterThan(0);
    }
    expect(deadLetters.size).toBe(2);
  });

  it('reports batch item failures, caps concurrency, and keeps visibility ≥ 6× the consumer’s timeout', () => {
    for (const mapping of ofType('aws:lambda/eventSourceMapping:EventSourceMapping')) {
      expect(mapping.inputs.functionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect((mapping.inputs.scalingConfig as { maximumConcurrency: number }).maximumConcurrency).toBeGreaterThanOrEqual(2);
      const queue = byArn(mapping.inputs.eventSourceArn)!;
      const fn = byArn(mapping.inputs.functionName)!;
      expect(Number(queue.inputs.visibilityTimeoutSeconds)).toBeGreaterThanOrEqual(6 * Number(fn.inputs.timeout));
    }
  });

  it('runs every function on nodejs24.x, arm64, with a log group that has retention', () => {
    for (const fn of ofType('aws:lambda/function:Function')) {
      expect(fn.inputs.runtime, fn.name).toBe('nodejs24.x');
      expect(fn.inputs.architectures, fn.name).toEqual(['arm64']);
      expect((fn.inputs.loggingConfig as { logGroup: string }).logGroup).toBe(`/aws/lambda/${String(fn.inputs.name)}`.replace('/aws/lambda//aws/lambda/', '/aws/lambda/'));
    }
    for (const group of ofType('aws:cloudwatch/logGroup:LogGroup')) expect(Number(group.inputs.retentionInDays)).toBeGreaterThan(0);
  });

  it('grants no wildcard action, and no wildcard resource', () => {
    const policies = ofType('aws:iam/rolePolicy:RolePolicy');
    expect(policies).toHaveLength(6);
    for (const policy of policies) {
      const document = JSON.parse(String(policy.inputs.policy)) as { Statement: Array<{ Action: string | string[]; Resource: string | string[] }> };
      for (const statement of document.Statement) {
        for (const action of [statement.Action].flat()) expect(action, policy.name).not.toContain('*');
        for (const resource of [statement.Resource].flat()) {
          expect(resource, policy.name).not.toBe('*');
          expect(resource, policy.name).toMatch(/^arn:aws:/);
        }
      }
    }
  });

  it('gives each function only what it uses (the push function no table, the status function only SendMessage)', () => {
    const actionsOf = (fnName: string) => {
      const policy = ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === `wa-${fnName}-policy`)!;
      return (JSON.parse(String(policy.inputs.policy)) as { Statement: Array<{ Action: string[] }> }).Statement.flatMap((s) => s.Action);
    };
    expect(actionsOf('push').some((a) => a.startsWith('dynamodb:'))).toBe(false);
    // Lifting a pause re-enqueues the account's held messages: a producer of the send queue, nothing more.
    expect(actionsOf('status').filter((a) => a.startsWith('sqs:'))).toEqual(['sqs:SendMessage']);
    expect(actionsOf('accept')).not.toContain('sqs:ReceiveMessage');
    for (const fn of ['accept', 'status', 'sender', 'requeue', 'webhook', 'push']) expect(actionsOf(fn)).toContain('secretsmanager:GetSecretValue');
  });

  it('keeps every secret out of environment variables, resource inputs and outputs', () => {
    expect(result.secretValues.length).toBeGreaterThan(5);
    const visible = JSON.stringify([
      ...result.resources.map((r: PlannedResource) => (r.type === 'aws:secretsmanager/secretVersion:SecretVersion' ? { ...r.inputs, secretStringWo: undefined } : r.inputs)),
      result.outputs,
    ]);
    for (const secret of result.secretValues) expect(visible).not.toContain(secret);
    for (const fn of ofType('aws:lambda/function:Function')) {
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      expect(Object.keys(variables).sort()).toEqual(expect.arrayContaining(['TABLE_NAME', 'QUEUE_URL', 'WAPK_CONFIG_SECRET_ID']));
      expect(variables.WAPK_CONFIG_SECRET_ID).toMatch(/^arn:aws:secretsmanager:/);
    }
    // The secret's value is written write-only: it is not stored in the state either.
    const version = ofType('aws:secretsmanager/secretVersion:SecretVersion')[0]!;
    expect(version.inputs.secretString).toBeUndefined();
    expect(version.inputs.secretStringWo).toBeDefined();
  });

  it('creates the table on demand, with point-in-time recovery, encryption, TTL and the callback index', () => {
    const [table] = ofType('aws:dynamodb/table:Table');
    expect(table!.inputs).toMatchObject({ billingMode: 'PAY_PER_REQUEST', pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true }, ttl: { attributeName: 'expiresAt', enabled: true } });
    expect((table!.inputs.globalSecondaryIndexes as Array<{ name: string }>).map((i) => i.name).sort()).toEqual(['byAccount', 'byProviderMessageId', 'byRecipient', 'due']);
  });

  it('routes the API to the function that serves each route', () => {
    const routes = ofType('aws:apigatewayv2/route:Route').map((r) => r.inputs.routeKey).sort();
    expect(routes).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('alarms on dead-letter depth, errors and throttles', () => {
    const alarms = ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.filter((a) => a.inputs.metricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(alarms.filter((a) => a.inputs.metricName === 'Errors')).toHaveLength(6);
    expect(alarms.filter((a) => a.inputs.metricName === 'Throttles')).toHaveLength(6);
  });

  it('builds every bundle, and reports their sizes', () => {
    const sizes = result.outputs.bundleBytes as Record<string, number>;
    expect(Object.keys(sizes).sort()).toEqual(['accept', 'push', 'requeue', 'sender', 'status', 'webhook']);
    for (const [name, bytes] of Object.entries(sizes)) {
      expect(bytes, name).toBeGreaterThan(10_000);
      expect(bytes, name).toBeLessThan(3_000_000);
    }
    console.log(`bundle sizes (minified): ${Object.entries(sizes).map(([n, b]) => `${n} ${(b / 1024).toFixed(0)} KB`).join(', ')}`);
  });
});
