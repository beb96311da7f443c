/**
 * The local stack's home: the one folder that `npm start` and the `wapk` CLI agree on. It holds
 * `config.json` (accounts, the local API key, secrets; written on first start), `state.json`
 * (the URLs, while the stack runs), `lock` (the pid of the stack using it) and `dynamo/` (the
 * DynamoDB data).
 *
 * `WAPK_HOME` names it (relative to the working directory); otherwise it is `.local` in the
 * working directory. `npm start` and `npm run wapk` both run in the package's root, so they find
 * the same folder wherever the terminal is. Nothing heavy is imported here: the CLI loads it on
 * every call.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WapkError } from '../errors.ts';

export const DEFAULT_HOME = '.local';

export interface LocalHome {
  dir: string;
  configFile: string;
  stateFile: string;
  lockFile: string;
  dynamoDir: string;
}

/** The home for this environment: `$WAPK_HOME` (resolved against `cwd`), else `<cwd>/.local`. */
export function localHome(env: NodeJS.ProcessEnv, cwd: string): LocalHome {
  const dir = resolve(cwd, env.WAPK_HOME || DEFAULT_HOME);
  return homeAt(dir);
}

export function homeAt(dir: string): LocalHome {
  return {
    dir,
    configFile: join(dir, 'config.json'),
    stateFile: join(dir, 'state.json'),
    lockFile: join(dir, 'lock'),
    dynamoDir: join(dir, 'dynamo'),
  };
}

/** Another local stack (a live process) holds the home. */
export class HomeInUseError extends WapkError {
  override readonly name = 'HomeInUseError';
  readonly kind = 'home_in_use';
  readonly visible = true;
  readonly pid: number | undefined;

  constructor(home: LocalHome, pid: number | undefined) {
    super(
      `${home.dir} is in use by another local stack (pid ${pid ?? 'unknown'}): stop it first (Ctrl-C in its terminal), ` +
        `or give this one another home with WAPK_HOME (if no local stack runs as that pid, delete ${home.lockFile})`,
    );
    this.pid = pid;
  }
}

/**
 * Takes the home for this process: creates `lock` with our pid, exclusively. A lock whose pid is
 * no longer running (a stack that was killed) is taken over. Returns the function that releases it.
 * @throws HomeInUseError when a live process holds it.
 */
export function lockHome(home: LocalHome, pid: number = process.pid, isAlive: (pid: number) => boolean = processIsAlive): () => void {
  if (!createLock(home.lockFile, pid)) {
    const holder = lockHolder(home);
    if (holder !== undefined && holder !== pid && isAlive(holder)) throw new HomeInUseError(home, holder);
    // A stale lock (its stack died without stopping) or an unreadable one: take it over. Of two
    // stacks doing this at once, the exclusive create lets one through.
    rmSync(home.lockFile, { force: true });
    if (!createLock(home.lockFile, pid)) throw new HomeInUseError(home, lockHolder(home));
  }
  return () => {
    if (lockHolder(home) === pid) rmSync(home.lockFile, { force: true });
  };
}

function createLock(file: string, pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid written in the home's lock, if there is a readable one. */
export function lockHolder(home: LocalHome): number | undefined {
  try {
    const pid = Number(readFileSync(home.lockFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
