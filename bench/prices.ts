/**
 * AWS list prices used for the cost estimates: us-east-1, on demand, no free tier, as published
 * by AWS and quoted in 2026 (source: ../shared/notes/aws-prices.md — the AWS pricing pages for
 * Lambda, SQS, DynamoDB, API Gateway and CloudWatch; the AWS Compute Blog on INIT billing, 2025;
 * AWS's announcement of the DynamoDB on-demand price cut, November 2024). Re-check before quoting.
 * And the duration model: what an invocation is billed, from measured CPU and counted calls at
 * stated latencies, not from the local emulators' wall time.
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
  cloudWatchLogsIngestGb: 0.5,
} as const;

/** Provisioned capacity at this utilisation: one WCU sustains one write/s, one RCU one read/s. */
export const PROVISIONED_UTILISATION = 0.7;

/**
 * The duration model's assumptions, each stated in BENCHMARKS.md: an invocation lasts its CPU time
 * (measured on this machine, stretched to the function's share of a vCPU) plus, one after another,
 * each AWS request and provider call it makes at a typical latency for its kind.
 */
export const DURATION_MODEL = {
  /** Memory of every function (the pipeline's default, infra/components/node-function.ts). */
  memoryMb: 512,
  /** Lambda gives a function one full vCPU at 1,769 MB, and a share in proportion below. */
  fullVcpuMb: 1769,
  /** A DynamoDB request from Lambda in the same region (single-digit milliseconds; batches a little more). */
  dynamoMs: 5,
  /** An SQS request from Lambda in the same region. */
  sqsMs: 10,
  /** A provider's answer to a send, measured from the function (WhatsApp BSP APIs answer in a few hundred ms). */
  providerMs: 250,
  /** Lambda bills duration in whole milliseconds per invocation. */
  billingGranularityMs: 1,
} as const;

/** Bytes CloudWatch Logs counts per log event beyond its text (PutLogEvents' own count per event). */
export const LOG_EVENT_OVERHEAD_BYTES = 26;

export interface PerMessage {
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  apiRequests: number;
  sqsRequests: number;
  wru: number;
  rru: number;
  /** CloudWatch Logs ingested, GB. */
  logGb: number;
}

/** What one function's invocations cost in time, per invocation and in all. */
export interface FunctionDuration {
  invocations: number;
  /** Modelled billed milliseconds per invocation. */
  msPerInvocation: number;
  gbSeconds: number;
}

/**
 * The billed duration of `invocations` invocations of one function that used `cpuMs` of this
 * machine's CPU and waited `waitMs` for AWS and the providers, in all: per invocation, its CPU
 * stretched to the function's vCPU share plus its waits, rounded up to the billing granularity.
 */
export function modelDuration(invocations: number, cpuMs: number, waitMs: number, model = DURATION_MODEL): FunctionDuration {
  if (invocations === 0) return { invocations: 0, msPerInvocation: 0, gbSeconds: 0 };
  const cpuShare = Math.min(1, model.memoryMb / model.fullVcpuMb);
  const ms = (cpuMs / cpuShare + waitMs) / invocations;
  const perInvocation = Math.ceil(ms / model.billingGranularityMs) * model.billingGranularityMs;
  return { invocations, msPerInvocation: perInvocation, gbSeconds: (invocations * perInvocation * model.memoryMb) / 1024 / 1000 };
}

/** Waiting for `dynamo` DynamoDB requests, `sqs` SQS requests and `provider` provider calls one after another. */
export const sequentialWaitMs = (calls: { dynamo: number; sqs: number; provider: number }, model = DURATION_MODEL): number =>
  calls.dynamo * model.dynamoMs + calls.sqs * model.sqsMs + calls.provider * model.providerMs;

/** USD per million messages; `provisioned` prices DynamoDB as provisioned capacity at 70% utilisation. */
export function costPerMillion(m: PerMessage, provisioned = false): number {
  return Object.values(costParts(m, provisioned)).reduce((a, b) => a + b, 0);
}

/** The cost per million messages by service. */
export function costParts(m: PerMessage, provisioned = false): Record<string, number> {
  const dynamo = provisioned
    ? m.wru * (PRICES.dynamoWcuHour / 3600 / PROVISIONED_UTILISATION) + m.rru * (PRICES.dynamoRcuHour / 3600 / PROVISIONED_UTILISATION)
    : m.wru * PRICES.dynamoWru + m.rru * PRICES.dynamoRru;
  return {
    lambda_requests: m.lambdaInvocations * PRICES.lambdaRequest * 1e6,
    lambda_duration: m.lambdaGbSeconds * PRICES.lambdaGbSecondArm64 * 1e6,
    http_api: m.apiRequests * PRICES.httpApiRequest * 1e6,
    sqs: m.sqsRequests * PRICES.sqsRequest * 1e6,
    dynamodb: dynamo * 1e6,
    cloudwatch_logs: m.logGb * PRICES.cloudWatchLogsIngestGb * 1e6,
  };
}
