import type { Readable } from 'node:stream';

/** A CSV file the gateway cannot read: a header without a required column, or broken CSV. `line` 0: not known. */
export class CsvFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvFileError';
  }
}

/**
 * The rows of a CSV file with a header row, streamed (never all in memory): each as its values
 * by lower-case column name, with its line number. The header must name every one of `columns`
 * (in any order; others are allowed); a byte-order mark, blank lines and spaces around values are
 * ignored. Throws CsvFileError for a header without them, or a file that is not CSV.
 */
export async function* csvRecords(
  source: Readable,
  columns: readonly string[],
): AsyncIterable<{ line: number; record: Record<string, string> }> {
  // Loaded on the first import, not at every start (service-team uploads only).
  const { CsvError, parse } = await import('csv-parse');
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    columns: (header: string[]) => {
      const names = header.map((name) => name.trim().toLowerCase());
      const missing = columns.filter((column) => !names.includes(column));
      if (missing.length > 0)
        throw new CsvFileError(1, `the header row lacks the column(s) ${missing.join(', ')}${otherSeparator(header)}`);
      return names;
    },
  });
  // pipe() does not pass on the source's errors (a file that cannot be read, a broken upload): the
  // parser fails with them, so the loop below throws instead of the process crashing on an
  // unhandled 'error' event.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      yield { line: info.lines, record };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as { lines?: number }).lines ?? 0;
      throw new CsvFileError(line, `the file cannot be read as CSV: ${error.message}`);
    }
    throw error;
  } finally {
    source.destroy();
  }
}

/**
 * A header read as one column that holds a semicolon, tab or bar: the file separates its columns
 * with that (a spreadsheet's export in another locale), which the missing columns alone do not say.
 */
function otherSeparator(header: readonly string[]): string {
  const [only] = header;
  if (header.length !== 1 || only === undefined) return '';
  const separator = [
    [';', 'semicolons'],
    ['\t', 'tabs'],
    ['|', 'bars'],
  ].find(([character]) => only.includes(character ?? ''));
  return separator ? `: its columns are separated by ${separator[1]}, and a CSV file's by commas` : '';
}

/** Characters a spreadsheet reads as the start of a formula (a tab and a carriage return too, as OWASP lists). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell of a CSV file written for people to open in a spreadsheet: a value that a spreadsheet
 * would run as a formula (=, +, -, @ first: "=HYPERLINK(…)") is neutralised with a leading
 * apostrophe, which the spreadsheet shows as text; then quoted as RFC 4180 says when it holds a
 * comma, a double quote or a line break (its quotes doubled). Null and undefined are empty cells.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record of a CSV file: its cells, separated by commas, ended by CRLF (RFC 4180). */
export function csvLine(values: ReadonlyArray<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
