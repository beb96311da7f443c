/**
 * What goes wrong in the CLI, and how it is told: one line `wapk: <message>` on stderr (plus one
 * line per API violation), exit code 2 for a wrong invocation and 1 for everything else. Never a
 * stack trace, never the API key. Only errors of the family (src/errors.ts) that are visible say
 * their message; anything else is an unexpected error, told as such (its message with
 * `WAPK_DEBUG=1`).
 */
import { GENERIC_MESSAGE, WapkError, type WapkErrorOptions } from '../errors.ts';

export interface Violation {
  field: string;
  rule: string;
}

/** A failure to report as `wapk: <message>` with exit code 1 (or `exitCode`). */
export class CliError extends WapkError {
  readonly kind: 'cli' | 'usage' | 'api' | 'unreachable' = 'cli';
  readonly visible = true;
  readonly exitCode: number;
  readonly details: readonly string[];

  constructor(message: string, options: WapkErrorOptions & { exitCode?: number; details?: readonly string[] } = {}) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details ?? [];
  }
}

/** A wrong invocation: the message, then the command's usage line; exit code 2. */
export class UsageError extends CliError {
  override readonly kind = 'usage';

  constructor(message: string, usage?: string) {
    super(message, { exitCode: 2, details: usage ? [`usage: ${usage}`] : [] });
    this.name = 'UsageError';
  }
}

/** An error answer of the API: `{error: {code, message, violations?}}`. */
export class ApiError extends CliError {
  override readonly kind = 'api';
  readonly status: number;
  readonly code: string;
  readonly violations: readonly Violation[];

  constructor(status: number, code: string, message: string, violations: readonly Violation[] = []) {
    super(message, { details: violations.map((v) => `  ${v.field}: ${v.rule}`) });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.violations = violations;
  }
}

/** Values never to be written out (the API key): replaced wherever they would appear. */
const secrets = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

/**
 * The lines to print for any thrown value, and the exit code. A visible error of the family says
 * its message; anything else says it was unexpected, and only with `debug` (`WAPK_DEBUG=1`) what
 * it was — still on one line per cause, redacted, without a stack.
 */
export function describeError(error: unknown, options: { debug?: boolean } = {}): { lines: string[]; exitCode: number } {
  if (error instanceof CliError) {
    return { lines: [`wapk: ${error.message}`, ...error.details].map(redact), exitCode: error.exitCode };
  }
  if (error instanceof WapkError && error.visible) return { lines: [redact(`wapk: ${error.message}`)], exitCode: 1 };
  if (!options.debug) return { lines: [`wapk: ${GENERIC_MESSAGE} (set WAPK_DEBUG=1 to see it)`], exitCode: 1 };
  const lines: string[] = [];
  for (let cause: unknown = error; cause !== undefined && lines.length < 5; cause = cause instanceof Error ? cause.cause : undefined) {
    const text = cause instanceof Error ? `${cause.name}: ${cause.message.split('\n')[0]}` : String(cause);
    lines.push(redact(lines.length === 0 ? `wapk: ${GENERIC_MESSAGE}: ${text}` : `  caused by ${text}`));
  }
  return { lines, exitCode: 1 };
}
