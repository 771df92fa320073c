// npm run cufs:import -- <folder of CSV extracts>
// Checks every row of every extract, reports bad rows by file and line, and loads the set (in one
// transaction) only when there are none. Running it twice with the same files changes nothing.
import path from 'node:path';
import { loadCufsConfig, loadDotEnv } from '../config.ts';
import { CsvFolderConnector } from '../modules/import/csv-folder.connector.ts';
import { type ImportProgress, importReferenceData } from '../modules/import/importer.ts';
import { openDatabase } from '../platform/database.ts';
import { lockEmbeddedDataDir } from '../platform/embedded-lock.ts';
import { migrateToLatest } from '../platform/migrate.ts';

const MAX_BAD_ROWS_SHOWN = 200;

async function main(): Promise<number> {
  const folder = process.argv[2];
  if (!folder || folder === '--help') {
    console.error(
      'Usage: npm run cufs:import -- <folder with cost_centres.csv, sources_of_funds.csv, awards.csv, projects.csv, tasks.csv>',
    );
    return 2;
  }
  loadDotEnv();
  const config = loadCufsConfig();
  // The embedded database belongs to one process at a time: stop the service before importing.
  const unlock = config.database.kind === 'pglite' ? await lockEmbeddedDataDir(config.database.dataDir) : undefined;
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    // npm runs scripts from the repository root; a relative folder means the caller's directory.
    const connector = new CsvFolderConnector(path.resolve(process.env.INIT_CWD ?? process.cwd(), folder));
    console.error(`Importing CUFS reference data from ${connector.description}`);
    const outcome = await importReferenceData(database.db, connector, showProgress);
    if (!outcome.ok) {
      console.error(`\nNothing was loaded: ${outcome.badRows.length} problem(s) in the extracts.`);
      for (const bad of outcome.badRows.slice(0, MAX_BAD_ROWS_SHOWN))
        console.error(`  ${bad.source}${bad.line > 0 ? ` line ${bad.line}` : ''}: ${bad.message}`);
      if (outcome.badRows.length > MAX_BAD_ROWS_SHOWN)
        console.error(`  … and ${outcome.badRows.length - MAX_BAD_ROWS_SHOWN} more`);
      return 1;
    }
    console.error('\nLoaded:');
    for (const [dataset, count] of Object.entries(outcome.counts))
      console.error(
        `  ${dataset.padEnd(17)} ${count.inserted} new, ${count.updated} changed, ${count.unchanged} unchanged`,
      );
    return 0;
  } finally {
    await database.close();
    await unlock?.();
  }
}

/** One line per step on a log; an updating line on a terminal. */
function showProgress(progress: ImportProgress): void {
  const text =
    progress.phase === 'reading'
      ? `reading ${progress.source}: ${progress.rows} rows${progress.finished ? ', done' : ''}`
      : `writing ${progress.dataset}: ${progress.written}/${progress.total}`;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else if (progress.phase === 'writing' ? progress.written === progress.total : progress.finished)
    process.stderr.write(`${text}\n`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
