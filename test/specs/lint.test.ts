/**
 * The spec lint (Spectral with .spectral.yaml) runs in `npm test`: every spec is clean (each
 * provider's and the API's, as `npm run lint:specs` lints them), and the ruleset does catch what
 * it is there to catch.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SPECS } from '../../scripts/generation-jobs.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const spectral = join(root, 'node_modules/.bin/spectral');

async function lint(files: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(spectral, ['lint', '--fail-severity=warn', '--ruleset', join(root, '.spectral.yaml'), ...files], {
      cwd: root,
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, output: failure.stdout + failure.stderr };
  }
}

describe('spec lint', () => {
  it('reports nothing for any spec: the providers’ and the API’s', async () => {
    for (const name of SPECS) expect(existsSync(join(root, `specs/${name}.yaml`)), name).toBe(true);
    const result = await lint(SPECS.map((name) => `specs/${name}.yaml`));
    expect(result.output).toContain('No results');
    expect(result.code).toBe(0);
  }, 60_000);

  describe('catches broken specs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spec-lint-'));
    cpSync(join(root, 'specs/shared'), join(dir, 'shared'), { recursive: true });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
      [
        'an example that breaks its schema',
        'oas3-valid-media-example',
        (s: string) => s.replace("to: '48635625362'", "to: '+48635625362'"),
      ],
      [
        'a base path in servers',
        'servers-origin-only',
        (s: string) => s.replace('url: https://lwb-api.livechat-integrations.com', 'url: https://lwb-api.livechat-integrations.com/v1'),
      ],
      ['an unknown x-source', 'x-source-values', (s: string) => s.replace(/^(\s+)x-source: inferred$/m, '$1x-source: guess')],
    ])(
      '%s',
      async (_what, rule, mutate) => {
        const original = readFileSync(join(root, 'specs/livechat.yaml'), 'utf8');
        const mutated = mutate(original);
        expect(mutated).not.toBe(original);
        const file = join(dir, `${rule}.yaml`);
        writeFileSync(file, mutated);
        const result = await lint([file]);
        expect(result.code).not.toBe(0);
        expect(result.output).toContain(rule);
      },
      60_000,
    );
  });
});
