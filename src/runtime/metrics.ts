/**
 * The functions' CloudWatch metrics, written as log lines in the embedded metric format (EMF):
 * a line carrying an `_aws` block (from {@link embeddedMetric}), the metric's value under its
 * name and each dimension's value as a field is turned into a metric by CloudWatch Logs — no
 * API call, no SDK client. A leaf module: the Pulumi program reads the names from here for its
 * alarms without loading any handler code.
 */

/** Namespace of the functions' embedded metrics. */
export const METRIC_NAMESPACE = 'whatsapp-provider-kit';

/** A valid callback naming a message of another account (src/webhooks/app.ts); dimension `provider`. */
export const CROSS_ACCOUNT_CALLBACK_METRIC = 'cross_account_callback';

/**
 * An authenticated callback that breaks its provider's spec, or carries a status word or a field
 * the spec does not know (src/webhooks/drift.ts); dimensions `provider` and, deployed,
 * `function_name` (the webhook function's name, so each stack alarms on its own callbacks).
 */
export const CALLBACK_DRIFT_METRIC = 'callback_drift';

/**
 * A message moved from a route that provably did not send it to its next route (src/sender/failover.ts,
 * the WARN line `failed over`); dimensions `provider` (the refused route's provider) and `reason`
 * (the trigger: `pause_sender`, `sender_refused`, `blocked` or `breaker`) and, deployed, `function_name` and
 * `provider` (the sender function's name: each stack's alarm per provider reads that set).
 */
export const FAILOVER_METRIC = 'failover';

/**
 * An account's breaker opened, or reopened after a failed probe (src/sender/route-guard.ts, the
 * WARN line `breaker opened`): its messages that have a next route skip it for a cool-down;
 * dimension `provider` (the account's provider).
 */
export const BREAKER_OPEN_METRIC = 'breaker_open';

/** An account's breaker closed: a send there was accepted again (the INFO line `breaker closed`); dimension `provider`. */
export const BREAKER_CLOSE_METRIC = 'breaker_close';

/** The `_aws` block of an embedded-metric line. */
export interface EmbeddedMetric {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: 'Count' }> }>;
  };
}

/**
 * The block that makes a log line count `name` (a `Count`) in {@link METRIC_NAMESPACE}, once per
 * dimension set; the line itself must carry `name`'s value and every dimension's as top-level fields.
 */
export function embeddedMetric(name: string, dimensions: string[][], at: Date): EmbeddedMetric {
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: dimensions, Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
  };
}

/**
 * What makes the sender's `failed over` line (src/sender/failover.ts, which carries `failover: 1`,
 * `provider` and `reason`) count {@link FAILOVER_METRIC}: its `_aws` block by `provider` and
 * `reason`, and deployed — `functionName`, the function's name as Lambda sets it in
 * `AWS_LAMBDA_FUNCTION_NAME` — also by `function_name` and `provider`, with the `function_name`
 * field: the set each stack's alarm per provider matches (infra/components/alarms.ts `failovers`),
 * so one stack's failovers never raise another's alarm.
 */
export function failoverMetric(
  at: Date,
  functionName: string | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME,
): EmbeddedMetric & { function_name?: string } {
  if (!functionName) return embeddedMetric(FAILOVER_METRIC, [['provider', 'reason']], at);
  return {
    function_name: functionName,
    ...embeddedMetric(
      FAILOVER_METRIC,
      [
        ['provider', 'reason'],
        ['function_name', 'provider'],
      ],
      at,
    ),
  };
}
