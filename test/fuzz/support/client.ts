/**
 * A raw HTTP client for the fuzz suite: sends exactly the path, headers and bytes it is given (no
 * URL normalisation, so malformed percent-encoding reaches the server as written), bounds each
 * request by a timeout (a "hang"), and bounds how many requests are in flight.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as written, e.g. `/v1/messages/%E0%A4%A`. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  /** The HTTP status, `hang` (no answer within the timeout) or `reset` (the connection ended without an answer). */
  status: number | 'hang' | 'reset';
  headers: Record<string, string>;
  /** The answer's text (at most `MAX_KEPT` bytes). */
  body: string;
  /** When the request was sent and answered (ms since the epoch), for attributing writes to requests. */
  start: number;
  end: number;
}

const MAX_KEPT = 4 * 1024 * 1024;

export class RawClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;
  readonly timeoutMs: number;
  private readonly maxSockets: number;

  constructor(options: { host: string; port: number; timeoutMs: number; maxSockets: number }) {
    this.host = options.host;
    this.port = options.port;
    this.timeoutMs = options.timeoutMs;
    this.maxSockets = options.maxSockets;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  /**
   * Sends `raw`. A keep-alive socket the server closed while idle fails the next request sent on
   * it (ECONNRESET before any answer): that request is sent again, as Node's documentation
   * advises, so a stale socket is never counted against the server.
   */
  async send(raw: RawRequest): Promise<RawResponse> {
    // Every idle socket in the pool may be stale: at most one try per socket, then a new one.
    for (let tries = 0; ; tries++) {
      const { staleSocket, ...response } = await this.attempt(raw);
      if (!staleSocket || tries > this.maxSockets) return response;
    }
  }

  private attempt(raw: RawRequest): Promise<RawResponse & { staleSocket?: boolean }> {
    const start = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (response: Omit<RawResponse, 'start' | 'end'> & { staleSocket?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...response, start, end: Date.now() });
      };
      const headers = { ...raw.headers, ...(raw.body ? { 'content-length': String(raw.body.length) } : {}) };
      const request = httpRequest(
        { host: this.host, port: this.port, method: raw.method, path: raw.path, headers, agent: this.agent },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < MAX_KEPT) chunks.push(chunk);
            kept += chunk.length;
          });
          response.on('end', () =>
            finish({
              status: response.statusCode ?? 0,
              headers: flatHeaders(response.headers),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', () => finish({ status: 'reset', headers: {}, body: '' }));
        },
      );
      const timer = setTimeout(() => {
        finish({ status: 'hang', headers: {}, body: '' });
        request.destroy();
      }, this.timeoutMs);
      // A server may answer (e.g. 413) and close before reading a large body: the answer counts,
      // a write error after it does not.
      let answered = false;
      request.on('response', () => (answered = true));
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (!answered && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
          return finish({ status: 'reset', headers: {}, body: '', staleSocket: true });
        setTimeout(() => finish({ status: 'reset', headers: {}, body: '' }), 50);
      });
      request.end(raw.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/** Runs `work` over `items` with at most `limit` in flight, in order of start. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
