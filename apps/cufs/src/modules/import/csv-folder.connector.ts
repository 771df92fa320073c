import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse';
import {
  DATASET_COLUMNS,
  type Dataset,
  ExtractError,
  type ReferenceDataConnector,
  type SourceRecord,
} from './connector.ts';

/** CUFS extracts as a folder of CSV files with a header row: cost_centres.csv, tasks.csv… */
export class CsvFolderConnector implements ReferenceDataConnector {
  readonly description: string;

  constructor(private readonly folder: string) {
    this.description = `csv:${path.resolve(folder)}`;
  }

  sourceName(dataset: Dataset): string {
    return `${dataset}.csv`;
  }

  async *read(dataset: Dataset): AsyncIterable<SourceRecord> {
    const source = this.sourceName(dataset);
    const file = path.join(this.folder, source);
    if (!existsSync(file)) throw new ExtractError(source, 0, `${source} is missing from ${this.folder}`);
    const expected = DATASET_COLUMNS[dataset];
    const seen = { header: false };
    const parser = createReadStream(file).pipe(
      parse({
        bom: true,
        trim: true,
        skip_empty_lines: true,
        // A row with too few or too many values is reported at its line (below), and the rows after
        // it are still read and checked, instead of the file stopping at the first such row.
        relax_column_count: true,
        info: true,
        columns: (header: string[]) => {
          const names = header.map((name) => name.trim().toLowerCase());
          const missing = expected.filter((column) => !names.includes(column));
          const unknown = names.filter((column) => !expected.includes(column));
          // A column named twice: csv-parse would keep the later one's values, silently.
          const repeated = [...new Set(names.filter((column, index) => names.indexOf(column) !== index))];
          if (missing.length > 0 || unknown.length > 0 || repeated.length > 0) {
            const problems = [
              missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '',
              unknown.length > 0 ? `unexpected column(s) ${unknown.join(', ')}` : '',
              repeated.length > 0 ? `column(s) ${repeated.join(', ')} more than once` : '',
            ].filter(Boolean);
            throw new ExtractError(source, 1, `the header row has ${problems.join(' and ')}`);
          }
          seen.header = true;
          return names;
        },
      }),
    );
    try {
      for await (const { record, info } of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number; columns: unknown[]; error?: { record: string[] } };
      }>) {
        const problem = info.error
          ? `has ${info.error.record.length} values where the header has ${info.columns.length} columns`
          : undefined;
        yield { line: info.lines, values: record, ...(problem ? { problem } : {}) };
      }
      // A zero-byte (or blank) file is a failed export, not an extract without rows.
      if (!seen.header) throw new ExtractError(source, 0, `${source} is empty: it has not even a header row`);
    } catch (error) {
      if (error instanceof ExtractError) throw error;
      if (error instanceof CsvError) {
        const line = (error as CsvError & { lines?: number }).lines ?? 0;
        throw new ExtractError(source, line, `the file cannot be read as CSV: ${error.message}`);
      }
      throw error;
    }
  }
}
