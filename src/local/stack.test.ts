/**
 * The local stack's config (`<home>/config.json`): one `local-<name>` account per provider, made
 * from each provider's dev kit, with its credential and (for a provider that calls back) its
 * webhook secret; a home written before a provider was added gains that provider's account at
 * the next start, and nothing the user wrote changes.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingSecrets, parseConfigDocument } from '../config/pipeline.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { sendsCallbacks } from '../providers/index.ts';
import { PROVIDERS } from '../providers/names.ts';
import { ensureLocalConfig } from './stack.ts';

interface Written {
  apiKey: string;
  config: { accounts: Array<Record<string, unknown> & { id: string; provider: string }>; apiKeys: Array<Record<string, unknown>> };
  secrets: { credentials: Record<string, string>; webhookSecrets: Record<string, string[]> } & Record<string, unknown>;
}

const homes: string[] = [];
function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wapk-localcfg-'));
  homes.push(dir);
  return join(dir, 'config.json');
}
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Written;
afterAll(() => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

describe('the local config', () => {
  it('has one local-<name> account per provider, from its dev kit, with the secrets its provider needs', () => {
    const file = configFile();
    const local = ensureLocalConfig(file) as unknown as Written;
    expect(local).toEqual(read(file));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(local.config.accounts.map((a) => [a.id, a.provider])).toEqual(PROVIDERS.map((p) => [`local-${p}`, p]));
    for (const provider of PROVIDERS) {
      const account = local.config.accounts.find((a) => a.provider === provider)!;
      expect(account, provider).toMatchObject(DEV_KITS[provider].local.account);
      expect(local.secrets.credentials[`local-${provider}`], provider).toEqual(expect.any(String));
      expect(Object.hasOwn(local.secrets.webhookSecrets, `local-${provider}`), provider).toBe(sendsCallbacks(provider));
    }
    const parsed = parseConfigDocument({ config: local.config, secrets: local.secrets }, file);
    expect(missingSecrets(parsed.config, parsed.secrets)).toEqual([]);
  });

  it('makes new credentials and webhook secrets for every home', () => {
    const [a, b] = [ensureLocalConfig(configFile()) as unknown as Written, ensureLocalConfig(configFile()) as unknown as Written];
    for (const provider of PROVIDERS)
      expect(a.secrets.credentials[`local-${provider}`]).not.toBe(b.secrets.credentials[`local-${provider}`]);
    expect(a.apiKey).not.toBe(b.apiKey);
  });

  it('gives a home written before a provider was added that provider’s account, changing nothing else', () => {
    const file = configFile();
    const first = ensureLocalConfig(file) as unknown as Written;
    // As if kaleyra (a provider that calls back) and livetok (one that does not) were added after this home was written,
    // and the user had edited the file since.
    const dropped = new Set(['local-kaleyra', 'local-livetok']);
    const edited: Written = structuredClone(first);
    edited.config.accounts = edited.config.accounts.filter((a) => !dropped.has(a.id));
    edited.config.accounts.push({ id: 'mine', provider: 'livechat', numberId: '99' });
    for (const id of dropped) {
      delete edited.secrets.credentials[id];
      delete edited.secrets.webhookSecrets[id];
    }
    edited.secrets.credentials.mine = 'my-own:token';
    edited.secrets.webhookSecrets.mine = ['whsec_bXktb3duLXNlY3JldC1ieXRlcw=='];
    writeFileSync(file, JSON.stringify(edited));
    const lines: string[] = [];
    const completed = ensureLocalConfig(file, (line) => lines.push(line)) as unknown as Written;
    expect(completed).toEqual(read(file));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Everything that was there is there unchanged, in its place; the two accounts come after.
    expect(completed.config.accounts.slice(0, edited.config.accounts.length)).toEqual(edited.config.accounts);
    expect(completed.config.accounts.slice(edited.config.accounts.length).map((a) => a.id)).toEqual(['local-livetok', 'local-kaleyra']);
    expect(completed.apiKey).toBe(first.apiKey);
    expect(completed.config.apiKeys).toEqual(first.config.apiKeys);
    for (const [id, credential] of Object.entries(edited.secrets.credentials)) expect(completed.secrets.credentials[id]).toBe(credential);
    for (const [id, secrets] of Object.entries(edited.secrets.webhookSecrets))
      expect(completed.secrets.webhookSecrets[id]).toEqual(secrets);
    expect(completed.secrets.recipientHashKey).toBe(first.secrets.recipientHashKey);
    expect(completed.secrets.credentials['local-kaleyra']).toEqual(expect.any(String));
    expect(completed.secrets.webhookSecrets['local-kaleyra']).toHaveLength(1);
    expect(completed.secrets.webhookSecrets['local-livetok']).toBeUndefined();
    expect(lines).toEqual([
      `config: added the account local-livetok for LiveTok, which had none in ${file}`,
      `config: added the account local-kaleyra for Kaleyra, which had none in ${file}`,
    ]);
    const parsed = parseConfigDocument({ config: completed.config, secrets: completed.secrets }, file);
    expect(missingSecrets(parsed.config, parsed.secrets)).toEqual([]);
  });

  it('leaves a complete home, and one with its own account of each provider, as it is', () => {
    const file = configFile();
    ensureLocalConfig(file);
    const renamed = read(file);
    // The user renamed local-gupshup: Gupshup still has an account, so none is added.
    renamed.config.accounts = renamed.config.accounts.map((a) => (a.id === 'local-gupshup' ? { ...a, id: 'shop-gupshup' } : a));
    writeFileSync(file, JSON.stringify(renamed));
    const before = readFileSync(file, 'utf8');
    const lines: string[] = [];
    ensureLocalConfig(file, (line) => lines.push(line));
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(lines).toEqual([]);
  });

  it('says which provider has no account when its local id is taken, and one whose API keys list accounts how to use it', () => {
    const file = configFile();
    const local = ensureLocalConfig(file) as unknown as Written;
    local.config.accounts = local.config.accounts
      .filter((a) => a.provider !== 'loopwave' && a.provider !== 'kaleyra')
      .map((a) => (a.id === 'local-livechat' ? { ...a, id: 'local-kaleyra' } : a));
    local.config.apiKeys = [{ ...local.config.apiKeys[0], accounts: ['local-livetok'] }];
    writeFileSync(file, JSON.stringify(local));
    const lines: string[] = [];
    const completed = ensureLocalConfig(file, (line) => lines.push(line)) as unknown as Written;
    expect(lines).toEqual([
      `config: Kaleyra has no account in ${file}, and the id local-kaleyra is another provider's: add one by hand`,
      `config: added the account local-loopwave for Loopwave, which had none in ${file} (add it to an API key's "accounts" to send with it)`,
    ]);
    expect(completed.config.accounts.filter((a) => a.id === 'local-kaleyra')).toEqual([expect.objectContaining({ provider: 'livechat' })]);
  });

  it('leaves a file it cannot read as a config to the check that names what is wrong', () => {
    const file = configFile();
    writeFileSync(file, JSON.stringify({ apiKey: 'k', config: { accounts: 'none' } }));
    const before = readFileSync(file, 'utf8');
    expect(ensureLocalConfig(file)).toEqual(JSON.parse(before));
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
