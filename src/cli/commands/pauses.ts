/** `wapk pauses [--account A]` and `wapk pauses lift ACCOUNT [--template NAME]`. */
import { ApiClient } from '../api-client.ts';
import { expectPositionals, parse, USAGE } from '../args.ts';
import { UsageError } from '../errors.ts';
import { pauseLines } from '../format.ts';
import { out, printJson } from '../io.ts';
import { resolveConnection, type Environment } from '../settings.ts';

export async function pauses(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, { account: { type: 'string' }, template: { type: 'string' } }, USAGE.pauses);
  if (values.help) {
    out(`usage: ${USAGE.pauses}`);
    return 0;
  }
  if (positionals[0] === 'lift') {
    expectPositionals('pauses lift', positionals.slice(1), ['ACCOUNT'], USAGE.pauses);
    if (values.account !== undefined)
      throw new UsageError('pauses lift takes the account as an argument: wapk pauses lift ACCOUNT', USAGE.pauses);
    const account = positionals[1]!;
    const api = new ApiClient(resolveConnection(values, environment));
    const body = await api.liftPause(account, values.template);
    if (values.json) printJson(body);
    else out(`lifted the pause on ${values.template !== undefined ? `template ${values.template} of ` : ''}account ${account}`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`pauses: unknown subcommand ${JSON.stringify(positionals[0])}`, USAGE.pauses);
  if (values.template !== undefined) throw new UsageError('--template goes with pauses lift', USAGE.pauses);
  const api = new ApiClient(resolveConnection(values, environment));
  const list = await api.listPauses(values.account);
  if (values.json) printJson({ pauses: list });
  else for (const line of pauseLines(list)) out(line);
  return 0;
}
