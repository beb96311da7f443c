/**
 * The `wapk` CLI, run as a child process (as a user runs it) against a small fake of the API on
 * loopback that records every request and answers as the real API does; `dlq redrive` against a
 * real local SQS.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueue, startSqs, type LocalService } from '../local/aws.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const KEY = 'test-key-5f1c2e9a7b';

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: any;
}
interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
type Handler = (request: Recorded) => Answer;

let server: Server;
let apiUrl: string;
let handler: Handler;
let requests: Recorded[];
/** API keys the fake accepts. */
let keys: Set<string>;
const temps: string[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url!, 'http://fake');
    const recorded: Recorded = {
      method: req.method!,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
    };
    requests.push(recorded);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const answer: Answer =
      bearer && keys.has(bearer)
        ? handler(recorded)
        : {
            status: 401,
            body: { error: { code: 'unauthorized', message: 'send a valid API key as Authorization: Bearer <key>' } },
            headers: { 'www-authenticate': 'Bearer' },
          };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  requests = [];
  keys = new Set([KEY]);
  handler = () => ({ status: 500, body: { error: { code: 'internal', message: 'no handler in this test' } } });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wapk-test-'));
  temps.push(dir);
  return dir;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `wapk args` (with `--url`/`--key` unless `connect: false`), settling within `timeoutMs`. */
function wapk(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    connect?: boolean;
    timeoutMs?: number;
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !/^(WAPK_|AWS_)/.test(name)) env[name] = value;
  const child = spawn(process.execPath, [MAIN, ...args, ...(options.connect === false ? [] : ['--url', apiUrl, '--key', KEY])], {
    cwd: options.cwd ?? tempDir(),
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    options.onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 8000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

function apiMessage(id: string, status: string, history: Array<[string, string]>, extra: Record<string, unknown> = {}) {
  return {
    id,
    provider: 'kaleyra',
    account: 'acme-kaleyra',
    status,
    recipient: '…5678',
    kind: 'template',
    template: 'lto_template',
    createdAt: history[0]?.[1] ?? '2026-05-01T10:00:00.000Z',
    history: history.map(([s, at]) => ({ status: s, at })),
    attempts: 1,
    ...extra,
  };
}

const invalid = (violations: Array<{ field: string; rule: string }>): Answer => ({
  status: 400,
  body: {
    error: { code: 'invalid_request', message: `the request has ${violations.length} problem(s); nothing was accepted`, violations },
  },
});

describe('wapk send', () => {
  it('builds the send request from flags and prints the id and status', async () => {
    handler = () => ({ status: 202, body: { id: '01JTESTSEND0000000000000001', status: 'queued' } });
    const run = await wapk([
      'send',
      '--provider',
      'kaleyra',
      '--account',
      'acme-kaleyra',
      '--to',
      '+919812345678',
      '--template',
      'lto_template',
      '--language',
      'en_US',
      '--body',
      'Pablo',
      '--body',
      'CARIBE25',
      '--header-image',
      'https://cdn.example.com/offer.png',
      '--button',
      'copy_code:0:CARIBE25',
      '--button',
      'quick_reply:1:STOP',
      '--button',
      'url:2:track/a:b',
      '--schedule',
      '2026-12-01T09:00:00+01:00',
      '--idempotency-key',
      'order-17',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('01JTESTSEND0000000000000001 queued\n');
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v1/messages');
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request!.headers['idempotency-key']).toBe('order-17');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      provider: 'kaleyra',
      account: 'acme-kaleyra',
      recipient: '+919812345678',
      content: {
        kind: 'template',
        name: 'lto_template',
        language: 'en_US',
        header: { type: 'image', media: { link: 'https://cdn.example.com/offer.png' } },
        body: ['Pablo', 'CARIBE25'],
        buttons: [
          { type: 'copy_code', index: 0, code: 'CARIBE25' },
          { type: 'quick_reply', index: 1, payload: 'STOP' },
          { type: 'url', index: 2, text: 'track/a:b' },
        ],
      },
      scheduleAt: '2026-12-01T09:00:00+01:00',
    });
  });

  it('sends named body values, a text header, free text, and prints JSON with --json', async () => {
    handler = () => ({ status: 202, body: { id: '01JTESTSEND0000000000000002', status: 'queued' } });
    const named = await wapk([
      'send',
      '--provider',
      'livechat',
      '--account',
      'lc',
      '--to',
      '+14155550123',
      '--template',
      'welcome',
      '--language',
      'en',
      '--named',
      'first_name=Ana',
      '--named',
      'code=a=b',
      '--header-text',
      'Hello',
      '--json',
    ]);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toEqual({ id: '01JTESTSEND0000000000000002', status: 'queued' });
    expect(requests[0]!.body.content).toEqual({
      kind: 'template',
      name: 'welcome',
      language: 'en',
      header: { type: 'text', text: 'Hello' },
      body: { first_name: 'Ana', code: 'a=b' },
    });
    expect(requests[0]!.headers['idempotency-key']).toBeUndefined();

    const text = await wapk(['send', '--provider', 'loopwave', '--account', 'lw', '--to', '+14155550123', '--text', 'free text']);
    expect(text.code).toBe(0);
    expect(requests[1]!.body).toEqual({
      provider: 'loopwave',
      account: 'lw',
      recipient: '+14155550123',
      content: { kind: 'text', text: 'free text' },
    });
  });

  it('prints each violation of a refused request on its own line and exits 1', async () => {
    handler = () =>
      invalid([
        { field: 'recipient', rule: 'must be a valid phone number with its country code (E.164), e.g. +14155550123' },
        { field: 'content.buttons.0.code', rule: 'must be at most 15 characters (Meta’s limit)' },
      ]);
    const run = await wapk([
      'send',
      '--provider',
      'kaleyra',
      '--account',
      'acme-kaleyra',
      '--to',
      '+1',
      '--template',
      't',
      '--language',
      'en',
      '--button',
      'copy_code:0:WAYTOOLONGCODE1234',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      'wapk: the request has 2 problem(s); nothing was accepted',
      '  recipient: must be a valid phone number with its country code (E.164), e.g. +14155550123',
      '  content.buttons.0.code: must be at most 15 characters (Meta’s limit)',
    ]);
  });

  it('exits 2 with a usage line when required flags are missing or wrong, without calling the API', async () => {
    const missing = await wapk(['send', '--provider', 'kaleyra', '--to', '+14155550123']);
    expect(missing.code).toBe(2);
    const [first, second, ...rest] = lines(missing.stderr);
    expect(first).toBe('wapk: send needs --account, --template, --language');
    expect(second).toMatch(/^usage: wapk send --provider P --account A --to \+E164/);
    expect(rest).toEqual([]);

    const badButton = await wapk([
      'send',
      '--provider',
      'kaleyra',
      '--account',
      'a',
      '--to',
      '+14155550123',
      '--template',
      't',
      '--language',
      'en',
      '--button',
      'copy_code:x',
    ]);
    expect(badButton.code).toBe(2);
    expect(lines(badButton.stderr)[0]).toMatch(/^wapk: --button takes TYPE:INDEX:VALUE/);

    const unknownFlag = await wapk(['status', 'X', '--verbose']);
    expect(unknownFlag.code).toBe(2);
    expect(lines(unknownFlag.stderr)).toEqual(["wapk: Unknown option '--verbose'", 'usage: wapk status ID [--json]']);

    const unknownCommand = await wapk(['sned']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/^wapk: unknown command "sned"/);
    expect(requests).toEqual([]);
  });
});

describe('wapk status and cancel', () => {
  const ID = '01JTESTSTATUS0000000000001';

  it('prints the status, recipient, provider, history, attempts and last error', async () => {
    const message = apiMessage(
      ID,
      'failed',
      [
        ['queued', '2026-05-01T10:00:00.000Z'],
        ['sending', '2026-05-01T10:00:01.000Z'],
        ['failed', '2026-05-01T10:00:02.500Z'],
      ],
      {
        attempts: 2,
        lastError: { class: 'permanent', code: 131026, reason: 'recipient is not a WhatsApp user' },
      },
    );
    handler = (request) =>
      request.path === `/v1/messages/${ID}`
        ? { status: 200, body: message }
        : { status: 404, body: { error: { code: 'not_found', message: `no message ${request.path.split('/').pop()}` } } };
    const run = await wapk(['status', ID]);
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out[0]).toBe(ID);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}status +failed$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}recipient +…5678$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}provider +kaleyra \(account acme-kaleyra\)$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}attempts +2$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}last error +recipient is not a WhatsApp user \(permanent, code 131026\)$/));
    const history = out.slice(out.indexOf('  history') + 1);
    expect(history.map((line) => line.trim().split(/\s+/))).toEqual([
      ['queued', '2026-05-01T10:00:00.000Z'],
      ['sending', '2026-05-01T10:00:01.000Z'],
      ['failed', '2026-05-01T10:00:02.500Z'],
    ]);

    const json = await wapk(['status', ID, '--json']);
    expect(JSON.parse(json.stdout)).toEqual(message);

    const missing = await wapk(['status', '01JNOSUCHMESSAGE0000000000']);
    expect(missing.code).toBe(1);
    expect(lines(missing.stderr)).toEqual(['wapk: no message 01JNOSUCHMESSAGE0000000000']);
  });

  it('prints the routes of a message that failed over: who refused it, when and why, and who sent it', async () => {
    const error = { class: 'pause_sender', status: 403, code: 'WA403', reason: 'sender paused: insufficient balance' };
    const message = apiMessage(
      ID,
      'delivered',
      [
        ['queued', '2026-05-01T10:00:00.000Z'],
        ['sending', '2026-05-01T10:00:01.000Z'],
        ['accepted', '2026-05-01T10:00:02.000Z'],
        ['delivered', '2026-05-01T10:00:03.000Z'],
      ],
      {
        attempts: 2,
        lastError: error,
        route: { index: 1, account: 'acme-livetok', provider: 'livetok', since: '2026-05-01T10:00:01.500Z' },
        routes: [
          {
            index: 0,
            account: 'acme-kaleyra',
            provider: 'kaleyra',
            since: '2026-05-01T10:00:00.000Z',
            until: '2026-05-01T10:00:01.500Z',
            outcome: 'refused',
            error,
          },
        ],
      },
    );
    const failover = {
      accounts: [
        {
          account: 'acme-kaleyra',
          provider: 'kaleyra',
          failover: 'on',
          breaker: { state: 'open', refusals: 5, until: '2026-05-01T10:01:00.000Z', coolDownMs: 60_000 },
        },
        { account: 'acme-gupshup', provider: 'gupshup', failover: 'on', breaker: { state: 'closed', refusals: 0 } },
        {
          account: 'acme-livetok',
          provider: 'livetok',
          failover: 'off',
          disabled: { since: '2026-05-01T10:00:30.000Z', reason: 'incident 42' },
          breaker: { state: 'closed', refusals: 2 },
        },
      ],
    };
    handler = (request) => (request.path === '/v1/failover' ? { status: 200, body: failover } : { status: 200, body: message });
    const run = await wapk(['status', ID]);
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    // How the message's routes' accounts stand now (not the other accounts'), after its routes.
    expect(out.slice(out.indexOf('  failover now') + 1).map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['acme-kaleyra', 'failover on', 'breaker open until 2026-05-01T10:01:00.000Z (cool-down 60 s)'],
      ['acme-livetok', 'failover off', 'breaker closed (2 refusals in a row)'],
    ]);
    // The message stays its origin's; the route that sent it is named apart.
    expect(out).toContainEqual(expect.stringMatching(/^ {2}provider +kaleyra \(account acme-kaleyra\)$/));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}sent via +livetok \(account acme-livetok, route 1\)$/));
    const routes = out.slice(out.indexOf('  routes') + 1, out.indexOf('  failover now'));
    expect(routes.map((line) => line.trim().split(/ {2,}/))).toEqual([
      [
        '0',
        'kaleyra (account acme-kaleyra)',
        '2026-05-01T10:00:00.000Z – 2026-05-01T10:00:01.500Z',
        'refused',
        'sender paused: insufficient balance (pause_sender, HTTP 403, code WA403)',
      ],
      ['1', 'livetok (account acme-livetok)', 'since 2026-05-01T10:00:01.500Z', 'owns the send'],
    ]);
    // Routes come last: the history ends before them.
    expect(out.slice(out.indexOf('  history') + 1, out.indexOf('  routes'))).toHaveLength(4);
    expect(JSON.parse((await wapk(['status', ID, '--json'])).stdout)).toEqual(message);
  });

  it('cancels a message, and reports a refusal', async () => {
    handler = (request) =>
      request.method === 'POST' && request.path === `/v1/messages/${ID}/cancel`
        ? {
            status: 200,
            body: apiMessage(ID, 'cancelled', [
              ['queued', '2026-05-01T10:00:00.000Z'],
              ['cancelled', '2026-05-01T10:01:00.000Z'],
            ]),
          }
        : {
            status: 409,
            body: {
              error: { code: 'not_cancellable', message: 'message 01JSENT is sent; only queued or scheduled messages can be cancelled' },
            },
          };
    const run = await wapk(['cancel', ID]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${ID} cancelled\n`);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v1/messages/${ID}/cancel`]);

    const refused = await wapk(['cancel', '01JSENT']);
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toEqual(['wapk: message 01JSENT is sent; only queued or scheduled messages can be cancelled']);
  });
});

describe('operator commands', () => {
  it('lists and lifts pauses, lists unknown messages and resolves one', async () => {
    handler = (request) => {
      const route = `${request.method} ${request.path}`;
      if (route === 'GET /v1/pauses')
        return {
          status: 200,
          body: {
            pauses: [
              {
                account: 'acme-kaleyra',
                scope: 'T#lto_template',
                reason: 'template paused by Meta',
                code: 132015,
                since: '2026-05-01T09:00:00.000Z',
              },
            ],
          },
        };
      if (route === 'DELETE /v1/pauses/acme-kaleyra')
        return { status: 200, body: { lifted: { account: 'acme-kaleyra', scope: `T#${request.query.template}` } } };
      if (route === 'GET /v1/messages')
        return {
          status: 200,
          body: {
            messages: [
              apiMessage('01JUNKNOWN', 'unknown', [
                ['queued', 't0'],
                ['unknown', 't1'],
              ]),
            ],
          },
        };
      if (route === 'POST /v1/messages/01JUNKNOWN/resolve')
        return {
          status: 200,
          body: apiMessage('01JUNKNOWN', request.body.status, [
            ['queued', 't0'],
            ['unknown', 't1'],
            [request.body.status, 't2'],
          ]),
        };
      return { status: 404, body: { error: { code: 'not_found', message: `no route ${route}` } } };
    };
    const list = await wapk(['pauses', '--account', 'acme-kaleyra']);
    expect(list.code).toBe(0);
    expect(lines(list.stdout)[1]).toMatch(
      /^acme-kaleyra +template lto_template +2026-05-01T09:00:00\.000Z +132015 +template paused by Meta$/,
    );
    const lift = await wapk(['pauses', 'lift', 'acme-kaleyra', '--template', 'lto_template']);
    expect(lift.stdout).toBe('lifted the pause on template lto_template of account acme-kaleyra\n');
    const unknown = await wapk(['unknown', '--account', 'acme-kaleyra']);
    expect(lines(unknown.stdout)[1]).toMatch(/^01JUNKNOWN +acme-kaleyra +…5678 +lto_template/);
    const resolve = await wapk(['resolve', '01JUNKNOWN', 'failed', '--note', 'provider says no']);
    expect(resolve.stdout).toBe('01JUNKNOWN failed\n');
    expect(requests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ['GET', '/v1/pauses', { account: 'acme-kaleyra' }, undefined],
      ['DELETE', '/v1/pauses/acme-kaleyra', { template: 'lto_template' }, undefined],
      ['GET', '/v1/messages', { account: 'acme-kaleyra', status: 'unknown', limit: '100' }, undefined],
      ['POST', '/v1/messages/01JUNKNOWN/resolve', {}, { status: 'failed', note: 'provider says no' }],
    ]);
  });
});

describe('wapk failover', () => {
  const state = (account: string, failover: 'on' | 'off', breaker: Record<string, unknown>, disabled?: Record<string, string>) => ({
    account,
    provider: 'kaleyra',
    failover,
    ...(disabled ? { disabled } : {}),
    breaker,
  });

  it('lists the route accounts’ breakers and switches, turns one off with a reason and on again', async () => {
    handler = (request) => {
      const route = `${request.method} ${request.path}`;
      if (route === 'GET /v1/failover')
        return {
          status: 200,
          body: {
            accounts: [
              state('acme-kaleyra', 'on', { state: 'half_open', refusals: 5, probeUntil: '2026-05-01T10:01:35.000Z' }),
              state('acme-livechat', 'off', { state: 'closed', refusals: 0 }, { since: '2026-05-01T09:00:00.000Z', reason: 'incident 42' }),
            ],
          },
        };
      if (route === 'PUT /v1/failover/acme-kaleyra') {
        const off = request.body.failover === 'off';
        const disabled = off ? { since: '2026-05-01T10:00:00.000Z', reason: request.body.reason } : undefined;
        return { status: 200, body: state('acme-kaleyra', request.body.failover, { state: 'open', refusals: 5, until: 'T1' }, disabled) };
      }
      return { status: 404, body: { error: { code: 'not_found', message: `no route ${route}` } } };
    };
    const list = await wapk(['failover']);
    expect(list.code).toBe(0);
    expect(lines(list.stdout).map((line) => line.split(/ {2,}/))).toEqual([
      ['ACCOUNT', 'PROVIDER', 'FAILOVER', 'BREAKER', 'WHY OFF'],
      ['acme-kaleyra', 'kaleyra', 'on', 'half-open (probe until 2026-05-01T10:01:35.000Z)', '-'],
      ['acme-livechat', 'kaleyra', 'off since 2026-05-01T09:00:00.000Z', 'closed', 'incident 42'],
    ]);
    const off = await wapk(['failover', 'off', 'acme-kaleyra', '--reason', 'B is down too']);
    expect(off.code).toBe(0);
    expect(off.stdout).toBe('failover off for account acme-kaleyra: its messages stay on their route (breaker open until T1)\n');
    const on = await wapk(['failover', 'on', 'acme-kaleyra', '--json']);
    expect(JSON.parse(on.stdout)).toMatchObject({ account: 'acme-kaleyra', failover: 'on' });
    await wapk(['failover', '--account', 'acme-kaleyra']);
    expect(requests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ['GET', '/v1/failover', {}, undefined],
      ['PUT', '/v1/failover/acme-kaleyra', {}, { failover: 'off', reason: 'B is down too' }],
      ['PUT', '/v1/failover/acme-kaleyra', {}, { failover: 'on' }],
      ['GET', '/v1/failover', { account: 'acme-kaleyra' }, undefined],
    ]);
  });

  it('refuses a wrong invocation (exit 2) and prints the field and rule the API refuses (exit 1)', async () => {
    handler = (request) =>
      request.body?.reason !== undefined && request.body.failover === 'on'
        ? {
            status: 400,
            body: {
              error: {
                code: 'invalid_request',
                message: 'the body has problems',
                violations: [{ field: 'reason', rule: 'goes only with "failover": "off"' }],
              },
            },
          }
        : { status: 404, body: { error: { code: 'not_found', message: 'no account acme-nowhere' } } };
    const noAccount = await wapk(['failover', 'off']);
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toContain('usage: wapk failover');
    expect((await wapk(['failover', 'sideways', 'acme-kaleyra'])).code).toBe(2);
    expect((await wapk(['failover', '--reason', 'why'])).code).toBe(2);
    expect((await wapk(['failover', 'off', '--account', 'acme-kaleyra'])).code).toBe(2);
    expect(requests).toEqual([]);
    const refused = await wapk(['failover', 'on', 'acme-kaleyra', '--reason', 'fixed']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('reason');
    expect(refused.stderr).toContain('goes only with "failover": "off"');
    const missing = await wapk(['failover', 'off', 'acme-nowhere']);
    expect(missing.code).toBe(1);
    expect(lines(missing.stderr)).toEqual(['wapk: no account acme-nowhere']);
  });
});

describe('wapk send --csv', () => {
  const INVALID = '+1555';
  /** Answers batches like the API: refuses a batch naming each invalid row; replays a key's first answer. */
  function batchApi() {
    const answered = new Map<string, Answer>();
    let next = 0;
    handler = (request) => {
      const messages = request.body.messages as Array<{ recipient: string }>;
      const violations = messages.flatMap((m, i) =>
        m.recipient === INVALID
          ? [{ field: `messages.${i}.recipient`, rule: 'must be a valid phone number with its country code (E.164), e.g. +14155550123' }]
          : [],
      );
      if (violations.length > 0) return invalid(violations);
      const key = String(request.headers['idempotency-key']);
      const first = answered.get(key);
      if (first) return { ...first, headers: { 'idempotent-replayed': 'true' } };
      const answer = {
        status: 202,
        body: { messages: messages.map(() => ({ id: `01JCSV${String(++next).padStart(20, '0')}`, status: 'queued' })) },
      };
      answered.set(key, answer);
      return answer;
    };
  }

  it('accepts the valid rows, fails only the offending one, writes the failures file, and re-runs with the same keys', async () => {
    batchApi();
    const dir = tempDir();
    const csv = join(dir, 'customers.csv');
    writeFileSync(
      csv,
      `to,body1,body2\n+14155550101,Ana,A1\n+14155550102,"Bo, Jr.",B2\n${INVALID},Cy,C3\n+14155550104,Di,D4\n+14155550105,Ed,E5\n`,
    );
    const args = [
      'send',
      '--csv',
      'customers.csv',
      '--provider',
      'kaleyra',
      '--account',
      'acme-kaleyra',
      '--template',
      'lto_template',
      '--language',
      'en_US',
      '--button',
      'copy_code:0:SAVE',
    ];

    const first = await wapk(args, { cwd: dir });
    expect(first.code).toBe(1);
    expect(lines(first.stdout)).toEqual(['accepted 4, failed 1', `failures: ${csv}.failures.csv`]);
    expect(first.stderr).toContain('rows: 100% (5/5)');
    expect(first.stderr).toContain(`wapk: 1 of 5 rows failed; they are in ${csv}.failures.csv`);

    // The whole batch first, refused naming row 3; then the four others, accepted.
    expect(requests.map((r) => r.body.messages.length)).toEqual([5, 4]);
    const accepted = requests[1]!.body.messages;
    expect(accepted.map((m: { recipient: string }) => m.recipient)).toEqual([
      '+14155550101',
      '+14155550102',
      '+14155550104',
      '+14155550105',
    ]);
    expect(accepted[1]).toEqual({
      provider: 'kaleyra',
      account: 'acme-kaleyra',
      recipient: '+14155550102',
      content: {
        kind: 'template',
        name: 'lto_template',
        language: 'en_US',
        body: ['Bo, Jr.', 'B2'],
        buttons: [{ type: 'copy_code', index: 0, code: 'SAVE' }],
      },
    });

    const failures = parse(readFileSync(`${csv}.failures.csv`)) as string[][];
    expect(failures).toEqual([
      ['to', 'body1', 'body2', 'error'],
      [INVALID, 'Cy', 'C3', 'to: must be a valid phone number with its country code (E.164), e.g. +14155550123'],
    ]);

    const keys = requests.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(2);
    expect(keys.every((key) => typeof key === 'string' && key.length > 0)).toBe(true);

    requests = [];
    const second = await wapk(args, { cwd: dir });
    expect(second.code).toBe(1);
    expect(lines(second.stdout)[0]).toBe('accepted 4 (4 already accepted by an earlier run), failed 1');
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(keys);
  });

  it('fails a row with too few or too many values alone, with its reason, and sends the rest', async () => {
    batchApi();
    const dir = tempDir();
    writeFileSync(
      join(dir, 'short.csv'),
      'to,body1,body2\n+14155550101,Ana,A1\n+14155550102,Bo\n+14155550103,Cy,C3,extra\n+14155550104,Di,D4,\n',
    );
    const run = await wapk(
      ['send', '--csv', 'short.csv', '--provider', 'kaleyra', '--account', 'acme-kaleyra', '--template', 'hello', '--language', 'en'],
      { cwd: dir },
    );
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual(['accepted 2, failed 2', `failures: ${join(dir, 'short.csv')}.failures.csv`]);
    // An empty trailing cell (a trailing comma) is no extra value.
    expect(requests.flatMap((r) => r.body.messages.map((m: { recipient: string }) => m.recipient))).toEqual([
      '+14155550101',
      '+14155550104',
    ]);
    expect(parse(readFileSync(join(dir, 'short.csv.failures.csv'))) as string[][]).toEqual([
      ['to', 'body1', 'body2', 'error'],
      ['+14155550102', 'Bo', '', 'the row has 2 value(s) but the header has 3 (to, body1, body2); not sent'],
      ['+14155550103', 'Cy', 'C3', 'the row has 4 value(s) but the header has 3 (to, body1, body2); not sent; the extra value(s): "extra"'],
    ]);
  });

  it('reads the file where the terminal is when run through npm run (INIT_CWD)', async () => {
    batchApi();
    const dir = tempDir();
    writeFileSync(join(dir, 'here.csv'), 'to,body1\n+14155550101,Ana\n');
    const run = await wapk(
      ['send', '--csv', 'here.csv', '--provider', 'kaleyra', '--account', 'acme-kaleyra', '--template', 'hello', '--language', 'en'],
      {
        cwd: tempDir(),
        env: { npm_lifecycle_event: 'wapk', INIT_CWD: dir },
      },
    );
    expect(run.stderr).toBe('rows: 100% (1/1)\n');
    expect(run.stdout).toBe('accepted 1, failed 0\n');
  });

  it('posts up to 100 rows per request with a key per batch, and reports progress once per tenth without a terminal', async () => {
    batchApi();
    const dir = tempDir();
    const rows = Array.from({ length: 250 }, (_, i) => `+1415555${String(1000 + i)},n${i}`);
    writeFileSync(join(dir, 'big.csv'), `to,body.name\n${rows.join('\n')}\n`);
    const run = await wapk(
      [
        'send',
        '--csv',
        'big.csv',
        '--provider',
        'kaleyra',
        '--account',
        'acme-kaleyra',
        '--template',
        'hello',
        '--language',
        'en',
        '--concurrency',
        '2',
        '--failures',
        'out.csv',
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('accepted 250, failed 0\n');
    expect(requests.map((r) => r.body.messages.length).sort()).toEqual([100, 100, 50]);
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(3);
    expect(requests.flatMap((r) => r.body.messages.map((m: { content: { body: unknown } }) => m.content.body))).toContainEqual({
      name: 'n249',
    });
    expect(lines(run.stderr)).toHaveLength(10);
    expect(lines(run.stderr).every((line) => /^rows: \d+% \(\d+\/250\)$/.test(line))).toBe(true);
  });
});

describe('wapk watch', () => {
  it('prints each status change and exits when every message is at the last status its provider reports', async () => {
    const polls = new Map<string, number>();
    handler = (request) => {
      const id = request.path.split('/').pop()!;
      const n = (polls.get(id) ?? 0) + 1;
      polls.set(id, n);
      // LiveTok reports nothing after its send answer's `sent`; LiveChat goes on to `read`.
      if (id === 'A')
        return {
          status: 200,
          body:
            n === 1
              ? apiMessage('A', 'queued', [['queued', 't0']], { provider: 'livetok' })
              : apiMessage(
                  'A',
                  'sent',
                  [
                    ['queued', 't0'],
                    ['sent', 't2'],
                  ],
                  { provider: 'livetok' },
                ),
        };
      const b = [
        apiMessage(
          'B',
          'sent',
          [
            ['queued', 't0'],
            ['sent', 't1'],
          ],
          { provider: 'livechat' },
        ),
        apiMessage(
          'B',
          'delivered',
          [
            ['queued', 't0'],
            ['sent', 't1'],
            ['delivered', 't3'],
          ],
          { provider: 'livechat' },
        ),
        apiMessage(
          'B',
          'read',
          [
            ['queued', 't0'],
            ['sent', 't1'],
            ['delivered', 't3'],
            ['read', 't4'],
          ],
          { provider: 'livechat' },
        ),
      ];
      return { status: 200, body: b[Math.min(n, 3) - 1] };
    };
    const run = await wapk(['watch', 'A', 'B', '--interval', '0.1']);
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual(['t0 A queued', 't1 B sent', 't2 A queued → sent', 't3 B sent → delivered', 't4 B delivered → read']);
    // A is not asked again once sent; B not at delivered, only at read.
    expect(polls).toEqual(
      new Map([
        ['A', 2],
        ['B', 3],
      ]),
    );
  });

  it('waits at unknown where a callback may still settle it, and says what to do', async () => {
    let n = 0;
    handler = () => {
      n++;
      return {
        status: 200,
        body:
          n < 3
            ? apiMessage('U', 'unknown', [
                ['queued', 't0'],
                ['unknown', 't1'],
              ])
            : apiMessage('U', 'read', [
                ['queued', 't0'],
                ['unknown', 't1'],
                ['read', 't2'],
              ]),
      };
    };
    const run = await wapk(['watch', 'U', '--interval', '0.1']);
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual(['t1 U unknown', 't2 U unknown → read']);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^wapk: U is unknown: .*wapk resolve U sent\|failed/)]);
  });

  it('follows the account’s new messages until Ctrl-C', async () => {
    let polls = 0;
    handler = (request) => {
      polls++;
      const messages =
        polls === 1
          ? [apiMessage('N1', 'queued', [['queued', 't0']])]
          : [
              apiMessage('N2', 'queued', [['queued', 't1']]),
              apiMessage('N1', 'sent', [
                ['queued', 't0'],
                ['sent', 't2'],
              ]),
            ];
      return request.path === '/v1/messages'
        ? { status: 200, body: { messages } }
        : { status: 404, body: { error: { code: 'not_found', message: 'no route' } } };
    };
    const run = await wapk(['watch', '--account', 'acme-kaleyra', '--interval', '0.1'], {
      onStdout: (text, child) => text.includes('→') && child.kill('SIGINT'),
    });
    expect(run.code).toBe(130);
    expect(lines(run.stdout)).toEqual(['t0 N1 queued', 't1 N2 queued', 't2 N1 queued → sent']);
    expect(requests[0]!.query.account).toBe('acme-kaleyra');
    expect(Date.parse(requests[0]!.query.since!)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('settings', () => {
  const ID = '01JTESTSETTINGS00000000001';
  /** The local stack's files in its home (`<dir>/.local` by default, or WAPK_HOME itself). */
  function localStack(homeDir: string, state: Record<string, unknown>, config: Record<string, unknown>) {
    mkdirSync(homeDir, { recursive: true });
    writeFileSync(join(homeDir, 'state.json'), JSON.stringify(state));
    writeFileSync(join(homeDir, 'config.json'), JSON.stringify(config));
  }

  it('reads the URL and key from the home npm start uses (.local, or WAPK_HOME itself), after flags and the environment', async () => {
    handler = () => ({ status: 200, body: apiMessage(ID, 'queued', [['queued', '2026-05-01T10:00:00.000Z']]) });
    keys = new Set(['local-key-111111', 'env-key-222222', 'home-key-333333']);

    const cwd = tempDir();
    localStack(join(cwd, '.local'), { apiUrl: apiUrl, sqsEndpoint: 'http://127.0.0.1:1' }, { apiKey: 'local-key-111111', accounts: {} });
    const fromFiles = await wapk(['status', ID], { cwd, connect: false });
    expect(fromFiles.stderr).toBe('');
    expect(fromFiles.code).toBe(0);
    expect(requests.at(-1)!.headers.authorization).toBe('Bearer local-key-111111');

    const stale = tempDir();
    localStack(join(stale, '.local'), { apiUrl: 'http://127.0.0.1:1' }, { apiKey: 'stale-key' });
    const fromEnv = await wapk(['status', ID], { cwd: stale, connect: false, env: { WAPK_URL: apiUrl, WAPK_API_KEY: 'env-key-222222' } });
    expect(fromEnv.code).toBe(0);
    expect(requests.at(-1)!.headers.authorization).toBe('Bearer env-key-222222');

    // WAPK_HOME is the folder itself, as for `npm start` (relative to the working directory).
    const home = tempDir();
    localStack(home, { apiUrl: apiUrl }, { apiKey: 'home-key-333333' });
    const fromHome = await wapk(['status', ID], { cwd: tempDir(), connect: false, env: { WAPK_HOME: home } });
    expect(fromHome.stderr).toBe('');
    expect(fromHome.code).toBe(0);
    expect(requests.at(-1)!.headers.authorization).toBe('Bearer home-key-333333');
    const parent = tempDir();
    localStack(join(parent, 'stack-home'), { apiUrl: apiUrl }, { apiKey: 'home-key-333333' });
    const relative = await wapk(['status', ID], { cwd: parent, connect: false, env: { WAPK_HOME: 'stack-home' } });
    expect(relative.code).toBe(0);

    const deadStack = await wapk(['status', ID], { cwd: stale, connect: false });
    expect(deadStack.code).toBe(1);
    expect(lines(deadStack.stderr)).toEqual([
      expect.stringMatching(/^wapk: cannot reach the API at http:\/\/127\.0\.0\.1:1 \(from .*state\.json; is `npm start` running\?\)/),
    ]);

    const empty = tempDir();
    const nothing = await wapk(['status', ID], { cwd: empty, connect: false });
    expect(nothing.code).toBe(2);
    expect(lines(nothing.stderr)).toEqual([
      `wapk: no API URL: pass --url, set WAPK_URL, or start the local stack with \`npm start\` (it writes ${join(empty, '.local', 'state.json')})`,
    ]);
  });

  it('never prints the API key', async () => {
    const secret = 'sk-live-do-not-print-0042';
    const run = await wapk(['status', ID, '--url', apiUrl, '--key', secret], { connect: false });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^wapk: the API refused the API key/);
    expect(run.stderr + run.stdout).not.toContain(secret);
  });
});

describe('wapk scenarios', () => {
  it('lists the scenario numbers without a stack, and tells one in detail', async () => {
    const list = await wapk(['scenarios'], { connect: false });
    expect(list.code).toBe(0);
    const rows = lines(list.stdout);
    expect(rows[0]).toMatch(/^NUMBER +SCENARIO +PROVIDERS +WHAT HAPPENS$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^\+12015550102 +opted-out +livechat gupshup kaleyra +the user stopped marketing messages/),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^\+12015550110 +account-paused +all +/));

    const one = await wapk(['scenarios', '+12015550110'], { connect: false });
    expect(one.code).toBe(0);
    expect(lines(one.stdout)).toContainEqual(
      expect.stringMatching(/^ {2}kaleyra +the send is answered 400 \(lowBalance\), its retry goes through → queued, account paused$/),
    );
    const json = await wapk(['scenarios', 'late-sent', '--json'], { connect: false });
    expect(JSON.parse(json.stdout)).toMatchObject({ number: '+12015550120', name: 'late-sent' });

    const unknown = await wapk(['scenarios', 'nope'], { connect: false });
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)[0]).toMatch(/^wapk: no scenario "nope"; the scenarios are delivered, undeliverable, /);
  });
});

describe('wapk dlq redrive', () => {
  let sqs: LocalService<SQSClient>;
  beforeAll(async () => {
    sqs = await startSqs();
  });
  afterAll(async () => {
    await sqs.close();
  });

  async function count(url: string): Promise<number> {
    const { Attributes = {} } = await sqs.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  }

  it('moves the DLQ’s messages back to the queue, with flags or the local stack’s state.json', async () => {
    const deadLetterUrl = await createQueue(sqs.client, 'wapk-test-dlq');
    const queueUrl = await createQueue(sqs.client, 'wapk-test-queue', {
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:wapk-test-dlq',
      maxReceiveCount: 3,
    });
    for (const body of ['{"id":"m1"}', '{"id":"m2"}', '{"id":"m3"}']) {
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: deadLetterUrl,
          MessageBody: body,
          MessageAttributes: { trace: { DataType: 'String', StringValue: `t-${body}` } },
        }),
      );
    }
    expect(await count(deadLetterUrl)).toBe(3);

    const withFlags = await wapk(
      ['dlq', 'redrive', '--endpoint', sqs.endpoint, '--dlq-url', deadLetterUrl, '--queue-url', queueUrl, '--max', '2'],
      {
        connect: false,
        env: { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' },
      },
    );
    expect(withFlags.stderr).toBe('');
    expect(withFlags.code).toBe(0);
    expect(withFlags.stdout).toBe(`moved 2 message(s) from ${deadLetterUrl} to ${queueUrl}\n`);
    expect(await count(deadLetterUrl)).toBe(1);

    const cwd = tempDir();
    mkdirSync(join(cwd, '.local'));
    writeFileSync(
      join(cwd, '.local', 'state.json'),
      JSON.stringify({ apiUrl: 'http://127.0.0.1:1', sqsEndpoint: sqs.endpoint, queueUrl, deadLetterUrl }),
    );
    const fromState = await wapk(['dlq', 'redrive', '--json'], { cwd, connect: false });
    expect(fromState.stderr).toBe('');
    expect(JSON.parse(fromState.stdout)).toEqual({ moved: 1, failed: 0 });

    expect(await count(deadLetterUrl)).toBe(0);
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual(['{"id":"m1"}', '{"id":"m2"}', '{"id":"m3"}']);
    expect(Messages.map((m) => m.MessageAttributes?.trace?.StringValue).sort()).toEqual([
      't-{"id":"m1"}',
      't-{"id":"m2"}',
      't-{"id":"m3"}',
    ]);
  });
});
