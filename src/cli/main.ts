#!/usr/bin/env node
/**
 * `wapk`: the pipeline's API from a terminal (`wapk --help` lists the commands).
 * Errors are one line on stderr, `wapk: <message>` (plus one line
 * per API violation); exit code 2 for a wrong invocation, 1 for any other failure.
 */
import module from 'node:module';
import { HELP } from './args.ts';
import { describeError, UsageError } from './errors.ts';
import { err, out } from './io.ts';
import type { Environment } from './settings.ts';

type Command = (args: readonly string[], environment: Environment) => Promise<number>;

// Each command is loaded when it is run: `wapk status` does not compile the CSV reader or the SQS client.
const COMMANDS: Record<string, () => Promise<Command>> = {
  send: async () => (await import('./commands/send.ts')).send,
  status: async () => (await import('./commands/messages.ts')).status,
  watch: async () => (await import('./commands/watch.ts')).watch,
  cancel: async () => (await import('./commands/messages.ts')).cancel,
  pauses: async () => (await import('./commands/pauses.ts')).pauses,
  failover: async () => (await import('./commands/failover.ts')).failover,
  unknown: async () => (await import('./commands/messages.ts')).unknown,
  resolve: async () => (await import('./commands/messages.ts')).resolveUnknown,
  dlq: async () => (await import('./commands/dlq.ts')).dlq,
  scenarios: async () => (await import('./commands/scenarios.ts')).scenarios,
};

export async function main(argv: readonly string[], environment: Environment): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError(`which command? ${Object.keys(COMMANDS).join(', ')} (wapk --help)`);
  if (name === '--help' || name === '-h' || name === 'help') {
    out(HELP);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${Object.keys(COMMANDS).join(', ')} (wapk --help)`);
  }
  return (await load())(args, environment);
}

function fail(error: unknown): void {
  const { lines, exitCode } = describeError(error, { debug: process.env.WAPK_DEBUG === '1' });
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

// Compiled code is kept between calls (in the OS temp folder): most of a call's time is compiling.
module.enableCompileCache?.();
// `npm run wapk` runs in the package's root (where the local stack's home is); the user's files
// are where the terminal is.
const filesCwd = process.env.npm_lifecycle_event === 'wapk' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
main(process.argv.slice(2), { env: process.env, cwd: process.cwd(), filesCwd }).then((code) => {
  process.exitCode = code;
}, fail);
