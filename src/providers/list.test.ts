/**
 * The list of providers is the one place a provider is registered: everything that cannot be
 * derived from it (folders, specs, generated clients, contracts, package exports, the spec lint)
 * is checked against it here, so a provider added in part fails the suite and names what is
 * missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccountConfig } from '../config/accounts.ts';
import { SendRequest } from '../messages/send-request.ts';
import { FIXTURES } from '../../test/support/providers.ts';
import { DEV_KITS } from './dev.ts';
import { PROVIDER_LIST, providerModule } from './index.ts';
import { PROVIDERS } from './names.ts';

const root = new URL('../../', import.meta.url);
const exists = (path: string) => existsSync(new URL(path, root));
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, unknown>; scripts: Record<string, string> };

describe('the list of providers', () => {
  it('is the folders under src/providers/ that hold a provider module, in the order of names.ts', () => {
    const folders = readdirSync(new URL('src/providers/', root), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && exists(`src/providers/${entry.name}/index.ts`))
      .map((entry) => entry.name);
    expect(new Set(folders)).toEqual(new Set(PROVIDERS));
    expect(PROVIDER_LIST.map((module) => module.name)).toEqual([...PROVIDERS]);
  });

  describe.each(PROVIDERS.map((name) => [name]))('%s', (name) => {
    it('has its module parts in its folder: account, adapter, fixtures, local-only kit, and a webhook side if it calls back', () => {
      for (const part of ['index.ts', 'account.ts', 'adapter.ts', 'adapter.test.ts', 'fixtures.ts', 'dev/index.ts']) {
        expect(exists(`src/providers/${name}/${part}`), `src/providers/${name}/${part}`).toBe(true);
      }
      expect(exists(`src/providers/${name}/webhook.ts`), `src/providers/${name}/webhook.ts`).toBe(providerModule(name).webhook !== null);
      expect(DEV_KITS[name].simulator !== null, `${name} dev kit simulator`).toBe(providerModule(name).webhook !== null);
    });

    it('has its spec, generated client, public client module and contracts in the top-level folders', () => {
      for (const path of [`specs/${name}.yaml`, `generated/${name}/zod.gen.ts`, `generated/${name}/sdk.gen.ts`, `src/clients/${name}.ts`, `contracts/${name}/${name}.pact.test.ts`]) {
        expect(exists(path), path).toBe(true);
      }
      const webhookPact = `contracts/${name}/${name}.webhooks.pact.test.ts`;
      expect(exists(webhookPact), webhookPact).toBe(providerModule(name).webhook !== null);
    });

    it('is exported by the package and linted with the house rules', () => {
      expect(packageJson.exports[`./${name}`], `package.json exports ./${name}`).toEqual({ types: `./dist/src/clients/${name}.d.ts`, import: `./dist/src/clients/${name}.js` });
      expect(packageJson.scripts['lint:specs']!.split(/\s+/), 'npm run lint:specs').toContain(`specs/${name}.yaml`);
    });

    it('has fixtures its own schemas and adapter accept', () => {
      const fixtures = FIXTURES[name];
      const account = AccountConfig.parse(fixtures.account);
      expect(account.provider).toBe(name);
      expect(providerModule(name).owns(account)).toBe(true);
      const content = SendRequest.shape.content.parse(fixtures.content);
      expect(providerModule(name).forAnyAccount.check(content, account)).toEqual([]);
    });

    it('refuses an account of another provider instead of sending with it', () => {
      const other = PROVIDERS.find((candidate) => candidate !== name)!;
      const account = AccountConfig.parse(FIXTURES[other].account);
      expect(providerModule(name).owns(account)).toBe(false);
      expect(() => providerModule(name).forAnyAccount.check({ kind: 'text', text: 'hi' }, account)).toThrow(TypeError);
    });
  });

  it('gives every provider mock its own fixed port', () => {
    const ports = PROVIDERS.map((name) => DEV_KITS[name].mock.port);
    expect(new Set(ports).size).toBe(ports.length);
  });
});
