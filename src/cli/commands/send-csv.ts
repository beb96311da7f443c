/**
 * `wapk send --csv FILE`: one message per row, posted in batches of up to 100.
 *
 * Columns: `to` (required), then positional body values `body1, body2, …` or named ones
 * `body.<name>`, and optionally `metadata.<key>`; an `error` column (as in a failures file) is
 * ignored, so a corrected failures file can be sent as it is.
 *
 * A batch refused with 400 names its offending rows (`messages.<i>.<field>`): those rows fail and
 * the rest of the batch is posted again, so only the offending rows fail. Each request carries an
 * Idempotency-Key derived from the file's content (and the flags that shape the requests), the
 * batch index and, for a batch posted again without its offending rows, the rows it holds: a
 * re-run of the same file replays the same keys and sends nothing twice (within the API's 48 h).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiClient, isTransient, type SendRequest } from '../api-client.ts';
import { numberFlag, requireFlags, USAGE } from '../args.ts';
import { buttonsFrom, headerFrom, type Button, type Header } from '../content.ts';
import { readCsv, toCsv } from '../csv.ts';
import { ApiError, CliError, UsageError, type Violation } from '../errors.ts';
import { err, out, printJson } from '../io.ts';
import { Progress } from '../progress.ts';
import { resolveConnection, type Environment } from '../settings.ts';
import { backoffMs, type BackoffPolicy } from '../../runtime/backoff.ts';
import type { SendValues } from './send-options.ts';

export const BATCH_SIZE = 100;
/** A transient failure is tried again up to 3 times, after a random wait of up to 0.5 s, 1 s, 2 s. */
const RETRIES = 3;
const RETRY_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 2000, minMs: 100 };

interface Layout {
  to: number;
  positional: number[];
  named: Array<[string, number]>;
  metadata: Array<[string, number]>;
  /** Columns of the input kept in the failures file (all but a previous `error`). */
  kept: number[];
}

/** What the flags give every row. */
interface Shared {
  provider: string | undefined;
  account: string | undefined;
  template: string | undefined;
  language: string | undefined;
  header?: Header;
  buttons?: Button[];
  scheduleAt?: string;
}

interface RowResult {
  id?: string;
  status?: string;
  replayed?: boolean;
  error?: string;
}

export async function sendCsv(values: SendValues, positionals: readonly string[], environment: Environment): Promise<number> {
  const usage = USAGE.sendCsv;
  if (positionals.length > 0) throw new UsageError(`send --csv: unexpected argument ${JSON.stringify(positionals[0])}`, usage);
  const perRow = (['to', 'body', 'named', 'metadata'] as const).filter((flag) => values[flag] !== undefined);
  if (perRow.length > 0)
    throw new UsageError(
      `${perRow.map((f) => `--${f}`).join(', ')} cannot be used with --csv: the file's columns (to, body1…, body.<name>, metadata.<key>) give them`,
      usage,
    );
  if (values.text !== undefined) throw new UsageError('--text does not go with --csv: a CSV sends templates', usage);
  if (values['idempotency-key'] !== undefined)
    throw new UsageError('--idempotency-key does not go with --csv: keys are derived from the file', usage);
  requireFlags('send --csv', values, ['provider', 'account', 'template', 'language'], usage);
  const concurrency = numberFlag('concurrency', values.concurrency, 4, { min: 1, max: 32, integer: true }, usage);
  const header = headerFrom(values, usage);
  const buttons = buttonsFrom(values.button, usage);

  const filesCwd = environment.filesCwd ?? environment.cwd;
  const path = resolve(filesCwd, values.csv!);
  const failuresPath = values.failures !== undefined ? resolve(filesCwd, values.failures) : `${path}.failures.csv`;
  const api = new ApiClient(resolveConnection(values, environment));

  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliError(`cannot read ${values.csv}: ${reason}`, { cause: error });
  }
  const table = readCsv(content, values.csv!);
  const layout = layoutOf(table.header, values.csv!);
  if (table.rows.length === 0) throw new CliError(`${values.csv} has a header but no rows`);

  const shared: Shared = {
    provider: values.provider,
    account: values.account,
    template: values.template,
    language: values.language,
    ...(header ? { header } : {}),
    ...(buttons ? { buttons } : {}),
    ...(values.schedule !== undefined ? { scheduleAt: values.schedule } : {}),
  };
  // A row with more or fewer cells than the header fails alone, with its reason; the rest go out.
  const malformed = table.rows.map((cells) => rowProblem(cells, table.header));
  const requests = table.rows.map((cells) => requestOf(cells, layout, shared));
  // The key names the file's content and what the flags add to every row: the same file sent
  // with another template is another request, not a replay (which the API would refuse, 409).
  const keyBase = `wapk-csv-${createHash('sha256').update(content).update('\0').update(JSON.stringify(shared)).digest('hex').slice(0, 32)}`;

  const results: RowResult[] = table.rows.map(() => ({}));
  const progress = new Progress(table.rows.length, 'rows');
  const settle = (row: number, result: RowResult) => {
    results[row] = result;
    progress.advance();
  };
  const sendable: number[] = [];
  malformed.forEach((problem, row) => {
    if (problem === undefined) sendable.push(row);
    else settle(row, { error: problem });
  });
  const batches: number[][] = [];
  for (let start = 0; start < sendable.length; start += BATCH_SIZE) batches.push(sendable.slice(start, start + BATCH_SIZE));

  /** Posts one batch; a 400 naming rows fails those rows and posts the rest again. */
  const postBatch = async (rows: number[], index: number): Promise<void> => {
    let pending = rows;
    while (pending.length > 0) {
      const key =
        pending.length === rows.length
          ? `${keyBase}-${index}`
          : `${keyBase}-${index}-${createHash('sha256').update(pending.join(',')).digest('hex').slice(0, 12)}`;
      const batch = { messages: pending.map((row) => requests[row]!) };
      try {
        const { accepted: answers, replayed } = await withRetries(() => api.sendBatch(batch, key));
        pending.forEach((row, i) => {
          const accepted = answers[i];
          settle(
            row,
            accepted ? { id: accepted.id, status: accepted.status, replayed } : { error: 'the API answered without this message' },
          );
        });
        return;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw error;
        const byRow = error instanceof ApiError && error.status === 400 ? violationsByRow(error.violations, pending.length) : undefined;
        if (byRow) {
          for (const [i, violations] of byRow)
            settle(pending[i]!, { error: violations.map((v) => `${columnOf(v.field, layout, table.header)}: ${v.rule}`).join('; ') });
          pending = pending.filter((_, i) => !byRow.has(i));
          continue;
        }
        const reason =
          error instanceof ApiError && error.violations.length > 0
            ? `${error.message}: ${error.violations.map((v) => `${v.field}: ${v.rule}`).join('; ')}`
            : (error as Error).message;
        for (const row of pending) settle(row, { error: reason });
        return;
      }
    }
  };

  let next = 0;
  let fatal: unknown;
  const worker = async () => {
    while (fatal === undefined && next < batches.length) {
      const index = next++;
      try {
        await postBatch(batches[index]!, index);
      } catch (error) {
        fatal ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  progress.finish();
  if (fatal !== undefined) throw fatal;

  const failed = results.flatMap((result, row) => (result.error !== undefined ? [row] : []));
  const accepted = results.length - failed.length;
  const replayed = results.filter((result) => result.replayed).length;
  if (failed.length > 0) {
    const keptHeader = layout.kept.map((column) => table.header[column]!);
    const lines = failed.map((row) => [...layout.kept.map((column) => table.rows[row]![column] ?? ''), results[row]!.error!]);
    try {
      writeFileSync(failuresPath, toCsv([[...keptHeader, 'error'], ...lines]));
    } catch (error) {
      throw new CliError(`cannot write the failures file ${failuresPath}: ${(error as Error).message}`, { cause: error });
    }
  }

  if (values.json) {
    printJson({
      accepted,
      failed: failed.length,
      ...(failed.length > 0 ? { failuresFile: failuresPath } : {}),
      rows: results.map((result, row) => ({ row: row + 1, ...result })),
    });
  } else {
    out(`accepted ${accepted}${replayed > 0 ? ` (${replayed} already accepted by an earlier run)` : ''}, failed ${failed.length}`);
    if (failed.length > 0) out(`failures: ${failuresPath}`);
  }
  if (failed.length > 0) {
    err(`wapk: ${failed.length} of ${results.length} rows failed; they are in ${failuresPath} with an error column`);
    return 1;
  }
  return 0;
}

/** Which column is which; a problem with the header is reported before anything is sent. */
function layoutOf(header: readonly string[], name: string): Layout {
  const seen = new Set<string>();
  for (const column of header) {
    if (seen.has(column)) throw new CliError(`${name}: the column ${JSON.stringify(column)} appears twice`);
    seen.add(column);
  }
  const to = header.indexOf('to');
  if (to < 0) throw new CliError(`${name}: the header has no "to" column (the recipient, E.164)`);
  const positional: Array<[number, number]> = [];
  const named: Array<[string, number]> = [];
  const metadata: Array<[string, number]> = [];
  const unknown: string[] = [];
  const kept: number[] = [];
  header.forEach((column, i) => {
    if (column !== 'error') kept.push(i);
    if (column === 'to' || column === 'error') return;
    const bodyNumber = /^body(\d+)$/.exec(column);
    const bodyName = /^body\.(.+)$/.exec(column);
    const metadataKey = /^metadata\.(.+)$/.exec(column);
    if (bodyNumber) positional.push([Number(bodyNumber[1]), i]);
    else if (bodyName) named.push([bodyName[1]!, i]);
    else if (metadataKey) metadata.push([metadataKey[1]!, i]);
    else unknown.push(column);
  });
  if (unknown.length > 0)
    throw new CliError(
      `${name}: unknown column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}; the columns are to, body1, body2, … or body.<name>, and metadata.<key>`,
    );
  if (positional.length > 0 && named.length > 0)
    throw new CliError(`${name}: use positional (body1, body2, …) or named (body.<name>) body columns, not both`);
  positional.sort((a, b) => a[0] - b[0]);
  positional.forEach(([n], i) => {
    if (n !== i + 1)
      throw new CliError(`${name}: the positional body columns must be body1, body2, … without gaps (body${i + 1} is missing)`);
  });
  return { to, positional: positional.map(([, i]) => i), named, metadata, kept };
}

/** Why a row cannot be read against the header: a different number of cells (empty extra cells are fine). */
function rowProblem(cells: readonly string[], header: readonly string[]): string | undefined {
  const filled = cells.length > header.length && cells.slice(header.length).every((cell) => cell === '') ? header.length : cells.length;
  if (filled === header.length) return undefined;
  // The failures file has the header's columns: values beyond them are kept in the reason.
  const extraValues = cells.slice(header.length).map((cell) => JSON.stringify(cell));
  const extra = filled > header.length ? `; the extra value(s): ${extraValues.join(', ')}` : '';
  return `the row has ${filled} value(s) but the header has ${header.length} (${header.join(', ')}); not sent${extra}`;
}

/** One row's request; the flags' values go as typed (the API checks them and names each problem). */
function requestOf(cells: readonly string[], layout: Layout, shared: Shared): SendRequest {
  const cell = (i: number) => cells[i] ?? '';
  const body =
    layout.positional.length > 0
      ? layout.positional.map(cell)
      : layout.named.length > 0
        ? Object.fromEntries(layout.named.map(([key, i]) => [key, cell(i)]))
        : undefined;
  const metadata = Object.fromEntries(layout.metadata.filter(([, i]) => cell(i) !== '').map(([key, i]) => [key, cell(i)]));
  return {
    provider: shared.provider as SendRequest['provider'],
    account: shared.account!,
    recipient: cell(layout.to),
    content: {
      kind: 'template',
      name: shared.template!,
      language: shared.language!,
      ...(shared.header ? { header: shared.header } : {}),
      ...(body ? { body } : {}),
      ...(shared.buttons ? { buttons: shared.buttons } : {}),
    },
    ...(shared.scheduleAt !== undefined ? { scheduleAt: shared.scheduleAt } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

/**
 * The violations of a refused batch by row (`messages.<i>.<field>`), or undefined when any of
 * them is not about one row (then the whole batch fails with them).
 */
function violationsByRow(violations: readonly Violation[], count: number): Map<number, Violation[]> | undefined {
  if (violations.length === 0) return undefined;
  const byRow = new Map<number, Violation[]>();
  for (const violation of violations) {
    const match = /^messages\.(\d+)(?:\.(.+))?$/.exec(violation.field);
    const index = match ? Number(match[1]) : -1;
    if (!match || index >= count) return undefined;
    byRow.set(index, [...(byRow.get(index) ?? []), { field: match[2] ?? '(row)', rule: violation.rule }]);
  }
  return byRow;
}

/** A request field in the CSV's words: recipient → to, content.body.0 → body1, content.body.name → body.name. */
function columnOf(field: string, layout: Layout, header: readonly string[]): string {
  if (field === 'recipient') return 'to';
  const body = /^content\.body\.(.+)$/.exec(field);
  if (body) {
    const part = body[1]!;
    if (layout.positional.length > 0 && /^\d+$/.test(part))
      return header[layout.positional[Number(part)] ?? -1] ?? `body${Number(part) + 1}`;
    return `body.${part}`;
  }
  return field;
}

async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, RETRY_BACKOFF)));
    }
  }
}
