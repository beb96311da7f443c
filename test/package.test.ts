/**
 * How other repositories use the clients: pack the package as npm would publish it, install the
 * tarball into a fresh consumer project, type-check and run a consumer that imports two providers.
 *
 * No network: the consumer gets a lockfile whose runtime dependencies are copied from ours, so
 * `npm ci --offline` takes them from the cache that our own `npm ci` filled.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../src/providers/names.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const nodeBin = join(root, 'node_modules/.bin');
const env = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

const CONSUMER = `
import { createClient as createLiveTok, sendTemplateMessage, zSendTemplateMessageBody } from 'whatsapp-provider-kit/livetok';
import { createClient as createKaleyra, sendLimitedTimeOfferTemplate, type SendMessageRequest } from 'whatsapp-provider-kit/kaleyra';
import { QueueMessage, SendRequest, newMessageId } from 'whatsapp-provider-kit/messages';

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

console.log(JSON.stringify({ recipient: queued.request.recipient, livetok: sent.data?.id, kaleyra: accepted.data?.data.message_id, urls: seen.map((s) => s.url), auth: seen.map((s) => s.headers['authorization'] ?? s.headers['api-key']) }));
`;

describe('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs offline into a consumer project that type-checks and runs against two providers', async () => {
    const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
    const [{ filename, files }] = JSON.parse(packed.slice(packed.indexOf('['))) as [{ filename: string; files: Array<{ path: string }> }];
    const paths = files.map((file) => file.path);
    for (const provider of PROVIDERS) {
      expect(paths).toContain(`dist/src/clients/${provider}.js`);
      expect(paths).toContain(`dist/src/clients/${provider}.d.ts`);
      expect(paths).toContain(`specs/${provider}.yaml`);
    }
    expect(paths).toContain('docs/scenarios.md'); // the README links to it
    expect(paths.some((path) => path.startsWith('test/') || path.startsWith('node_modules/'))).toBe(false);

    const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    // Our lockfile records no download addresses; name the registry tarball so npm looks it up by
    // integrity in the cache instead of asking the registry for the package's metadata.
    const runtime = Object.fromEntries(
      Object.entries(lock.packages)
        .filter(([key, entry]) => key.startsWith('node_modules/') && !entry.dev)
        .map(([key, entry]) => {
          const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
          const resolved = entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
          return [key, { ...entry, resolved }];
        }),
    );
    const tarball = `file:${filename}`;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { [ours.name]: tarball } }));
    writeFileSync(
      join(dir, 'package-lock.json'),
      JSON.stringify({
        name: 'consumer',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'consumer', dependencies: { [ours.name]: tarball } },
          [`node_modules/${ours.name}`]: { version: ours.version, resolved: tarball, dependencies: ours.dependencies },
          ...runtime,
        },
      }),
    );
    await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, env });

    writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2023', lib: ['ES2023', 'DOM', 'DOM.Iterable'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [] }, files: ['consumer.ts'] }),
    );
    await run(join(nodeBin, 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir, env }).catch((error: { stdout: string }) => {
      throw new Error(`consumer does not type-check:\n${error.stdout}`);
    });

    const { stdout } = await run(join(nodeBin, 'node'), ['consumer.ts'], { cwd: dir, env });
    expect(JSON.parse(stdout)).toEqual({
      recipient: '+14155550123',
      livetok: 'msg_1',
      kaleyra: 'K-1',
      urls: ['http://127.0.0.1:1/v1/messages/templates', 'http://127.0.0.1:1/v2/SID1/whatsapp/14155550100/messages'],
      auth: ['Bearer sk_test_abc123', 'key'],
    });
  }, 180_000);
});
