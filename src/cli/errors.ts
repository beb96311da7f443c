/**
 * What goes wrong in the CLI, and how it is told: one line `wapk: <message>` on stderr (plus one
 * line per API violation), exit code 2 for a wrong invocation and 1 for everything else. Never a
 * stack trace, never the API key.
 */

export interface Violation {
  field: string;
  rule: string;
}

/** A failure to report as `wapk: <message>` with exit code 1 (or `exitCode`). */
export class CliError extends Error {
  readonly exitCode: number;
  readonly details: readonly string[];

  constructor(message: string, options: { exitCode?: number; details?: readonly string[] } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details ?? [];
  }
}

/** A wrong invocation: the message, then the command's usage line; exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, usage?: string) {
    super(message, { exitCode: 2, details: usage ? [`usage: ${usage}`] : [] });
    this.name = 'UsageError';
  }
}

/** An error answer of the API: `{error: {code, message, violations?}}`. */
export class ApiError extends CliError {
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

/** The lines to print for any thrown value, and the exit code. */
export function describeError(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof CliError) {
    return { lines: [`wapk: ${error.message}`, ...error.details].map(redact), exitCode: error.exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [redact(`wapk: ${message.split('\n')[0] || 'unexpected error'}`)], exitCode: 1 };
}
