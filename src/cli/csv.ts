/** Reading a CSV file (csv-parse) and writing one (quoting as RFC 4180 wants). */
import { parse } from 'csv-parse/sync';
import { CliError } from './errors.ts';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

/**
 * The header and the rows. Rows may have another number of cells than the header (the caller
 * decides what a short or long row means); anything else unreadable (an unclosed quote) fails the
 * whole file, naming the line, since the rows after it cannot be told apart.
 */
export function readCsv(content: Buffer, name: string): CsvTable {
  let records: string[][];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    throw new CliError(`${name}: ${(error as Error).message}`, { cause: error });
  }
  const [header, ...rows] = records;
  if (!header) throw new CliError(`${name} is empty; it needs a header row (to, body1, …)`);
  return { header, rows };
}

function quote(cell: string): string {
  return /[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function toCsv(rows: ReadonlyArray<readonly string[]>): string {
  return `${rows.map((row) => row.map(quote).join(',')).join('\n')}\n`;
}
