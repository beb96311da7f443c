/** `wapk failover [--account A]`, `wapk failover off ACCOUNT [--reason TEXT]` and `wapk failover on ACCOUNT`. */
import { ApiClient, type FailoverSwitch } from '../api-client.ts';
import { expectPositionals, parse, USAGE } from '../args.ts';
import { UsageError } from '../errors.ts';
import { describeBreaker, failoverLines } from '../format.ts';
import { out, printJson } from '../io.ts';
import { resolveConnection, type Environment } from '../settings.ts';

export async function failover(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, { account: { type: 'string' }, reason: { type: 'string' } }, USAGE.failover);
  if (values.help) {
    out(`usage: ${USAGE.failover}`);
    return 0;
  }
  const [subcommand] = positionals;
  if (subcommand === 'off' || subcommand === 'on') {
    expectPositionals(`failover ${subcommand}`, positionals.slice(1), ['ACCOUNT'], USAGE.failover);
    if (values.account !== undefined)
      throw new UsageError(`failover ${subcommand} takes the account as an argument: wapk failover ${subcommand} ACCOUNT`, USAGE.failover);
    const account = positionals[1]!;
    // The API checks the switch (a reason goes only with off) and names the field it refuses.
    const change = { failover: subcommand, ...(values.reason !== undefined ? { reason: values.reason } : {}) } as FailoverSwitch;
    const state = await new ApiClient(resolveConnection(values, environment)).setFailover(account, change);
    if (values.json) printJson(state);
    else
      out(
        state.failover === 'off'
          ? `failover off for account ${account}: its messages stay on their route (breaker ${describeBreaker(state.breaker)})`
          : `failover on for account ${account} (breaker ${describeBreaker(state.breaker)})`,
      );
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`failover: unknown subcommand ${JSON.stringify(subcommand)}`, USAGE.failover);
  if (values.reason !== undefined) throw new UsageError('--reason goes with failover off', USAGE.failover);
  const states = await new ApiClient(resolveConnection(values, environment)).listFailover(values.account);
  if (values.json) printJson({ accounts: states });
  else for (const line of failoverLines(states)) out(line);
  return 0;
}
