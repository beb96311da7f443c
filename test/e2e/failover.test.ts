/**
 * Provider outages on `npm start` (the same entry point, in its own process), one stack per kind,
 * as docs/guide.md and docs/scenarios.md tell a user to watch them: each stack's home gives
 * `local-kaleyra` a fallback (`local-livechat`, its `lto_template` carried as LiveChat's
 * `appointment_reminder`), and `WAPK_OUTAGE=kaleyra:<kind>` makes the Kaleyra mock refuse every
 * send (src/local/outage.ts). The mocks log every answered request (`WAPK_MOCK_LOG`), so the calls
 * that reached each "provider" are counted:
 *
 * - `paused` (Kaleyra's 400 E110, low balance): delivered once through LiveChat at once; Kaleyra
 *   is paused;
 * - `revoked` (Kaleyra's 401 RBC001, a wrong or revoked API key): the same, with the credential's
 *   code in the refused route;
 * - `throttled` (429, bounded): a message with a fallback and a short `failoverAfter` fails over
 *   once it has waited that long on Kaleyra; a message no later route carries (a template its
 *   fallback does not map) is not lost: it keeps waiting on Kaleyra and is sent there, once, when
 *   the outage ends;
 * - `server-error` (500, an open outcome): the message ends `unknown`, and LiveChat gets no call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalConfig } from '../../src/local/stack.ts';
import { DEV_KITS } from '../../src/providers/dev.ts';
import type { ProviderName } from '../../src/providers/names.ts';

const root = new URL('../../', import.meta.url).pathname;
const children: ChildProcess[] = [];
const homes: string[] = [];

type AccountFields = Record<string, unknown>;

/** The local config with a fallback, as docs/guide.md shows it; `edit` changes local-kaleyra further. */
function writeConfigWithFallback(home: string, edit: (kaleyra: AccountFields) => void = () => {}): string {
  const file = join(home, 'config.json');
  const local = ensureLocalConfig(file);
  const accounts = (local.config as { accounts: AccountFields[] }).accounts;
  const kaleyra = accounts.find((account) => account.id === 'local-kaleyra')!;
  const livechat = accounts.find((account) => account.id === 'local-livechat')!;
  // `order_update` has no mapping on the fallback: no later route carries it.
  kaleyra.templates = [
    { name: 'lto_template', language: 'en_US', bodyParameters: 2 },
    { name: 'order_update', language: 'en_US', bodyParameters: 1 },
  ];
  kaleyra.failoverAfter = '2m';
  kaleyra.fallbacks = [
    {
      account: 'local-livechat',
      templates: [{ name: 'lto_template', language: 'en_US', to: { name: 'appointment_reminder', language: 'en_US' } }],
    },
  ];
  livechat.templates = [{ name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 }];
  edit(kaleyra);
  writeFileSync(file, `${JSON.stringify(local, null, 2)}\n`, { mode: 0o600 });
  return local.apiKey;
}

interface Stack {
  child: ChildProcess;
  home: string;
  output: () => string;
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** The send calls the mocks answered, by provider and status, in order. */
  sendCalls: () => Array<{ provider: ProviderName; status: number }>;
  stop: () => Promise<void>;
}

/** `npm start` in a home of its own, with `outage` as WAPK_OUTAGE, once it printed its ready line. */
function start(outage: string, edit?: (kaleyra: AccountFields) => void): Promise<Stack> {
  const home = mkdtempSync(join(tmpdir(), 'wapk-failover-'));
  homes.push(home);
  const apiKey = writeConfigWithFallback(home, edit);
  const mockLog = join(home, 'mock-requests.jsonl');
  const env = {
    ...process.env,
    WAPK_HOME: home,
    WAPK_PORTS: 'ephemeral',
    WAPK_FAILURE_RATE: '0',
    WAPK_MOCK_LOG: mockLog,
    WAPK_OUTAGE: outage,
  };
  const child = spawn(process.execPath, [join(root, 'scripts/start.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const sendCalls = () => {
    if (!existsSync(mockLog)) return [];
    return readFileSync(mockLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { provider: ProviderName; method: string; path: string; status: number })
      .filter((call) => call.method === 'post' && DEV_KITS[call.provider].mock.send.path.test(call.path))
      .map(({ provider, status }) => ({ provider, status }));
  };
  const stop = async () => {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready: API (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const apiUrl = match[1]!;
        const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
        const api = (path: string, init: RequestInit = {}) => fetch(`${apiUrl}${path}`, { ...init, headers });
        resolve({ child, home, output: () => output, api, sendCalls, stop });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
}

/** `wapk …` against `home`'s stack, to its end. */
function wapk(home: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, WAPK_HOME: home, WAPK_URL: '', WAPK_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Shown = {
  status: string;
  account: string;
  provider: string;
  attempts: number;
  createdAt: string;
  lastError?: { class?: string; status?: number; code?: unknown } | null;
  route?: { index: number; account: string; provider: string; since: string };
  routes?: Array<{
    index: number;
    account: string;
    provider: string;
    since: string;
    until: string;
    outcome: string;
    error: { class?: string; status?: number; code?: unknown };
  }>;
};

const LTO = { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] };

/** Accepts a message to `local-kaleyra`; its id. */
async function send(stack: Stack, fields: Record<string, unknown>, recipient = '+919812345678'): Promise<string> {
  const accepted = await stack.api('/v1/messages', {
    method: 'POST',
    body: JSON.stringify({ provider: 'kaleyra', account: 'local-kaleyra', recipient, ...fields }),
  });
  expect(accepted.status, await accepted.clone().text()).toBe(202);
  return ((await accepted.json()) as { id: string }).id;
}

const show = async (stack: Stack, id: string) => (await (await stack.api(`/v1/messages/${id}`)).json()) as Shown;
const SETTLED = new Set(['read', 'failed', 'unknown']);
const TAKEN = new Set(['accepted', 'sent', 'delivered', 'read']);

describe('a provider outage on the local stack', () => {
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it('delivers a message to the paused route once, through its fallback', async () => {
    const stack = await start('kaleyra:paused');
    const id = await send(stack, { content: LTO });
    // LiveChat's simulated callbacks take it to read.
    const shown = await until(
      () => show(stack, id),
      (message) => SETTLED.has(message.status),
      60_000,
      'the message to settle',
    );
    expect(shown).toMatchObject({
      status: 'read',
      account: 'local-kaleyra',
      provider: 'kaleyra',
      route: { index: 1, account: 'local-livechat', provider: 'livechat' },
      routes: [
        { index: 0, account: 'local-kaleyra', provider: 'kaleyra', outcome: 'refused', error: { class: 'pause_sender', code: 'E110' } },
      ],
    });
    // One refused call to Kaleyra, one accepted call to LiveChat: sent once.
    const calls = stack.sendCalls();
    expect(calls.map((call) => call.provider)).toEqual(['kaleyra', 'livechat']);
    expect(calls[0]!.status).toBe(400);
    expect(calls[1]!.status).toBeLessThan(300);
    // The refusal paused the origin, as any pausing refusal does.
    const pauses = (await (await stack.api('/v1/pauses?account=local-kaleyra')).json()) as { pauses: Array<{ account: string }> };
    expect(pauses.pauses).toMatchObject([{ account: 'local-kaleyra' }]);

    // `wapk status` (found through WAPK_HOME) names the route that sent it and the one that refused it.
    const status = await wapk(stack.home, 'status', id);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^ {2}sent via +livechat \(account local-livechat, route 1\)$/m);
    expect(status.stdout).toMatch(
      /^ {4}0 +kaleyra \(account local-kaleyra\) +\S+ – \S+ +refused +.*\(pause_sender, HTTP 400, code E110\)$/m,
    );
    expect(status.stdout).toMatch(/^ {4}1 +livechat \(account local-livechat\) +since \S+ +owns the send$/m);
    expect(status.stdout).not.toContain('9812345678'); // only the last four digits

    // npm start said so, after its ready line.
    expect(stack.output()).toMatch(/outage +the kaleyra mock refuses every send \(paused\) while the stack runs/);
    await stack.stop();
  }, 120_000);

  it('revoked: fails over at once from a refused credential (Kaleyra 401 RBC001), and pauses the origin', async () => {
    const stack = await start('kaleyra:revoked');
    const id = await send(stack, { content: LTO });
    const shown = await until(
      () => show(stack, id),
      (message) => TAKEN.has(message.status),
      60_000,
      'the fallback to take it',
    );
    expect(shown).toMatchObject({
      account: 'local-kaleyra',
      route: { index: 1, account: 'local-livechat', provider: 'livechat' },
      routes: [
        {
          index: 0,
          account: 'local-kaleyra',
          outcome: 'refused',
          error: { class: 'pause_sender', status: 401, code: 'RBC001' },
        },
      ],
    });
    expect(stack.sendCalls()).toEqual([
      { provider: 'kaleyra', status: 401 },
      { provider: 'livechat', status: expect.any(Number) },
    ]);
    expect(stack.sendCalls()[1]!.status).toBeLessThan(300);
    const pauses = (await (await stack.api('/v1/pauses?account=local-kaleyra')).json()) as { pauses: Array<{ code?: string }> };
    expect(pauses.pauses).toMatchObject([{ code: 'RBC001' }]);
    expect(stack.output()).toMatch(/outage +the kaleyra mock refuses every send \(revoked\) while the stack runs/);
    await stack.stop();
  }, 120_000);

  it('throttled: fails over after waiting failoverAfter on the origin; one no later route carries waits, then is sent once', async () => {
    // 429 for the first 12 s of the stack (counted from its start, after the spawn): long enough
    // for the failover (2 s after the first 429) after a loaded machine's start, short enough that
    // the waiting message is sent soon after. The retry of a refused message also waits for the
    // recipient gap (6 s by default, Meta's pair limit): 1 s here, so that failoverAfter decides.
    const spawned = Date.now();
    const stack = await start('kaleyra:throttled:12s', (kaleyra) => void (kaleyra.limits = { recipientGapMs: 1000 }));
    const left = spawned + 12_000 - Date.now();
    expect(left, 'the stack started too slowly for its outage to outlast a failover').toBeGreaterThan(4000);
    // The request's own failoverAfter replaces the account's 2m.
    const moving = await send(stack, { content: LTO, failoverAfter: '2s' });
    // A template the fallback does not map: no later route carries it.
    const waiting = await send(
      stack,
      { content: { kind: 'template', name: 'order_update', language: 'en_US', body: ['A-1042'] } },
      '+919812340000',
    );

    const moved = await until(
      () => show(stack, moving),
      (message) => SETTLED.has(message.status),
      60_000,
      'the failover',
    );
    expect(moved).toMatchObject({
      status: 'read',
      route: { index: 1, account: 'local-livechat', provider: 'livechat' },
      routes: [{ index: 0, account: 'local-kaleyra', provider: 'kaleyra', error: { class: 'backoff', status: 429 } }],
    });
    // Refused at a try once it had waited failoverAfter, or found waiting on the blocked account then (a 429 blocks
    // the whole account for its window): either way the origin's last answer was the 429, and nothing was sent there.
    expect(['refused', 'blocked']).toContain(moved.routes![0]!.outcome);
    // It left Kaleyra only once it had waited there failoverAfter (the route's own times, the sender's clock).
    const [origin] = moved.routes!;
    expect(Date.parse(origin!.until) - Date.parse(origin!.since)).toBeGreaterThanOrEqual(2000);

    // Meanwhile the session message waits on Kaleyra: refused, retried, never failed, never moved.
    const meanwhile = await show(stack, waiting);
    expect(meanwhile.route ?? null).toBeNull();
    expect(meanwhile.status).not.toMatch(/^(failed|unknown|cancelled)$/);

    // Taken by Kaleyra (its callbacks then take it further).
    const sent = await until(
      () => show(stack, waiting),
      (message) => TAKEN.has(message.status),
      60_000,
      'the outage to end',
    );
    expect(sent).toMatchObject({ account: 'local-kaleyra', provider: 'kaleyra' });
    expect(sent.routes ?? []).toEqual([]);
    expect(sent.attempts).toBeGreaterThanOrEqual(2);

    // LiveChat had one call (the failover); Kaleyra refused everything during the outage and took
    // one message after it: the session message, once.
    const calls = stack.sendCalls();
    expect(calls.filter((call) => call.provider === 'livechat').map((call) => call.status < 300)).toEqual([true]);
    const kaleyra = calls.filter((call) => call.provider === 'kaleyra').map((call) => call.status);
    expect(kaleyra.filter((status) => status < 300)).toHaveLength(1);
    expect(kaleyra.at(-1)).toBeLessThan(300);
    expect(kaleyra.slice(0, -1).every((status) => status === 429)).toBe(true);
    // The moving message's refusals: at least its first (it may leave at a later refusal, or while waiting on the
    // blocked account), and every attempt of the waiting one.
    expect(kaleyra.length).toBeGreaterThanOrEqual(1 + sent.attempts);
    expect(calls.every((call) => call.provider === 'kaleyra' || call.provider === 'livechat')).toBe(true);
    // A throttled account is not paused.
    const pauses = (await (await stack.api('/v1/pauses?account=local-kaleyra')).json()) as { pauses: unknown[] };
    expect(pauses.pauses).toEqual([]);
    expect(stack.output()).toMatch(/outage +the kaleyra mock refuses every send \(throttled\) for 12 s/);
    await stack.stop();
  }, 120_000);

  it('server-error: an open 500 leaves the message unknown, and its fallback never gets a call', async () => {
    const stack = await start('kaleyra:server-error');
    const id = await send(stack, { content: LTO, failoverAfter: '2s' });
    const shown = await until(
      () => show(stack, id),
      (message) => SETTLED.has(message.status),
      60_000,
      'the outcome',
    );
    expect(shown).toMatchObject({ status: 'unknown', account: 'local-kaleyra', provider: 'kaleyra', attempts: 1 });
    expect(shown.route ?? null).toBeNull();
    expect(shown.routes ?? []).toEqual([]);
    // Watch it past failoverAfter (and one more second): a failover would have been made by then.
    const quietUntil = Date.parse(shown.createdAt) + 3000;
    const later = await until(
      async () => ({ now: Date.now(), message: await show(stack, id) }),
      ({ now, message }) => now > quietUntil || message.status !== 'unknown',
      30_000,
      'failoverAfter to pass',
    );
    expect(later.message).toMatchObject({ status: 'unknown', attempts: 1 });
    expect(stack.sendCalls()).toEqual([{ provider: 'kaleyra', status: 500 }]);
    const status = await wapk(stack.home, 'status', id);
    expect(status.stdout).toMatch(/^ {2}status +unknown$/m);
    expect(status.stdout).not.toMatch(/sent via|routes/);
    await stack.stop();
  }, 120_000);
});
