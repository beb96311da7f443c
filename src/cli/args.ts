/** Command-line parsing on node:util `parseArgs`: strict, with the options every command takes. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './errors.ts';

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const CONNECTION_USAGE = '[--url URL] [--key KEY]';

export const USAGE = {
  send:
    'wapk send --provider P --account A --to +E164 (--template NAME --language L | --text TEXT) [--body V ... | --named K=V ...] ' +
    '[--header-image URL|MEDIA_ID | --header-text T] [--button copy_code:0:CODE|quick_reply:1:PAYLOAD|url:2:SUFFIX ...] ' +
    '[--schedule ISO] [--metadata K=V ...] [--idempotency-key K] [--json]',
  sendCsv:
    'wapk send --csv FILE --provider P --account A --template NAME --language L [--concurrency 4] [--failures FILE] ' +
    '[--header-image URL|MEDIA_ID | --header-text T] [--button ...] [--schedule ISO] [--json]',
  status: 'wapk status ID [--json]',
  watch: 'wapk watch [ID ...] [--account A] [--interval 2]',
  cancel: 'wapk cancel ID [--json]',
  pauses: 'wapk pauses [--account A] [--json] | wapk pauses lift ACCOUNT [--template NAME]',
  failover: 'wapk failover [--account A] [--json] | wapk failover off ACCOUNT [--reason TEXT] | wapk failover on ACCOUNT',
  unknown: 'wapk unknown [--account A] [--json]',
  resolve: 'wapk resolve ID sent|failed [--note TEXT] [--json]',
  dlq: 'wapk dlq redrive [--dlq-url URL] [--queue-url URL] [--endpoint URL] [--max N] [--json]',
  scenarios: 'wapk scenarios [NAME|NUMBER] [--json]',
} as const;

export const HELP = `wapk: WhatsApp template messages through the pipeline's API

  ${USAGE.send}
  ${USAGE.sendCsv}
  ${USAGE.status}
  ${USAGE.watch}
  ${USAGE.cancel}
  ${USAGE.pauses}
  ${USAGE.failover}
  ${USAGE.unknown}
  ${USAGE.resolve}
  ${USAGE.dlq}
  ${USAGE.scenarios}   (the local stack's scenario numbers; no stack needed)

Every API command takes ${CONNECTION_USAGE}; otherwise WAPK_URL / WAPK_API_KEY, otherwise the
local stack's home, the folder \`npm start\` uses ($WAPK_HOME, else .local): state.json (apiUrl)
and config.json (apiKey).`;

/** parseArgs with the common options; a parse problem is a usage error naming the command's usage. */
export function parse<T extends ParseArgsOptionsConfig>(args: readonly string[], options: T, usage: string) {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages run on with advice about `--`; the first sentence says what is wrong.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, '').trim(), usage);
  }
}

/** Throws a usage error naming every required flag that is missing. */
export function requireFlags(command: string, values: Record<string, unknown>, names: readonly string[], usage: string): void {
  const missing = names.filter((name) => values[name] === undefined || values[name] === '');
  if (missing.length > 0) throw new UsageError(`${command} needs ${missing.map((name) => `--${name}`).join(', ')}`, usage);
}

/** Exactly `count` positionals (or between min and max). */
export function expectPositionals(
  command: string,
  positionals: readonly string[],
  names: readonly string[],
  usage: string,
  optional = 0,
): void {
  const min = names.length - optional;
  if (positionals.length < min) throw new UsageError(`${command} needs ${names.slice(positionals.length, min).join(' ')}`, usage);
  if (positionals.length > names.length)
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[names.length])}`, usage);
}

/** A number flag within bounds, or a usage error. */
export function numberFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  bounds: { min: number; max: number; integer?: boolean },
  usage: string,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(number) ||
    number < bounds.min ||
    number > bounds.max ||
    (bounds.integer && !Number.isInteger(number))
  ) {
    throw new UsageError(
      `--${name} must be ${bounds.integer ? 'an integer' : 'a number'} from ${bounds.min} to ${bounds.max}, not ${JSON.stringify(value)}`,
      usage,
    );
  }
  return number;
}

/** `k=v` pairs into an object; a usage error for a pair without `=` or a repeated key. */
export function keyValues(flag: string, pairs: readonly string[] | undefined, usage: string): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, not ${JSON.stringify(pair)}`, usage);
    const key = pair.slice(0, at);
    if (key in out) throw new UsageError(`--${flag} ${key} is given twice`, usage);
    out[key] = pair.slice(at + 1);
  }
  return out;
}
