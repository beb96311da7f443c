/** `wapk status ID`, `wapk cancel ID`, `wapk unknown`, `wapk resolve ID sent|failed`. */
import { ApiClient, type Resolution } from '../api-client.ts';
import { expectPositionals, parse, USAGE } from '../args.ts';
import { UsageError } from '../errors.ts';
import { out, printJson, table } from '../io.ts';
import { messageLines, routeFailoverLines } from '../format.ts';
import { resolveConnection, type Environment } from '../settings.ts';

export async function status(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, {}, USAGE.status);
  if (values.help) {
    out(`usage: ${USAGE.status}`);
    return 0;
  }
  expectPositionals('status', positionals, ['ID'], USAGE.status);
  const api = new ApiClient(resolveConnection(values, environment));
  const message = await api.getMessage(positionals[0]!);
  if (values.json) {
    printJson(message);
    return 0;
  }
  for (const line of messageLines(message)) out(line);
  // A message that failed over: how its routes' accounts stand now (breaker, failover switch).
  if (message.route || message.routes?.length) {
    const accounts = new Set([message.account, ...(message.routes ?? []).map((r) => r.account), message.route?.account]);
    try {
      const states = (await api.listFailover()).filter((state) => accounts.has(state.account));
      for (const line of routeFailoverLines(states)) out(line);
    } catch (error) {
      out(`  failover now  (not available: ${(error as Error).message})`);
    }
  }
  return 0;
}

export async function cancel(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, {}, USAGE.cancel);
  if (values.help) {
    out(`usage: ${USAGE.cancel}`);
    return 0;
  }
  expectPositionals('cancel', positionals, ['ID'], USAGE.cancel);
  const api = new ApiClient(resolveConnection(values, environment));
  const body = await api.cancelMessage(positionals[0]!);
  if (values.json) printJson(body);
  else out(`${body.id} ${body.status}`);
  return 0;
}

export async function unknown(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, { account: { type: 'string' } }, USAGE.unknown);
  if (values.help) {
    out(`usage: ${USAGE.unknown}`);
    return 0;
  }
  expectPositionals('unknown', positionals, [], USAGE.unknown);
  const api = new ApiClient(resolveConnection(values, environment));
  const messages = await api.listMessages({ account: values.account, status: 'unknown' });
  if (values.json) printJson({ messages });
  else if (messages.length === 0) out('no messages with status unknown');
  else {
    for (const line of table([
      ['ID', 'ACCOUNT', 'RECIPIENT', 'TEMPLATE', 'CREATED', 'ATTEMPTS'],
      ...messages.map((m) => [m.id, m.account, m.recipient, m.template ?? `(${m.kind})`, m.createdAt, String(m.attempts)]),
    ]))
      out(line);
    out(`resolve each with: wapk resolve ID sent|failed [--note TEXT]`);
  }
  return 0;
}

export async function resolveUnknown(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, { note: { type: 'string' } }, USAGE.resolve);
  if (values.help) {
    out(`usage: ${USAGE.resolve}`);
    return 0;
  }
  expectPositionals('resolve', positionals, ['ID', 'sent|failed'], USAGE.resolve);
  const outcome = positionals[1]!;
  if (outcome !== 'sent' && outcome !== 'failed')
    throw new UsageError(
      `resolve: the outcome is "sent" (the provider has it) or "failed" (it does not), not ${JSON.stringify(outcome)}`,
      USAGE.resolve,
    );
  const api = new ApiClient(resolveConnection(values, environment));
  const resolution: Resolution = { status: outcome, ...(values.note !== undefined ? { note: values.note } : {}) };
  const body = await api.resolveMessage(positionals[0]!, resolution);
  if (values.json) printJson(body);
  else out(`${body.id} ${body.status}`);
  return 0;
}
