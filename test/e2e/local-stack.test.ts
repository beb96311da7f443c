/**
 * `npm start` end to end, as a user runs it (the same entry point, in its own process, on its own
 * home): wait for the ready line; a second start on the same home is refused in one line; every
 * scenario number (src/local/scenarios.ts) is sent through the HTTP API to every provider that can
 * produce it, and each message must end as its scenario says — status, error, attempts, history,
 * pause or suppression — with the provider mock never taking a message twice; the CLI finds the
 * stack through WAPK_HOME, `wapk watch` ends at each provider's last status, pauses are lifted
 * with `wapk pauses lift`; then Ctrl-C, and nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIOS, type Expectation, type ProviderPlay, type Scenario } from '../../src/local/scenarios.ts';
import type { MessageStatus } from '../../src/messages/status.ts';
import { lastReportedStatus } from '../../src/providers/index.ts';
import { MOCKED_PROVIDERS } from '../../src/mock/providers.ts';
import { byProvider, type ProviderName } from '../../src/providers/names.ts';
import { FIXTURES } from '../support/providers.ts';

const root = new URL('../../', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'wapk-e2e-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'wapk-e2e-cwd-'));
const children: ChildProcess[] = [];

/** Each provider's fixture message (list.test.ts checks its local account takes it). */
const CONTENT: Record<ProviderName, Record<string, unknown>> = {
  ...byProvider((provider) => FIXTURES[provider].content),
  // An explicit override: Kaleyra's carries a copy-code button, so that the stack sends one with a button.
  kaleyra: { ...FIXTURES.kaleyra.content, buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }] },
};

interface ApiMessage {
  id: string;
  status: MessageStatus;
  attempts: number;
  history: Array<{ status: MessageStatus; at: string }>;
  lastError?: { class?: string; status?: number; code?: string | number; reason: string };
}

interface Sent {
  scenario: Scenario;
  provider: ProviderName;
  expect: Expectation;
  id: string;
}

interface Received {
  method: string;
  path: string;
  status: number;
  body: string;
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

type Outcome = { code: number | null; stdout: string; stderr: string };

/** Runs a process to its end, with its output. */
function run(command: string, args: string[], env: Record<string, string>, cwd = elsewhere): Promise<Outcome> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    // A child that cannot start (its directory removed after a failed assertion) is an outcome, not an uncaught error.
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `wapk …` from another directory, finding the stack only through WAPK_HOME. */
const wapk = (...args: string[]) =>
  run(process.execPath, [join(root, 'src/cli/main.ts'), ...args], { WAPK_HOME: home, WAPK_URL: '', WAPK_API_KEY: '' });

const anyOf = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/** Whether the message is as its scenario expects (what the final assertions then spell out). */
function matches(message: ApiMessage, expected: Expectation): boolean {
  if (!anyOf(expected.status).includes(message.status)) return false;
  if (expected.attempts !== undefined && !anyOf(expected.attempts).includes(message.attempts)) return false;
  const statuses = new Set(message.history.map((h) => h.status));
  if (expected.history && !expected.history.every((status) => statuses.has(status))) return false;
  const error = (message.lastError ?? {}) as Record<string, unknown>;
  return Object.entries(expected.error ?? {}).every(([key, value]) => error[key] === value);
}

describe('npm start', () => {
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('produces every scenario on purpose, leaves what each must leave, and stops with one Ctrl-C', async () => {
    const stack = spawn(process.execPath, [join(root, 'scripts/start.ts')], {
      cwd: root,
      env: { ...process.env, WAPK_HOME: home, WAPK_PORTS: 'ephemeral', WAPK_FAILURE_RATE: '0', WAPK_SCENARIO_HOLD_S: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(stack);
    let output = '';
    stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const apiUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line in 40 s:\n${output}`)), 40_000);
      stack.stdout!.on('data', () => {
        const match = /ready: API (\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      stack.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });
    const { apiKey } = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { apiKey: string };
    type State = { mocks: Record<ProviderName, string>; sqsEndpoint: string; dynamoEndpoint: string };
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as State;
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const api = (path: string, init: RequestInit = {}) => fetch(`${apiUrl}${path}`, { ...init, headers: { ...headers, ...init.headers } });
    const json = async <T>(path: string) => (await (await api(path)).json()) as T;
    const send = async (provider: ProviderName, recipient: string) => {
      const body = { provider, account: `local-${provider}`, recipient, content: CONTENT[provider] };
      const response = await api('/v1/messages', { method: 'POST', body: JSON.stringify(body) });
      expect(response.status, `${provider} ${recipient}`).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const messagesOf = async (provider: ProviderName) => {
      const page = await json<{ messages: ApiMessage[] }>(`/v1/messages?account=local-${provider}&limit=100`);
      return new Map(page.messages.map((m) => [m.id, m]));
    };
    /** Polls the accounts' listings until every message matches its expectation (or 30 s pass). */
    const settle = async (sent: readonly Sent[]) => {
      const deadline = Date.now() + 30_000;
      let seen = new Map<string, ApiMessage>();
      while (Date.now() < deadline) {
        const providers = [...new Set(sent.map((s) => s.provider))];
        seen = new Map((await Promise.all(providers.map(messagesOf))).flatMap((page) => [...page]));
        if (sent.every((s) => seen.has(s.id) && matches(seen.get(s.id)!, s.expect))) break;
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      return seen;
    };
    /** How many sends to `recipient` the provider's mock answered with a 2xx, i.e. took. */
    const taken = async (provider: ProviderName, recipient: string) => {
      const { received } = (await (await fetch(`${state.mocks[provider]}/__mock/received`)).json()) as { received: Received[] };
      const { send: operation, recipientOf } = MOCKED_PROVIDERS[provider];
      const to = (r: Received) => recipientOf(r.body)?.replace(/\D/g, '');
      const sends = received.filter((r) => r.method === operation.method && operation.path.test(r.path));
      return sends.filter((r) => to(r) === recipient.slice(1) && r.status < 300).length;
    };
    const pausesOf = async (provider: ProviderName) => {
      return (await json<{ pauses: Array<{ scope: string }> }>(`/v1/pauses?account=local-${provider}`)).pauses;
    };

    // One home: a second stack on it is refused in one line, and this one is untouched.
    const second = await run(process.execPath, [join(root, 'scripts/start.ts')], { WAPK_HOME: home, WAPK_PORTS: 'ephemeral' }, root);
    expect(second.code).toBe(2);
    const inUse = new RegExp(`^npm start: .* is in use by another local stack \\(pid ${stack.pid}\\)`);
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringMatching(inUse)]);

    // Phase 1: every scenario that sets no pause, to every provider that can produce it.
    const plays = SCENARIOS.flatMap((scenario) =>
      (Object.entries(scenario.providers) as Array<[ProviderName, ProviderPlay]>).map(([provider, play]) => ({ scenario, provider, play })),
    );
    const sent: Sent[] = [];
    for (const { scenario, provider, play } of plays.filter((p) => !p.play.expect.pause)) {
      sent.push({ scenario, provider, expect: play.expect, id: await send(provider, scenario.number) });
    }

    // `wapk watch` ends at each provider's last status: read for LiveChat (not at delivered), sent for LiveTok.
    const ordinary = (provider: ProviderName) => sent.find((s) => s.scenario.name === 'delivered' && s.provider === provider)!.id;
    const watched = wapk('watch', ordinary('livechat'), ordinary('livetok'), '--interval', '0.3');

    const seen = await settle(sent);
    for (const s of sent) {
      const message = seen.get(s.id)!;
      const label = `${s.scenario.name} via ${s.provider}`;
      expect(message, label).toBeDefined();
      expect(anyOf(s.expect.status), `${label}: status ${message.status}`).toContain(message.status);
      if (s.expect.attempts !== undefined) {
        expect(anyOf(s.expect.attempts), `${label}: attempts ${message.attempts}`).toContain(message.attempts);
      }
      if (s.expect.error) expect(message.lastError, label).toMatchObject(s.expect.error);
      if (s.expect.history)
        expect(
          message.history.map((h) => h.status),
          label,
        ).toEqual(expect.arrayContaining([...s.expect.history]));
      // Never taken twice, whatever the scenario did to the first attempt.
      expect(await taken(s.provider, s.scenario.number), `${label}: sends the provider took`).toBeLessThanOrEqual(1);
    }
    // A late `sent` is history with its own, earlier time.
    for (const s of sent.filter((x) => x.scenario.name === 'late-sent')) {
      const at = Object.fromEntries(seen.get(s.id)!.history.map((h) => [h.status, h.at]));
      expect(at.sent! <= at.delivered!, `late sent via ${s.provider}`).toBe(true);
    }

    const watch = await watched;
    expect(watch.code, watch.stderr).toBe(0);
    const lastLine = (id: string) =>
      watch.stdout
        .split('\n')
        .filter((line) => line.includes(id))
        .at(-1);
    // `<old> → <new>`, or the status alone where watch first saw the message already there.
    expect(lastLine(ordinary('livechat'))).toMatch(/ (\S+ → )?read$/);
    expect(lastLine(ordinary('livetok'))).toMatch(/ (\S+ → )?sent$/);

    // An opted-out recipient is suppressed: the next message to it fails at once, without a call.
    const suppressed: Expectation = { status: 'failed', error: { class: 'opted_out' }, attempts: 0 };
    const optedOut = sent.filter((s) => s.scenario.name === 'opted-out');
    const again = await Promise.all(
      optedOut.map(async (s) => ({ ...s, expect: suppressed, id: await send(s.provider, s.scenario.number) })),
    );
    const after = await settle(again);
    for (const s of again) {
      const label = `second message to the opted-out number via ${s.provider}`;
      expect(after.get(s.id), label).toMatchObject({ status: 'failed', attempts: 0, lastError: { class: 'opted_out' } });
      expect(await taken(s.provider, s.scenario.number), label).toBe(1);
      const removed = await api(`/v1/suppressions/local-${s.provider}/${encodeURIComponent(s.scenario.number)}`, { method: 'DELETE' });
      expect(removed.status, label).toBe(200);
    }

    // Phase 2: the scenarios that pause, one at a time per account (a pause holds the account's
    // other messages), each pause then lifted with the CLI.
    const pausing = plays.filter((p) => p.play.expect.pause);
    const providers = [...new Set(pausing.map((p) => p.provider))];
    await Promise.all(
      providers.map(async (provider) => {
        for (const { scenario, play } of pausing.filter((p) => p.provider === provider)) {
          const one: Sent = { scenario, provider, expect: play.expect, id: await send(provider, scenario.number) };
          const message = (await settle([one])).get(one.id);
          const label = `${scenario.name} via ${provider}`;
          const lastError = play.expect.error ? { lastError: play.expect.error } : {};
          expect(message, label).toMatchObject({ status: anyOf(play.expect.status)[0], ...lastError });
          const template = String(CONTENT[provider].name);
          expect(
            (await pausesOf(provider)).map((p) => p.scope),
            label,
          ).toContain(play.expect.pause === 'template' ? `T#${template}` : '*');
          const scope = play.expect.pause === 'template' ? ['--template', template] : [];
          const lift = await wapk('pauses', 'lift', `local-${provider}`, ...scope);
          expect(lift.code, lift.stderr).toBe(0);
          expect(await pausesOf(provider), label).toEqual([]);
        }
      }),
    );

    // The README's command, as written: npm run in the package, the stack found through WAPK_HOME.
    const status = await run('npm', ['run', '--silent', 'wapk', '--', 'status', ordinary('kaleyra')], { WAPK_HOME: home }, root);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^ {2}status +${lastReportedStatus('kaleyra')}$`, 'm'));

    const exited = new Promise<number | null>((resolve) => stack.on('exit', (code) => resolve(code)));
    stack.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const url of [apiUrl, state.sqsEndpoint, state.dynamoEndpoint, ...Object.values(state.mocks)]) {
      expect(await portOpen(url), url).toBe(false);
    }
    expect(existsSync(join(home, 'state.json'))).toBe(false);
    expect(existsSync(join(home, 'lock'))).toBe(false);
  }, 120_000);
});
