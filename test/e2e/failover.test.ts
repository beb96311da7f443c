/**
 * A provider outage on `npm start` (the same entry point, in its own process), as docs/guide.md
 * and docs/scenarios.md tell a user to watch it: the home's config gives `local-kaleyra` a
 * fallback (`local-livechat`, its `lto_template` carried as LiveChat's `appointment_reminder`), and
 * `WAPK_OUTAGE=kaleyra:paused` makes the Kaleyra mock refuse every send with its pausing refusal
 * (400 E110, low balance). A message to Kaleyra must be delivered once, through LiveChat: one
 * refused call to Kaleyra, one accepted call to LiveChat, none anywhere else; the API shows the
 * routes, the message stays local-kaleyra's, and Kaleyra is paused. The mocks log every answered
 * request (`WAPK_MOCK_LOG`), so what reached the "providers" is known.
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
const home = mkdtempSync(join(tmpdir(), 'wapk-failover-'));
const mockLog = join(home, 'mock-requests.jsonl');
const children: ChildProcess[] = [];

const env = {
  ...process.env,
  WAPK_HOME: home,
  WAPK_PORTS: 'ephemeral',
  WAPK_FAILURE_RATE: '0',
  WAPK_MOCK_LOG: mockLog,
  WAPK_OUTAGE: 'kaleyra:paused',
};

/** The local config with a fallback, as docs/guide.md shows it. */
function writeConfigWithFallback(): void {
  const file = join(home, 'config.json');
  const local = ensureLocalConfig(file);
  const accounts = (local.config as { accounts: Array<Record<string, unknown>> }).accounts;
  const kaleyra = accounts.find((account) => account.id === 'local-kaleyra')!;
  const livechat = accounts.find((account) => account.id === 'local-livechat')!;
  kaleyra.templates = [{ name: 'lto_template', language: 'en_US', bodyParameters: 2 }];
  kaleyra.failoverAfter = '2m';
  kaleyra.fallbacks = [
    {
      account: 'local-livechat',
      templates: [{ name: 'lto_template', language: 'en_US', to: { name: 'appointment_reminder', language: 'en_US' } }],
    },
  ];
  livechat.templates = [{ name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 }];
  writeFileSync(file, `${JSON.stringify(local, null, 2)}\n`, { mode: 0o600 });
}

function start(): Promise<{ child: ChildProcess; apiUrl: string; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'scripts/start.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready: API (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, apiUrl: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
}

/** The send calls the mocks answered, by provider and status. */
function sendCalls(): Array<{ provider: ProviderName; status: number }> {
  if (!existsSync(mockLog)) return [];
  return readFileSync(mockLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { provider: ProviderName; method: string; path: string; status: number })
    .filter((call) => call.method === 'post' && DEV_KITS[call.provider].mock.send.path.test(call.path))
    .map(({ provider, status }) => ({ provider, status }));
}

/** `wapk …`, finding the stack through WAPK_HOME, to its end. */
function wapk(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
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

describe('a provider outage on the local stack', () => {
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('delivers a message to the paused route once, through its fallback', async () => {
    writeConfigWithFallback();
    const stack = await start();
    const { apiKey } = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { apiKey: string };
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const api = (path: string, init: RequestInit = {}) => fetch(`${stack.apiUrl}${path}`, { ...init, headers });

    const accepted = await api('/v1/messages', {
      method: 'POST',
      body: JSON.stringify({
        provider: 'kaleyra',
        account: 'local-kaleyra',
        recipient: '+919812345678',
        content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] },
      }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };

    type Shown = {
      status: string;
      account: string;
      provider: string;
      attempts: number;
      route?: { index: number; account: string; provider: string };
      routes?: Array<{ index: number; account: string; provider: string; outcome: string; error: { class?: string; code?: unknown } }>;
    };
    // LiveChat's simulated callbacks take it to read.
    const shown = await until(
      async () => (await (await api(`/v1/messages/${id}`)).json()) as Shown,
      (message) => message.status === 'read' || message.status === 'failed' || message.status === 'unknown',
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
    const calls = sendCalls();
    expect(calls.map((call) => call.provider)).toEqual(['kaleyra', 'livechat']);
    expect(calls[0]!.status).toBe(400);
    expect(calls[1]!.status).toBeLessThan(300);
    // The refusal paused the origin, as any pausing refusal does.
    const pauses = (await (await api('/v1/pauses?account=local-kaleyra')).json()) as { pauses: Array<{ account: string }> };
    expect(pauses.pauses).toMatchObject([{ account: 'local-kaleyra' }]);

    // `wapk status` (found through WAPK_HOME) names the route that sent it and the one that refused it.
    const status = await wapk('status', id);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^ {2}sent via +livechat \(account local-livechat, route 1\)$/m);
    expect(status.stdout).toMatch(
      /^ {4}0 +kaleyra \(account local-kaleyra\) +\S+ – \S+ +refused +.*\(pause_sender, HTTP 400, code E110\)$/m,
    );
    expect(status.stdout).toMatch(/^ {4}1 +livechat \(account local-livechat\) +since \S+ +owns the send$/m);
    expect(status.stdout).not.toContain('9812345678'); // only the last four digits

    // npm start said so, after its ready line.
    expect(stack.output()).toMatch(/outage +the kaleyra mock refuses every send \(paused\) while the stack runs/);
    const exited = new Promise((resolve) => stack.child.on('exit', resolve));
    stack.child.kill('SIGINT');
    await exited;
  }, 120_000);
});
