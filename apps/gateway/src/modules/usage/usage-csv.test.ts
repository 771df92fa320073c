import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvFileError } from '../../platform/csv.ts';
import { describeCsvFileError, MAX_READINGS_PER_FILE, readUsageCsv } from './usage-csv.ts';

describe('usage CSV', () => {
  it('reads the rows with their line numbers, columns in any order, extra columns ignored', async () => {
    const csv = '\uFEFFread_on,Used_Bytes,path,files\n2026-11-20,100,/rds/a,3\n\n"2026-11-21", 200 ,"/rds/b, c",4\n';
    expect(await readUsageCsv(Buffer.from(csv))).toEqual([
      { line: 2, path: '/rds/a', readOn: '2026-11-20', usedBytes: '100' },
      { line: 4, path: '/rds/b, c', readOn: '2026-11-21', usedBytes: '200' },
    ]);
  });

  it('leaves value checks to the validator: a bad number still reads', async () => {
    const rows = await readUsageCsv('path,read_on,used_bytes\n/rds/a,tomorrow,lots\n');
    expect(rows).toEqual([{ line: 2, path: '/rds/a', readOn: 'tomorrow', usedBytes: 'lots' }]);
  });

  it('refuses a file of more readings than one import takes, saying where and what to do', async () => {
    const rows = Array.from({ length: MAX_READINGS_PER_FILE + 1 }, (_, i) => `/p${i},2026-11-20,1`);
    const refused = await readUsageCsv(['path,read_on,used_bytes', ...rows].join('\n')).then(
      () => '',
      (error: unknown) => (error instanceof CsvFileError ? describeCsvFileError(error) : String(error)),
    );
    expect(refused).toBe('line 200002: a file may hold at most 200,000 readings: split it and import each part');
  }, 60_000);

  it('reports progress from a stream', async () => {
    const lines = ['path,read_on,used_bytes', ...Array.from({ length: 2500 }, (_, i) => `/p${i},2026-11-20,${i}`)];
    const seen: Array<[number, boolean]> = [];
    const rows = await readUsageCsv(Readable.from([lines.join('\n')]), (count, finished) =>
      seen.push([count, finished]),
    );
    expect(rows).toHaveLength(2500);
    expect(seen).toEqual([
      [1000, false],
      [2000, false],
      [2500, true],
    ]);
  });

  it('refuses a file that is not a usage report, saying where', async () => {
    const refusal = (text: string) =>
      readUsageCsv(text).then(
        () => '',
        (error: unknown) => (error instanceof CsvFileError ? describeCsvFileError(error) : String(error)),
      );
    expect(await refusal('path,day,bytes\n/rds/a,2026-11-20,1\n')).toBe(
      'line 1: the header row lacks the column(s) read_on, used_bytes',
    );
    // a spreadsheet's export with another separator: said, not just 'lacks path' beside a header naming path
    expect(await refusal('path;read_on;used_bytes\n/rds/a;2026-11-20;1\n')).toBe(
      "line 1: the header row lacks the column(s) path, read_on, used_bytes: its columns are separated by semicolons, and a CSV file's by commas",
    );
    expect(await refusal('path\tread_on\tused_bytes\n/rds/a\t2026-11-20\t1\n')).toMatch(
      /separated by tabs, and a CSV file's by commas$/,
    );
    expect(await refusal('path,read_on,used_bytes\n/rds/a,2026-11-20,1\n/rds/b,2026-11-20\n')).toMatch(
      /^line 3: the file cannot be read as CSV: /,
    );
    expect(await refusal('path,read_on,used_bytes\n"/rds/a,2026-11-20,1\n')).toMatch(/the file cannot be read as CSV/);
    expect(await refusal('path,read_on,used_bytes\n')).toBe('the file holds no readings');
    expect(await refusal('')).toBe('the file holds no readings');
  });
});
