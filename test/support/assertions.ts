/** Assertions shared by the spec tests. */
import { expect } from 'vitest';

interface ParseResult {
  success: boolean;
  error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
}

/**
 * Asserts that a zod parse failed because of `field` (a dotted path such as `template.name` or
 * `recipients.0.chatId`): some issue's path must equal it, so a test fails if the rule is dropped
 * and the request fails for another reason.
 */
export function expectRejected(result: ParseResult, field: string): void {
  expect(result.success, `expected a violation at ${field}`).toBe(false);
  const paths = (result.error?.issues ?? []).flatMap((issue) => collectPaths(issue));
  expect(paths, `issues: ${JSON.stringify(result.error?.issues)}`).toContain(field);
}

/** Union failures nest the branch issues under `errors`: look into them too. */
function collectPaths(issue: { path: ReadonlyArray<PropertyKey>; errors?: unknown }, prefix: ReadonlyArray<PropertyKey> = []): string[] {
  const path = [...prefix, ...issue.path];
  const nested = Array.isArray(issue.errors)
    ? (issue.errors as Array<Array<{ path: ReadonlyArray<PropertyKey> }>>).flat().flatMap((inner) => collectPaths(inner, path))
    : [];
  return [path.map(String).join('.'), ...nested];
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** A fetch that records each request and answers `status` with a JSON `body`; never touches the network. */
export function recordingFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const requests: RecordedRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    requests.push({ method: request.method, url: request.url, headers: request.headers, body: await request.text() });
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}
