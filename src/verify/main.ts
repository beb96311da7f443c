/**
 * `npm run verify:live -- --provider <name> [--base-url URL] [--send-to +E164] [--json FILE]`: the
 * live drift check (docs/drift.md). Reads the flags and the environment once, at the edge, into a
 * `VerifyTarget`; a wrong invocation is a usage error naming the flag (or variable) and the rule,
 * exit code 2. Then the report: exit code 0 (no drift), 1 (drift), 3 (no drift seen, but a check
 * could not say). The credential is never written out.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as z from 'zod';
import { CliError, registerSecret, redact } from '../cli/errors.ts';
import type { AccountBase } from '../config/account-fields.ts';
import { MessageContent, Recipient } from '../messages/send-request.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { providerModule } from '../providers/index.ts';
import { isProviderName, PROVIDERS, type ProviderName } from '../providers/names.ts';
import type { LiveAccountField } from './kit.ts';
import { LIVE_KITS } from './kits.ts';
import { reportLines } from './report.ts';
import { verifyProvider, type VerifyTarget } from './run.ts';
import { loadSpec } from './spec.ts';

export const USAGE =
  'npm run verify:live -- --provider P [--base-url URL] [--<account field> VALUE ...] [--json FILE] ' +
  '[--send-to +E164 (--template NAME --language L [--body V ...] [--template-id ID] | --text TEXT)]';

const kebab = (field: string) => field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
const snake = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
/** The variable an account field (or the base URL) of `provider` can come from. */
export const variableOf = (provider: ProviderName, field: string) => `WAPK_LIVE_${provider.toUpperCase()}_${snake(field)}`;

/** Every provider's account fields, by flag. */
const ACCOUNT_FLAGS: ReadonlyMap<string, { provider: ProviderName; field: LiveAccountField }[]> = (() => {
  const flags = new Map<string, { provider: ProviderName; field: LiveAccountField }[]>();
  for (const provider of PROVIDERS) {
    for (const field of LIVE_KITS[provider].accountFields) {
      const flag = kebab(field.field);
      flags.set(flag, [...(flags.get(flag) ?? []), { provider, field }]);
    }
  }
  return flags;
})();

const OPTIONS = {
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  'send-to': { type: 'string' },
  json: { type: 'string' },
  template: { type: 'string' },
  language: { type: 'string' },
  body: { type: 'string', multiple: true },
  'template-id': { type: 'string' },
  text: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries([...ACCOUNT_FLAGS.keys()].map((flag) => [flag, { type: 'string' as const }])),
} as const;

const MESSAGE_FLAGS = ['template', 'language', 'body', 'template-id', 'text'] as const;

export function help(): string {
  const fields = PROVIDERS.map((provider) => {
    const own = LIVE_KITS[provider].accountFields.map(
      (field) => `--${kebab(field.field)} (${variableOf(provider, field.field)}): ${field.what}`,
    );
    return `  ${provider.padEnd(9)} ${own.length > 0 ? own.join('\n            ') : 'no account fields'}`;
  });
  return [
    `usage: ${USAGE}`,
    '',
    "Calls each provider's safe operations (read-only ones, or probes that cannot send) and checks every answer",
    'against specs/<provider>.yaml; sends a real message only with --send-to. The credential is read from',
    "WAPK_LIVE_CREDENTIAL, as the provider's client takes it. --base-url defaults to WAPK_LIVE_<PROVIDER>_BASE_URL, then to",
    "the provider's public API. Against a local mock (127.0.0.1, localhost, ::1) account fields default to placeholders.",
    '',
    'Account fields (a flag, or its variable):',
    ...fields,
    '',
    'Exit code: 0 no drift, 1 drift, 2 wrong invocation, 3 no drift seen but a check could not say. docs/drift.md.',
  ].join('\n');
}

export interface VerifyIo {
  out(line: string): void;
  err(line: string): void;
  /** Where a relative `--json` path is. */
  cwd: string;
  fetch?: typeof globalThis.fetch;
}

/** Runs the check as the command line says; the exit code. Never throws. */
export async function verifyLive(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: VerifyIo,
): Promise<number> {
  try {
    const invocation = parseInvocation(argv, env, io.cwd);
    if (invocation === 'help') {
      io.out(help());
      return 0;
    }
    const { target, json } = invocation;
    const spec = await loadSpec(target.provider);
    const baseUrl = target.baseUrl ?? LIVE_KITS[target.provider].origin?.(target.account) ?? spec.defaultOrigin;
    const report = await verifyProvider({ ...target, baseUrl, ...(io.fetch ? { fetch: io.fetch } : {}) }, spec);
    for (const line of reportLines(report)) io.out(redact(line));
    if (json) {
      try {
        writeFileSync(json, `${redact(JSON.stringify(report, null, 2))}\n`);
      } catch (error) {
        io.err(`verify:live: could not write --json ${json}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return report.exitCode === 0 ? 3 : report.exitCode;
      }
    }
    return report.exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      for (const line of [`verify:live: ${error.message}`, ...error.details]) io.err(redact(line));
      return error.exitCode;
    }
    io.err(redact(`verify:live: could not run: ${(error as Error).message?.split('\n')[0] ?? String(error)}`));
    return 3;
  }
}

/** A wrong invocation: the message, the rules broken (one a line), the usage line; exit code 2. */
function usage(message: string, rules: readonly string[] = []): CliError {
  return new CliError(message, { exitCode: 2, details: [...rules, `usage: ${USAGE}`] });
}

type Invocation = 'help' | { target: Omit<VerifyTarget, 'fetch' | 'baseUrl'> & { baseUrl?: string }; json?: string };

/** The flags and variables, checked, as a target to verify; a usage error (exit code 2) naming the flag and the rule otherwise. */
export function parseInvocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string): Invocation {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw usage((error as Error).message.replace(/\. To specify a positional argument.*$/s, '').trim());
  }
  if (values.help) return 'help';
  const string = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

  const name = string('provider');
  if (name === undefined || name === '') throw usage(`--provider is required: one of ${PROVIDERS.join(', ')}`);
  if (!isProviderName(name)) throw usage(`--provider must be one of ${PROVIDERS.join(', ')}, not ${JSON.stringify(name)}`);
  const provider: ProviderName = name;
  const kit = LIVE_KITS[provider];

  for (const [flag, owners] of ACCOUNT_FLAGS) {
    if (values[flag] !== undefined && !owners.some((owner) => owner.provider === provider)) {
      const own = kit.accountFields.map((field) => `--${kebab(field.field)}`).join(', ') || 'none';
      throw usage(
        `--${flag} is an account field of ${owners.map((owner) => owner.provider).join(', ')}, not of ${provider} (its own: ${own})`,
      );
    }
  }

  const baseUrlText = string('base-url') ?? nonEmpty(env[variableOf(provider, 'baseUrl')]);
  const baseUrlFlag = string('base-url') !== undefined ? '--base-url' : variableOf(provider, 'baseUrl');
  const baseUrl = baseUrlText === undefined ? undefined : checkedBaseUrl(baseUrlText, baseUrlFlag);
  const mock = baseUrl !== undefined && isLoopback(new URL(baseUrl).hostname);

  const credential = env.WAPK_LIVE_CREDENTIAL;
  if (!credential) {
    throw usage(
      `WAPK_LIVE_CREDENTIAL is not set: it holds the ${provider} credential (${providerModule(provider).credential}), as its client takes it`,
    );
  }
  registerSecret(credential);

  const account = parseAccount(provider, values, env, mock, baseUrl);
  const send = parseSend(provider, values);
  if (send?.templateId !== undefined && send.content.kind === 'template') {
    const { name: templateName, language, body } = send.content;
    const bodyParameters = Array.isArray(body) ? body.length : 0;
    account.templates = [{ name: templateName, language, providerTemplateId: send.templateId, bodyParameters }];
  }
  if (send) {
    const violations = providerModule(provider).forAnyAccount.check(send.content, account);
    if (violations.length > 0) {
      throw usage(
        `the message cannot be sent through ${provider} on this account`,
        violations.map((violation) => `  ${violation.field}: ${violation.rule}`),
      );
    }
  }

  const jsonText = string('json');
  let json: string | undefined;
  if (jsonText !== undefined) {
    if (jsonText === '') throw usage('--json needs a file name');
    json = resolve(cwd, jsonText);
    if (!existsSync(dirname(json)) || !statSync(dirname(json)).isDirectory()) throw usage(`--json: there is no folder ${dirname(json)}`);
  }

  return {
    target: {
      provider,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      mock,
      account,
      credential,
      ...(send ? { send: { to: send.to, content: send.content } } : {}),
    },
    ...(json ? { json } : {}),
  };
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** 127.0.0.0/8, ::1 and localhost: this machine, where our mocks run. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function checkedBaseUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`${flag} must be an absolute http(s) URL such as https://api.example.com, not ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usage(`${flag} must be an absolute http(s) URL such as https://api.example.com, not ${JSON.stringify(text)}`);
  }
  if (url.username || url.password) throw usage(`${flag} must not carry credentials: the credential goes in WAPK_LIVE_CREDENTIAL`);
  if (url.search || url.hash) throw usage(`${flag} must be an origin (or an origin and a base path), without a query or a fragment`);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw usage(`${flag} must be https: the credential is not sent in clear text but to this machine (127.0.0.1, localhost, ::1)`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * The account: each field from its flag, else its variable, else (against a local mock) the local
 * stack's account; checked by the provider's own account schema, a violation named by its flag.
 */
function parseAccount(
  provider: ProviderName,
  values: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  mock: boolean,
  baseUrl: string | undefined,
): AccountBase {
  const kit = LIVE_KITS[provider];
  const given: Record<string, string> = {};
  for (const { field } of kit.accountFields) {
    const value = values[kebab(field)] ?? nonEmpty(env[variableOf(provider, field)]);
    if (typeof value === 'string') given[field] = value;
  }
  const placeholders = mock ? DEV_KITS[provider].local.account : {};
  const raw: Record<string, unknown> = { ...placeholders, ...given, id: 'verify-live', provider };
  if (baseUrl !== undefined) raw.baseUrl = baseUrl;
  else delete raw.baseUrl;
  const parsed = (providerModule(provider).account as z.ZodType<AccountBase>).safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const described = kit.accountFields.find((candidate) => candidate.field === field);
    const where =
      field === 'baseUrl'
        ? `--base-url (or ${variableOf(provider, 'baseUrl')})`
        : described
          ? `--${kebab(field)} (or ${variableOf(provider, field)})`
          : field;
    const rule =
      raw[field] === undefined ? `is required: ${described?.what ?? (field === 'baseUrl' ? 'the API origin' : field)}` : issue.message;
    return `  ${where}: ${rule}`;
  });
  throw usage(`the ${provider} account is not complete or not valid`, lines);
}

interface RealSend {
  to: string;
  content: MessageContent;
  templateId?: string;
}

/** The real message, if `--send-to` asks for one: its recipient and content, checked; the message flags only with it. */
function parseSend(provider: ProviderName, values: Record<string, unknown>): RealSend | undefined {
  const to = values['send-to'];
  const given = MESSAGE_FLAGS.filter((flag) => values[flag] !== undefined);
  if (typeof to !== 'string') {
    if (given.length > 0) throw usage(`--${given[0]} goes with --send-to (the message to send)`);
    return undefined;
  }
  const recipient = Recipient.safeParse(to);
  if (!recipient.success) throw usage(`--send-to ${recipient.error.issues[0]?.message ?? 'must be a phone number in E.164'}`);
  const text = values.text;
  const template = values.template;
  if (text !== undefined && template !== undefined) throw usage('--send-to takes either --template (with --language) or --text, not both');
  if (text !== undefined && (values.body !== undefined || values['template-id'] !== undefined)) {
    throw usage(`--${values.body !== undefined ? 'body' : 'template-id'} goes with --template, not with --text`);
  }
  if (text === undefined && (template === undefined || values.language === undefined)) {
    throw usage('--send-to needs the message: --template NAME --language L [--body V ...], or --text TEXT');
  }
  const bodies = values.body as string[] | undefined;
  const input =
    text !== undefined
      ? { kind: 'text', text }
      : { kind: 'template', name: template, language: values.language, ...(bodies && bodies.length > 0 ? { body: bodies } : {}) };
  const content = MessageContent.safeParse(input);
  if (!content.success) {
    const flagOf: Record<string, string> = { name: '--template', language: '--language', body: '--body', text: '--text' };
    throw usage(
      `the message to send through ${provider} is not valid`,
      content.error.issues.map((issue) => `  ${flagOf[String(issue.path[0])] ?? String(issue.path[0] ?? 'message')}: ${issue.message}`),
    );
  }
  const templateId = values['template-id'];
  return { to: recipient.data, content: content.data, ...(typeof templateId === 'string' ? { templateId } : {}) };
}
