/**
 * AWS list prices used for the cost estimates: us-east-1, on demand, no free tier, as published
 * by AWS and quoted in 2026 (source: ../shared/notes/aws-prices.md — the AWS pricing pages for
 * Lambda, SQS, DynamoDB and API Gateway; the AWS Compute Blog on INIT billing, 2025; AWS's
 * announcement of the DynamoDB on-demand price cut, November 2024). Re-check before quoting.
 */
export const PRICES = {
  asOf: '2026',
  region: 'us-east-1',
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm64: 0.0000133334,
  httpApiRequest: 1.0 / 1e6,
  sqsRequest: 0.4 / 1e6,
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  dynamoWcuHour: 0.00065,
  dynamoRcuHour: 0.00013,
} as const;

/** Provisioned capacity at this utilisation: one WCU sustains one write/s, one RCU one read/s. */
export const PROVISIONED_UTILISATION = 0.7;

export interface PerMessage {
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  apiRequests: number;
  sqsRequests: number;
  wru: number;
  rru: number;
}

/** USD per million messages; `provisioned` prices DynamoDB as provisioned capacity at 70% utilisation. */
export function costPerMillion(m: PerMessage, provisioned = false): number {
  const dynamo = provisioned
    ? m.wru * (PRICES.dynamoWcuHour / 3600 / PROVISIONED_UTILISATION) + m.rru * (PRICES.dynamoRcuHour / 3600 / PROVISIONED_UTILISATION)
    : m.wru * PRICES.dynamoWru + m.rru * PRICES.dynamoRru;
  const perMessage =
    m.lambdaInvocations * PRICES.lambdaRequest +
    m.lambdaGbSeconds * PRICES.lambdaGbSecondArm64 +
    m.apiRequests * PRICES.httpApiRequest +
    m.sqsRequests * PRICES.sqsRequest +
    dynamo;
  return perMessage * 1e6;
}
