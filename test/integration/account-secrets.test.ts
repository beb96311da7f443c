/**
 * An account without its provider credential, webhook secret or push secret is named at start —
 * by the local stack (`npm start`) and, in infra/config.test.ts, by the Pulumi program — instead
 * of validating, deploying and then failing every send or refusing every callback.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingSecrets, parseConfigDocument, PipelineConfig } from '../../src/config/pipeline.ts';
import { ensureLocalConfig, EPHEMERAL_PORTS, startLocalStack } from '../../src/local/stack.ts';
import { testConfig, testSecrets } from '../support/local-aws.ts';

describe('secrets for every configured account', () => {
  const homes: string[] = [];
  const home = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wapk-secrets-'));
    homes.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  });

  it('names each account without a credential, a webhook secret (providers with callbacks) or a push secret', () => {
    const base = testConfig();
    const config = PipelineConfig.parse({
      ...base,
      accounts: base.accounts.map((a) => (a.id === 'acme-gupshup' ? { ...a, push: { url: 'https://caller.example.com/hooks' } } : a)),
    });
    const { 'acme-kaleyra': _dropped, ...credentials } = testSecrets().credentials;
    const secrets = {
      ...testSecrets(),
      credentials,
      webhookSecrets: { 'acme-livechat': ['whsec_0123456789abcdef0123'], 'acme-gupshup': ['a-token-of-24-characters'] },
    };
    // In the config's account order: livetok and livechat are complete.
    expect(missingSecrets(config, secrets)).toEqual([
      'pushSecrets.acme-gupshup: account acme-gupshup pushes status changes but has no push secret',
      'webhookSecrets.acme-loopwave: account acme-loopwave (loopwave) has no webhook secret: every callback would be refused',
      'credentials.acme-kaleyra: account acme-kaleyra (kaleyra) has no provider credential',
      'webhookSecrets.acme-kaleyra: account acme-kaleyra (kaleyra) has no webhook secret: every callback would be refused',
    ]);
  });

  it('generates a local config that is complete (LiveTok sends no callbacks, so needs no webhook secret)', () => {
    const file = join(home(), 'config.json');
    const local = ensureLocalConfig(file);
    const parsed = parseConfigDocument({ config: local.config, secrets: local.secrets }, file);
    expect(missingSecrets(parsed.config, parsed.secrets)).toEqual([]);
  });

  it('stops npm start before anything starts, naming the account whose credential is missing', async () => {
    const dir = home();
    const file = join(dir, 'config.json');
    const local = ensureLocalConfig(file);
    const secrets = local.secrets as { credentials: Record<string, string> };
    delete secrets.credentials['local-kaleyra'];
    writeFileSync(file, JSON.stringify(local));
    const failure = await startLocalStack({ home: dir, ports: EPHEMERAL_PORTS }).then(
      async (stack) => {
        await stack.stop();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(failure).toContain(`${file} is not valid`);
    expect(failure).toContain('credentials.local-kaleyra: account local-kaleyra (kaleyra) has no provider credential');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(local);
  });
});
