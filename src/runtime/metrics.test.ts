/**
 * The `failover` metric as the sender's `failed over` line carries it (src/sender/failover.ts):
 * locally by `provider` and `reason`; deployed, also by `function_name` and `provider` — the set
 * each stack's alarm per provider matches (infra/components/alarms.ts `failovers`). CloudWatch
 * drops a metric whose dimension is not a field of the line, so each set's names must be there.
 */
import { describe, expect, it } from 'vitest';
import { FAILOVER_METRIC, failoverMetric, METRIC_NAMESPACE } from './metrics.ts';

const AT = new Date('2026-11-30T14:00:00.000Z');
const SENDER = 'whatsapp-provider-kit-prod-wa-sender';
/** The `failed over` line's own fields, as src/sender/failover.ts writes them. */
const LINE = { provider: 'kaleyra', reason: 'pause_sender', [FAILOVER_METRIC]: 1 };

describe('failoverMetric', () => {
  it('counts by provider and reason where no function name is set (tests, the local stack)', () => {
    expect(failoverMetric(AT, undefined)).toEqual({
      _aws: {
        Timestamp: AT.getTime(),
        CloudWatchMetrics: [
          { Namespace: METRIC_NAMESPACE, Dimensions: [['provider', 'reason']], Metrics: [{ Name: FAILOVER_METRIC, Unit: 'Count' }] },
        ],
      },
    });
    expect(failoverMetric(AT, '')).not.toHaveProperty('function_name');
  });

  it('deployed, also counts by function name and provider, and carries the function name on the line', () => {
    const fields = failoverMetric(AT, SENDER);
    expect(fields.function_name).toBe(SENDER);
    const [block] = fields._aws.CloudWatchMetrics;
    expect(block!.Dimensions).toEqual([
      ['provider', 'reason'],
      ['function_name', 'provider'],
    ]);
    const line: Record<string, unknown> = { ...LINE, ...fields };
    for (const set of block!.Dimensions) for (const name of set) expect(typeof line[name], name).toBe('string');
    expect(line[FAILOVER_METRIC]).toBe(1);
  });

  it('takes the function name Lambda sets (AWS_LAMBDA_FUNCTION_NAME) by default', () => {
    const before = process.env.AWS_LAMBDA_FUNCTION_NAME;
    try {
      process.env.AWS_LAMBDA_FUNCTION_NAME = SENDER;
      expect(failoverMetric(AT).function_name).toBe(SENDER);
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      expect(failoverMetric(AT)).not.toHaveProperty('function_name');
    } finally {
      if (before === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = before;
    }
  });
});
