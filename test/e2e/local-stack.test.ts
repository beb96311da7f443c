/**
 * `npm start` end to end, as a user runs it (the same entry point, in its own process): wait for
 * the ready line, send a message to every provider through the HTTP API, wait for each to reach
 * its final status through the simulated callbacks, then Ctrl-C and check nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const home = mkdtempSync(join(tmpdir(), 'wapk-e2e-'));
let child: ChildProcess | undefined;

const REQUESTS = {
  livetok: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
  livechat: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] },
  gupshup: { kind: 'template', name: 'order_update', language: 'en', body: ['A-17', 'shipped'] },
  loopwave: { kind: 'text', text: 'Your order A-17 has shipped.' },
  kaleyra: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'], buttons: [{ type: 'copy_code', index: 0, code: 'CARIBE25' }] },
} as const;
/** Where each provider's lifecycle ends: LiveTok's synchronous `sent` is final, Loopwave reports only `sent`. */
const FINAL: Record<keyof typeof REQUESTS, string> = { livetok: 'sent', loopwave: 'sent', livechat: 'read', gupshup: 'read', kaleyra: 'read' };

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

describe('npm start', () => {
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('runs the pipeline: every provider’s message reaches its final status; one Ctrl-C stops everything', async () => {
    child = spawn(process.execPath, [join(root, 'scripts/start.ts')], { cwd: root, env: { ...process.env, WAPK_HOME: home, WAPK_PORTS: 'ephemeral', WAPK_FAILURE_RATE: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const apiUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line in 30 s:\n${output}`)), 30_000);
      const check = () => {
        const match = /ready: API (\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child!.stdout!.on('data', check);
      child!.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
    });
    const { apiKey } = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { apiKey: string };
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { mocks: Record<string, string>; sqsEndpoint: string; dynamoEndpoint: string };
    const api = (path: string, init: RequestInit = {}) => fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...init.headers } });

    const ids = new Map<string, string>();
    for (const [provider, content] of Object.entries(REQUESTS)) {
      const response = await api('/v1/messages', { method: 'POST', body: JSON.stringify({ provider, account: `local-${provider}`, recipient: '+919812345678', content }) });
      expect(response.status, provider).toBe(202);
      ids.set(provider, ((await response.json()) as { id: string }).id);
    }
    const deadline = Date.now() + 30_000;
    const statuses = new Map<string, string>();
    while (Date.now() < deadline) {
      for (const [provider, id] of ids) statuses.set(provider, ((await (await api(`/v1/messages/${id}`)).json()) as { status: string }).status);
      if ([...ids.keys()].every((p) => statuses.get(p) === FINAL[p as keyof typeof FINAL])) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(Object.fromEntries(statuses)).toEqual(FINAL);
    const history = ((await (await api(`/v1/messages/${ids.get('kaleyra')}`)).json()) as { history: Array<{ status: string }> }).history.map((h) => h.status);
    expect(history).toEqual(expect.arrayContaining(['queued', 'sending', 'accepted', 'sent', 'delivered', 'read']));

    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const url of [apiUrl, state.sqsEndpoint, state.dynamoEndpoint, ...Object.values(state.mocks)]) expect(await portOpen(url), url).toBe(false);
    expect(() => readFileSync(join(home, 'state.json'))).toThrow();
  }, 90_000);
});
