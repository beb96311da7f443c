/**
 * `wapk watch [ID ...] [--account A] [--interval 2]`: polls and prints a line whenever a status
 * changes, `<time> <id> <old> → <new>` (the first sighting: `<time> <id> <status>`). With ids,
 * exits when each of them is settled: cancelled, failed, or at the last status its provider
 * reports (`read`; `sent` for LiveTok and Loopwave, which report nothing more), as the status
 * provider module's `reports` say. Without ids, follows the account's messages created since the
 * watch began, until Ctrl-C.
 */
import { ApiClient, FINAL_STATUSES, isTransient, type ApiMessage } from '../api-client.ts';
import { STATUSES, type MessageStatus } from '../../messages/status.ts';
import { isSettled } from '../../providers/index.ts';
import { isProviderName } from '../../providers/names.ts';
import { numberFlag, parse, USAGE } from '../args.ts';
import { UsageError } from '../errors.ts';
import { err, out } from '../io.ts';
import { resolveConnection, type Environment } from '../settings.ts';

export async function watch(args: readonly string[], environment: Environment): Promise<number> {
  const usage = USAGE.watch;
  const { values, positionals } = parse(args, { account: { type: 'string' }, interval: { type: 'string' } }, usage);
  if (values.help) {
    out(`usage: ${usage}`);
    return 0;
  }
  if (positionals.length > 0 && values.account !== undefined) throw new UsageError('watch takes message ids or --account, not both', usage);
  const intervalMs = numberFlag('interval', values.interval, 2, { min: 0.05, max: 3600 }, usage) * 1000;
  const api = new ApiClient(resolveConnection(values, environment));
  process.once('SIGINT', () => process.exit(130));

  const seen = new Map<string, string>();
  /** Per id: whether its message will change no more. */
  const settled = new Map<string, boolean>();
  const hinted = new Set<string>();
  /** Prints the changes one poll found, in the order they happened. */
  const report = (messages: readonly ApiMessage[]) => {
    const changes: Array<{ at: string; line: string }> = [];
    for (const message of messages) {
      const before = seen.get(message.id);
      if (before === message.status) continue;
      seen.set(message.id, message.status);
      settled.set(message.id, settles(message));
      if (message.status === 'unknown' && !settled.get(message.id) && !hinted.has(message.id)) {
        hinted.add(message.id);
        err(
          `wapk: ${message.id} is unknown: the provider's answer was lost. A callback may still settle it; or check at the ` +
            `provider and run \`wapk resolve ${message.id} sent|failed\` (Ctrl-C stops watching)`,
        );
      }
      const at = message.history.find((entry) => entry.status === message.status)?.at ?? new Date().toISOString();
      changes.push({
        at,
        line: before === undefined ? `${at} ${message.id} ${message.status}` : `${at} ${message.id} ${before} → ${message.status}`,
      });
    }
    changes.sort((a, b) => a.at.localeCompare(b.at));
    for (const change of changes) out(change.line);
  };
  let lastProblem = '';
  const transient = (error: unknown) => {
    if (!isTransient(error)) throw error;
    const problem = (error as Error).message;
    if (problem !== lastProblem) err(`wapk: ${problem} (still watching)`);
    lastProblem = problem;
  };

  const ids = [...new Set(positionals)];
  const since = new Date().toISOString();
  for (;;) {
    if (ids.length > 0) {
      const open = ids.filter((id) => !settled.get(id));
      const answers = await Promise.allSettled(open.map((id) => api.getMessage(id)));
      const found: ApiMessage[] = [];
      for (const answer of answers) {
        if (answer.status === 'fulfilled') found.push(answer.value);
        else transient(answer.reason);
      }
      if (found.length === open.length) lastProblem = '';
      report(found);
      if (ids.every((id) => settled.get(id))) return 0;
    } else {
      try {
        const messages = await api.listMessages({ account: values.account, since });
        report(messages.reverse());
        lastProblem = '';
      } catch (error) {
        transient(error);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Settled by the status table; a provider or status this CLI does not know settles at the final statuses. */
function settles(message: ApiMessage): boolean {
  const status = message.status as MessageStatus;
  if (isProviderName(message.provider) && (STATUSES as readonly string[]).includes(status)) return isSettled(message.provider, status);
  return FINAL_STATUSES.includes(message.status);
}
