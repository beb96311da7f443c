#!/usr/bin/env node
/**
 * `wapk`: the pipeline's API from a terminal (`wapk --help` lists the commands).
 * Errors are one line on stderr, `wapk: <message>` (plus one line
 * per API violation); exit code 2 for a wrong invocation, 1 for any other failure.
 */
import { HELP } from './args.ts';
import { describeError, UsageError } from './errors.ts';
import { err, out } from './io.ts';
import type { Environment } from './settings.ts';
import { dlq } from './commands/dlq.ts';
import { cancel, resolveUnknown, status, unknown } from './commands/messages.ts';
import { pauses } from './commands/pauses.ts';
import { send } from './commands/send.ts';
import { watch } from './commands/watch.ts';

type Command = (args: readonly string[], environment: Environment) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  send,
  status,
  watch,
  cancel,
  pauses,
  unknown,
  resolve: resolveUnknown,
  dlq,
};

export async function main(argv: readonly string[], environment: Environment): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError('which command? send, status, watch, cancel, pauses, unknown, resolve or dlq (wapk --help)');
  if (name === '--help' || name === '-h' || name === 'help') {
    out(HELP);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${Object.keys(COMMANDS).join(', ')} (wapk --help)`);
  return command(args, environment);
}

function fail(error: unknown): void {
  const { lines, exitCode } = describeError(error);
  for (const line of lines) err(line);
  process.exitCode = exitCode;
}

// `wapk … | head`: a closed pipe ends the output, not with an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  fail(error);
});

process.on('uncaughtException', (error) => {
  fail(error);
  process.exit();
});
process.on('unhandledRejection', (error) => {
  fail(error);
  process.exit();
});

main(process.argv.slice(2), { env: process.env, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
  },
  fail,
);
