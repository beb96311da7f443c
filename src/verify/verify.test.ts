/**
 * `npm run verify:live` against our mocks (src/mock/, Prism serving each spec on 127.0.0.1): no
 * drift against any of the five, with and without a real send; against mocks made to drift (a copy
 * of the spec with one change: a renamed field, an added required field, a changed status code, a
 * changed type, a changed error code, a new required parameter, a header of another type) the
 * report names the path and the rule and the exit code says so. Then what a wrong invocation gets
 * (exit code 2, the flag and the rule), what a real provider's probe carries (a wrong credential,
 * never the real one), and the command itself through npm. No network beyond 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { specValidators } from '../../test/support/spec-validate.ts';
import { startProviderMock, type ProviderMock, type ProviderMockOptions } from '../mock/provider-mock.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { LIVE_KITS } from './kits.ts';
import { verifyLive } from './main.ts';
import type { VerifyReport } from './run.ts';

const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'wapk-verify-live-'));

/** A credential of each provider's form (LiveChat's is `<account id>:<token>`, which Prism's Basic check wants). */
const CREDENTIAL = 'secret-credential-7f3a9c';
const credentialOf = (provider: ProviderName) => DEV_KITS[provider].local.credential(CREDENTIAL);

/** A message each provider can send on its local account (Gupshup's template is registered there by id; Loopwave sends text). */
const MESSAGE: Record<ProviderName, string[]> = {
  livetok: ['--template', 'order_update', '--language', 'en', '--body', 'Ana', '--body', '3 PM'],
  livechat: ['--template', 'order_update', '--language', 'en', '--body', 'Ana', '--body', '3 PM'],
  gupshup: ['--template', 'order_update', '--language', 'en', '--body', 'Ana', '--body', '3 PM'],
  loopwave: ['--text', 'Hello from the drift check'],
  kaleyra: ['--template', 'lto_template', '--language', 'en_US', '--body', 'Pablo', '--body', 'CARIBE25'],
};

async function run(argv: string[], env: Record<string, string | undefined>, fetch?: typeof globalThis.fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await verifyLive(argv, env, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    cwd: work,
    ...(fetch ? { fetch } : {}),
  });
  return { code, out, err, text: out.join('\n') };
}

const verify = (provider: ProviderName, url: string, ...more: string[]) =>
  run(['--provider', provider, '--base-url', url, ...more], { WAPK_LIVE_CREDENTIAL: credentialOf(provider) });

let copies = 0;
/** A mock of `provider` serving a copy of its spec (shared/meta.yaml beside it) with `mutate` applied. */
async function driftingMock(provider: ProviderName, mutate: (spec: any) => void, options: ProviderMockOptions = {}): Promise<ProviderMock> {
  const dir = join(work, `specs-${copies++}`);
  cpSync(join(root, 'specs'), dir, { recursive: true });
  const path = join(dir, `${provider}.yaml`);
  const spec = parse(readFileSync(path, 'utf8'));
  mutate(spec);
  writeFileSync(path, stringify(spec));
  return startProviderMock(provider, { ...options, specPath: path });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('against each of our mocks', () => {
  const mocks = new Map<ProviderName, ProviderMock>();
  beforeAll(async () => {
    for (const provider of PROVIDERS) mocks.set(provider, await startProviderMock(provider));
  });
  afterAll(async () => {
    await Promise.all([...mocks.values()].map((mock) => mock.close()));
  });

  it.each(PROVIDERS.map((provider) => [provider]))('%s: no drift, exit code 0; the JSON report says the same', async (provider) => {
    const mock = mocks.get(provider)!;
    const file = join(work, `${provider}.json`);
    const { code, out, err } = await verify(provider, mock.url, '--json', file);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe(`verify:live ${provider} at ${mock.url} (a local mock: account fields not given are placeholders)`);
    const checks = LIVE_KITS[provider].checks;
    // One line per check, then the send (skipped), then the verdict.
    expect(out.filter((line) => /^ {2}\S/.test(line)).map((line) => line.trim().split(/\s+/)[0])).toEqual([
      ...checks.map(() => 'ok'),
      'skipped',
    ]);
    expect(out).toContain('            no --send-to: a real message is sent only when asked');
    expect(out.at(-1)).toBe(`no drift (${checks.length} ok, 1 skipped)`);
    const report = JSON.parse(readFileSync(file, 'utf8')) as VerifyReport;
    expect(report).toMatchObject({ provider, target: 'mock', result: 'ok', exitCode: 0 });
    expect(report.operations.map((operation) => [operation.check, operation.outcome])).toEqual([
      ...checks.map((check) => [check.name, 'ok']),
      ['send', 'skipped'],
    ]);
    // Every check reached the mock; the send did not.
    expect(mock.received.filter((request) => request.path !== '/__mock/received')).toHaveLength(checks.length);
    expect(readFileSync(file, 'utf8')).not.toContain(CREDENTIAL);
  });

  it.each(PROVIDERS.map((provider) => [provider]))(
    '%s: with --send-to, one real send through its adapter, its answer checked',
    async (provider) => {
      const mock = mocks.get(provider)!;
      const before = mock.received.length;
      const { code, out } = await verify(provider, mock.url, '--send-to', '+919812345678', ...MESSAGE[provider]);
      expect(code, out.join('\n')).toBe(0);
      const send = out.findIndex((line) => line.startsWith('  ok        send '));
      expect(send).toBeGreaterThan(0);
      // The recipient only masked, as everywhere.
      expect(out[send + 1]).toMatch(/^ {12}to \+91•+5678: (accepted|sent)/);
      expect(out.join('\n')).not.toContain('9812345678');
      expect(mock.received.slice(before).filter((request) => request.status >= 200 && request.status < 300).length).toBeGreaterThanOrEqual(
        1,
      );
    },
  );

  it('the probes of a send-only provider cannot send: a wrong credential is refused, a malformed body names no recipient', async () => {
    const mock = mocks.get('kaleyra')!;
    const before = mock.received.length;
    await verify('kaleyra', mock.url);
    const probes = mock.received.slice(before);
    expect(probes.map((request) => request.status)).toEqual([401, 400]);
    expect(JSON.parse(probes[0]!.body).messaging_object.to).toBe('12015550100');
    expect(JSON.parse(probes[1]!.body).messaging_object).not.toHaveProperty('to');
  });
});

describe('against a mock made to drift', () => {
  const mocks: ProviderMock[] = [];
  afterAll(async () => {
    await Promise.all(mocks.map((mock) => mock.close()));
  });
  const started = async (mock: Promise<ProviderMock>) => {
    mocks.push(await mock);
    return mocks.at(-1)!;
  };
  const health = (spec: any) => spec.paths['/api/v1/health'].get.responses;

  it('a renamed field: drift at the old path (required), the new one additive; exit code 1', async () => {
    const mock = await started(
      driftingMock('loopwave', (spec) => {
        const schema = spec.components.schemas.Health;
        schema.properties.apiVersion = schema.properties.version;
        delete schema.properties.version;
        schema.required = ['ok', 'apiVersion'];
        const example = health(spec)['200'].content['application/json'].examples.health.value;
        example.apiVersion = example.version;
        delete example.version;
      }),
    );
    const { code, out } = await verify('loopwave', mock.url);
    expect(code).toBe(1);
    expect(out.slice(1, 4)).toEqual([
      '  drift     health                 getHealth → 200',
      "            drift    body /version  required: must have required property 'version'",
      '            additive body /apiVersion  additive: apiVersion: a field the spec does not know',
    ]);
    expect(out.at(-1)).toBe('DRIFT: 1 operation(s) answer otherwise than specs/loopwave.yaml (1 ok, 1 drift, 1 skipped)');
  });

  it('a changed status code: drift naming the documented ones; exit code 1', async () => {
    const mock = await started(
      driftingMock('loopwave', (spec) => {
        const responses = health(spec);
        responses['201'] = responses['200'];
        delete responses['200'];
      }),
    );
    const { code, out } = await verify('loopwave', mock.url);
    expect(code).toBe(1);
    expect(out.slice(1, 3)).toEqual([
      '  drift     health                 getHealth → 201',
      '            drift    status  status: HTTP 201 is not a documented answer of getHealth (documented: 200, 400, 401, 403, 429)',
    ]);
  });

  it('an added required field: additive, reported but not failing; exit code 0', async () => {
    const mock = await started(
      driftingMock('livetok', (spec) => {
        const schema = spec.components.schemas.KnowledgeEntryList;
        schema.properties.workspace_id = { type: 'string' };
        schema.required.push('workspace_id');
        spec.paths['/v1/knowledge'].get.responses['200'].content['application/json'].examples.listWithLimit.value.workspace_id = 'ws_1';
      }),
    );
    const { code, out } = await verify('livetok', mock.url);
    expect(code).toBe(0);
    expect(out.slice(1, 3)).toEqual([
      '  additive  knowledge-base list    listKnowledgeEntries → 200',
      '            additive body /workspace_id  additive: workspace_id: a field the spec does not know',
    ]);
    expect(out.at(-1)).toBe('no drift (1 additive, 1 skipped)');
  });

  it('a changed type in every item of a list: one drift with the first path and the count', async () => {
    const mock = await started(
      driftingMock('loopwave', (spec) => {
        spec.components.schemas.Chat.properties.unreadCount = { type: 'string' };
        const chats = spec.paths['/api/v1/chats'].get.responses['200'].content['application/json'].examples.chats.value.data;
        chats.push({ ...chats[0], chatId: '919800000000@s.whatsapp.net' });
        for (const chat of chats) chat.unreadCount = String(chat.unreadCount);
      }),
    );
    const { code, out } = await verify('loopwave', mock.url);
    expect(code).toBe(1);
    expect(out).toContain('            drift    body /data/0/unreadCount  type: must be integer (×2)');
  });

  it("a probe's documented error code changed: drift at its pointer, rule code", async () => {
    const mock = await started(
      driftingMock('kaleyra', (spec) => {
        const examples =
          spec.paths['/v2/{sid}/whatsapp/{phone_number}/messages'].post.responses['401'].content['application/json'].examples;
        examples.unauthorized.value.code = 'AUTH001';
      }),
    );
    const { code, out } = await verify('kaleyra', mock.url);
    expect(code).toBe(1);
    expect(out.slice(1, 3)).toEqual([
      '  drift     wrong credential       sendLimitedTimeOfferTemplate → 401',
      '            drift    body /code  code: "AUTH001", where the documented answer to a wrong credential is RBC001',
    ]);
  });

  it('a parameter the provider now requires: the read is refused (400), drift saying what the provider said', async () => {
    const mock = await started(
      driftingMock('loopwave', (spec) => {
        spec.paths['/api/v1/chats'].get.parameters.push({ name: 'cursor', in: 'query', required: true, schema: { type: 'string' } });
      }),
    );
    const { code, out } = await verify('loopwave', mock.url);
    expect(code).toBe(1);
    const chats = out.findIndex((line) => line.includes('listChats'));
    expect(out[chats]).toBe('  drift     chat list              listChats → 400');
    expect(out[chats + 1]).toMatch(
      /^ {12}drift {4}status {2}refused: HTTP 400: the provider refused a request the spec allows \(it said: \{/,
    );
  });

  it('a documented header of another type: drift naming the header', async () => {
    const mock = await started(
      driftingMock('livetok', (spec) => {
        spec.components.headers['X-RateLimit-Remaining'] = { schema: { type: 'string' }, example: 'plenty' };
      }),
    );
    const { code, out } = await verify('livetok', mock.url);
    expect(code).toBe(1);
    expect(out[2]).toBe('            drift    header x-ratelimit-remaining  type: X-RateLimit-Remaining must be integer');
  });

  it('a provider failing, limiting or not answering: the check could not say; exit code 3, not drift', async () => {
    let scenario: ProviderMockOptions['scenario'] = ({ path }) =>
      path === '/api/v1/chats' ? { kind: 'refuse', status: 503 } : { kind: 'drop' };
    const failing = await started(startProviderMock('loopwave', { scenario: (request) => scenario?.(request) }));
    const { code, out } = await verify('loopwave', failing.url);
    expect(code).toBe(3);
    expect(out.slice(1, 5)).toEqual([
      '  error     health                 getHealth',
      `            no answer from ${failing.url}: UND_ERR_SOCKET`,
      '  error     chat list              listChats → 503',
      // Loopwave documents no 503: a gateway's failure is not drift.
      '            HTTP 503: the provider failed; try again later (a status the spec does not document)',
    ]);
    expect(out.at(-1)).toBe('incomplete: no drift seen, but 2 check(s) could not say (2 error, 1 skipped)');
    scenario = ({ path }) => (path === '/api/v1/health' ? { kind: 'refuse', status: 429, retryAfterS: 1 } : undefined);
    const limited = await verify('loopwave', failing.url);
    expect(limited.code).toBe(3);
    expect(limited.out.slice(1, 3)).toEqual([
      '  error     health                 getHealth → 429',
      '            HTTP 429: rate limited; try again later',
    ]);
  });
});

describe('a real send the provider refuses', () => {
  it('is not drift: the check could not say (exit code 3), with what the provider said, numbers masked', async () => {
    const mock = await startProviderMock('livetok', {
      scenario: ({ path }) =>
        path === '/v1/messages/templates' ? { kind: 'refuse', status: 400, example: 'invalidPhoneNumber' } : undefined,
    });
    try {
      const { code, out } = await verify('livetok', mock.url, '--send-to', '+919812345678', ...MESSAGE.livetok);
      expect(code).toBe(3);
      expect(out.slice(2, 4)).toEqual([
        '  error     send                   sendTemplateMessage → 400',
        expect.stringMatching(
          /^ {12}to \+91•+5678: rejected: .*; HTTP 400: a documented error answer \(it said: \{"error":\{"type":"invalid_request_error",.*\+12•+7890\)/,
        ),
      ]);
    } finally {
      await mock.close();
    }
  });
});

describe('against a real provider (its address routed to a mock here)', () => {
  let mock: ProviderMock;
  const seen: Request[] = [];
  /** https://api.in.kaleyra.io, answered by the mock. */
  const routed: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    seen.push(request.clone());
    const url = new URL(request.url);
    expect(url.origin).toBe('https://api.in.kaleyra.io');
    const body = request.method === 'GET' ? undefined : await request.text();
    return globalThis.fetch(`${mock.url}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body });
  };
  beforeAll(async () => {
    mock = await startProviderMock('kaleyra');
  });
  afterAll(() => mock.close());

  it('the account fields are required (no placeholders), named by flag and variable', async () => {
    const { code, err } = await run(['--provider', 'kaleyra', '--sid', 'HX1'], { WAPK_LIVE_CREDENTIAL: 'k' });
    expect(code).toBe(2);
    expect(err.slice(0, 2)).toEqual([
      'verify:live: the kaleyra account is not complete or not valid',
      "  --sender-number (or WAPK_LIVE_KALEYRA_SENDER_NUMBER): is required: the business's WhatsApp number registered with Kaleyra, E.164",
    ]);
  });

  it('the wrong-credential probe carries a made-up key, never the real one; a provider that took it has drifted', async () => {
    const env = { WAPK_LIVE_CREDENTIAL: CREDENTIAL, WAPK_LIVE_KALEYRA_SENDER_NUMBER: '+919000014497' };
    const { code, out } = await run(['--provider', 'kaleyra', '--sid', 'HXIN1691385017IN'], env, routed);
    const [wrong, malformed] = seen;
    expect(wrong!.headers.get('api-key')).toMatch(/^wapk-verify-wrong-[0-9a-f]{24}$/);
    expect(malformed!.headers.get('api-key')).toBe(CREDENTIAL);
    expect(new URL(wrong!.url).pathname).toBe('/v2/HXIN1691385017IN/whatsapp/%2B919000014497/messages');
    // The mock (Prism) checks only that a key is there: it takes the wrong one, as a drifted provider would.
    expect(code).toBe(1);
    expect(out.slice(0, 3)).toEqual([
      'verify:live kaleyra at https://api.in.kaleyra.io',
      '  drift     wrong credential       sendLimitedTimeOfferTemplate → 202',
      '            drift    status  status: HTTP 202, where the documented answer to a wrong credential is 401',
    ]);
    expect(out).toContain('  ok        malformed body         sendLimitedTimeOfferTemplate → 400');
  });
});

describe('a wrong invocation: exit code 2, the flag and the rule', () => {
  const env = { WAPK_LIVE_CREDENTIAL: 'k' };
  const local = ['--base-url', 'http://127.0.0.1:9'];
  it.each([
    [[], env, '--provider is required: one of livetok, livechat, gupshup, loopwave, kaleyra'],
    [['--provider', 'twilio'], env, '--provider must be one of livetok, livechat, gupshup, loopwave, kaleyra, not "twilio"'],
    [['--provider', 'kaleyra', '--colour', 'red'], env, "Unknown option '--colour'"],
    [['--provider', 'kaleyra', 'extra'], env, "Unexpected argument 'extra'. This command does not take positional arguments"],
    [
      ['--provider', 'kaleyra', '--base-url', 'api.kaleyra.io'],
      env,
      '--base-url must be an absolute http(s) URL such as https://api.example.com, not "api.kaleyra.io"',
    ],
    [
      ['--provider', 'kaleyra', '--base-url', 'ftp://x.io'],
      env,
      '--base-url must be an absolute http(s) URL such as https://api.example.com, not "ftp://x.io"',
    ],
    [
      ['--provider', 'kaleyra', '--base-url', 'http://api.in.kaleyra.io'],
      env,
      '--base-url must be https: the credential is not sent in clear text but to this machine (127.0.0.1, localhost, ::1)',
    ],
    [
      ['--provider', 'kaleyra', '--base-url', 'https://u:p@x.io'],
      env,
      '--base-url must not carry credentials: the credential goes in WAPK_LIVE_CREDENTIAL',
    ],
    [
      ['--provider', 'kaleyra', '--base-url', 'https://x.io/?a=1'],
      env,
      '--base-url must be an origin (or an origin and a base path), without a query or a fragment',
    ],
    [
      ['--provider', 'kaleyra', ...local],
      {},
      'WAPK_LIVE_CREDENTIAL is not set: it holds the kaleyra credential (api-key), as its client takes it',
    ],
    [['--provider', 'livetok', '--sid', 'X', ...local], env, '--sid is an account field of kaleyra, not of livetok (its own: none)'],
    [
      ['--provider', 'kaleyra', ...local, '--send-to', '+1 555'],
      env,
      '--send-to must be a valid phone number with its country code (E.164), e.g. +14155550123',
    ],
    [['--provider', 'kaleyra', ...local, '--template', 'x'], env, '--template goes with --send-to (the message to send)'],
    [
      ['--provider', 'kaleyra', ...local, '--send-to', '+919812345678'],
      env,
      '--send-to needs the message: --template NAME --language L [--body V ...], or --text TEXT',
    ],
    [
      ['--provider', 'kaleyra', ...local, '--json', 'no/such/folder/r.json'],
      env,
      `--json: there is no folder ${join(work, 'no/such/folder')}`,
    ],
    [['--provider', 'loopwave'], env, 'the loopwave account is not complete or not valid'],
    [
      ['--provider', 'loopwave', ...local, '--send-to', '+919812345678', '--text', 'hi', '--body', 'x'],
      env,
      '--body goes with --template, not with --text',
    ],
  ] as const)('%j', async (argv, environment, message) => {
    const { code, out, err } = await run([...argv], environment);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toBe(`verify:live: ${message}`);
    expect(err.at(-1)).toMatch(/^usage: npm run verify:live -- --provider P /);
  });

  it("a message the provider cannot carry on the account: the adapter's own check, by field", async () => {
    const { code, err } = await run(
      ['--provider', 'loopwave', '--base-url', 'http://127.0.0.1:9', '--send-to', '+919812345678', '--template', 'x', '--language', 'en'],
      env,
    );
    expect(code).toBe(2);
    expect(err.slice(0, 2)).toEqual([
      'verify:live: the message cannot be sent through loopwave on this account',
      expect.stringMatching(/^ {2}content(\.kind)?: /),
    ]);
  });

  it("--help lists every provider's account fields with their variables", async () => {
    const { code, out } = await run(['--help'], {});
    expect(code).toBe(0);
    for (const provider of PROVIDERS) {
      for (const { field } of LIVE_KITS[provider].accountFields)
        expect(out[0]).toContain(`WAPK_LIVE_${provider.toUpperCase()}_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
    }
    expect(out[0]).toContain('--sender-number (WAPK_LIVE_KALEYRA_SENDER_NUMBER)');
  });
});

describe("each provider's kit and its spec", () => {
  it.each(PROVIDERS.map((provider) => [provider]))(
    '%s: reads and wrong-credential probes are requests the spec allows; a malformed body is one it refuses',
    async (provider) => {
      const validators = await specValidators(provider);
      const spec = parse(readFileSync(join(root, `specs/${provider}.yaml`), 'utf8'));
      const account = { id: 'verify-live', provider, ...DEV_KITS[provider].local.account } as any;
      for (const check of LIVE_KITS[provider].checks) {
        const [path, item] = Object.entries<any>(spec.paths).find(([, ops]) =>
          Object.values<any>(ops).some((op) => op?.operationId === check.operationId),
        )!;
        const method = Object.keys(item).find((key) => item[key]?.operationId === check.operationId)!;
        const where = `${method.toUpperCase()} ${path}`;
        const request = check.request(account);
        for (const [place, values] of [
          ['path', request.path],
          ['query', request.query],
        ] as const) {
          for (const [name, value] of Object.entries(values ?? {})) {
            const parameter = validators.of({ parameter: where, in: place, name });
            // Parameters travel as text; an integer one is read as a number.
            const asText = parameter(value);
            expect(asText.length === 0 || parameter(Number(value)).length === 0, `${check.name} ${place} ${name}: ${asText}`).toBe(true);
          }
        }
        if (!request.body) continue;
        const body =
          request.body.mediaType === 'application/json'
            ? JSON.parse(request.body.text)
            : Object.fromEntries(
                [...new URLSearchParams(request.body.text)].map(([key, value]) => [key, key === 'template' ? JSON.parse(value) : value]),
              );
        const violations = validators.of({ request: where, mediaType: request.body.mediaType })(body);
        const malformed = check.kind === 'probe' && check.credential === 'given';
        expect(violations.length > 0, `${check.name}: ${violations.join('; ')}`).toBe(malformed);
      }
    },
  );
});

describe('the command', () => {
  it('npm run verify:live against a mock: the report, exit code 0', async () => {
    const mock = await startProviderMock('kaleyra');
    try {
      const { stdout } = await promisify(execFile)(
        'npm',
        ['run', '--silent', 'verify:live', '--', '--provider', 'kaleyra', '--base-url', mock.url],
        {
          cwd: root,
          env: { ...process.env, WAPK_LIVE_CREDENTIAL: CREDENTIAL },
        },
      );
      expect(stdout.trim().split('\n').at(-1)).toBe('no drift (2 ok, 1 skipped)');
      expect(stdout).not.toContain(CREDENTIAL);
    } finally {
      await mock.close();
    }
  });
});
