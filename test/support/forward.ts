/**
 * Forwards a request (to `url` when given) with the caller's signal handed to the final fetch
 * itself. A Request made here and then dropped would carry only a linked copy of the signal, and
 * that link can be garbage-collected: the deadline is lost and the call waits forever — the very
 * failure src/runtime/deadline.ts describes, met again by a test wrapper under load (a 200 ms
 * deadline that never fired in 30 s).
 */
export async function forward(input: RequestInfo | URL, init?: RequestInit, url?: string): Promise<Response> {
  const request = new Request(input, init);
  const signal = init?.signal ?? (input instanceof Request ? input.signal : null);
  const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
  return globalThis.fetch(url ?? request.url, { method: request.method, headers: request.headers, body, signal });
}
