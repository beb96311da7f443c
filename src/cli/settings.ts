/**
 * Where the API is and which key to use, in this order: the flags `--url` / `--key`, the
 * environment (`WAPK_URL` / `WAPK_API_KEY`), else the local stack's home — the same folder
 * `npm start` uses (src/local/home.ts: `$WAPK_HOME`, else `.local`): its `state.json` (`apiUrl`,
 * written while the stack runs) and `config.json` (`apiKey`).
 */
import { readFileSync } from 'node:fs';
import { localHome, type LocalHome } from '../local/home.ts';
import { CliError, registerSecret, UsageError } from './errors.ts';

export interface Environment {
  env: NodeJS.ProcessEnv;
  /** Where the local stack's home is looked for (the process's working directory). */
  cwd: string;
  /** Where the user's own files (`--csv`, `--failures`) are resolved: the terminal's directory. @default cwd */
  filesCwd?: string;
}

/** What `npm start` writes while the local stack runs. */
export interface LocalState {
  apiUrl?: string;
  sqsEndpoint?: string;
  queueUrl?: string;
  deadLetterUrl?: string;
}

export interface Connection {
  url: string;
  key: string;
  /** Where the URL came from, for error messages: `--url`, `WAPK_URL` or the state file's path. */
  urlSource: string;
}

export function homeOf(environment: Environment): LocalHome {
  return localHome(environment.env, environment.cwd);
}

function readJson(path: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CliError(`${path} is not a JSON object`);
}

function stringField(object: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = object?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readLocalState(environment: Environment): { path: string; state: LocalState } {
  const path = homeOf(environment).stateFile;
  const raw = readJson(path);
  const state: LocalState = {};
  for (const name of ['apiUrl', 'sqsEndpoint', 'queueUrl', 'deadLetterUrl'] as const) {
    const value = stringField(raw, name);
    if (value !== undefined) state[name] = value;
  }
  return { path, state };
}

export function resolveConnection(flags: { url?: string | undefined; key?: string | undefined }, environment: Environment): Connection {
  let url: string | undefined;
  let urlSource = '';
  if (flags.url) [url, urlSource] = [flags.url, '--url'];
  else if (environment.env.WAPK_URL) [url, urlSource] = [environment.env.WAPK_URL, 'WAPK_URL'];
  else {
    const { path, state } = readLocalState(environment);
    if (state.apiUrl) [url, urlSource] = [state.apiUrl, path];
  }

  const home = homeOf(environment);
  let key = flags.key || environment.env.WAPK_API_KEY || undefined;
  if (!key) key = stringField(readJson(home.configFile), 'apiKey');
  if (key) registerSecret(key);

  if (!url) {
    throw new UsageError(`no API URL: pass --url, set WAPK_URL, or start the local stack with \`npm start\` (it writes ${home.stateFile})`);
  }
  if (!key) {
    throw new UsageError(
      `no API key: pass --key, set WAPK_API_KEY, or start the local stack once (it writes "apiKey" in ${home.configFile})`,
    );
  }

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`the API URL from ${urlSource} is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`the API URL from ${urlSource} must be http or https`);
  if (parsed.username || parsed.password) throw new UsageError(`the API URL from ${urlSource} must not carry credentials; use --key`);
  return { url: parsed.href.replace(/\/+$/, ''), key, urlSource };
}
