/**
 * The project's errors, one family. Every error we throw is a {@link WapkError}: it has a `kind`
 * (one of {@link ERROR_KINDS}, for code that branches on what went wrong), the fields of its
 * subclass, an ES2022 `cause` where it wraps another error, and says whether its message may be
 * shown to whoever is on the other side.
 *
 * **Visible or internal** (SST's `VisibleError`): a *visible* error's message is written for an
 * API caller or a CLI user (a configuration problem, a provider's refusal, a wrong invocation) and
 * reaches them as it is. An *internal* one (a broken invariant, a service that did not take a
 * write) is logged with its message and cause; the caller or user sees {@link GENERIC_MESSAGE}.
 * {@link userMessage} makes the choice.
 *
 * Why `kind` and not `code`: two members had a `code` before the family existed and keep it —
 * {@link ProviderError}'s is the provider's error code (`131048`, `E110`), the CLI's `ApiError`'s
 * the API's (`not_found`) — so the family's own code is `kind`.
 *
 * | kind                | class                   | visible | where                              |
 * |---------------------|-------------------------|---------|------------------------------------|
 * | `config`            | `ConfigError`, `EnvironmentError` | yes | here                  |
 * | `provider`          | `ProviderError`         | yes     | src/providers/errors.ts            |
 * | `malformed_webhook` | `MalformedWebhookError` | yes     | src/webhooks/kit.ts                |
 * | `invalid_cursor`    | `InvalidCursorError`    | yes     | src/store/                         |
 * | `push_failed`       | `PushFailedError`       | no      | src/push/push.ts                   |
 * | `unavailable`       | `UnavailableError`      | no      | here                               |
 * | `internal`          | `InternalError`         | no      | here                               |
 * | `cli`, `usage`, `api`, `unreachable` | `CliError` and its subclasses | yes | src/cli/ |
 * | `local_stack`, `home_in_use`, `port_taken` | `LocalStackError`, `HomeInUseError`, `PortTakenError` | yes | here, src/local/ |
 *
 * [ProviderError]: ./providers/errors.ts
 */

export const ERROR_KINDS = [
  'config',
  'provider',
  'malformed_webhook',
  'invalid_cursor',
  'push_failed',
  'unavailable',
  'internal',
  'cli',
  'usage',
  'api',
  'unreachable',
  'local_stack',
  'home_in_use',
  'port_taken',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What an API caller or CLI user is told instead of an internal error's message. */
export const GENERIC_MESSAGE = 'an unexpected error occurred';

export interface WapkErrorOptions {
  /** The error this one wraps (ES2022 error cause). */
  cause?: unknown;
}

export abstract class WapkError extends Error {
  /** What went wrong, for code that branches on it (the class's, never changed by an instance). */
  abstract readonly kind: ErrorKind;
  /** Whether `message` is written for the caller or user and may reach them as it is. */
  abstract readonly visible: boolean;

  constructor(message: string, options: WapkErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
  }

  /** What an API caller or CLI user may be told: the message when visible, {@link GENERIC_MESSAGE} otherwise. */
  get userMessage(): string {
    return this.visible ? this.message : GENERIC_MESSAGE;
  }
}

/** Whether `error` belongs to the family, optionally of one `kind`. */
export function isWapkError(error: unknown, kind?: ErrorKind): error is WapkError {
  return error instanceof WapkError && (kind === undefined || error.kind === kind);
}

/** What may be shown of any thrown value: a visible error's message, otherwise {@link GENERIC_MESSAGE}. */
export function userMessage(error: unknown): string {
  return error instanceof WapkError ? error.userMessage : GENERIC_MESSAGE;
}

/**
 * Any thrown value as a family member (stripe-node's `generate()` idea: one place that decides
 * the class): a member as it is, anything else an {@link InternalError} carrying it as its cause.
 */
export function toWapkError(error: unknown, message?: string): WapkError {
  if (error instanceof WapkError) return error;
  const text = message ?? (error instanceof Error ? error.message : String(error));
  return new InternalError(text, { cause: error });
}

/**
 * The fields a log line gives an error: its kind, its message and its causes' messages (never a
 * stack, never the cause's other fields, which may hold a request body).
 */
export function errorLogFields(error: unknown): { error: string; errorKind: ErrorKind | 'unknown'; causes?: string[] } {
  const causes: string[] = [];
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause !== undefined && causes.length < 5) {
    causes.push(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return {
    error: error instanceof Error ? error.message : String(error),
    errorKind: error instanceof WapkError ? error.kind : 'unknown',
    ...(causes.length > 0 ? { causes } : {}),
  };
}

/**
 * The configuration (file, secret or environment) is not usable; the message names what and the
 * rule. Visible: whoever deploys or starts the stack reads it. (Also exported by src/config/pipeline.ts.)
 */
export class ConfigError extends WapkError {
  override readonly name: string = 'ConfigError';
  readonly kind = 'config';
  readonly visible = true;
}

export interface EnvironmentIssue {
  variable: string;
  /** What the variable must be, and what it was where that helps (values here are never secrets). */
  rule: string;
}

/** The environment breaks its schema: `issues` name each variable and its rule. */
export class EnvironmentError extends ConfigError {
  override readonly name = 'EnvironmentError';
  readonly issues: readonly EnvironmentIssue[];

  constructor(issues: readonly EnvironmentIssue[]) {
    super(issues.map((issue) => `environment variable ${issue.variable} ${issue.rule}`).join('\n'));
    this.issues = issues;
  }

  /** The first (often the only) variable named. */
  get variable(): string {
    return this.issues[0]?.variable ?? '';
  }
}

/** An invariant of our own code broke: a bug to fix, not something a caller can act on. */
export class InternalError extends WapkError {
  override readonly name = 'InternalError';
  readonly kind = 'internal';
  readonly visible = false;
}

/** The services the pipeline writes to. */
export type Service = 'queue' | 'store' | 'secrets';

/**
 * A service we depend on did not do what was asked (the queue refused an entry, a write left no
 * record): retrying later may succeed. Internal: the caller sees a generic message.
 */
export class UnavailableError extends WapkError {
  override readonly name = 'UnavailableError';
  readonly kind = 'unavailable';
  readonly visible = false;
  readonly service: Service;

  constructor(service: Service, message: string, options: WapkErrorOptions = {}) {
    super(message, options);
    this.service = service;
  }
}

/**
 * The local stack (`npm start`, src/local) could not do something: an emulator or mock did not
 * start, a handler broke the Lambda contract it emulates. Visible: its user is the developer.
 */
export class LocalStackError extends WapkError {
  override readonly name = 'LocalStackError';
  readonly kind = 'local_stack';
  readonly visible = true;
}
