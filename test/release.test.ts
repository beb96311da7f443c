/**
 * The release process (docs/ci.md#releasing), as far as it runs without GitHub and npm: in a git
 * copy of the repository's release files, a committed changeset becomes, through `changeset
 * version` (what the Version Packages pull request runs), the next version in package.json and an
 * entry naming the commit above CHANGELOG.md's earlier versions, the rest of both files unchanged.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` };

describe('releasing with Changesets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wapk-release-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns a committed changeset into the next version and a CHANGELOG entry naming the commit', async () => {
    for (const file of ['package.json', 'CHANGELOG.md', 'biome.jsonc']) cpSync(join(root, file), join(dir, file));
    mkdirSync(join(dir, '.changeset'));
    cpSync(join(root, '.changeset/config.json'), join(dir, '.changeset/config.json'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
    await git('init', '--quiet', '--initial-branch=main');
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    await git('add', '-A');
    await git('commit', '--quiet', '-m', 'the repository as it is');

    const packageBefore = readFileSync(join(dir, 'package.json'), 'utf8');
    const changelogBefore = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
    const { name, version } = JSON.parse(packageBefore) as { name: string; version: string };
    const [major, minor] = version.split('.').map(Number);
    const next = `${major}.${minor! + 1}.0`;

    const changeset = join(dir, '.changeset/pacts-in-the-package.md');
    writeFileSync(changeset, `---\n"${name}": minor\n---\n\nThe pacts ship in the package.\n`);
    await git('add', '-A');
    await git('commit', '--quiet', '-m', 'a change users should hear about');
    const { stdout: sha } = await run('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: dir });

    await run('node', [join(root, 'node_modules/@changesets/cli/bin.js'), 'version'], { cwd: dir, env });

    expect(existsSync(changeset), 'the changeset is used up').toBe(false);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(packageBefore.replace(`"version": "${version}"`, `"version": "${next}"`));
    const firstVersion = changelogBefore.search(/^## \d+\.\d+\.\d+/m);
    expect(firstVersion).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toBe(
      `${changelogBefore.slice(0, firstVersion)}## ${next}\n\n### Minor Changes\n\n- ${sha.trim()}: The pacts ship in the package.\n\n` +
        changelogBefore.slice(firstVersion),
    );
  });
});
