/**
 * What a function's cold start does before its first request (issue 19): importing a handler
 * builds no zod schema, loads neither libphonenumber nor a provider's callback or sending code, and
 * makes no logger. Schemas are built on first use (src/runtime/lazy-schema.ts), the request's with
 * libphonenumber on the first request read (src/messages/request-schemas.ts), provider parts on
 * first use (src/providers/lazy-adapter.ts, src/providers/webhook-sides.ts), the logger with the
 * first line (src/runtime/log.ts); a schema built at import again — a new top-level `z.object(…)`,
 * a composition that touches a lazy schema at import — fails here, by name and by the line that
 * built it, with no timing involved.
 *
 * How: zod is replaced, for this file only, by itself with every factory (`z.string`,
 * `z.strictObject`, `z.iso.datetime`, …) counted; each handler module is imported afresh.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { bundleFunction } from '../../infra/bundle.ts';
import { functionEntry, PIPELINE_FUNCTIONS, type PipelineFunctionName } from '../../infra/components/functions.ts';
import { PROVIDERS } from '../providers/names.ts';

const counted = vi.hoisted(() => ({ calls: [] as string[], modules: new Set<string>() }));

/** The first repository line in the current stack that is not this file: who called zod. */
const callerOf = (stack = ''): string =>
  stack
    .split('\n')
    .slice(1)
    .find((line) => /\/(src|generated)\//.test(line) && !line.includes('cold-import.test'))
    ?.trim()
    .replace(/^at .*?\(?(?:file:\/\/)?[^()]*?\/((?:src|generated)\/[^)]*)\)?$/, '$1') ?? '(unknown)';

vi.mock('zod', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const count = <F extends (...args: never[]) => unknown>(name: string, fn: F) =>
    function (this: unknown, ...args: Parameters<F>) {
      counted.calls.push(`z.${name} from ${callerOf(new Error().stack)}`);
      return fn.apply(this, args);
    };
  const wrap = (namespace: Record<string, unknown>, prefix = ''): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(namespace).map(([key, value]) => [
        key,
        typeof value === 'function' && /^[a-z]/.test(key)
          ? count(`${prefix}${key}`, value as (...args: never[]) => unknown)
          : key === 'iso' && value && typeof value === 'object'
            ? wrap(value as Record<string, unknown>, 'iso.')
            : value,
      ]),
    );
  return wrap(real);
});

// Modules that load on first use say when they are evaluated: libphonenumber (its metadata, with
// the request's schemas: src/messages/request-schemas.ts), and Kaleyra's callback normaliser
// (src/providers/webhook-sides.ts) and sending part (src/providers/lazy-adapter.ts), for every
// provider's (the bench's first invocations are Kaleyra's).
vi.mock('libphonenumber-js', async (importOriginal) => {
  counted.modules.add('libphonenumber-js');
  return importOriginal();
});
vi.mock('../providers/kaleyra/webhook.ts', async (importOriginal) => {
  counted.modules.add('kaleyra/webhook.ts');
  return importOriginal();
});
vi.mock('../providers/kaleyra/adapter.ts', async (importOriginal) => {
  counted.modules.add('kaleyra/adapter.ts');
  return importOriginal();
});
// Powertools' Logger is made with a function's first log line, not at import (src/runtime/log.ts).
vi.mock('@aws-lambda-powertools/logger', async (importOriginal) => {
  const real = await importOriginal<typeof import('@aws-lambda-powertools/logger')>();
  class Logger extends real.Logger {
    constructor(...args: ConstructorParameters<typeof real.Logger>) {
      super(...args);
      counted.modules.add('new Logger');
    }
  }
  return { ...real, Logger };
});

/** Each handler module, imported afresh (after `vi.resetModules`). */
const HANDLERS: Record<PipelineFunctionName, () => Promise<{ handler: unknown }>> = {
  accept: () => import('./accept.ts'),
  status: () => import('./status.ts'),
  sender: () => import('./sender.ts'),
  requeue: () => import('./requeue.ts'),
  webhook: () => import('./webhook.ts'),
  push: () => import('./push.ts'),
};

describe('importing a function', () => {
  beforeEach(() => {
    vi.resetModules();
    counted.calls.length = 0;
    counted.modules.clear();
  });

  it.each(PIPELINE_FUNCTIONS)('%s builds no zod schema, loads no phone metadata or provider part, makes no logger', async (name) => {
    const module = await HANDLERS[name]();
    expect(typeof module.handler).toBe('function');
    expect(counted.calls).toEqual([]);
    expect([...counted.modules]).toEqual([]);
  });

  it('loads the request schemas (and libphonenumber) on first use, once', async () => {
    await HANDLERS.accept();
    const { requestSchemas } = await import('../messages/request-schemas.ts');
    expect(counted.modules.has('libphonenumber-js')).toBe(false);
    const [first, second] = await Promise.all([requestSchemas(), requestSchemas()]);
    expect(first).toBe(second);
    expect(counted.modules.has('libphonenumber-js')).toBe(true);
    expect(first.SendRequest.shape.recipient.parse('14155550123')).toBe('+14155550123');
    expect(counted.calls.length).toBeGreaterThan(0);
  });

  it('counts a schema built at import (the check can fail)', async () => {
    await import('../config/accounts.ts');
    const z = await import('zod');
    z.string();
    expect(
      counted.calls.some((call) => call.startsWith('z.string from src/functions/cold-import.test') || call.startsWith('z.string')),
    ).toBe(true);
  });
});

/**
 * Every file an import loads costs the webhook's cold start (Node resolves, reads, compiles and
 * links each chunk): its bundle is split at the providers' normalisers, loaded with a provider's
 * first callback, and a module a normaliser shares with the entry goes to a chunk of its own,
 * loaded at import. A normaliser importing its provider's module put each calling-back provider's
 * module (its account fields, content checks) in such a chunk: four more files at import than any
 * other function (issue 19). The check is now joined to the normaliser where the sides are listed
 * (src/providers/webhook-sides.ts), and the provider modules stay in the entry.
 */
describe('the webhook bundle', () => {
  it('keeps every provider module in its entry file, not in chunks shared with the normalisers', () => {
    const { metafile } = bundleFunction('webhook', functionEntry('webhook'), 'test-cold-import');
    const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
    const [entry] = outputs.find(([path]) => path.endsWith('/webhook/index.mjs'))!;
    const holding = (input: string) => outputs.filter(([, output]) => (output.inputs[input]?.bytesInOutput ?? 0) > 0).map(([path]) => path);
    for (const provider of PROVIDERS) {
      for (const part of ['index', 'account'])
        expect(holding(`src/providers/${provider}/${part}.ts`), `${provider}/${part}`).toEqual([entry]);
    }
    // The normalisers themselves still load on first use: each in a chunk the entry imports dynamically.
    const dynamic = new Set(metafile.outputs[entry]!.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
    for (const provider of ['livechat', 'gupshup', 'loopwave', 'kaleyra']) {
      const [chunk] = holding(`src/providers/${provider}/webhook.ts`);
      expect(chunk, provider).not.toBe(entry);
      expect(dynamic.has(chunk!), provider).toBe(true);
    }
  }, 60_000);
});
