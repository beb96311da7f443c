/** Running a provider adapter against a Prism mock of its spec. */
import type { SendResult } from '../../src/providers/adapter.ts';

/** A fetch that asks the mock for one documented answer (`code=429`, `code=401, example=…`). */
export function preferring(prefer?: string): typeof globalThis.fetch {
  return (input, init) => {
    const request = new Request(input, init);
    if (prefer) request.headers.set('prefer', prefer);
    // The caller's signal on the fetch itself: the request's copy of it can be collected (test/support/forward.ts).
    return globalThis.fetch(request, withSignal(init));
  };
}

/** The caller's own signal, for a fetch of a Request made from `init` (whose copy of it can be collected). */
export const withSignal = (init?: RequestInit): RequestInit | undefined => (init?.signal ? { signal: init.signal } : undefined);

/** A fetch that fails the way a connection reset after sending does: the outcome is unknown. */
export const resetAfterSending: typeof globalThis.fetch = async () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
};

/** The retry class (or outcome) of a result, for compact assertions. */
export function classOf(result: SendResult): string {
  return result.outcome === 'rejected' ? result.error.retryClass : result.outcome;
}

/** A loopback URL on which nothing listens (a port taken and released again). */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A fetch that passes requests on to the network (a loopback mock) and keeps copies of each request and answer. */
export function recording() {
  const requests: Request[] = [];
  const responses: Response[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    const response = await globalThis.fetch(request, withSignal(init));
    responses.push(response.clone());
    return response;
  };
  return { fetch, requests, responses };
}
