/**
 * The stack configuration, as the program reads it: a mistake stops the program at start naming
 * the key (and, for a missing secret, the account), as `pulumi preview` and `npm run infra:plan`
 * would show it; a change of the configuration reaches the functions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StackSettings } from './config.ts';
import { plan, type Plan } from './plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'stack-'));
const stackFile = (name: string, lines: string[]) => {
  const file = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(file, ['config:', ...lines].join('\n'));
  return file;
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'planned',
    (error: Error) => error.message,
  );

const PIPELINE = (keyHash: string) => [
  '  whatsapp-provider-kit:pipeline:',
  '    accounts:',
  '      - { id: acme, provider: kaleyra, sid: HXIN1691385017IN, senderNumber: "+919000014497" }',
  '      - { id: tok, provider: livetok, plan: pro }',
  '    apiKeys:',
  `      - { id: k, sha256: "${keyHash}", accounts: "*" }`,
  '  whatsapp-provider-kit:alarmEmails: [ops@acme.example]',
];
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const SECRETS = [
  '  whatsapp-provider-kit:secrets:',
  '    recipientHashKey: 0123456789abcdef0123456789abcdef',
  '    payloadKey: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
  '    credentials: { acme: kaleyra-key, tok: sk_test_abc123 }',
  '    webhookSecrets: { acme: [a-token-of-24-characters] }',
];

describe('stack configuration', () => {
  it('is validated when the program starts, with errors that name the key', async () => {
    const file = stackFile('broken', [
      '  whatsapp-provider-kit:pipeline:',
      '    accounts:',
      '      - { id: acme, provider: kaleyra, senderNumber: "919000014497" }',
      '    apiKeys:',
      '      - { id: k, sha256: "00", accounts: [nobody] }',
      '  whatsapp-provider-kit:sender: { maximumConcurrency: 1 }',
    ]);
    const message = await failure(plan('broken', file, { standInSecrets: true }));
    expect(message).toContain('whatsapp-provider-kit:pipeline is not valid');
    expect(message).toContain('accounts.0.sid');
    expect(message).toContain('accounts.0.senderNumber: must be the business number in E.164');
    expect(message).toContain('apiKeys.0.sha256: must be the hex SHA-256 of the key');
  }, 60_000);

  // Item 4: stand-in secrets for every account used to hide an account without its credential.
  it('stops at start, naming the account, when an account has no credential', async () => {
    const file = stackFile('nocredential', [...PIPELINE(KEY_A), ...SECRETS.map((line) => line.replace('acme: kaleyra-key, ', ''))]);
    const message = await failure(plan('nocredential', file));
    expect(message).toContain('whatsapp-provider-kit:secrets is not valid');
    expect(message).toContain('credentials.acme: account acme (kaleyra) has no provider credential');
    expect(message).not.toContain('tok');
  }, 60_000);

  it('plans encrypted secrets with stand-ins, and names the one the stack file lacks', async () => {
    const secure = '{ secure: v1:AAAABBBBCCCC }';
    const file = stackFile('encrypted', [
      ...PIPELINE(KEY_A),
      '  whatsapp-provider-kit:secrets:',
      `    recipientHashKey: ${secure}`,
      `    payloadKey: ${secure}`,
      `    credentials: { acme: ${secure}, tok: ${secure} }`,
    ]);
    const message = await failure(plan('encrypted', file));
    expect(message).toContain('webhookSecrets.acme: account acme (kaleyra) has no webhook secret: every callback would be refused');
    expect(message).not.toContain('webhookSecrets.tok'); // LiveTok sends no callbacks
  }, 60_000);

  it('does not invent secrets for a stack file that holds none, unless asked to', async () => {
    const file = stackFile('nosecrets', PIPELINE(KEY_A));
    expect(await failure(plan('nosecrets', file))).toContain(
      "whatsapp-provider-kit:secrets is not set: set each secret with pulumi config set --secret --path 'secrets.…'",
    );
  }, 60_000);

  it('names an unknown route in the throttles (a callback route: not the API’s), and a wrong email', async () => {
    const pipeline = PIPELINE(KEY_A).map((line) => line.replace('[ops@acme.example]', '[ops]'));
    const file = stackFile('settings', [
      ...pipeline,
      ...SECRETS,
      '  whatsapp-provider-kit:throttles: { sendMesages: { rate: 10, burst: 20 }, receiveWebhook: { rate: 10, burst: 20 } }',
    ]);
    const message = await failure(plan('settings', file));
    expect(message).toContain('whatsapp-provider-kit settings is not valid');
    expect(message).toContain("throttles: no API route sendMesages, receiveWebhook: the API's routes are sendMessages, listMessages");
    expect(message).toContain('webhook.reservedConcurrency bounds them');
    expect(message).toContain('alarmEmails.0: must be an email address');
  }, 60_000);
});

// Item 3: the secret is write-only, so Pulumi never diffs its value; a revoked key must still reach the functions.
describe('a configuration change', () => {
  const planWith = (name: string, keyHash: string) => plan('cfgversion', stackFile(name, [...PIPELINE(keyHash), ...SECRETS]));
  const versions = (planned: Plan) => ({
    functions: [
      ...new Set(
        planned.resources
          .filter((r) => r.type === 'aws:lambda/function:Function')
          .map((fn) => (fn.inputs.environment as { variables: Record<string, string> }).variables.CONFIG_VERSION),
      ),
    ],
    secret: planned.resources.find((r) => r.type === 'aws:secretsmanager/secretVersion:SecretVersion')!.inputs.secretStringWoVersion,
  });

  it('writes the secret again and updates every function; an unchanged one changes nothing', async () => {
    const before = versions(await planWith('cfg-a', KEY_A));
    const again = versions(await planWith('cfg-a-again', KEY_A));
    const revoked = versions(await planWith('cfg-b', KEY_B));
    expect(before.functions).toHaveLength(1);
    expect(again).toEqual(before);
    expect(revoked.functions).toHaveLength(1);
    expect(revoked.functions[0]).not.toBe(before.functions[0]);
    expect(revoked.secret).not.toBe(before.secret);
  }, 180_000);
});

describe('the sender settings', () => {
  const issues = (sender: unknown) => {
    const parsed = StackSettings.safeParse({ sender });
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('take batches up to 10,000 with a batching window, as Lambda does', () => {
    expect(issues({ batchSize: 100, maximumBatchingWindowSeconds: 1 })).toEqual([]);
    expect(issues({ batchSize: 100 })).toEqual([]); // the default window (1 s) applies
    expect(issues({ batchSize: 10, maximumBatchingWindowSeconds: 0 })).toEqual([]);
    expect(issues({ batchSize: 100, maximumBatchingWindowSeconds: 0 })).toEqual([
      'sender.maximumBatchingWindowSeconds: must be at least 1 with a batchSize over 10 (Lambda requires a batching window for batches over 10)',
    ]);
    expect(issues({ batchSize: 10_001 })[0]).toMatch(/^sender\.batchSize: /);
    expect(issues({ maximumBatchingWindowSeconds: 301 })[0]).toMatch(/^sender\.maximumBatchingWindowSeconds: /);
  });
});
