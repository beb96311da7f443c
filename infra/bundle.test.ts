/**
 * A function bundle runs on its own: copied away from the repository (no node_modules to fall
 * back on), the re-enqueue function's bundle reads its configuration, queries DynamoDB and sends
 * to SQS with the AWS SDK inside it — against dynalite and the SQS emulator on loopback.
 *
 * And no function bundle carries development code: none of the files esbuild read for it is a
 * mock, the local stack, a bench, a test, a script, a contract or a provider's local-only part,
 * or comes from a package only development installs (a devDependency, or what only they pull in).
 *
 * And each bundle carries only what its function uses: the callback normalisers (and the generated
 * schemas they read) only in the webhook function's, and of zod's messages only the English ones.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMessageId } from '../src/messages/queue-message.ts';
import { payloadCipher } from '../src/privacy/payload-cipher.ts';
import { dynamoDBStorage } from '../src/store/dynamodb/index.ts';
import { devPart } from '../test/support/dev-code.ts';
import { startLocalAws, testConfig, testSecrets } from '../test/support/local-aws.ts';
import { bundleFunction, REPO_ROOT } from './bundle.ts';
import { functionEntry, PIPELINE_FUNCTIONS } from './components/functions.ts';

const run = promisify(execFile);

describe('a function bundle', () => {
  let aws: Awaited<ReturnType<typeof startLocalAws>>;
  const dir = mkdtempSync(join(tmpdir(), 'wapk-bundle-'));
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => {
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs outside the repository with the SDK it carries', async () => {
    const bundle = bundleFunction('requeue', 'src/functions/requeue.ts', 'bundle-test');
    expect(bundle.externalImports.every((path) => path.startsWith('node:'))).toBe(true);
    // The code's files only (index.mjs and its chunks), as deployed.
    for (const file of bundle.files) cpSync(join(bundle.dir, file), join(dir, file), { recursive: true });

    // A message held in the table and due now: the bundle must put it on the queue.
    const secrets = testSecrets();
    const config = testConfig();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ config, secrets }));
    const store = dynamoDBStorage({ client: aws.dynamo.client, tableName: aws.tableName });
    const id = newMessageId();
    const acceptedAt = new Date(Date.now() - 60_000).toISOString();
    await store.messages.createMany([
      {
        id,
        provider: 'kaleyra',
        account: 'acme-kaleyra',
        recipient: { hash: 'h', last4: '5678' },
        kind: 'text',
        status: 'queued',
        createdAt: acceptedAt,
      },
    ]);
    const message = {
      v: 1,
      id,
      acceptedAt,
      request: { provider: 'kaleyra', account: 'acme-kaleyra', recipient: '+919812345678', content: { kind: 'text', text: 'hello' } },
    };
    await store.due.hold(id, acceptedAt, payloadCipher(secrets.payloadKey).seal(JSON.stringify(message)));

    const script = "const { handler } = await import('./index.mjs'); console.log(JSON.stringify(await handler()));";
    const { stdout } = await run(join(REPO_ROOT, 'node_modules/.bin/node'), ['--input-type=module', '-e', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        WAPK_CONFIG_FILE: join(dir, 'config.json'),
        TABLE_NAME: aws.tableName,
        QUEUE_URL: aws.queueUrl,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: aws.dynamo.endpoint,
        AWS_ENDPOINT_URL_SQS: aws.sqs.endpoint,
      },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ requeued: 1, failed: 0 });
    const { Messages = [] } = await aws.sqs.client.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => (JSON.parse(m.Body!) as { id: string }).id)).toEqual([id]);
  }, 120_000);
});

interface LockEntry {
  dev?: boolean;
}

/** Why a bundle input is development code, or undefined if it is not. */
function devOnlyReason(input: string, devPackages: ReadonlySet<string>, lock: Record<string, LockEntry>): string | undefined {
  const folder = devPart(input);
  if (folder) return `${input} is under ${folder}, development code`;
  // The package the file belongs to: the last `node_modules/<name>` (nested copies included).
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (!match) return undefined;
  const [location, name] = [match[1]!, match[2]!];
  if (devPackages.has(name)) return `package ${name}: a devDependency`;
  if (lock[location]?.dev) return `package ${location}: only devDependencies install it (package-lock.json)`;
  return undefined;
}

describe('the function bundles', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const lock = (JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  // A package that is both (none today) is a runtime dependency.
  const devPackages = new Set(Object.keys(manifest.devDependencies).filter((name) => !(name in manifest.dependencies)));

  it('tells development code from production code', () => {
    const reasons = (input: string) => devOnlyReason(input, devPackages, lock);
    for (const input of [
      'src/mock/providers.ts',
      'src/contracts/pact-check.ts',
      'src/local/home.ts',
      'bench/naive.ts',
      'test/support/fixtures.ts',
      'scripts/start.ts',
      'contracts/support.ts',
      'src/providers/gupshup/dev/index.ts',
      'src/providers/kaleyra/dev/live.ts',
      'src/verify/run.ts',
      'src/providers/dev.ts',
      'src/providers/dev-kit.ts',
      'src/providers/kaleyra/fixtures.ts',
      'node_modules/@stoplight/prism-http/dist/index.js',
      'node_modules/yaml/dist/index.js',
      'node_modules/@stoplight/prism-core/node_modules/pino/pino.js',
    ]) {
      expect(reasons(input), input).toBeDefined();
    }
    for (const input of [
      'src/functions/push.ts',
      'src/providers/gupshup/adapter.ts',
      'src/providers/gupshup/webhook.ts',
      'src/providers/index.ts',
      'generated/kaleyra/sdk.gen.ts',
      'node_modules/zod/v4/index.js',
    ]) {
      expect(reasons(input), input).toBeUndefined();
    }
  });

  it.each(PIPELINE_FUNCTIONS)(
    '%s bundles no development code',
    (name) => {
      const entry = functionEntry(name);
      const bundle = bundleFunction(name, entry, 'dev-only-test');
      expect(bundle.inputs).toContain(entry);
      expect(bundle.inputs.filter((input) => input.startsWith('node_modules/')).length).toBeGreaterThan(0);
      expect([...new Set(bundle.inputs.flatMap((input) => devOnlyReason(input, devPackages, lock) ?? []))]).toEqual([]);
    },
    120_000,
  );
});

/** The inputs that put code into the bundle's output (esbuild reads more than it keeps). */
function kept(bundle: ReturnType<typeof bundleFunction>): string[] {
  return Object.values(bundle.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

describe('each function bundle', () => {
  it.each(PIPELINE_FUNCTIONS)(
    '%s carries only what it uses: callback normalisers only for the webhook, zod messages only in English',
    (name) => {
      const bundle = bundleFunction(name, functionEntry(name), 'dev-only-test');
      const inputs = kept(bundle);
      const normalisers = inputs.filter((input) => /^src\/providers\/[a-z]+\/webhook\.ts$/.test(input));
      expect(normalisers.length > 0, normalisers.join(', ')).toBe(name === 'webhook');
      expect(inputs.filter((input) => /zod\/v4\/locales\/(?!en\.js|index\.js)/.test(input))).toEqual([]);
      // Every adapter's sending part is in the bundle, but behind a dynamic import (src/providers/lazy-adapter.ts).
      const imports = Object.entries(bundle.metafile.inputs).flatMap(([from, input]) =>
        input.imports.filter((i) => /^src\/providers\/[a-z]+\/adapter\.ts$/.test(i.path)).map((i) => `${from} ${i.kind}`),
      );
      expect(imports.filter((i) => !i.endsWith('dynamic-import'))).toEqual([]);
    },
    120_000,
  );
});
