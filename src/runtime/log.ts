/**
 * One logger for the functions. Modules take a {@link Log} (injected, so tests capture what they
 * log and the local stack prints it its own way); in Lambda it is {@link functionLog}: Powertools
 * Logger, one JSON object per line, every line with the same fields —
 *
 * - `level` (`INFO`, `WARN`, `ERROR`: the handler-error alarms count `"level":"ERROR"`), `message`,
 *   `timestamp`, `service` (`whatsapp-provider-kit`) and `function` (`sender`, `accept`, …);
 * - `correlation_id` where one is known: our message id (sender, push) or the API Gateway request
 *   id (API, webhook — the id API Gateway returns to the caller as `apigw-requestid`);
 * - then the line's own fields (`reason`, `account`, an embedded-metric `_aws` block, …).
 *
 * What is never logged: a full phone number (the sender logs `maskPhone`'s `+91******5678`), a
 * secret, a request or callback body. Errors are logged by `errorLogFields` (src/errors.ts): kind, message
 * and causes' messages, no stack.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** One line, as a sink receives it: the level and message beside the line's fields. */
export interface LogEntry extends LogFields {
  level: LogLevel;
  message: string;
}

export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A log whose every line also carries `fields` (a correlation id, the message's account…). */
  with(fields: LogFields): Log;
}

/** The service every function's lines name. */
export const LOG_SERVICE = 'whatsapp-provider-kit';

/** A {@link Log} over a function that writes one line. */
function logOver(write: (level: LogLevel, message: string, fields: LogFields) => void, base: LogFields): Log {
  const line = (level: LogLevel) => (message: string, fields?: LogFields) => write(level, message, fields ? { ...base, ...fields } : base);
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    with: (fields) => logOver(write, { ...base, ...fields }),
  };
}

/**
 * A log that hands every line to `sink` as one {@link LogEntry}: tests keep them, the local stack
 * prints them. The line's fields cannot overwrite its `level` and `message`.
 */
export function sinkLog(sink: (entry: LogEntry) => void, base: LogFields = {}): Log {
  return logOver((level, message, fields) => sink({ ...fields, level, message }), base);
}

/** A log that keeps its lines in `entries` (for tests). */
export function memoryLog(): Log & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return Object.assign(
    sinkLog((entry) => entries.push(entry)),
    { entries },
  );
}

/** A log that writes nothing. */
export const silentLog: Log = sinkLog(() => {});

const loggers = new Map<string, Log>();

/**
 * The function `name`'s log in Lambda: Powertools Logger (its level from `POWERTOOLS_LOG_LEVEL`
 * or Lambda's `AWS_LAMBDA_LOG_LEVEL`, INFO by default). One per function name and process; the
 * Logger is made with the first line, not when a handler module is imported (a cold start's import
 * stays light: issue 19).
 */
export function functionLog(name: string): Log {
  let log = loggers.get(name);
  if (!log) {
    let logger: Logger | undefined;
    log = logOver((level, message, fields) => {
      logger ??= new Logger({ serviceName: LOG_SERVICE, persistentKeys: { function: name } });
      logger[level](message, fields);
    }, {});
    loggers.set(name, log);
  }
  return log;
}
