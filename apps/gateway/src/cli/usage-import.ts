// npm run usage:import -- <file.csv>
// Imports a storage system's usage report (columns path, read_on, used_bytes) for every service,
// with the same checks and writer as the back-office upload and the API: rows with a problem are
// listed by line and the rest stored; a file that cannot be read as CSV stores nothing. Running
// it twice with the same file stores nothing new.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { systemActor } from '../modules/audit/audit.repository.ts';
import { SERVICES } from '../modules/people/staff-access.ts';
import { importUsageReadings } from '../modules/usage/usage.service.ts';
import { describeCsvFileError, readUsageCsv, USAGE_CSV_COLUMNS } from '../modules/usage/usage-csv.ts';
import { systemClock } from '../platform/clock.ts';
import { CsvFileError } from '../platform/csv.ts';
import { commandFile, oneFileArgument, runCommand, withCommandDatabase } from './cli-support.ts';
import { progressReporter } from './progress.ts';

const MAX_REJECTIONS_SHOWN = 200;

async function main(): Promise<number> {
  const file = oneFileArgument(
    process.argv.slice(2),
    `Usage: npm run usage:import -- <file.csv with columns ${USAGE_CSV_COLUMNS.join(', ')}>`,
  );
  if (file === undefined) return 2;
  const source = await commandFile(file);
  return withCommandDatabase(async (db) => {
    console.error(`Importing usage readings from ${source}`);
    const progress = progressReporter();
    let raws: Awaited<ReturnType<typeof readUsageCsv>>;
    try {
      raws = await readUsageCsv(createReadStream(source), (rows, finished) => progress(`read ${rows} rows`, finished));
    } catch (error) {
      if (!(error instanceof CsvFileError)) throw error;
      console.error(`\nNothing was imported: ${describeCsvFileError(error)}`);
      return 1;
    }
    let checked = false;
    const result = await importUsageReadings(db, raws, {
      today: systemClock.today().toString(),
      source: `cli: ${path.basename(source)}`,
      actor: systemActor('usage import (command line)'),
      services: SERVICES,
      onProgress: (written, total) => {
        // The rows that failed the checks (a bad date, a negative size) are known before writing;
        // those naming no project's path only as they are written, so both counts say so.
        if (!checked) progress(`checked ${raws.length} rows: ${total} to write, ${raws.length - total} rejected`, true);
        checked = true;
        progress(
          `written ${written} of ${total} readings (those whose path is no project’s are rejected)`,
          written === total,
        );
      },
    });
    console.error(
      `\nRead ${result.read} rows: ${result.added} new, ${result.changed} replaced, ${result.unchanged} already stored, ${result.rejected.length} rejected.`,
    );
    for (const rejection of result.rejected.slice(0, MAX_REJECTIONS_SHOWN))
      console.error(`  line ${rejection.line}: ${rejection.reason}`);
    if (result.rejected.length > MAX_REJECTIONS_SHOWN)
      console.error(`  … and ${result.rejected.length - MAX_REJECTIONS_SHOWN} more`);
    return result.rejected.length > 0 ? 1 : 0;
  });
}

runCommand(main);
