/**
 * How other repositories use the clients: pack the package as npm would publish it, install the
 * tarball into a fresh consumer project, type-check and run a consumer that imports two providers
 * — and another that installs the optional peers and Pact too, runs a provider mock
 * (`whatsapp-provider-kit/mock`), and runs the contract recipe of docs/consumer-contracts.md as
 * written there: its consumer test writes a pact, which replays against our mock and passes the
 * static check (`whatsapp-provider-kit/contracts`), while a wrong pact fails both. And what is
 * packed imports only what package.json declares.
 *
 * Its hygiene: what is packed (no tests, no local data, no development tools but what the
 * `./mock` and `./contracts` exports need; every file its Markdown links to), `engines`, an
 * `exports` subpath with types for every entry point, and publint and arethetypeswrong find
 * nothing in it.
 *
 * No network: each consumer gets a lockfile whose packages are copied from ours (the runtime
 * dependencies, and for the mock consumer the peers and Pact with everything they pull in, Pact's
 * native core for this platform included), so `npm ci --offline` takes them from the cache that
 * our own `npm ci` filled.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROVIDERS } from '../src/providers/names.ts';
import { devPart } from './support/dev-code.ts';
import { codeBlocksOf, linksOf } from './support/markdown.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const nodeBin = join(root, 'node_modules/.bin');
const env = {
  ...process.env,
  PATH: `${nodeBin}:${process.env.PATH}`,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  engines: { node: string };
  files: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  exports: Record<string, string | { types: string; import: string }>;
  bin: Record<string, string>;
}

const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const lock = (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;

/** The lockfile location a package at `from` (a location, '' for the root) finds `name` at, as Node resolves it. */
function locate(from: string, name: string): string | undefined {
  for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock[key]) return key;
    if (!base) return undefined;
  }
}

/** The locations of `names` and of everything they install (dependencies, optional ones present, required peers). */
function closure(names: readonly string[]): Set<string> {
  const found = new Set<string>();
  const visit = (from: string, name: string) => {
    const key = locate(from, name);
    if (!key || found.has(key)) return;
    found.add(key);
    const entry = lock[key]!;
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((peer) => !entry.peerDependenciesMeta?.[peer]?.optional);
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers])
      visit(key, dep);
  };
  for (const name of names) visit('', name);
  return found;
}

/** A lock entry for the consumer: with the registry tarball named, so npm looks it up by integrity in the cache. */
function consumerEntry(key: string): LockEntry {
  const { dev: _dev, devOptional: _devOptional, ...entry } = lock[key]!;
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return { ...entry, resolved: entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
}

/** The package a bare import specifier names (`csv-parse/sync` → `csv-parse`), or undefined for a relative one or Node's own. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || builtinModules.includes(specifier))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every module specifier a file imports or re-exports (static, dynamic, `require`), comments aside. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Whether `version` satisfies `range`: space-separated comparators (`>=24.18 <25`), the one form
 * `engines` uses here (anything else is refused rather than misread).
 */
function satisfies(version: string, range: string): boolean {
  const parts = (v: string) => [...v.split('.').map(Number), 0, 0].slice(0, 3);
  const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  return range.split(/\s+/).every((comparator) => {
    const match = /^(>=|<=|>|<|=)?(\d+(?:\.\d+){0,2})$/.exec(comparator);
    if (!match) throw new Error(`engines: unsupported comparator ${comparator}`);
    const order = compare(parts(version), parts(match[2]!));
    return { '>=': order >= 0, '<=': order <= 0, '>': order > 0, '<': order < 0, '=': order === 0 }[match[1] ?? '=']!;
  });
}

/** The files a module reaches through relative imports (static and dynamic), its own and their declarations included. */
function reachable(entry: string): Set<string> {
  const found = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (found.has(file)) continue;
    found.add(file);
    found.add(file.replace(/\.js$/, '.d.ts'));
    for (const specifier of importsOf(file)) if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
  }
  return found;
}

/** A typed subpath of our `exports` (`./mock`). */
function typedExport(subpath: string): { types: string; import: string } {
  const target = ours.exports[subpath];
  if (typeof target !== 'object') throw new Error(`package.json: ${subpath} is not a typed export`);
  return target;
}

/** What `whatsapp-provider-kit/mock` imports: the optional peers its users install. */
const MOCK_PEERS = ['@stoplight/prism-core', '@stoplight/prism-http', 'ajv', 'ajv-formats', 'yaml'];
/** What `whatsapp-provider-kit/contracts` imports: the optional peers of the static pact check. */
const CONTRACT_PEERS = ['@pactflow/openapi-pact-comparator', 'ajv', 'ajv-formats', 'yaml'];
/**
 * What the contract recipe (docs/consumer-contracts.md) installs besides the peers: Pact, at the
 * version our own contracts use, and Node's types, as a TypeScript project has them.
 */
const RECIPE_TOOLS = ['@pact-foundation/pact', '@types/node'];

const CONSUMER = `
import { createClient as createLiveTok, sendTemplateMessage, zSendTemplateMessageBody } from 'whatsapp-provider-kit/livetok';
import { createClient as createKaleyra, sendLimitedTimeOfferTemplate, type SendMessageRequest } from 'whatsapp-provider-kit/kaleyra';
import { QueueMessage, SendRequest, newMessageId } from 'whatsapp-provider-kit/messages';
// A consumer's contract tests read the pacts our clients are verified against.
import livetokPact from 'whatsapp-provider-kit/pacts/whatsapp-provider-kit-livetok.json' with { type: 'json' };

// A producer that enqueues directly builds the send queue's body with the exported model.
const queued = QueueMessage.parse({ v: 1, id: newMessageId(), acceptedAt: new Date().toISOString(), request: SendRequest.parse({ provider: 'kaleyra', account: 'acme', recipient: '14155550123', content: { kind: 'text', text: 'hi' } }) });

const seen: Array<{ url: string; body: unknown; headers: Record<string, string> }> = [];
const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  seen.push({ url: request.url, body: await request.json(), headers: Object.fromEntries(request.headers) });
  const answer = request.url.includes('/v2/')
    ? { code: 'WA202', message: 'Request Accepted', data: { message_id: 'K-1' }, error: {} }
    : { id: 'msg_1', status: 'sent', to: '+14155550123', template_name: 'appointment_reminder', created_at: '2024-03-15T10:30:00Z' };
  return new Response(JSON.stringify(answer), { status: request.url.includes('/v2/') ? 202 : 200, headers: { 'content-type': 'application/json' } });
};

const body = { to: '+14155550123', template_name: 'appointment_reminder', template_language: 'en_US' };
if (!zSendTemplateMessageBody.safeParse(body).success) throw new Error('livetok schema rejected a valid body');

const livetok = createLiveTok({ baseUrl: 'http://127.0.0.1:1', fetch, auth: 'sk_test_abc123' });
const sent = await sendTemplateMessage({ client: livetok, body });

const kaleyraBody: SendMessageRequest = {
  messaging_object: {
    messaging_product: 'whatsapp',
    to: '14155550123',
    type: 'template',
    template: { name: 'LTO_template', language: { code: 'en_US' }, components: [] },
  },
  extra_info: { ref: '01J00000000000000000000000' },
};
const kaleyra = createKaleyra({ baseUrl: 'http://127.0.0.1:1', fetch, auth: 'key' });
const accepted = await sendLimitedTimeOfferTemplate({ client: kaleyra, path: { sid: 'SID1', phone_number: '14155550100' }, body: kaleyraBody });

// @ts-expect-error template_name is required: the types must say so.
const missing: Parameters<typeof sendTemplateMessage>[0]['body'] = { to: '+14155550123', template_language: 'en_US' };
void missing;

const pact = { consumer: livetokPact.consumer.name, provider: livetokPact.provider.name, interactions: livetokPact.interactions.length > 0 };
console.log(JSON.stringify({ recipient: queued.request.recipient, livetok: sent.data?.id, kaleyra: accepted.data?.data.message_id, urls: seen.map((s) => s.url), auth: seen.map((s) => s.headers['authorization'] ?? s.headers['api-key']), pact }));
`;

const MOCK_CONSUMER = `
import { DEFAULT_MOCK_PORTS, MOCK_PROVIDERS, startProviderMock, type ProviderMock } from 'whatsapp-provider-kit/mock';
import { checkPactAgainstSpec, type PactFinding } from 'whatsapp-provider-kit/contracts';
import livetokPact from 'whatsapp-provider-kit/pacts/whatsapp-provider-kit-livetok.json' with { type: 'json' };

// Started from this project's folder: the mock finds its spec inside the installed package.
const mock: ProviderMock = await startProviderMock('livetok', { host: '127.0.0.1', port: 0 });
try {
  const send = (headers: Record<string, string>) =>
    fetch(\`\${mock.url}/v1/messages/templates\`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ to: '+14155550123', template_name: 'appointment_reminder', template_language: 'en_US' }),
    });
  const sent = await send({ authorization: 'Bearer sk_test_abc123' });
  const unauthenticated = await send({});
  console.log(JSON.stringify({
    providers: MOCK_PROVIDERS,
    livetokPort: DEFAULT_MOCK_PORTS.livetok,
    local: mock.url.startsWith('http://127.0.0.1:') && mock.port > 0,
    sent: { status: sent.status, body: await sent.json() },
    unauthenticated: unauthenticated.status,
    received: mock.received.map((r) => [r.method, r.path, r.status]),
    // The static check, from the package's own spec: our pact agrees with it; another provider's spec does not.
    errors: (await checkPactAgainstSpec(livetokPact, 'livetok')).filter((f: PactFinding) => f.type === 'error').length,
    againstKaleyra: (await checkPactAgainstSpec(livetokPact, 'kaleyra')).some((f) => f.code === 'request.path-or-method.unknown'),
  }));
} finally {
  await mock.close();
}
`;

describe('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-'));
  let tarball: string;
  let packed: string[];
  /** The tarball's content, unpacked: `<dir>/unpacked/package`. */
  const unpacked = join(dir, 'unpacked', 'package');

  beforeAll(async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
    const [{ filename, files }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string; files: Array<{ path: string }> }];
    tarball = join(dir, filename);
    packed = files.map((file) => file.path);
    mkdirSync(join(dir, 'unpacked'));
    await run('tar', ['-xzf', tarball, '-C', join(dir, 'unpacked')]);
  }, 180_000);
  // Two installed consumers, one with Pact and Prism: a slow removal on a busy machine.
  afterAll(() => rm(dir, { recursive: true, force: true }), 180_000);

  /** A consumer project in `<dir>/<name>` that depends on the tarball and `extra` packages, installed offline. */
  async function installConsumer(name: string, extra: Record<string, string> = {}): Promise<string> {
    const project = join(dir, name);
    mkdirSync(project);
    const dependencies = { [ours.name]: `file:${tarball}`, ...extra };
    // Our runtime dependencies, and the extras with everything they install, where our lockfile has them.
    const locations = [
      ...Object.keys(lock).filter((key) => key.startsWith('node_modules/') && !lock[key]!.dev),
      ...closure(Object.keys(extra)),
    ];
    const ownEntry = {
      version: ours.version,
      resolved: `file:${tarball}`,
      bin: ours.bin,
      dependencies: ours.dependencies,
      peerDependencies: ours.peerDependencies,
      peerDependenciesMeta: ours.peerDependenciesMeta,
    };
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
    writeFileSync(
      join(project, 'package-lock.json'),
      JSON.stringify({
        name: 'consumer',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'consumer', dependencies },
          [`node_modules/${ours.name}`]: ownEntry,
          ...Object.fromEntries(locations.map((key) => [key, consumerEntry(key)])),
        },
      }),
    );
    await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: project, env });
    return project;
  }

  /**
   * Type-checks `files` of `project` as a strict TypeScript project does: with `types`, the @types
   * packages to include, and `skipLibCheck` where a dependency's declarations name a package whose
   * types are not installed (Pact's name Express's).
   */
  async function typeCheck(project: string, files: string[], { types = [] as string[], skipLibCheck = false } = {}): Promise<void> {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          resolveJsonModule: true,
          types,
          skipLibCheck,
        },
        files,
      }),
    );
    await run(join(nodeBin, 'tsc'), ['-p', 'tsconfig.json'], { cwd: project, env }).catch((error: { stdout: string }) => {
      throw new Error(`consumer does not type-check:\n${error.stdout}`);
    });
  }

  /** Type-checks `<project>/consumer.ts` holding `source`, then runs it; its last stdout line, parsed. */
  async function typeCheckAndRun(project: string, source: string): Promise<unknown> {
    writeFileSync(join(project, 'consumer.ts'), source);
    await typeCheck(project, ['consumer.ts']);
    const { stdout } = await run(join(nodeBin, 'node'), ['consumer.ts'], { cwd: project, env });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  /**
   * The consumer that installs the optional peers, Pact and Node's types (one install, which the
   * mock consumer and the contract recipe share).
   */
  let mockProject: Promise<string> | undefined;
  const mockConsumer = () =>
    (mockProject ??= installConsumer(
      'mock',
      Object.fromEntries(
        [...new Set([...MOCK_PEERS, ...CONTRACT_PEERS, ...RECIPE_TOOLS])].map((name) => [name, ours.devDependencies[name]!]),
      ),
    ));

  it('carries the clients, the specs and the docs, and no tests', () => {
    for (const provider of PROVIDERS) {
      expect(packed).toContain(`dist/src/clients/${provider}.js`);
      expect(packed).toContain(`dist/src/clients/${provider}.d.ts`);
      expect(packed).toContain(`specs/${provider}.yaml`);
    }
    expect(packed).toContain('docs/scenarios.md'); // the README links to it
    expect(packed).toContain('dist/src/mock/index.js');
    expect(packed.some((path) => path.startsWith('test/') || path.startsWith('node_modules/'))).toBe(false);
    // The local stack stays out (only the two light modules the CLI reads: its home and the scenario list).
    expect(packed.filter((path) => path.startsWith('dist/src/local/') && path.endsWith('.js')).sort()).toEqual([
      'dist/src/local/home.js',
      'dist/src/local/scenarios.js',
    ]);
  });

  it('carries only what `files` names: no tests, no local data, no development folder but the pacts', () => {
    const published = [...ours.files, 'package.json'];
    // npm also packs the README.md of each folder on the way to a published one (contracts/README.md).
    const readmes = ours.files.flatMap((entry) =>
      entry
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/README.md`),
    );
    const unnamed = packed.filter(
      (path) => !readmes.includes(path) && !published.some((entry) => path === entry || path.startsWith(`${entry}/`)),
    );
    expect(unnamed).toEqual([]);
    // Of the repository's development folders only the pacts are published: data, the `./pacts/*` export.
    expect(ours.files.filter((entry) => devPart(`${entry}/`))).toEqual(['contracts/pacts']);
    expect(
      packed.filter((path) => /\.test\.|(^|\/)(\.local|coverage|logs)\/|fuzz-results\.json$|results\.json$|\.tgz$/.test(path)),
    ).toEqual([]);
  });

  it('carries development code only where the ./mock and ./contracts exports (or, for two modules, the CLI) reach it', () => {
    const sourceOf = (path: string) => path.replace(/^dist\//, '').replace(/(\.d\.ts|\.js)$/, '.ts');
    const development = packed.filter((path) => path.startsWith('dist/') && devPart(sourceOf(path)));
    const fromMock = new Set([...reachable(join(unpacked, typedExport('./mock').import))].map((file) => relative(unpacked, file)));
    const fromContracts = new Set(
      [...reachable(join(unpacked, typedExport('./contracts').import))].map((file) => relative(unpacked, file)),
    );
    const fromCli = new Set([...reachable(join(unpacked, ours.bin.wapk!))].map((file) => relative(unpacked, file)));
    const unreached = development.filter((path) => !fromMock.has(path) && !fromContracts.has(path));
    // Outside the exports' reach: the local stack's home and scenario list, which the CLI reads, and nothing else.
    expect(unreached.sort()).toEqual([
      'dist/src/local/home.d.ts',
      'dist/src/local/home.js',
      'dist/src/local/scenarios.d.ts',
      'dist/src/local/scenarios.js',
    ]);
    expect(unreached.filter((path) => !fromCli.has(path))).toEqual([]);
    // What the mock reaches is real development code: the mock itself and every provider's dev kit.
    expect(development.filter((path) => /^dist\/src\/providers\/[^/]+\/dev\/index\.js$/.test(path))).toHaveLength(PROVIDERS.length);
    expect(development.length).toBeGreaterThan(20);
    // The static check stays apart from the mock: it reaches no provider's dev kit, and no Prism.
    expect([...fromContracts].filter((path) => path.endsWith('.js')).sort()).toEqual([
      'dist/src/contracts/index.js',
      'dist/src/contracts/pact-check.js',
      'dist/src/contracts/spec-bundle.js',
      'dist/src/errors.js', // its errors are of the family (src/errors.ts, a leaf)
      'dist/src/mock/json-form.js',
      'dist/src/providers/names.js',
    ]);
  });

  it('carries the pacts, the changelog, and every file its Markdown pages link to', () => {
    const pacts = readdirSync(join(root, 'contracts/pacts'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => `contracts/pacts/${name}`);
    expect(pacts.length).toBeGreaterThanOrEqual(10);
    expect(packed.filter((path) => path.startsWith('contracts/pacts/')).sort()).toEqual(pacts.sort());
    expect(packed).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'BENCHMARKS.md', 'docs/guide.md']));
    const pages = packed.filter((path) => path.endsWith('.md'));
    const missing = pages.flatMap((page) =>
      linksOf(readFileSync(join(unpacked, page), 'utf8'))
        .map((target) => target.split('#')[0]!)
        .filter((target) => target !== '')
        .map((target) => normalize(join(dirname(page), decodeURI(target))).replace(/\/$/, ''))
        .filter((target) => !packed.some((path) => path === target || path.startsWith(`${target}/`)))
        .map((target) => `${page} links to ${target}, which is not in the package`),
    );
    expect(pages.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it('declares the Node it runs on, and an exports subpath with types for every entry point', () => {
    // engines: satisfied by the Node the tests run on (the `node` devDependency), the Lambda runtime's major.
    expect(satisfies(ours.devDependencies.node!, ours.engines.node), `node ${ours.devDependencies.node}`).toBe(true);
    expect(satisfies(process.versions.node, ours.engines.node), `node ${process.versions.node}`).toBe(true);
    const lambda = /Runtime\.NodeJS(\d+)dX/.exec(readFileSync(join(root, 'infra/components/node-function.ts'), 'utf8'))?.[1];
    expect(satisfies(`${lambda}.99.0`, ours.engines.node), `Lambda nodejs${lambda}.x`).toBe(true);
    expect(satisfies(`${Number(lambda) + 1}.0.0`, ours.engines.node)).toBe(false);
    expect(() => satisfies('24.0.0', '^24')).toThrow(/unsupported comparator/);

    expect(Object.keys(ours.exports)).toEqual(
      expect.arrayContaining([
        ...PROVIDERS.map((name) => `./${name}`),
        './messages',
        './infra',
        './mock',
        './contracts',
        './specs/*',
        './pacts/*',
      ]),
    );
    for (const [subpath, target] of Object.entries(ours.exports)) {
      if (typeof target === 'string') {
        // Data only (specs, pacts, package.json): code always comes with its types.
        expect(target, subpath).not.toMatch(/\.(js|ts)$/);
        const prefix = target.replace(/^\.\//, '').replace(/\*$/, '');
        expect(
          packed.some((path) => path === prefix || (target.endsWith('*') && path.startsWith(prefix))),
          subpath,
        ).toBe(true);
        continue;
      }
      expect(Object.keys(target), `${subpath}: types first, then import`).toEqual(['types', 'import']);
      expect(packed, subpath).toContain(target.types.replace(/^\.\//, ''));
      expect(packed, subpath).toContain(target.import.replace(/^\.\//, ''));
    }
  });

  it('publint finds nothing in it, and does find the mistakes of a broken package', async () => {
    // The unpacked tarball is exactly what npm publishes, so publint need not pack it again.
    const { messages, pkg } = await publint({ pkgDir: unpacked, pack: false, level: 'suggestion', strict: true });
    expect(messages.map((message) => formatMessage(message, pkg, { color: false }))).toEqual([]);

    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'index.js'), 'export const x = 1;\n');
    writeFileSync(
      join(broken, 'package.json'),
      JSON.stringify({
        name: 'broken',
        version: '1.0.0',
        type: 'module',
        exports: { '.': { import: './index.js', types: './index.d.ts' } },
      }),
    );
    const found = await publint({ pkgDir: broken, pack: false, strict: true });
    expect(found.messages.map((message) => message.code).sort()).toEqual(['EXPORTS_TYPES_SHOULD_BE_FIRST', 'FILE_DOES_NOT_EXIST']);
  });

  it('arethetypeswrong resolves every typed subpath to its declarations, for Node (ESM) and for bundlers', async () => {
    // ESM only: CommonJS `require` (node16-cjs) and the pre-exports resolution (node10) are not offered.
    const { stdout } = await run(join(nodeBin, 'attw'), [tarball, '--profile', 'esm-only', '--format', 'json'], { cwd: dir, env }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    const { analysis } = JSON.parse(stdout) as {
      analysis: {
        problems: Array<{ kind: string; entrypoint: string; resolutionKind: string }>;
        entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>;
      };
    };
    expect(analysis.problems.filter((problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind))).toEqual([]);
    for (const [subpath, target] of Object.entries(ours.exports)) {
      if (typeof target !== 'object') continue;
      for (const kind of ['node16-esm', 'bundler']) {
        expect(analysis.entrypoints[subpath]?.resolutions[kind]?.resolution?.fileName, `${subpath} (${kind})`).toBe(
          `/node_modules/${ours.name}/${target.types.replace(/^\.\//, '')}`,
        );
      }
    }
  });

  it('imports, under dist/, only packages it declares: dependencies, and optional peers', () => {
    const declared = new Set([...Object.keys(ours.dependencies), ...Object.keys(ours.peerDependencies)]);
    // Optional peers only: a consumer that uses neither the mocks nor the infra installs none of them.
    for (const peer of Object.keys(ours.peerDependencies)) expect(ours.peerDependenciesMeta[peer]?.optional, peer).toBe(true);
    // Code: every module. Declarations: those a consumer reaches from the exports (the others,
    // such as a Lambda handler's, name @types packages only this repository installs).
    const code = filesUnder(join(unpacked, 'dist')).filter((file) => file.endsWith('.js'));
    const declarations = new Set<string>();
    const pending = Object.values(ours.exports).flatMap((target) => (typeof target === 'object' ? [resolve(unpacked, target.types)] : []));
    for (let file = pending.pop(); file; file = pending.pop()) {
      if (declarations.has(file)) continue;
      declarations.add(file);
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier).replace(/\.(ts|js)$/, '.d.ts'));
      }
    }
    expect(declarations.size).toBeGreaterThan(20);
    const undeclared = [...code, ...declarations].flatMap((file) =>
      importsOf(file).flatMap((specifier) => {
        const name = packageOf(specifier);
        return name && !declared.has(name) && name !== ours.name ? [`${relative(unpacked, file)} imports ${specifier}`] : [];
      }),
    );
    expect(undeclared).toEqual([]);
    // Each test-support export's imports are the peers a consumer installs to use it (the mock
    // consumer below installs them).
    const peersOf = (subpath: string) => {
      const imported = [...reachable(join(unpacked, typedExport(subpath).import))]
        .filter((file) => file.endsWith('.js'))
        .flatMap((file) => importsOf(file).flatMap((specifier) => packageOf(specifier) ?? []));
      return [...new Set(imported)].filter((name) => !(name in ours.dependencies)).sort();
    };
    expect(peersOf('./mock')).toEqual(MOCK_PEERS);
    expect(peersOf('./contracts')).toEqual(CONTRACT_PEERS);
  });

  it('installs offline into a consumer project that type-checks and runs against two providers', async () => {
    const project = await installConsumer('clients');
    // The optional peers stay out of a consumer that did not ask for them.
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('@stoplight');
    expect(await typeCheckAndRun(project, CONSUMER)).toEqual({
      recipient: '+14155550123',
      livetok: 'msg_1',
      kaleyra: 'K-1',
      urls: ['http://127.0.0.1:1/v1/messages/templates', 'http://127.0.0.1:1/v2/SID1/whatsapp/14155550100/messages'],
      auth: ['Bearer sk_test_abc123', 'key'],
      pact: { consumer: 'whatsapp-provider-kit', provider: 'livetok', interactions: true },
    });
    // The CLI runs from the installed package without anything of the local stack's.
    const { stdout } = await run(join(project, 'node_modules/.bin/wapk'), ['scenarios'], { cwd: project, env });
    expect(stdout).toMatch(/^\+12015550100 +delivered /m);
  }, 180_000);

  it('runs a provider mock and the static pact check in a consumer that installs the optional peers', async () => {
    const project = await mockConsumer();
    expect(await typeCheckAndRun(project, MOCK_CONSUMER)).toEqual({
      providers: [...PROVIDERS],
      livetokPort: 4010,
      local: true,
      sent: {
        status: 200,
        body: {
          id: expect.stringMatching(/^msg_abc123-1-[0-9a-f]{6}$/),
          status: 'sent',
          to: '+1234567890',
          template_name: 'appointment_reminder',
          created_at: '2024-03-15T10:30:00Z',
        },
      },
      unauthenticated: 401,
      received: [
        ['post', '/v1/messages/templates', 200],
        ['post', '/v1/messages/templates', 401],
      ],
      errors: 0,
      againstKaleyra: true,
    });
  }, 180_000);

  it('runs the contract recipe of docs/consumer-contracts.md from the package: a pact verified both ways, a wrong one caught by both', async () => {
    const project = await mockConsumer();
    const page = readFileSync(join(unpacked, 'docs/consumer-contracts.md'), 'utf8');
    const blocks = codeBlocksOf(page);
    // The install command names every package the recipe imports, at our versions.
    const install = blocks.find((block) => block.lang === 'sh')!.code.replace(/\\\n/g, ' ');
    const named = Object.fromEntries(
      [...install.matchAll(/\s(@?[\w./-]+?)(?:@(\d[\w.-]*))?(?=\s|$)/g)].map(([, name, version]) => [name!, version ?? '']),
    );
    for (const name of [...MOCK_PEERS, ...CONTRACT_PEERS, '@pact-foundation/pact', ours.name]) expect(named, name).toHaveProperty([name]);
    for (const [name, version] of Object.entries(named)) {
      if (version) expect(version, name).toBe(ours.peerDependencies[name] ?? ours.devDependencies[name]);
    }
    const files = blocks.filter((block) => block.title?.startsWith('contract/'));
    expect(files.map((file) => file.title)).toEqual(['contract/livetok.pact.ts', 'contract/verify.ts']);
    mkdirSync(join(project, 'contract'));
    for (const file of files) writeFileSync(join(project, file.title!), file.code);
    await typeCheck(
      project,
      files.map((file) => file.title!),
      { types: ['node'], skipLibCheck: true },
    );

    // The CI job of the page, step by step: `npm ci` is the offline install above; then its commands.
    const workflow = blocks.find((block) => block.title === '.github/workflows/contracts.yml');
    const job = (parse(workflow!.code) as { jobs: Record<string, { env?: Record<string, string>; steps: Array<{ run?: string }> }> }).jobs
      .contracts!;
    const commands = job.steps.flatMap((step) => step.run ?? []);
    expect(commands[0]).toBe('npm ci');
    expect(commands.slice(1)).toEqual(['node contract/livetok.pact.ts', 'node contract/verify.ts pacts/*.json']);
    const jobEnv = { ...env, ...job.env };
    const [consumerTest, verify] = commands.slice(1) as [string, string];
    await run('sh', ['-c', consumerTest], { cwd: project, env: jobEnv });
    const pact = JSON.parse(readFileSync(join(project, 'pacts/acme-reminders-livetok.json'), 'utf8')) as {
      consumer: { name: string };
      interactions: Array<{ description: string; request: { body: { content: Record<string, unknown> } } }>;
    };
    expect(pact.interactions.map((interaction) => interaction.description)).toEqual(['a reminder', 'a reminder beyond the rate limit']);

    // Beside it, the wrong pact of the page: its send names the template `template`, not `template_name`.
    const wrong = structuredClone(pact);
    wrong.consumer.name = 'acme-typo';
    const send = wrong.interactions[0]!.request.body.content;
    send.template = send.template_name;
    delete send.template_name;
    writeFileSync(join(project, 'pacts/acme-typo-livetok.json'), JSON.stringify(wrong));
    const verified = await run('sh', ['-c', verify], { cwd: project, env: jobEnv }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => error,
    );
    const report = stripVTControlCharacters(verified.stdout);
    // The pact of the consumer test passes both; the wrong one fails the replay on the mock's 400,
    // and the check names the rule and the place — the last lines as the page shows them.
    expect(report).toContain('pacts/acme-reminders-livetok.json: replay against the livetok mock verified; spec check passed');
    expect(report).toContain('expected 200 but was 400');
    const shown = blocks
      .find((block) => block.lang === 'text')!
      .code.trim()
      .split('\n');
    expect(report.trim().split('\n').slice(-shown.length)).toEqual(shown);
    expect(verified.code).toBe(1);
  }, 180_000);
});
