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
  return withCommandDatabase(async (db) => {
    console.error(`Importing the directory extract ${source}`);
    const report = progressReporter();
    const outcome = await importDirectoryCsv(db, source, (progress: ImportProgress) =>
      report(`read ${progress.rows} rows${progress.bad > 0 ? `, ${progress.bad} bad` : ''}`),
    );
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
    console.error("The nightly directory sync (00:30) applies them to the gateway's people.");
    return 0;
  });
}

runCommand(main);
