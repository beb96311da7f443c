/**
 * The local stack's environment (`npm start`, scripts/start.ts), read once through one schema like
 * the functions' (src/runtime/env.ts): a wrong variable is an `EnvironmentError` naming it and
 * its rule, before anything starts. `WAPK_HOME` is read by src/local/home.ts (the CLI shares it).
 */
import * as z from 'zod';
import { EnvironmentError } from '../errors.ts';
import { environmentIssue } from '../runtime/env.ts';
import { parseOutage } from './outage.ts';

const unset = (text: string | undefined): text is undefined => text === undefined || text === '';

/** A number from `min` to `max` (`integer`: whole), or `fallback` when unset. */
const numberIn = (fallback: number, min: number, max: number, integer = false) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (unset(text)) return fallback;
      const value = Number(text);
      if (/^\s*$/.test(text) || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
        const what = integer ? 'a whole number' : 'a number';
        context.addIssue({ code: 'custom', message: `must be ${what} from ${min} to ${max}, not ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      return value;
    });

/** Whole milliseconds (a positive integer), or undefined when unset (the stack's default then). */
const milliseconds = z
  .string()
  .optional()
  .transform((text, context) => {
    if (unset(text)) return undefined;
    if (/^[1-9][0-9]*$/.test(text)) return Number(text);
    context.addIssue({ code: 'custom', message: `must be a whole number of milliseconds, not ${JSON.stringify(text)}` });
    return z.NEVER;
  });

/** A whole number from `min` to `max`, or undefined when unset (the stack's default then). */
const wholeIn = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (unset(text)) return undefined;
      if (/^[0-9]+$/.test(text) && Number(text) >= min && Number(text) <= max) return Number(text);
      context.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}` });
      return z.NEVER;
    });

export const LocalStackEnvironment = z.object({
  /** `ephemeral`: any free ports (tests); otherwise the fixed ones. */
  WAPK_PORTS: z
    .string()
    .optional()
    .transform((text, context) => {
      if (unset(text)) return undefined;
      if (text === 'ephemeral') return text;
      context.addIssue({ code: 'custom', message: `must be "ephemeral" or unset, not ${JSON.stringify(text)}` });
      return z.NEVER;
    }),
  WAPK_HTTP_PORT: numberIn(3000, 0, 65535, true),
  /** Share of simulated failures. */
  WAPK_FAILURE_RATE: numberIn(0.1, 0, 1),
  /** How long the timeout scenario's mock holds a request, in seconds. */
  WAPK_SCENARIO_HOLD_S: numberIn(40, 0, 3600),
  WAPK_SWEEP_GRACE_MS: milliseconds,
  WAPK_SWEEP_INTERVAL_MS: milliseconds,
  WAPK_SENDER_TIMEOUT_MS: milliseconds,
  WAPK_MOCK_LATENCY_MS: milliseconds,
  /** The local sender's invocations in flight (src/local/local-pipeline.ts `LOCAL_SENDER_CONCURRENCY`). */
  WAPK_SENDER_CONCURRENCY: wholeIn(1, 64),
  /** How far ahead the local sender reserves its slots, ms (`LOCAL_SLOT_LEAD_MS`). */
  WAPK_SLOT_LEAD_MS: wholeIn(0, 10_000),
  /** A provider outage, `<provider>[:<kind>][:<duration>]` (src/local/outage.ts). */
  WAPK_OUTAGE: z
    .string()
    .optional()
    .transform((text, context) => {
      if (unset(text)) return undefined;
      const outage = parseOutage(text);
      if (!('error' in outage)) return outage;
      context.addIssue({ code: 'custom', message: outage.error });
      return z.NEVER;
    }),
  /** A file the provider mocks append one line per answer to. */
  WAPK_MOCK_LOG: z
    .string()
    .optional()
    .transform((text) => (unset(text) ? undefined : text)),
});
export type LocalStackEnvironment = z.output<typeof LocalStackEnvironment>;

/** Reads `source` through {@link LocalStackEnvironment}; every wrong variable named at once. */
export function readLocalStackEnvironment(source: Readonly<Record<string, string | undefined>>): LocalStackEnvironment {
  const result = LocalStackEnvironment.safeParse(source);
  if (result.success) return result.data;
  throw new EnvironmentError(result.error.issues.map(environmentIssue));
}
