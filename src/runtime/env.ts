/**
 * The functions' environment, read once through one schema. Every variable a handler reads is
 * here, with its rule and its default; nothing else in the Lambda-side code reads `process.env`.
 * A wrong or missing variable is an {@link EnvironmentError} naming the variable and the rule
 * (every wrong one at once), never a default silently taken instead.
 *
 * Set by the Pulumi program (infra/components/pipeline.ts): `TABLE_NAME`, `QUEUE_URL`,
 * `PUSH_QUEUE_URL`, `WAPK_CONFIG_SECRET_ID`, `CONFIG_VERSION` (only to replace containers),
 * `CONFIG_MAX_AGE_S`, and for the sender `SEND_CLAIM_EXPIRY_MS`. Locally, `WAPK_CONFIG_FILE` in
 * place of the secret. Set by Lambda: `AWS_LAMBDA_FUNCTION_NAME` (the webhook's drift metric is
 * counted by it). AWS endpoints and credentials follow the SDK's own variables, and the logger
 * Powertools' (`POWERTOOLS_LOG_LEVEL`, `AWS_LAMBDA_LOG_LEVEL`): not ours to read.
 */
import * as z from 'zod';
import { EnvironmentError, type EnvironmentIssue } from '../errors.ts';
import { DEFAULT_SWEEP_GRACE_MS } from '../scheduler/grace.ts';
import { lazySchema } from './lazy-schema.ts';

/** How long a warm container keeps its configuration, unless `CONFIG_MAX_AGE_S` says otherwise. */
export const DEFAULT_CONFIG_MAX_AGE_S = 300;
/** A claim's life: at least the sender's timeout (the Pulumi program sets it from that). */
export const DEFAULT_CLAIM_EXPIRY_MS = 120_000;
/** Each provider call's deadline. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

// The error lives with the family (src/errors.ts), which the local stack's schema shares without loading this module's imports.
export { EnvironmentError, type EnvironmentIssue };

const unset = (text: string | undefined): text is undefined => text === undefined || text === '';

/** A name or URL that must be there. */
const required = () => z.string({ error: 'is not set' }).min(1, 'is not set');
/** Text that may be absent; empty counts as absent. */
const optional = () =>
  z
    .string()
    .optional()
    .transform((text) => (unset(text) ? undefined : text));

/** A duration in whole milliseconds (a positive integer), or `fallback` when unset. */
const milliseconds = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (unset(text)) return fallback;
      if (/^[1-9][0-9]*$/.test(text)) return Number(text);
      context.addIssue({ code: 'custom', message: `must be a whole number of milliseconds, not ${JSON.stringify(text)}` });
      return z.NEVER;
    });

/** `CONFIG_MAX_AGE_S`, in milliseconds: whole seconds from 0 (read on every invocation) to 3600. */
const configMaxAge = () =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (unset(text)) return DEFAULT_CONFIG_MAX_AGE_S * 1000;
      const seconds = Number(text);
      if (/^[0-9]+$/.test(text) && seconds <= 3600) return seconds * 1000;
      context.addIssue({ code: 'custom', message: `must be whole seconds from 0 to 3600, got ${text}` });
      return z.NEVER;
    });

// Built on first use (the first invocation), not at import: a cold start's import stays light.
export const FunctionEnvironment = lazySchema(() =>
  z.object({
    TABLE_NAME: required(),
    QUEUE_URL: required(),
    /** The caller-push queue; without it, no pushes are queued (the push function requires it). */
    PUSH_QUEUE_URL: optional(),
    /** The configuration secret's id (deployed): it holds `{config, secrets}`. */
    WAPK_CONFIG_SECRET_ID: optional(),
    /** The configuration file (the local stack's), in place of the secret. */
    WAPK_CONFIG_FILE: optional(),
    SWEEP_GRACE_MS: milliseconds(DEFAULT_SWEEP_GRACE_MS),
    SEND_CLAIM_EXPIRY_MS: milliseconds(DEFAULT_CLAIM_EXPIRY_MS),
    SEND_CALL_TIMEOUT_MS: milliseconds(DEFAULT_CALL_TIMEOUT_MS),
    CONFIG_MAX_AGE_S: configMaxAge(),
    /** The function's name, set by Lambda (absent locally). */
    AWS_LAMBDA_FUNCTION_NAME: optional(),
  }),
);

/** What the functions read from their environment, typed, defaults applied, durations in ms. */
export interface FunctionEnv {
  tableName: string;
  queueUrl: string;
  pushQueueUrl?: string;
  configSource: { secretId: string } | { file: string };
  sweepGraceMs: number;
  claimExpiryMs: number;
  callTimeoutMs: number;
  configMaxAgeMs: number;
  /** The deployed function's name (`AWS_LAMBDA_FUNCTION_NAME`); absent outside Lambda. */
  functionName?: string;
}

/** A schema issue as the variable it names and its rule. */
export function environmentIssue(issue: z.core.$ZodIssue): EnvironmentIssue {
  return { variable: String(issue.path[0] ?? '(environment)'), rule: issue.message };
}

/** Reads `source` (the process's environment by default) through {@link FunctionEnvironment}. */
export function readFunctionEnvironment(source: Readonly<Record<string, string | undefined>> = process.env): FunctionEnv {
  const result = FunctionEnvironment.safeParse(source);
  const issues: EnvironmentIssue[] = (result.error?.issues ?? []).map(environmentIssue);
  if (unset(source.WAPK_CONFIG_SECRET_ID) && unset(source.WAPK_CONFIG_FILE)) {
    issues.push({ variable: 'WAPK_CONFIG_SECRET_ID', rule: '(deployed) or WAPK_CONFIG_FILE (local) must be set: neither is' });
  }
  if (!result.success || issues.length > 0) throw new EnvironmentError(issues);
  const env = result.data;
  return {
    tableName: env.TABLE_NAME,
    queueUrl: env.QUEUE_URL,
    ...(env.PUSH_QUEUE_URL !== undefined ? { pushQueueUrl: env.PUSH_QUEUE_URL } : {}),
    // The secret wins where both are set: it is what a deployment reads.
    configSource: env.WAPK_CONFIG_SECRET_ID !== undefined ? { secretId: env.WAPK_CONFIG_SECRET_ID } : { file: env.WAPK_CONFIG_FILE! },
    sweepGraceMs: env.SWEEP_GRACE_MS,
    claimExpiryMs: env.SEND_CLAIM_EXPIRY_MS,
    callTimeoutMs: env.SEND_CALL_TIMEOUT_MS,
    configMaxAgeMs: env.CONFIG_MAX_AGE_S,
    ...(env.AWS_LAMBDA_FUNCTION_NAME !== undefined ? { functionName: env.AWS_LAMBDA_FUNCTION_NAME } : {}),
  };
}

let read: FunctionEnv | undefined;

/**
 * The process's environment, read on first use and kept (a Lambda's environment does not change
 * while it runs). A failed read is not kept: it throws again, naming the variables, next time.
 */
export function functionEnvironment(): FunctionEnv {
  read ??= readFunctionEnvironment(process.env);
  return read;
}
