/**
 * Runs fuzz cases against the stack and counts the figures: per endpoint, `count` cases sampled
 * from its generator with a seed (case i of a seed is always the same input), at most
 * `concurrency` requests in flight, each bounded by the client's timeout. After a run, what
 * refused requests must not have written is checked in the table. A figure's first example can
 * be shrunk: fast-check replays that case (`path`) and shrinks it, one request at a time.
 */
import fc from 'fast-check';
import { idempotencyKey, suppressionKey } from '../../../src/store/table.ts';
import { answeredIds } from './accept.ts';
import { pool, type RawResponse } from './client.ts';
import type { CaseOptions, Endpoint, RunContext } from './endpoint.ts';
import { ACCOUNT_IDS, accountId, ALL_KEY, CALLBACK_PROVIDERS, type CallbackProvider } from './model.ts';
import { FIGURES, judge, summarise, type Case, type Expect, type Figure, type Step } from './oracle.ts';
import type { FuzzStack } from './stack.ts';
import { crossAccountCallback } from './webhooks.ts';

export interface Example {
  /** The case's index in its seed's sequence (replayable with fast-check's `path`); -1 if none. */
  index: number;
  /** Set for an endpoint's fixed regression input (its position in `regressions`, from 1). */
  regression?: number;
  label: string;
  expect: Expect;
  status: RawResponse['status'];
  request: string;
  input: unknown;
  response: string;
  shrunk?: { label: string; input: unknown; status: RawResponse['status']; request: string; response: string };
}

export interface EndpointResult {
  name: string;
  seed: number;
  cases: number;
  requests: number;
  seconds: number;
  figures: Record<Figure, number>;
  examples: Partial<Record<Figure, Example[]>>;
  /** How many cases of each expectation ran (accept / refuse / either). */
  expectations: Record<Expect, number>;
  /** Per figure, how many answers of each case label counted in it. */
  byLabel: Partial<Record<Figure, Record<string, number>>>;
}

interface StepResult {
  index: number;
  regression?: number;
  c: Case<unknown>;
  step: Step;
  response: RawResponse;
  figures: Figure[];
}

const ok = (status: RawResponse['status']) => typeof status === 'number' && status >= 200 && status < 300;
const emptyFigures = () => Object.fromEntries(FIGURES.map((f) => [f, 0])) as Record<Figure, number>;
/** Accounts a buggy accept could write records for: the configured ones and the unknown ones the generators name. */
const RECORD_ACCOUNTS = [...ACCOUNT_IDS, 'fz-nobody', 'fz-kaleyra-c', 'acme-kaleyra'];

export function context(stack: FuzzStack): RunContext {
  let counter = 0;
  const tag = Date.now().toString(36);
  return {
    stack,
    unique: () => `${tag}${(counter++).toString(36)}`,
    call: (method, path, body, key = ALL_KEY) =>
      stack.client.send({
        method,
        path,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}),
      }),
  };
}

/** Sends `cases` and returns every step's answer and figures, plus what refused requests wrote. */
async function measure(
  endpoint: Endpoint<unknown>,
  cases: ReadonlyArray<{ c: Case<unknown>; index: number; regression?: number }>,
  ctx: RunContext,
  concurrency: number,
) {
  const stack = ctx.stack;
  const watched = watchedMessages(endpoint, stack);
  const before = await stack.snapshot(watched);
  const since = new Date(Date.now() - 1).toISOString();
  const results: StepResult[] = [];
  await pool(cases, concurrency, async ({ c, index, regression }) => {
    for (const step of await endpoint.steps(c, ctx)) {
      const response = await stack.client.send(step.request);
      const figures = judge(step.expect, response.status);
      if (step.check && figures.length === 0) figures.push(...(await step.check(response).catch((): Figure[] => [])));
      results.push({ index, ...(regression ? { regression } : {}), c, step, response, figures });
    }
  });
  // What refused requests wrote, each attributed to a refused request where one can be named.
  const written: Array<{ what: string; by?: StepResult }> = [];
  // Refused: any answer but 2xx. Where several could have written something, a 5xx or a hang is the likelier writer.
  const failedFirst = (r: StepResult) => (typeof r.response.status === 'number' && r.response.status < 500 ? 1 : 0);
  const refused = results.filter((r) => !ok(r.response.status)).sort((a, b) => failedFirst(a) - failedFirst(b));
  if (endpoint.kind === 'accept') {
    const answered = new Set(results.filter((r) => ok(r.response.status)).flatMap((r) => answeredIds(r.response)));
    for (const record of await stack.recordsSince(RECORD_ACCOUNTS, since)) {
      if (answered.has(record.id) || stack.seededIds.has(record.id)) continue;
      const at = Date.parse(record.createdAt);
      const during = refused.filter((r) => r.response.start - 5 <= at && at <= r.response.end + 5);
      written.push({
        what: `message record ${record.id} (${record.account})`,
        by: during.find((r) => r.step.touches?.accounts?.includes(record.account)) ?? during[0],
      });
    }
  }
  const after = await stack.snapshot(watched);
  for (const id of watched) {
    if (before.get(id) !== after.get(id))
      written.push({
        what: `message ${id} changed`,
        by: refused.find((r) => r.step.touches?.messages?.includes(id)) ?? results.find((r) => r.step.touches?.messages?.includes(id)),
      });
  }
  for (const r of refused) {
    for (const { account, key } of r.step.touches?.idempotency ?? []) {
      if (await stack.item(idempotencyKey(account, key))) written.push({ what: `idempotency key of ${account}`, by: r });
    }
    for (const { provider, providerMessageId } of r.step.touches?.pending ?? []) {
      if (providerMessageId.length > 1000) continue; // longer than any key DynamoDB takes: nothing can be stored under it
      if (await stack.providerIdItem('E', provider, providerMessageId))
        written.push({ what: `kept callback for ${provider} id ${providerMessageId.slice(0, 40)}`, by: r });
      if (await stack.providerIdItem('X', provider, providerMessageId))
        written.push({ what: `id alias ${provider} ${providerMessageId.slice(0, 40)}`, by: r });
    }
  }
  return { results, written };
}

/** Existing messages a refused request of this endpoint could wrongly change. */
function watchedMessages(endpoint: Endpoint<unknown>, stack: FuzzStack): string[] {
  const pools = stack.pools;
  const victims = CALLBACK_PROVIDERS.flatMap((p) => [...pools.callbackVictims[p], ...pools.crossTargets[p]].map((m) => m.id));
  if (endpoint.kind === 'webhook') return victims;
  if (endpoint.kind === 'messages') return [...Object.values(pools.queued).flat(), ...Object.values(pools.cancelled).flat(), ...victims];
  return [];
}

function describeRequest(step: Step): string {
  const body = step.request.body;
  const shown =
    body === undefined
      ? ''
      : body.length > 300
        ? ` <${body.length} bytes: ${body.subarray(0, 160).toString('utf8')}…>`
        : ` ${body.toString('utf8')}`;
  const headers = Object.entries(step.request.headers)
    .map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 40)}…` : v}`)
    .join('; ');
  const path =
    step.request.path.length > 200 ? `${step.request.path.slice(0, 120)}…(${step.request.path.length} chars)` : step.request.path;
  return `${step.request.method} ${path} [${headers}]${shown}`;
}

function example(r: StepResult): Example {
  return {
    index: r.index,
    ...(r.regression ? { regression: r.regression } : {}),
    label: r.step.label,
    expect: r.step.expect,
    status: r.response.status,
    request: describeRequest(r.step),
    input: summarise(r.c.input),
    response: r.response.body.slice(0, 300),
  };
}

export interface RunOptions {
  count: number;
  seed: number;
  concurrency: number;
  caseOptions: CaseOptions;
  /** Shrink the first example of each figure that is not a hang (each shrink step is a request). */
  shrink?: boolean;
  /** Time budget for shrinking one example. */
  shrinkMs?: number;
  /** Examples kept per figure. */
  examples?: number;
  log?: (line: string) => void;
}

export async function runEndpoint(endpoint: Endpoint<unknown>, stack: FuzzStack, options: RunOptions): Promise<EndpointResult> {
  const started = Date.now();
  const ctx = context(stack);
  const arbitrary = endpoint.cases(options.caseOptions);
  const regressions = (endpoint.regressions?.(options.caseOptions) ?? []).map((c, k) => ({ c, index: -1, regression: k + 1 }));
  const cases = [...regressions, ...fc.sample(arbitrary, { seed: options.seed, numRuns: options.count }).map((c, index) => ({ c, index }))];
  const { results, written } = await measure(endpoint, cases, ctx, options.concurrency);
  const figures = emptyFigures();
  const examples: Partial<Record<Figure, Example[]>> = {};
  const keep = (figure: Figure, e: Example) => {
    const list = (examples[figure] ??= []);
    // Up to `examples`, and one sampled case beyond them if only regressions were kept (it gets shrunk).
    if (list.length < (options.examples ?? 3) || (e.index >= 0 && !list.some((k) => k.index >= 0))) list.push(e);
  };
  const byLabel: EndpointResult['byLabel'] = {};
  const countLabel = (figure: Figure, label: string) => {
    const labels = (byLabel[figure] ??= {});
    labels[label] = (labels[label] ?? 0) + 1;
  };
  for (const r of [...results].sort((a, b) => (a.regression ?? 1e9) - (b.regression ?? 1e9) || a.index - b.index)) {
    for (const figure of r.figures) {
      figures[figure]++;
      countLabel(figure, r.step.label);
      keep(figure, example(r));
    }
  }
  figures['records written by refused requests'] = written.length;
  for (const w of written) {
    countLabel('records written by refused requests', w.by?.step.label ?? '(not attributed to one request)');
    if (w.by)
      keep('records written by refused requests', { ...example(w.by), response: `${w.what}; answer: ${w.by.response.body.slice(0, 200)}` });
    else
      keep('records written by refused requests', {
        index: -1,
        label: '(not attributed to one request)',
        expect: 'refuse',
        status: 0,
        request: '',
        input: w.what,
        response: '',
      });
  }
  if (options.shrink) {
    for (const figure of FIGURES) {
      // Regressions are minimal already: shrink the first sampled example.
      const first = examples[figure]?.find((e) => e.index >= 0);
      if (!first || figure === 'hangs') continue;
      options.log?.(`  shrinking the first "${figure}" example of ${endpoint.name} (case ${first.index})…`);
      const shrunk = await shrinkExample(endpoint, stack, options, first.index, figure);
      if (shrunk) first.shrunk = shrunk;
    }
  }
  const expectations: Record<Expect, number> = { accept: 0, refuse: 0, either: 0 };
  for (const { c } of cases) expectations[c.expect]++;
  return {
    name: endpoint.name,
    seed: options.seed,
    cases: cases.length,
    requests: results.length,
    seconds: (Date.now() - started) / 1000,
    figures,
    examples,
    expectations,
    byLabel,
  };
}

/** Replays case `index` of the endpoint's seed and shrinks it while it still shows `figure`. */
export async function shrinkExample(
  endpoint: Endpoint<unknown>,
  stack: FuzzStack,
  options: RunOptions,
  index: number,
  figure: Figure,
): Promise<Example['shrunk']> {
  const ctx = context(stack);
  let last: { r: StepResult } | undefined;
  const property = fc.asyncProperty(endpoint.cases(options.caseOptions), async (c) => {
    const { results, written } = await measure(endpoint, [{ c, index }], ctx, 1);
    const hit =
      figure === 'records written by refused requests'
        ? (written.find((w) => w.by)?.by ?? (written.length ? results[0] : undefined))
        : results.find((r) => r.figures.includes(figure));
    if (hit) last = { r: hit };
    return !hit;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    path: String(index),
    interruptAfterTimeLimit: options.shrinkMs ?? 20_000,
    markInterruptAsFailure: false,
  });
  if (!last || !details.failed) return undefined;
  const e = example(last.r);
  return { label: e.label, input: e.input, status: e.status, request: e.request, response: e.response };
}

// ---------------------------------------------------------------- cross-account callbacks

export interface CrossResult {
  name: string;
  cases: number;
  seconds: number;
  figures: Record<Figure, number>;
  examples: Partial<Record<Figure, Example[]>>;
}

/**
 * For each provider with callbacks: a valid, correctly signed callback on account B's route
 * naming the provider id of account A's message. It must answer 200 within the timeout and
 * change nothing of A's: not the message, not a suppression of its recipient.
 */
export async function runCrossAccount(stack: FuzzStack, options: { perProvider: number; concurrency: number }): Promise<CrossResult> {
  const started = Date.now();
  const cases = CALLBACK_PROVIDERS.flatMap((provider) =>
    stack.pools.crossTargets[provider]
      .slice(0, options.perProvider)
      .map((message, i) => ({ provider, message, status: crossStatus(provider, i), optOut: i % 2 === 1 })),
  );
  const ids = cases.map((c) => c.message.id);
  const before = await stack.snapshot(ids);
  const figures = emptyFigures();
  const examples: Partial<Record<Figure, Example[]>> = {};
  const results: Array<{ c: (typeof cases)[number]; response: RawResponse; request: string }> = [];
  await pool(cases, options.concurrency, async (c) => {
    const callback = crossAccountCallback(c.message, c.status, stack.webhookSecrets[accountId(c.provider, 'b')]!, c.optOut);
    const response = await stack.client.send({ method: 'POST', path: callback.path, headers: callback.headers, body: callback.body });
    const path = c.provider === 'gupshup' ? `/v1/webhooks/gupshup/${accountId('gupshup', 'b')}/<B's token>` : callback.path;
    results.push({ c, response, request: `POST ${path} ${callback.body.toString('utf8').slice(0, 300)}` });
  });
  const after = await stack.snapshot(ids);
  for (const r of results) {
    const found: Figure[] = judge('accept', r.response.status);
    const suppressed = await stack.item(suppressionKey(r.c.message.account, stack.recipientHash(r.c.message.recipient)));
    if (before.get(r.c.message.id) !== after.get(r.c.message.id) || suppressed) found.push('changed another account’s message');
    for (const figure of found) {
      figures[figure]++;
      const list = (examples[figure] ??= []);
      if (list.length < 4)
        list.push({
          index: -1,
          label: `${r.c.provider}: ${r.c.status}${r.c.optOut ? ' (opt-out code)' : ''} on B's route about A's message`,
          expect: 'accept',
          status: r.response.status,
          request: r.request,
          input: { provider: r.c.provider, status: r.c.status },
          response: r.response.body.slice(0, 200),
        });
    }
  }
  return { name: 'cross-account callbacks', cases: cases.length, seconds: (Date.now() - started) / 1000, figures, examples };
}

function crossStatus(provider: CallbackProvider, i: number): string {
  const words: Record<CallbackProvider, string[]> = {
    livechat: ['delivered', 'failed', 'read'],
    gupshup: ['delivered', 'failed', 'read', 'enqueued'],
    kaleyra: ['delivered', 'failed', 'read'],
    loopwave: ['sent'],
  };
  const list = words[provider];
  return list[i % list.length]!;
}

// ---------------------------------------------------------------- report

export function table(rows: Array<{ name: string; cases: number; figures: Record<Figure, number> }>): string {
  const columns = ['endpoint', 'cases', ...FIGURES];
  const cells = rows.map((r) => [r.name, String(r.cases), ...FIGURES.map((f) => String(r.figures[f]))]);
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(columns),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

export function failures(
  rows: Array<{
    name: string;
    figures: Record<Figure, number>;
    examples: Partial<Record<Figure, Example[]>>;
    byLabel?: EndpointResult['byLabel'];
  }>,
): string {
  const out: string[] = [];
  for (const row of rows) {
    for (const figure of FIGURES) {
      if (!row.figures[figure]) continue;
      out.push(`${row.name} — ${figure}: ${row.figures[figure]}`);
      const labels = Object.entries(row.byLabel?.[figure] ?? {}).sort(([, a], [, b]) => b - a);
      if (labels.length) out.push(`  by case label: ${labels.map(([label, n]) => `${n} × ${label}`).join('; ')}`);
      for (const e of row.examples[figure] ?? []) {
        const which = e.regression ? `regression ${e.regression}` : e.index >= 0 ? `case ${e.index}` : '';
        out.push(`  ${which} [${e.label}] expected ${e.expect}, got ${e.status}`);
        if (e.request) out.push(`    ${e.request.slice(0, 400)}`);
        if (e.response) out.push(`    → ${e.response.slice(0, 300)}`);
        if (e.shrunk) out.push(`    shrunk: [${e.shrunk.label}] got ${e.shrunk.status}: ${e.shrunk.request.slice(0, 400)}`);
      }
    }
  }
  return out.join('\n');
}
