/**
 * A function bundle runs on its own: copied away from the repository (no node_modules to fall
 * back on), the re-enqueue function's bundle reads its configuration, queries DynamoDB and sends
 * to SQS with the AWS SDK inside it — against dynalite and the SQS emulator on loopback.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMessageId } from '../src/messages/queue-message.ts';
import { payloadCipher } from '../src/privacy/payload-cipher.ts';
import { MessageStore } from '../src/store/message-store.ts';
import { startLocalAws, testConfig, testSecrets } from '../test/support/local-aws.ts';
import { bundleFunction, REPO_ROOT } from './bundle.ts';

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
    copyFileSync(bundle.file, join(dir, 'index.mjs'));

    // A message held in the table and due now: the bundle must put it on the queue.
    const secrets = testSecrets();
    const config = testConfig();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ config, secrets }));
    const store = new MessageStore(aws.dynamo.client, aws.tableName);
    const id = newMessageId();
    const acceptedAt = new Date(Date.now() - 60_000).toISOString();
    await store.createMany([
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
    await store.hold(id, acceptedAt, payloadCipher(secrets.payloadKey).seal(JSON.stringify(message)));

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
