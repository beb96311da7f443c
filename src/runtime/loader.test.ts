/**
 * The handlers' dependency loader: once, again after a failure, again once too old. A cold start
 * that fails once (Secrets Manager throttled) must not poison the container, and a warm
 * container's configuration must not outlive CONFIG_MAX_AGE_S.
 */
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../errors.ts';
import { lazyLoader } from './loader.ts';

/** A load that fails the first `failures` times (like a throttled Secrets Manager), then returns its call number. */
function flaky(failures = 0) {
  const state = { calls: 0 };
  const load = async () => {
    state.calls++;
    if (state.calls <= failures) throw new UnavailableError('secrets', 'ThrottlingException: Rate exceeded');
    return state.calls;
  };
  return { load, state };
}

describe('lazyLoader', () => {
  it('loads on first use and keeps what it loaded', async () => {
    const { load, state } = flaky();
    const deps = lazyLoader(load);
    expect(state.calls).toBe(0);
    expect([await deps(), await deps(), await deps()]).toEqual([1, 1, 1]);
    expect(state.calls).toBe(1);
  });

  it('shares one load between concurrent first uses', async () => {
    const { load, state } = flaky();
    const deps = lazyLoader(load);
    expect(await Promise.all([deps(), deps(), deps()])).toEqual([1, 1, 1]);
    expect(state.calls).toBe(1);
  });

  it('loads again after a failed load (and also after a load that throws synchronously), then keeps it', async () => {
    const { load, state } = flaky(2);
    const deps = lazyLoader(load);
    await expect(deps()).rejects.toThrow('Rate exceeded');
    await expect(deps()).rejects.toThrow('Rate exceeded');
    expect(await deps()).toBe(3);
    expect(await deps()).toBe(3);
    expect(state.calls).toBe(3);

    let throws = true;
    const sync = lazyLoader(() => {
      if (throws) throw new UnavailableError('secrets', 'no');
      return 'ok';
    });
    await expect(sync()).rejects.toThrow('no');
    throws = false;
    expect(await sync()).toBe('ok');
  });

  it('loads again on the first use once the last load is maxAgeMs old, not before', async () => {
    let clock = 1000;
    const { load, state } = flaky();
    const deps = lazyLoader(load, { maxAgeMs: 300_000, now: () => clock });
    expect(await deps()).toBe(1);
    clock += 299_999;
    expect(await deps()).toBe(1);
    clock += 1;
    expect(await deps()).toBe(2);
    clock += 299_999;
    expect(await deps()).toBe(2);
    expect(state.calls).toBe(2);
  });

  it('with a maximum age of 0, loads on every use', async () => {
    const { load } = flaky();
    const deps = lazyLoader(load, { maxAgeMs: 0, now: () => 0 });
    expect([await deps(), await deps(), await deps()]).toEqual([1, 2, 3]);
  });

  it('reads a maximum age given as a function only once something was loaded, and when it changes, follows it', async () => {
    let clock = 0;
    let reads = 0;
    let maxAge = 1000;
    const { load } = flaky();
    const deps = lazyLoader(load, {
      maxAgeMs: () => {
        reads++;
        return maxAge;
      },
      now: () => clock,
    });
    expect(await deps()).toBe(1);
    expect(reads).toBe(0);
    clock = 999;
    expect(await deps()).toBe(1);
    maxAge = 500;
    expect(await deps()).toBe(2);
    expect(reads).toBe(2);
  });

  it('a refresh that fails fails that use, and the next use loads again (the stale copy is not served)', async () => {
    let clock = 0;
    let fail = false;
    let calls = 0;
    const deps = lazyLoader(
      async () => {
        calls++;
        if (fail) throw new UnavailableError('secrets', 'throttled');
        return calls;
      },
      { maxAgeMs: 100, now: () => clock },
    );
    expect(await deps()).toBe(1);
    clock = 100;
    fail = true;
    await expect(deps()).rejects.toThrow('throttled');
    fail = false;
    expect(await deps()).toBe(3);
  });
});
