/** Reading a CSV file (csv-parse) and writing one (quoting as RFC 4180 wants). */
import { parse } from 'csv-parse/sync';
import { CliError } from './errors.ts';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

export function readCsv(content: Buffer, name: string): CsvTable {
  let records: string[][];
  try {
    records = parse(content, { bom: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new CliError(`${name}: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new CliError(`${name} is empty; it needs a header row (to, body1, …)`);
  return { header, rows };
}

function quote(cell: string): string {
  return /[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function toCsv(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map((row) => row.map(quote).join(',')).join('\n') + '\n';
}
