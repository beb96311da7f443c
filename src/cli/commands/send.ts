/** `wapk send`: one message from flags, or many from a CSV file (`--csv`, see send-csv.ts). */
import { ApiClient, type SendRequest } from '../api-client.ts';
import { keyValues, parse, requireFlags, USAGE } from '../args.ts';
import { buttonsFrom, headerFrom } from '../content.ts';
import { UsageError } from '../errors.ts';
import { out, printJson } from '../io.ts';
import { resolveConnection, type Environment } from '../settings.ts';
import { sendCsv } from './send-csv.ts';
import { SEND_OPTIONS } from './send-options.ts';

export async function send(args: readonly string[], environment: Environment): Promise<number> {
  const { values, positionals } = parse(args, SEND_OPTIONS, usageFor(args));
  if (values.help) {
    out(`usage: ${USAGE.send}\n       ${USAGE.sendCsv}`);
    return 0;
  }
  if (values.csv !== undefined) return sendCsv(values, positionals, environment);

  const usage = USAGE.send;
  if (positionals.length > 0) throw new UsageError(`send: unexpected argument ${JSON.stringify(positionals[0])}`, usage);
  for (const flag of ['concurrency', 'failures'] as const)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --csv`, usage);
  const text = values.text !== undefined;
  requireFlags('send', values, ['provider', 'account', 'to', ...(text ? [] : ['template', 'language'])], usage);
  if (text) {
    const templateFlags = (['template', 'language', 'body', 'named', 'header-image', 'header-text', 'button'] as const).filter(
      (flag) => values[flag] !== undefined,
    );
    if (templateFlags.length > 0)
      throw new UsageError(`--text sends a free-text message; it does not go with ${templateFlags.map((f) => `--${f}`).join(', ')}`, usage);
  }
  if (values.body && values.named) throw new UsageError('give positional --body values or --named K=V values, not both', usage);

  const named = keyValues('named', values.named, usage);
  const header = headerFrom(values, usage);
  const buttons = buttonsFrom(values.button, usage);
  const metadata = keyValues('metadata', values.metadata, usage);
  // requireFlags saw the flags given; their values go as typed (the API checks them and names each problem).
  const content: SendRequest['content'] = text
    ? { kind: 'text', text: values.text! }
    : {
        kind: 'template',
        name: values.template!,
        language: values.language!,
        ...(header ? { header } : {}),
        ...(values.body ? { body: values.body } : named ? { body: named } : {}),
        ...(buttons ? { buttons } : {}),
      };
  const request: SendRequest = {
    provider: values.provider as SendRequest['provider'],
    account: values.account!,
    recipient: values.to!,
    content,
    ...(values.schedule !== undefined ? { scheduleAt: values.schedule } : {}),
    ...(metadata ? { metadata } : {}),
  };

  const api = new ApiClient(resolveConnection(values, environment));
  const { accepted, replayed } = await api.sendMessage(request, values['idempotency-key']);
  if (values.json) printJson(accepted);
  else out(`${accepted.id} ${accepted.status}${replayed ? ' (already accepted with this idempotency key)' : ''}`);
  return 0;
}

/** The usage to show for a parse error: the CSV form when --csv is among the arguments. */
function usageFor(args: readonly string[]): string {
  return args.some((arg) => arg === '--csv' || arg.startsWith('--csv=')) ? USAGE.sendCsv : USAGE.send;
}
