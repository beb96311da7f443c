import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HomeInUseError, homeAt, localHome, lockHolder, lockHome } from './home.ts';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'wapk-home-'));
  dirs.push(dir);
  return homeAt(dir);
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the local home', () => {
  it('is $WAPK_HOME itself (relative to the working directory), else .local there', () => {
    expect(localHome({}, '/repo').dir).toBe('/repo/.local');
    expect(localHome({ WAPK_HOME: '' }, '/repo').dir).toBe('/repo/.local');
    expect(localHome({ WAPK_HOME: 'stacks/a' }, '/repo')).toMatchObject({
      dir: '/repo/stacks/a',
      stateFile: '/repo/stacks/a/state.json',
      configFile: '/repo/stacks/a/config.json',
      lockFile: '/repo/stacks/a/lock',
    });
    expect(localHome({ WAPK_HOME: '/var/wapk' }, '/repo').dynamoDir).toBe('/var/wapk/dynamo');
  });

  it('is taken by one live process at a time, and released only by it', () => {
    const home = fresh();
    const release = lockHome(home, 1111, () => true);
    expect(readFileSync(home.lockFile, 'utf8')).toBe('1111\n');
    let refused: unknown;
    try {
      lockHome(home, 2222, (pid) => pid === 1111);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HomeInUseError);
    const message = expect.stringMatching(/is in use by another local stack \(pid 1111\).*WAPK_HOME/);
    expect(refused).toMatchObject({ pid: 1111, message });
    expect(lockHolder(home)).toBe(1111);
    release();
    expect(existsSync(home.lockFile)).toBe(false);
  });

  it('takes over the lock of a stack that died, and an unreadable one', () => {
    const home = fresh();
    writeFileSync(home.lockFile, '3333\n');
    const release = lockHome(home, 4444, (pid) => pid !== 3333);
    expect(lockHolder(home)).toBe(4444);
    release();
    writeFileSync(home.lockFile, 'garbage');
    lockHome(home, 5555, () => true);
    expect(lockHolder(home)).toBe(5555);
  });

  it('leaves a lock another process took over alone when releasing', () => {
    const home = fresh();
    const release = lockHome(home, 6666, () => false);
    writeFileSync(home.lockFile, '7777\n');
    release();
    expect(lockHolder(home)).toBe(7777);
  });
});
