import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deadlineSignal } from './deadline.ts';

/** What a child with --expose-gc prints running `script` (an ES module): the outcome of a call under forced collections. */
function underCollections(script: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { timeout: 20_000 }, (error, out) =>
      error ? reject(error) : resolve(out.trim()),
    ),
  );
}

describe('deadlineSignal', () => {
  it('aborts with a TimeoutError after its time', async () => {
    const signal = deadlineSignal(20);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts with the outer signal’s reason when that aborts first', () => {
    const outer = new AbortController();
    const signal = deadlineSignal(60_000, outer.signal);
    outer.abort(new Error('shutting down'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('shutting down');
    expect(deadlineSignal(60_000, outer.signal).aborted).toBe(true);
  });

  it('still fires when nothing but the pending request holds it, after garbage collections', async () => {
    // A server that takes the request and never answers; the fetch must end at the deadline.
    const server = createServer((request) => request.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const pending = fetch(url, { method: 'POST', body: '{}', signal: deadlineSignal(300) }).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      const gc = (globalThis as { gc?: () => void }).gc;
      // Pressure the collector while the request waits (a full collection where --expose-gc is on).
      for (let i = 0; i < 20; i++) {
        if (gc) gc();
        else void Array.from({ length: 50_000 }, (_, j) => ({ j }));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await pending).toBe('TimeoutError');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps the sender’s call deadline through garbage collections (a fetch of a Request object, as the generated clients make)', async () => {
    // In a child with --expose-gc: a server that never answers, a call through withDeadline, full
    // collections while it waits. Before the fix (a `new Request(input, { signal })` handed to
    // fetch) the call never ended.
    const script = `
      import { createServer } from 'node:http';
      import { withDeadline } from ${JSON.stringify(new URL('../sender/sender.ts', import.meta.url).href)};
      const server = createServer((request) => request.resume());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = 'http://127.0.0.1:' + server.address().port;
      const call = withDeadline(fetch, 300)(new Request(url, { method: 'POST', body: '{}' })).then(() => 'answered', (e) => e.name);
      for (let i = 0; i < 30; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      const hung = setTimeout(() => { console.log('hung'); process.exit(0); }, 5000);
      console.log(await call);
      clearTimeout(hung); server.closeAllConnections(); server.close();`;
    expect(await underCollections(script)).toBe('TimeoutError');
  }, 30_000);
  it('keeps it through a test wrapper that forwards the call elsewhere (test/support/forward.ts)', async () => {
    // Found by the flaky-test loop: a wrapper made `fetch(new Request(url, new Request(input, init)))`,
    // and under collections the 200 ms deadline never fired (the test timed out at 30 s).
    const script = `
      import { createServer } from 'node:http';
      import { withDeadline } from ${JSON.stringify(new URL('../sender/sender.ts', import.meta.url).href)};
      import { forward } from ${JSON.stringify(new URL('../../test/support/forward.ts', import.meta.url).href)};
      const server = createServer((request) => request.resume());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = 'http://127.0.0.1:' + server.address().port;
      const elsewhere = (input, init) => forward(input, init, url);
      const call = withDeadline(elsewhere, 300)(new Request('http://provider.invalid/', { method: 'POST', body: '{}' }))
        .then(() => 'answered', (e) => e.name);
      for (let i = 0; i < 30; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      const hung = setTimeout(() => { console.log('hung'); process.exit(0); }, 5000);
      console.log(await call);
      clearTimeout(hung); server.closeAllConnections(); server.close();`;
    expect(await underCollections(script)).toBe('TimeoutError');
  }, 30_000);
});
