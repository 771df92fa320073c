// npm run directory:import -- <file.csv>
// Loads a directory extract into the seeded directory table (DIRECTORY=seeded) that the nightly
// directory sync reads. Reports bad rows by line and loads nothing when there are any; running it
// twice with the same file changes nothing.
import {
  DIRECTORY_CSV_COLUMNS,
  type ImportProgress,
  importDirectoryCsv,
} from '../platform/directory/directory-import.ts';
import { commandFile, oneFileArgument, runCommand, withCommandDatabase } from './cli-support.ts';
import { progressReporter } from './progress.ts';

const MAX_BAD_ROWS_SHOWN = 200;

async function main(): Promise<number> {
  const file = oneFileArgument(
    process.argv.slice(2),
    `Usage: npm run directory:import -- <file.csv with columns ${DIRECTORY_CSV_COLUMNS.join(', ')}>`,
  );
  if (file === undefined) return 2;
  const source = await commandFile(file);
  return withCommandDatabase(async (db, { config }) => {
    console.error(`Importing the directory extract ${source}`);
    const report = progressReporter();
    // Rows are checked and written a batch at a time in one transaction: a bad row stops the
    // writing, and the whole file is then loaded or nothing.
    const describe = ({ rows, bad }: ImportProgress) =>
      `read ${rows} rows, ${bad > 0 ? `${bad} bad: nothing will be loaded` : 'checked and written'}`;
    let last: ImportProgress = { rows: 0, bad: 0 };
    const outcome = await importDirectoryCsv(db, source, (progress: ImportProgress) => {
      last = progress;
      report(describe(progress));
    });
    // The last report always, so that a log shows the whole file, not only the first batch.
    report(`${describe(last)}: all read`, true);
    if (!outcome.ok) {
      console.error(`\nNothing was loaded: ${outcome.badRows.length} problem(s) in the file.`);
      for (const bad of outcome.badRows.slice(0, MAX_BAD_ROWS_SHOWN))
        console.error(`  ${bad.line > 0 ? `line ${bad.line}: ` : ''}${bad.message}`);
      if (outcome.badRows.length > MAX_BAD_ROWS_SHOWN)
        console.error(`  … and ${outcome.badRows.length - MAX_BAD_ROWS_SHOWN} more`);
      return 1;
    }
    console.error(
      `\nLoaded ${outcome.rows} people: ${outcome.inserted} new, ${outcome.updated} changed, ${outcome.unchanged} unchanged.`,
    );
    console.error(
      config.directory.kind === 'seeded'
        ? "The nightly directory sync (00:30) applies them to the gateway's people."
        : 'DIRECTORY=lookup here: the nightly directory sync reads the University Lookup service, not this table, so these people change nobody. The table is read only with DIRECTORY=seeded.',
    );
    return 0;
  });
}

runCommand(main);
