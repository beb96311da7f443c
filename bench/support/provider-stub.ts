/**
 * An in-process provider for benchmarks: a `fetch` (the sender's `fetch` dependency) answering the
 * send endpoints of the Meta-number providers — LiveChat, Gupshup, Kaleyra — and LiveTok's after a
 * lognormal latency, and enforcing each sender number's (LiveTok: each API key's) limit as a
 * provider does: at most `limit` sends per fixed window of `windowMs`, the windows aligned at a
 * random offset the pacer does not know; beyond it a 429 with `Retry-After`. Every request is
 * recorded (number, arrival, recipient, status), so a run can count 429s and messages sent twice.
 * A dev tool: never imported from src/.
 *
 * Time: `now` and `sleep` are injectable (a virtual clock: bench/support/virtual-clock.ts). A
 * request reaches the provider `transitMs()` after the call (default 0): the window counts it
 * then, so a transit that varies from call to call is the network's arrival jitter.
 *
 * The latency: ln(latency) is normal with μ = ln(p50) and σ = ln(p99 / p50) / 2.326 (2.326 is the
 * standard normal's 99th percentile), so p50 300 ms and p99 1.5 s give σ = ln 5 / 2.326 ≈ 0.69.
 * The window counts every arrival, refused or not (as the provider mock does, src/mock).
 */
import { createHash } from 'node:crypto';

export interface StubSend {
  /** `<provider>:<sender number>`: the budget the send counted against. */
  number: string;
  /** When it arrived (ms): the instant the window counted it. */
  at: number;
  /** When the sender made the call (ms): `at` less the transit. */
  calledAt: number;
  /** The recipient's digits: one message per recipient in a campaign, so a recipient seen twice is a message sent twice. */
  recipient: string;
  status: number;
  latencyMs: number;
}

export interface ProviderStubOptions {
  /** Sends per window per sender number. Default 80 (Meta's per-number limit). */
  limit?: number;
  /** Default 1000. */
  windowMs?: number;
  /** Median latency, ms. Default 300. */
  p50Ms?: number;
  /** 99th percentile latency, ms. Default 1500. */
  p99Ms?: number;
  /** Default Math.random. */
  random?: () => number;
  now?: () => number;
  /** How the answer's latency is waited for (default a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** From the call to its arrival at the provider, ms (default 0): drawn per call. */
  transitMs?: () => number;
  /** Each number's window offset in [0, windowMs); default random. */
  offsetMs?: (number: string) => number;
}

export interface ProviderStub {
  fetch: typeof globalThis.fetch;
  sends: StubSend[];
  /** Each sender number's window offset (ms), as drawn. */
  offsets: Map<string, number>;
}

/** The standard normal's 99th percentile. */
const Z99 = 2.326;

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: no log(0)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A lognormal sampler with the given median and 99th percentile. */
export function lognormal(p50Ms: number, p99Ms: number, random: () => number = Math.random): () => number {
  const mu = Math.log(p50Ms);
  const sigma = Math.log(p99Ms / p50Ms) / Z99;
  return () => Math.exp(mu + sigma * normal(random));
}

interface Route {
  provider: string;
  number: (path: string[], body: Record<string, string>, headers: Headers) => string | undefined;
  recipient: (body: Record<string, string>) => string;
  status: number;
  answer: (n: number, body: Record<string, string>) => unknown;
  refusal: unknown;
}

/** The send endpoints, by path pattern: what identifies the sender number, and a valid answer (the specs' shapes). */
const ROUTES: Array<{ pattern: RegExp } & Route> = [
  {
    // LiveTok: POST /v1/messages/templates (JSON); its limit is per API key (the number here is a digest of the key).
    pattern: /^\/v1\/messages\/templates$/,
    provider: 'livetok',
    number: (_, __, headers) =>
      createHash('sha256')
        .update(headers.get('authorization') ?? '')
        .digest('hex')
        .slice(0, 8),
    recipient: (body) => (body.to ?? '').replace(/^\+/, ''),
    status: 200,
    answer: (n, body) => ({
      id: `msg_${n}`,
      status: 'sent',
      to: body.to,
      template_name: body.template_name,
      created_at: '2026-01-01T00:00:00Z',
    }),
    refusal: { error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Too many requests. Please try again later.' } },
  },
  {
    // LiveChat: POST /whatsapp-numbers/{id}/template-messages (JSON; its answer has no field the adapter reads).
    pattern: /^\/whatsapp-numbers\/([^/]+)\/template-messages$/,
    provider: 'livechat',
    number: (path) => path[0],
    recipient: (body) => body.to ?? '',
    status: 200,
    answer: (n) => ({ id: `lc-${n}` }),
    refusal: { message: 'Too Many Requests' },
  },
  {
    // Gupshup: POST /wa/api/v1/template/msg (a form: source, destination, …).
    pattern: /^\/wa\/api\/v1\/template\/msg$/,
    provider: 'gupshup',
    number: (_, body) => body.source,
    recipient: (body) => body.destination ?? '',
    status: 202,
    answer: (n) => ({ status: 'success', messageId: `gs-${n}` }),
    refusal: { status: 'error', message: 'Too Many Requests' },
  },
  {
    // Kaleyra: POST /v2/{sid}/whatsapp/{phone_number}/messages (JSON).
    pattern: /^\/v2\/[^/]+\/whatsapp\/([^/]+)\/messages$/,
    provider: 'kaleyra',
    number: (path) => path[0],
    recipient: (body) => (JSON.parse(body.messaging_object ?? '{}') as { to?: string }).to ?? '',
    status: 202,
    answer: (n) => ({ code: 'WA202', message: 'accepted', data: { message_id: `ky-${n}` } }),
    refusal: { code: 'WA429', message: 'Too Many Requests' },
  },
];

function readBody(text: string, contentType: string): Record<string, string> {
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
  } catch {
    return {};
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits `ms` with `sleep`, or rejects when `signal` aborts first (the sender's call deadline). */
function abortable(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
  return new Promise<void>((resolve, reject) => {
    const abort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', abort, { once: true });
    sleep(ms).then(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, reject);
  });
}

export function providerStub(options: ProviderStubOptions = {}): ProviderStub {
  const limit = options.limit ?? 80;
  const windowMs = options.windowMs ?? 1000;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timer;
  const transit = options.transitMs;
  const latency = lognormal(options.p50Ms ?? 300, options.p99Ms ?? 1500, random);
  const offsetOf = options.offsetMs ?? (() => Math.floor(random() * windowMs));
  const offsets = new Map<string, number>();
  const windows = new Map<string, { index: number; count: number }>();
  const sends: StubSend[] = [];
  let answered = 0;

  const stubFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const signal = init?.signal ?? request.signal;
    const url = new URL(request.url);
    const route = ROUTES.find((candidate) => candidate.pattern.test(url.pathname));
    if (!route || request.method !== 'POST') return json(404, { message: `the stub does not answer ${request.method} ${url.pathname}` });
    const text = init?.body !== undefined && typeof init.body === 'string' ? init.body : await request.text();
    const body = readBody(text, request.headers.get('content-type') ?? '');
    const path = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const sender = route.number(path, body, request.headers);
    if (!sender) return json(400, { message: 'no sender number in the request' });
    // On its way: the window counts the request when it arrives.
    const calledAt = now();
    if (transit) await abortable(sleep, Math.max(0, transit()), signal);
    const at = now();
    const number = `${route.provider}:${sender}`;
    if (!offsets.has(number)) offsets.set(number, offsetOf(number) % windowMs);
    const index = Math.floor((at - offsets.get(number)!) / windowMs);
    const window = windows.get(number);
    const current = window && window.index === index ? window : { index, count: 0 };
    current.count += 1;
    windows.set(number, current);
    const wait = latency();
    const send: StubSend = { number, at, calledAt, recipient: route.recipient(body), status: 0, latencyMs: wait };
    sends.push(send);
    if (current.count > limit) {
      send.status = 429;
      const resetAt = (index + 1) * windowMs + offsets.get(number)!;
      return json(429, route.refusal, { 'retry-after': String(Math.max(1, Math.ceil((resetAt - at) / 1000))) });
    }
    await abortable(sleep, wait, signal);
    send.status = route.status;
    answered += 1;
    return json(route.status, route.answer(answered, body));
  };
  return { fetch: stubFetch as typeof globalThis.fetch, sends, offsets };
}

/** The p-th percentile (0–100) of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
