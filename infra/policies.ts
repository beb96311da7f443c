/**
 * What the deployed pipeline must keep, whatever its arguments and transforms: plain functions
 * over the resources a plan captures (plan.ts, under Pulumi's runtime mocks), each returning the
 * violations it finds. The infra tests run them over the stack's program and over programs built
 * with transforms; `npm run infra:plan` runs them over the stack's program and fails on any.
 *
 * They read the mocks' conventions: a resource's ARN ends in `:<its name>`, its id is
 * `<its name>-id`, and a resource without an explicit `name` gets its Pulumi name.
 */
import { ROUTES, routesServedBy } from '../src/api/routes.ts';
import { CALLING_BACK_PROVIDERS } from '../src/providers/index.ts';
import { PROVIDERS } from '../src/providers/names.ts';
import { CALLBACK_DRIFT_METRIC, CROSS_ACCOUNT_CALLBACK_METRIC, FAILOVER_METRIC, METRIC_NAMESPACE } from '../src/runtime/metrics.ts';
import { TTL_ATTRIBUTE } from '../src/store/table.ts';
import type { Plan, PlannedResource } from './plan.ts';

export interface Violation {
  /** The policy's name (a key of {@link POLICIES}). */
  policy: string;
  /** The Pulumi name of the resource at fault. */
  resource: string;
  message: string;
}

/** What a policy reads: the resources, and for the secret policy the secret values planned and the outputs. */
export type PlanView = Pick<Plan, 'resources'> & Partial<Pick<Plan, 'outputs' | 'secretValues'>>;

type Check = (plan: PlanView) => Array<Omit<Violation, 'policy'>>;

const TYPES = {
  queue: 'aws:sqs/queue:Queue',
  mapping: 'aws:lambda/eventSourceMapping:EventSourceMapping',
  fn: 'aws:lambda/function:Function',
  invokeConfig: 'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  table: 'aws:dynamodb/table:Table',
  integration: 'aws:apigatewayv2/integration:Integration',
  route: 'aws:apigatewayv2/route:Route',
  stage: 'aws:apigatewayv2/stage:Stage',
  rule: 'aws:cloudwatch/eventRule:EventRule',
  target: 'aws:cloudwatch/eventTarget:EventTarget',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  metricFilter: 'aws:cloudwatch/logMetricFilter:LogMetricFilter',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  functionUrl: 'aws:lambda/functionUrl:FunctionUrl',
  permission: 'aws:lambda/permission:Permission',
} as const;

/**
 * The pipeline functions that authenticate every request themselves, by the route table: those
 * whose routes are served by a function URL (the webhook: each provider's signature or token on
 * the raw bytes). A plan's function is one of them by its Pulumi name (`<pipeline>-<function>`).
 */
const SELF_AUTHENTICATING = [...new Set(routesServedBy('functionUrl').map((route) => route.function))];

/** The pipeline functions that take providers' callbacks (the webhook routes'), by their Pulumi name's end. */
const CALLBACK_RECEIVERS = [...new Set(ROUTES.filter((route) => route.path.startsWith('/v1/webhooks/')).map((route) => route.function))];
/** The function that sends, through any provider, and fails messages over (src/sender/failover.ts writes the `failover` metric). */
const FAILOVER_SENDERS = ['sender'] as const;

/** API Gateway's limit for an HTTP API integration (http-api.ts `INTEGRATION_TIMEOUT_MS`). */
const INTEGRATION_LIMIT_MS = 30_000;
/** Lambda's default timeout, for a function whose `timeout` a transform removed. */
const LAMBDA_DEFAULT_TIMEOUT_S = 3;

const ofType = (plan: PlanView, type: string) => plan.resources.filter((r) => r.type === type);
/** The resource of `type` an ARN (or an id, `<name>-id`) names. */
const byRef = (plan: PlanView, type: string, ref: unknown) =>
  plan.resources.find((r) => r.type === type && (String(ref).endsWith(`:${r.name}`) || String(ref) === `${r.name}-id`));
/** The name AWS sees: the `name` input, or the Pulumi name the mocks give a resource without one. */
const awsNameOf = (r: PlannedResource) => String(r.inputs.name ?? r.name);
const parse = <T>(json: unknown): T | undefined => {
  try {
    return typeof json === 'string' ? (JSON.parse(json) as T) : undefined;
  } catch {
    return undefined;
  }
};
const redriveOf = (queue: PlannedResource) => parse<{ deadLetterTargetArn?: string; maxReceiveCount?: number }>(queue.inputs.redrivePolicy);
const deadLetterQueues = (plan: PlanView) =>
  new Set(
    ofType(plan, TYPES.queue).flatMap((q) => {
      const target = byRef(plan, TYPES.queue, redriveOf(q)?.deadLetterTargetArn);
      return target ? [target.name] : [];
    }),
  );
const timeoutOf = (fn: PlannedResource) => Number(fn.inputs.timeout ?? LAMBDA_DEFAULT_TIMEOUT_S);

export const POLICIES = {
  queues: {
    description: 'every queue is encrypted and keeps its messages; every queue but a dead-letter queue has one, after a few receives',
    check: (plan) => {
      const deadLetters = deadLetterQueues(plan);
      return ofType(plan, TYPES.queue).flatMap((queue) => {
        const found: Array<Omit<Violation, 'policy'>> = [];
        const at = (message: string) => found.push({ resource: queue.name, message });
        if (queue.inputs.sqsManagedSseEnabled !== true && !queue.inputs.kmsMasterKeyId) at('not encrypted');
        if (!(Number(queue.inputs.messageRetentionSeconds) > 0)) at('no message retention set');
        if (deadLetters.has(queue.name)) return found;
        const redrive = redriveOf(queue);
        if (!redrive) at('no dead-letter queue: a message its consumer keeps failing is retried until it expires');
        else if (!byRef(plan, TYPES.queue, redrive.deadLetterTargetArn)) {
          at(`dead-letter queue ${redrive.deadLetterTargetArn} is not planned`);
        } else if (!(Number(redrive.maxReceiveCount) > 0)) at('the redrive policy has no maxReceiveCount');
        return found;
      });
    },
  },

  consumers: {
    description:
      'every queue consumer reports batch item failures, caps its concurrency (≥ 2), takes batches over 10 only with a ' +
      'batching window (≥ 1 s), and sits on a queue whose visibility timeout is at least six times its timeout plus that window',
    check: (plan) =>
      ofType(plan, TYPES.mapping).flatMap((mapping) => {
        const found: Array<Omit<Violation, 'policy'>> = [];
        const at = (message: string) => found.push({ resource: mapping.name, message });
        const types = mapping.inputs.functionResponseTypes as string[] | undefined;
        if (!types?.includes('ReportBatchItemFailures')) at('does not report batch item failures: one bad record fails the batch');
        const concurrency = (mapping.inputs.scalingConfig as { maximumConcurrency?: number } | undefined)?.maximumConcurrency;
        if (!(Number(concurrency) >= 2)) at(`maximumConcurrency ${String(concurrency)}: must be capped, at least 2`);
        const batchSize = Number(mapping.inputs.batchSize ?? 10);
        const window = Number(mapping.inputs.maximumBatchingWindowInSeconds ?? 0);
        // Lambda refuses it; caught here before a deployment fails halfway.
        if (batchSize > 10 && !(window >= 1)) at(`batchSize ${batchSize} is over 10 without a batching window of at least 1 s`);
        const queue = byRef(plan, TYPES.queue, mapping.inputs.eventSourceArn);
        const fn = byRef(plan, TYPES.fn, mapping.inputs.functionName);
        if (!queue || !fn) at('its queue or its function is not planned');
        else {
          const visibility = Number(queue.inputs.visibilityTimeoutSeconds ?? 30);
          // Written so that a value that is not a number (unresolved, secret) fails too. The window
          // counts: the mapping hides a message from the moment it receives it, while it gathers the batch.
          if (!(visibility >= 6 * timeoutOf(fn) + window)) {
            at(
              `${queue.name}'s visibility timeout (${visibility} s) is under six times ${fn.name}'s timeout (${timeoutOf(fn)} s)` +
                (window > 0 ? ` plus its batching window (${window} s)` : ''),
            );
          }
        }
        return found;
      }),
  },

  functions: {
    description: 'every function runs nodejs24.x on arm64, logs JSON to a log group of its own with retention',
    check: (plan) => {
      const found: Array<Omit<Violation, 'policy'>> = [];
      for (const fn of ofType(plan, TYPES.fn)) {
        const at = (message: string) => found.push({ resource: fn.name, message });
        if (fn.inputs.runtime !== 'nodejs24.x') at(`runtime ${String(fn.inputs.runtime)}, not nodejs24.x`);
        if (JSON.stringify(fn.inputs.architectures) !== '["arm64"]') at(`architectures ${JSON.stringify(fn.inputs.architectures)}`);
        const logging = fn.inputs.loggingConfig as { logFormat?: string; logGroup?: string } | undefined;
        // The handler-error alarms filter JSON log lines.
        if (logging?.logFormat !== 'JSON') at('does not log JSON: the handler-error metric filter would match nothing');
        if (logging?.logGroup !== `/aws/lambda/${awsNameOf(fn)}`) at(`logs to ${String(logging?.logGroup)}, not /aws/lambda/<its name>`);
        else if (!ofType(plan, TYPES.logGroup).some((group) => group.inputs.name === logging.logGroup)) {
          at(`its log group ${logging.logGroup} is not planned (Lambda would create one that keeps logs forever)`);
        }
      }
      for (const group of ofType(plan, TYPES.logGroup)) {
        if (!(Number(group.inputs.retentionInDays) > 0)) found.push({ resource: group.name, message: 'keeps its logs forever' });
      }
      return found;
    },
  },

  'least-privilege': {
    description: 'no role grants a wildcard action or resource, or Query on every index',
    check: (plan) =>
      ofType(plan, TYPES.rolePolicy).flatMap((policy) => {
        const document = parse<{ Statement?: Array<{ Action: string | string[]; Resource: string | string[] }> }>(policy.inputs.policy);
        if (!document?.Statement) return [{ resource: policy.name, message: 'its policy is not a JSON policy document' }];
        return document.Statement.flatMap((statement) => [
          ...[statement.Action]
            .flat()
            .filter((action) => action.includes('*'))
            .map((action) => ({ resource: policy.name, message: `wildcard action ${action}` })),
          ...[statement.Resource]
            .flat()
            .filter((resource) => resource === '*' || !resource.startsWith('arn:aws:') || /index\/\*/.test(resource))
            .map((resource) => ({ resource: policy.name, message: `wildcard or unknown resource ${resource}` })),
        ]);
      }),
  },

  'function-order': {
    description: 'every function is created after its role policy and its log group (a first cold start never runs unauthorised)',
    check: (plan) =>
      ofType(plan, TYPES.fn).flatMap((fn) => {
        const role = byRef(plan, TYPES.role, fn.inputs.role);
        const policies = role ? ofType(plan, TYPES.rolePolicy).filter((p) => byRef(plan, TYPES.role, p.inputs.role) === role) : [];
        const logGroup = ofType(plan, TYPES.logGroup).find(
          (group) => group.inputs.name === (fn.inputs.loggingConfig as { logGroup?: string } | undefined)?.logGroup,
        );
        const before = [...policies, ...(logGroup ? [logGroup] : [])];
        if (policies.length === 0) return [{ resource: fn.name, message: 'its role has no policy planned' }];
        return before
          .filter((r) => !fn.dependencies.includes(r.urn!))
          .map((r) => ({ resource: fn.name, message: `not created after ${r.name}` }));
      }),
  },

  table: {
    description: 'the messages table expires items on the store’s TTL attribute, with point-in-time recovery and encryption',
    check: (plan) =>
      ofType(plan, TYPES.table).flatMap((table) => {
        const found: Array<Omit<Violation, 'policy'>> = [];
        const ttl = table.inputs.ttl as { attributeName?: string; enabled?: boolean } | undefined;
        if (ttl?.attributeName !== TTL_ATTRIBUTE || ttl.enabled !== true) {
          found.push({ resource: table.name, message: `TTL is not on ${TTL_ATTRIBUTE}: items would never expire, or expire early` });
        }
        if ((table.inputs.pointInTimeRecovery as { enabled?: boolean } | undefined)?.enabled !== true) {
          found.push({ resource: table.name, message: 'no point-in-time recovery' });
        }
        if ((table.inputs.serverSideEncryption as { enabled?: boolean } | undefined)?.enabled !== true) {
          found.push({ resource: table.name, message: 'not encrypted with a KMS key' });
        }
        return found;
      }),
  },

  'api-timeouts': {
    description: 'every API function times out before the HTTP API gives up on it (30 s)',
    check: (plan) =>
      ofType(plan, TYPES.integration).flatMap((integration) => {
        const timeoutMs = Number(integration.inputs.timeoutMilliseconds ?? INTEGRATION_LIMIT_MS);
        const fnName = /functions\/([^/]+)\/invocations/.exec(String(integration.inputs.integrationUri))?.[1];
        const fn = ofType(plan, TYPES.fn).find((r) => r.name === fnName);
        if (!(timeoutMs <= INTEGRATION_LIMIT_MS)) return [{ resource: integration.name, message: `timeout ${timeoutMs} ms is over 30 s` }];
        if (!fn) return [{ resource: integration.name, message: 'its function is not planned' }];
        if (!(timeoutOf(fn) * 1000 < timeoutMs)) {
          return [{ resource: fn.name, message: `times out at ${timeoutOf(fn)} s: the API gives up at ${timeoutMs} ms (a gateway 503)` }];
        }
        return [];
      }),
  },

  'api-stage': {
    description: 'every route has its own throttle, the default is the lowest, and every request is logged as JSON without paths',
    check: (plan) =>
      ofType(plan, TYPES.stage).flatMap((stage) => {
        const found: Array<Omit<Violation, 'policy'>> = [];
        const at = (message: string) => found.push({ resource: stage.name, message });
        type Setting = { routeKey?: string; throttlingRateLimit?: number; throttlingBurstLimit?: number };
        const settings = (stage.inputs.routeSettings as Setting[] | undefined) ?? [];
        const routes = ofType(plan, TYPES.route).filter((route) => route.inputs.apiId === stage.inputs.apiId);
        for (const route of routes) {
          const setting = settings.find((s) => s.routeKey === route.inputs.routeKey);
          if (!(Number(setting?.throttlingRateLimit) > 0 && Number(setting?.throttlingBurstLimit) > 0)) {
            at(`route ${String(route.inputs.routeKey)} has no throttle of its own`);
          }
        }
        const fallback = (stage.inputs.defaultRouteSettings as Setting | undefined)?.throttlingRateLimit;
        const lowest = Math.min(...settings.map((s) => Number(s.throttlingRateLimit)));
        if (!(Number(fallback) > 0 && Number(fallback) <= lowest)) at(`default throttle ${String(fallback)} is not the lowest (${lowest})`);
        const access = stage.inputs.accessLogSettings as { destinationArn?: string; format?: string } | undefined;
        const group = byRef(plan, TYPES.logGroup, access?.destinationArn);
        if (!group) at('no access log');
        else if (!(Number(group.inputs.retentionInDays) > 0)) at(`its access log ${group.name} keeps its lines forever`);
        const format = parse<Record<string, string>>(access?.format);
        if (!format) at('the access log format is not JSON');
        // Paths carry phone numbers (/v1/suppressions/{account}/{recipient}) and callback tokens.
        for (const variable of Object.values(format ?? {})) {
          if (/path|query|body|header/i.test(variable)) at(`the access log logs ${variable}`);
        }
        return found;
      }),
  },

  'function-urls': {
    description:
      'a function URL without AWS auth only for a function that authenticates each request itself (the route table’s ' +
      'function-URL routes), with reserved concurrency as its flood guard, no CORS, buffered; a function anyone may ' +
      'invoke only through its URL',
    check: (plan) => {
      const found: Array<Omit<Violation, 'policy'>> = [];
      for (const url of ofType(plan, TYPES.functionUrl)) {
        const at = (message: string) => found.push({ resource: url.name, message });
        const fn = ofType(plan, TYPES.fn).find((f) => awsNameOf(f) === url.inputs.functionName);
        if (!fn) {
          at(`its function ${String(url.inputs.functionName)} is not planned`);
          continue;
        }
        if (url.inputs.authorizationType !== 'AWS_IAM' && !SELF_AUTHENTICATING.some((name) => fn.name.endsWith(`-${name}`))) {
          at(
            `anyone may call ${fn.name} by its URL, and it does not authenticate requests itself (only ${SELF_AUTHENTICATING.join(', ')} do)`,
          );
        }
        if (!(Number(fn.inputs.reservedConcurrentExecutions) > 0)) {
          at(`${fn.name} has no reserved concurrency: nothing bounds a flood of requests to its URL`);
        }
        if (url.inputs.cors !== undefined && url.inputs.cors !== null) at('CORS is on: callers are providers’ servers, never browsers');
        if (url.inputs.invokeMode !== undefined && url.inputs.invokeMode !== 'BUFFERED') at(`invoke mode ${String(url.inputs.invokeMode)}`);
      }
      for (const permission of ofType(plan, TYPES.permission)) {
        if (permission.inputs.principal !== '*') continue;
        const at = (message: string) => found.push({ resource: permission.name, message });
        if (permission.inputs.action === 'lambda:InvokeFunction' && permission.inputs.invokedViaFunctionUrl !== true) {
          at('anyone may invoke the function directly, not only through its URL');
        }
        if (permission.inputs.action === 'lambda:InvokeFunctionUrl') {
          const url = ofType(plan, TYPES.functionUrl).find((u) => u.inputs.functionName === permission.inputs.function);
          if (!url || permission.inputs.functionUrlAuthType !== url.inputs.authorizationType) {
            at('lets anyone call a function URL that is not planned with the same auth type');
          }
        }
      }
      return found;
    },
  },

  schedules: {
    description: 'a scheduled function runs one at a time, within its period, and is never retried',
    check: (plan) =>
      ofType(plan, TYPES.target).flatMap((target) => {
        const rule = ofType(plan, TYPES.rule).find((r) => awsNameOf(r) === target.inputs.rule);
        const fn = byRef(plan, TYPES.fn, target.inputs.arn);
        const rate = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(String(rule?.inputs.scheduleExpression));
        if (!rule || !fn || !rate) return [];
        const periodS = Number(rate[1]) * (rate[2]!.startsWith('hour') ? 3600 : 60);
        const found: Array<Omit<Violation, 'policy'>> = [];
        if (fn.inputs.reservedConcurrentExecutions !== 1) {
          found.push({ resource: fn.name, message: 'scheduled, but not one run at a time' });
        }
        if (!(timeoutOf(fn) < periodS)) found.push({ resource: fn.name, message: `may run ${timeoutOf(fn)} s: runs every ${periodS} s` });
        if ((target.inputs.retryPolicy as { maximumRetryAttempts?: number } | undefined)?.maximumRetryAttempts !== 0) {
          found.push({ resource: target.name, message: 'retries a failed run: the next scheduled run does its work' });
        }
        const config = ofType(plan, TYPES.invokeConfig).find((c) => c.inputs.functionName === awsNameOf(fn));
        if (config?.inputs.maximumRetryAttempts !== 0) {
          found.push({ resource: fn.name, message: 'its asynchronous invocations are retried (Lambda retries twice by default)' });
        }
        return found;
      }),
  },

  alarms: {
    description:
      'every alarm notifies someone (and its recovery); every dead-letter queue, consumed queue and function has its alarms; ' +
      'the callbacks of every provider that calls back are watched for drift and for cross-account callbacks, and every failover from ' +
      'every provider is told, by alarms that can fire and can clear',
    check: (plan) => {
      const found: Array<Omit<Violation, 'policy'>> = [];
      const alarms = ofType(plan, TYPES.alarm);
      for (const alarm of alarms) {
        for (const key of ['alarmActions', 'okActions']) {
          if (!((alarm.inputs[key] as unknown[] | undefined)?.length ?? 0)) found.push({ resource: alarm.name, message: `no ${key}` });
        }
      }
      const on = (metric: string, dimension: string, value: string) =>
        alarms.some(
          (a) => a.inputs.metricName === metric && (a.inputs.dimensions as Record<string, string> | undefined)?.[dimension] === value,
        );
      for (const name of deadLetterQueues(plan)) {
        const queue = ofType(plan, TYPES.queue).find((q) => q.name === name)!;
        if (!on('ApproximateNumberOfMessagesVisible', 'QueueName', awsNameOf(queue))) {
          found.push({ resource: name, message: 'no alarm on the messages in this dead-letter queue' });
        }
      }
      for (const mapping of ofType(plan, TYPES.mapping)) {
        const queue = byRef(plan, TYPES.queue, mapping.inputs.eventSourceArn);
        if (queue && !on('ApproximateAgeOfOldestMessage', 'QueueName', awsNameOf(queue))) {
          found.push({ resource: queue.name, message: 'no alarm on its oldest message' });
        }
      }
      for (const fn of ofType(plan, TYPES.fn)) {
        for (const metric of ['Errors', 'Throttles']) {
          if (!on(metric, 'FunctionName', awsNameOf(fn))) found.push({ resource: fn.name, message: `no alarm on Lambda's ${metric}` });
        }
        const group = (fn.inputs.loggingConfig as { logGroup?: string } | undefined)?.logGroup;
        const filter = ofType(plan, TYPES.metricFilter).find((f) => f.inputs.logGroupName === group);
        const metric = filter?.inputs.metricTransformation as { namespace?: string; name?: string } | undefined;
        if (!metric || !alarms.some((a) => a.inputs.namespace === metric.namespace && a.inputs.metricName === metric.name)) {
          found.push({ resource: fn.name, message: 'no alarm on the errors its handler logs' });
        }
      }
      // Metrics with data only while something happens: an alarm that breaches on missing data, or keeps its
      // state without data ('ignore'), would stay in alarm after the first event (or from the start).
      const watched = [
        { metric: CALLBACK_DRIFT_METRIC, what: 'the drift of', counting: 'drifting callbacks' },
        { metric: CROSS_ACCOUNT_CALLBACK_METRIC, what: 'cross-account callbacks of', counting: 'cross-account callbacks' },
      ];
      /** The alarms on `metric` of `fn` for `provider`, each one that can fire and clear; `every`: one event fires it. */
      const perProvider = (fn: PlannedResource, provider: string, metric: string, counting: string, every = false) => {
        const on = alarms.filter((a) => {
          const dimensions = a.inputs.dimensions as Record<string, string> | undefined;
          return (
            a.inputs.namespace === METRIC_NAMESPACE &&
            a.inputs.metricName === metric &&
            dimensions?.function_name === awsNameOf(fn) &&
            dimensions.provider === provider
          );
        });
        for (const alarm of on) {
          const missing = String(alarm.inputs.treatMissingData ?? 'missing');
          if (missing === 'breaching' || missing === 'ignore') {
            found.push({
              resource: alarm.name,
              message: `treats missing data as ${missing}: with no ${counting} there is no data, so it never clears`,
            });
          }
          if (alarm.inputs.statistic !== 'Sum' || !(Number(alarm.inputs.threshold) >= 1)) {
            found.push({ resource: alarm.name, message: `does not count ${counting} (Sum, at least 1)` });
          } else if (every && Number(alarm.inputs.threshold) > 1) {
            found.push({ resource: alarm.name, message: `does not fire on one of the ${counting} (threshold ${alarm.inputs.threshold})` });
          }
        }
        return on;
      };
      for (const fn of ofType(plan, TYPES.fn).filter((f) => CALLBACK_RECEIVERS.some((name) => f.name.endsWith(`-${name}`)))) {
        for (const provider of CALLING_BACK_PROVIDERS) {
          for (const { metric, what, counting } of watched) {
            if (perProvider(fn, provider, metric, counting).length === 0) {
              found.push({ resource: fn.name, message: `no alarm on ${what} ${provider}'s callbacks` });
            }
          }
        }
      }
      // A failover is an event for a person (the recipients hear from another sender): one is enough, for every provider.
      for (const fn of ofType(plan, TYPES.fn).filter((f) => FAILOVER_SENDERS.some((name) => f.name.endsWith(`-${name}`)))) {
        for (const provider of PROVIDERS) {
          if (perProvider(fn, provider, FAILOVER_METRIC, 'failovers', true).length === 0) {
            found.push({ resource: fn.name, message: `no alarm on failovers from ${provider}` });
          }
        }
      }
      for (const stage of ofType(plan, TYPES.stage)) {
        if (!on('5xx', 'ApiId', String(stage.inputs.apiId))) found.push({ resource: stage.name, message: 'no alarm on its 5xx answers' });
        const destination = (stage.inputs.accessLogSettings as { destinationArn?: string } | undefined)?.destinationArn;
        const accessLog = byRef(plan, TYPES.logGroup, destination);
        const filter = ofType(plan, TYPES.metricFilter).find((f) => accessLog && f.inputs.logGroupName === awsNameOf(accessLog));
        const metric = filter?.inputs.metricTransformation as { namespace?: string; name?: string } | undefined;
        if (!metric || !alarms.some((a) => a.inputs.namespace === metric.namespace && a.inputs.metricName === metric.name)) {
          found.push({ resource: stage.name, message: 'no alarm on the requests it throttles (counted from its access log)' });
        }
      }
      return found;
    },
  },

  secrets: {
    description: 'no secret value appears in a resource input (but the write-only secret value) or an output',
    check: (plan) => {
      if (!plan.secretValues?.length) return [];
      const found: Array<Omit<Violation, 'policy'>> = [];
      for (const resource of plan.resources) {
        const inputs = resource.type === TYPES.secretVersion ? { ...resource.inputs, secretStringWo: undefined } : resource.inputs;
        const visible = JSON.stringify(inputs);
        if (plan.secretValues.some((secret) => visible.includes(secret))) {
          found.push({ resource: resource.name, message: 'a secret value is in its inputs (and so in the state, in plaintext)' });
        }
        if (resource.type === TYPES.secretVersion && resource.inputs.secretString !== undefined) {
          found.push({ resource: resource.name, message: 'written with secretString: Pulumi would diff and store it; use secretStringWo' });
        }
      }
      const outputs = JSON.stringify(plan.outputs ?? {});
      if (plan.secretValues.some((secret) => outputs.includes(secret))) found.push({ resource: 'outputs', message: 'a secret value' });
      return found;
    },
  },
} satisfies Record<string, { description: string; check: Check }>;

export type PolicyName = keyof typeof POLICIES;

/** The violations of the policies named in `only`, or of all of them. */
export function checkPolicies(plan: PlanView, only?: readonly PolicyName[]): Violation[] {
  return (Object.entries(POLICIES) as Array<[PolicyName, { check: Check }]>)
    .filter(([name]) => !only || only.includes(name))
    .flatMap(([policy, { check }]) => check(plan).map((violation) => ({ policy, ...violation })));
}
