/**
 * The list of providers is the one place a provider is registered: everything that cannot be
 * derived from it (folders, specs — all of specs/ but the API's own, scripts/generation-jobs.ts —,
 * generated clients, spec tests, contracts and their committed pacts, package exports, the mock's
 * port, the local account, the README's and docs/' tables) is checked against it here, so a
 * provider added in part fails the suite and names what is missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccountConfig } from '../config/accounts.ts';
import { SendRequest } from '../messages/send-request.ts';
import { FIXTURES } from '../../test/support/providers.ts';
import { DEV_KITS } from './dev.ts';
import { titles } from '../local/scenarios.ts';
import { lastReportedStatus, PROVIDER_LIST, providerModule } from './index.ts';
import { isProviderName, PROVIDERS, type ProviderName } from './names.ts';
import { API_SPEC, SPECS } from '../../scripts/generation-jobs.ts';

const root = new URL('../../', import.meta.url);
const exists = (path: string) => existsSync(new URL(path, root));
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, unknown>;
  scripts: Record<string, string>;
};

describe('the list of providers', () => {
  it('is the folders under src/providers/ that hold a provider module, in the order of names.ts', () => {
    const folders = readdirSync(new URL('src/providers/', root), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && exists(`src/providers/${entry.name}/index.ts`))
      .map((entry) => entry.name);
    expect(new Set(folders)).toEqual(new Set(PROVIDERS));
    expect(PROVIDER_LIST.map((module) => module.name)).toEqual([...PROVIDERS]);
  });

  describe.each(PROVIDERS.map((name) => [name]))('%s', (name) => {
    it('has its module parts in its folder: account, adapter (content checks apart), fixtures, local-only kit, and a webhook side if it calls back', () => {
      for (const part of ['index.ts', 'account.ts', 'content.ts', 'adapter.ts', 'adapter.test.ts', 'fixtures.ts', 'dev/index.ts']) {
        expect(exists(`src/providers/${name}/${part}`), `src/providers/${name}/${part}`).toBe(true);
      }
      expect(exists(`src/providers/${name}/webhook.ts`), `src/providers/${name}/webhook.ts`).toBe(providerModule(name).webhook !== null);
      expect(DEV_KITS[name].simulator !== null, `${name} dev kit simulator`).toBe(providerModule(name).webhook !== null);
    });

    it('has its spec, generated client, spec test, public client module and contracts in the top-level folders', () => {
      const paths = [
        `specs/${name}.yaml`,
        `generated/${name}/zod.gen.ts`,
        `generated/${name}/sdk.gen.ts`,
        `test/specs/${name}.test.ts`,
        `src/clients/${name}.ts`,
        `contracts/${name}/${name}.pact.test.ts`,
      ];
      for (const path of paths) expect(exists(path), path).toBe(true);
      const webhookPact = `contracts/${name}/${name}.webhooks.pact.test.ts`;
      expect(exists(webhookPact), webhookPact).toBe(providerModule(name).webhook !== null);
    });

    it('has its pacts written and committed (npm run pacts:update writes them)', () => {
      const pacts = [`contracts/pacts/whatsapp-provider-kit-${name}.json`];
      if (providerModule(name).webhook !== null) pacts.push(`contracts/pacts/whatsapp-provider-kit-webhooks-${name}.json`);
      for (const pact of pacts) expect(exists(pact), `${pact} (run npm run pacts:update)`).toBe(true);
    });

    it('is exported by the package', () => {
      expect(packageJson.exports[`./${name}`], `package.json exports ./${name}`).toEqual({
        types: `./dist/src/clients/${name}.d.ts`,
        import: `./dist/src/clients/${name}.js`,
      });
    });

    it('has a local account its schema accepts and its fixture message can be sent on (npm start, the e2e tests)', () => {
      const local = AccountConfig.parse({ id: `local-${name}`, provider: name, ...DEV_KITS[name].local.account });
      const content = SendRequest.shape.content.parse(FIXTURES[name].content);
      expect(providerModule(name).forAnyAccount.check(content, local), `${name} dev kit local.account`).toEqual([]);
      expect(DEV_KITS[name].local.credential('token'), `${name} dev kit local.credential`).toContain('token');
    });

    it('reports an opt-out with a code the pipeline reads as one, where its simulator has its own', () => {
      const own = DEV_KITS[name].simulator?.optedOut;
      if (own) expect(providerModule(name).optOutCodes, `${name} dev kit simulator.optedOut`).toContain(own.code);
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

  it('has a spec in specs/ per provider, beside the API’s own (a spec that is not a provider’s), and no other', () => {
    const specs = readdirSync(new URL('specs/', root)).filter((name) => name.endsWith('.yaml'));
    expect(new Set(specs)).toEqual(new Set(SPECS.map((name) => `${name}.yaml`)));
    expect(
      SPECS.filter((name) => !isProviderName(name)),
      'specs that are not a provider’s',
    ).toEqual([API_SPEC]);
  });

  it('is linted with the house rules: npm run lint:specs lints every spec', () => {
    expect(packageJson.scripts['lint:specs']!.split(/\s+/), 'npm run lint:specs').toContain(`'specs/*.yaml'`);
  });

  it('gives every provider mock its own fixed port', () => {
    const byPort = new Map<number, string[]>();
    for (const name of PROVIDERS) byPort.set(DEV_KITS[name].mock.port, [...(byPort.get(DEV_KITS[name].mock.port) ?? []), name]);
    const clashes = [...byPort].filter(([, names]) => names.length > 1).map(([port, names]) => `${names.join(' and ')} on ${port}`);
    const fix = 'dev kits (src/providers/<name>/dev/index.ts) with the same mock.port: give one the next free port after the highest';
    expect(clashes, fix).toEqual([]);
  });

  describe('in the README and docs/, which name every provider where they list them', () => {
    /** A page (README.md or docs/<name>.md): its text, its prose (whitespace folded) and its tables; messages name it. */
    const page = (path: string) => {
      const text = readFileSync(new URL(path, root), 'utf8');
      /** The rows of the table whose header line starts with `header`. */
      const table = (header: string) => {
        const lines = text.split('\n');
        const start = lines.findIndex((line) => line.startsWith(header));
        const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
        return start < 0 ? [] : lines.slice(start + 2, end);
      };
      return { path, text, prose: text.replace(/\s+/g, ' '), table };
    };
    const readme = page('README.md');
    const guide = page('docs/guide.md');
    const api = page('docs/api.md');
    const pipeline = page('docs/pipeline.md');
    const testing = page('docs/testing.md');
    const specs = page('docs/specs.md');
    const title = (name: ProviderName) => providerModule(name).title;
    const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

    it('the introduction: how many, and each by name', () => {
      const intro = readme.prose.slice(0, readme.prose.indexOf('One command deploys it'));
      expect(intro).toContain(`through ${NUMBERS[PROVIDERS.length]} providers`);
      for (const name of PROVIDERS) expect(intro, `README.md intro: **${title(name)}**`).toContain(`**${title(name)}**`);
    });

    it('npm start’s output, the mock table and the range of mock ports', () => {
      const ports = PROVIDERS.map((name) => DEV_KITS[name].mock.port);
      for (const name of PROVIDERS) {
        const url = `http://127.0.0.1:${DEV_KITS[name].mock.port}`;
        expect(readme.text, `README.md npm start output: mock ${name}`).toContain(`  mock      ${name.padEnd(9)} ${url}\n`);
        expect(testing.text, `docs/testing.md "Running the mocks" table: ${name}`).toContain(`| ${name} | ${url} |`);
      }
      expect(guide.prose, "docs/guide.md: the mocks' port range").toContain(`on ports ${Math.min(...ports)}–${Math.max(...ports)}`);
    });

    it('the tables of limits and of webhooks, and a section on its spec', () => {
      const limits = pipeline.table('| provider | default budget |');
      const webhooks = pipeline.table('| provider | authenticity |');
      for (const name of PROVIDERS) {
        expect(
          limits.some((row) => row.split('|')[1]!.includes(title(name))),
          `docs/pipeline.md limits table: ${title(name)}`,
        ).toBe(true);
        expect(
          webhooks.some((row) => row.startsWith(`| ${title(name)} |`)),
          `docs/pipeline.md webhooks table: ${title(name)}`,
        ).toBe(true);
        expect(specs.text, `docs/specs.md spec section: ${title(name)}`).toContain(`### ${title(name)} (\`specs/${name}.yaml\`)`);
      }
    });

    it('how each client authenticates, each provider’s own status words, the 5xx that prove nothing was sent', () => {
      const paragraph = (of: ReturnType<typeof page>, start: string) => {
        const at = of.prose.indexOf(start);
        return at < 0 ? '' : of.prose.slice(at, at + 1200);
      };
      const auth = paragraph(guide, '- Auth: `auth` is');
      for (const name of PROVIDERS) expect(auth, `docs/guide.md "- Auth:" bullet: ${title(name)}`).toContain(title(name));
      const wordsAt = api.prose.indexOf('Provider words map onto it');
      const words = wordsAt < 0 ? '' : api.prose.slice(wordsAt, api.prose.indexOf('**Privacy.**', wordsAt));
      for (const name of PROVIDERS) {
        const own = Object.entries(providerModule(name).statusWords).filter(([word, status]) => word.toLowerCase() !== status);
        for (const [word] of own) {
          expect(words, `docs/api.md "Provider words map onto it": ${title(name)} \`${word}\``).toContain(`\`${word}\``);
        }
        if (own.length > 0) expect(words, `docs/api.md "Provider words map onto it": ${title(name)}`).toContain(title(name));
      }
      const refusals = paragraph(pipeline, 'Which answers prove that nothing was sent');
      for (const name of PROVIDERS) {
        for (const code of providerModule(name).documented5xxRefusals) {
          const named = `${title(name)}'s ${code}`;
          expect(refusals, `docs/pipeline.md "Which answers prove that nothing was sent": ${named}`).toContain(named);
        }
      }
    });

    it('the providers whose messages end at `sent`, and those with no lookup', () => {
      const endAtSent = PROVIDERS.filter((name) => lastReportedStatus(name) === 'sent');
      expect(readme.prose, 'README.md: wapk watch').toContain(`or \`sent\` for ${titles(endAtSent)} (which report nothing after it)`);
      expect(guide.prose, 'docs/guide.md').toContain(`(\`read\`; \`sent\` for ${titles(endAtSent)})`);
      const noLookup = PROVIDERS.filter((name) => !providerModule(name).adapter.capabilities.lookup);
      expect(pipeline.prose, 'docs/pipeline.md').toContain(`For **${titles(noLookup)}** there is no lookup`);
    });
  });
});
