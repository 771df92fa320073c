import { Readable } from 'node:stream';
import { CsvFileError, csvRecords } from '../../platform/csv.ts';
import type { RawReading } from './usage-readings.ts';

/**
 * A storage system's usage report as CSV: a header row naming `path`, `read_on` and `used_bytes`
 * (in any order; other columns are ignored), then one reading per row. The same reader serves the
 * back-office upload and `npm run usage:import`.
 *
 * A file that cannot be read as CSV (no header, a header without those columns, broken quoting,
 * a row with the wrong number of columns, no rows, too many rows) is refused whole with a
 * CsvFileError: nothing from it is stored. Rows that read but hold bad values are rejected one by
 * one by validateReadings.
 */
export const USAGE_CSV_COLUMNS = ['path', 'read_on', 'used_bytes'] as const;
export const MAX_READINGS_PER_FILE = 200_000;

/** Reads every row of the CSV, calling `onRow` with the count every 1,000 rows and at the end. */
export async function readUsageCsv(
  input: Readable | Buffer | string,
  onRow?: (rows: number, finished: boolean) => void,
): Promise<RawReading[]> {
  const source = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  const rows: RawReading[] = [];
  for await (const { line, record } of csvRecords(source, USAGE_CSV_COLUMNS)) {
    if (rows.length === MAX_READINGS_PER_FILE) {
      throw new CsvFileError(
        line,
        `a file may hold at most ${MAX_READINGS_PER_FILE.toLocaleString('en-GB')} readings: split it and import each part`,
      );
    }
    rows.push({ line, path: record.path ?? '', readOn: record.read_on ?? '', usedBytes: record.used_bytes ?? '' });
    if (rows.length % 1000 === 0) onRow?.(rows.length, false);
  }
  if (rows.length === 0) throw new CsvFileError(0, 'the file holds no readings');
  onRow?.(rows.length, true);
  return rows;
}

/** "line 3: the file cannot be read as CSV: …", or the message alone when the line is not known. */
export function describeCsvFileError(error: CsvFileError): string {
  return error.line > 0 ? `line ${error.line}: ${error.message}` : error.message;
}
