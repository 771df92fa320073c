// What `npm run cufs:import -- <folder>` does (import.ts runs it in its own process): checks every
// row of every extract, reports bad rows by file and line, and loads the set (in one transaction)
// only when there are none. Running it twice with the same files changes nothing.
import path from 'node:path';
import { loadCufsConfig } from '../config.ts';
import { CsvFolderConnector } from '../modules/import/csv-folder.connector.ts';
import { type ImportProgress, importReferenceData } from '../modules/import/importer.ts';
import { lockEmbeddedDataDir } from '../platform/embedded-lock.ts';
import { openMigratedDatabase } from '../platform/migrate.ts';

const MAX_BAD_ROWS_SHOWN = 200;

/** Where the command writes its report: the process's stderr, or what a test reads. */
export interface CommandOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What the command runs with; the process's own by default. */
export interface CommandSurroundings {
  env?: Record<string, string | undefined>;
  stderr?: CommandOutput;
  /** Where a relative folder is found. */
  cwd?: string;
}

/**
 * Runs the import with the command-line arguments `args` and the settings of `env` (a folder
 * relative to `cwd`), reporting on `stderr`; resolves to the exit code.
 */
export async function runImportCommand(
  args: string[],
  { env = process.env, stderr = process.stderr, cwd = env.INIT_CWD ?? process.cwd() }: CommandSurroundings = {},
): Promise<number> {
  const say = (line: string) => stderr.write(`${line}\n`);
  const folder = args[0];
  if (!folder || folder === '--help') {
    say(
      'Usage: npm run cufs:import -- <folder with cost_centres.csv, sources_of_funds.csv, awards.csv, projects.csv, tasks.csv>',
    );
    return 2;
  }
  const config = loadCufsConfig(env);
  // The embedded database belongs to one process at a time: stop the service before importing.
  const unlock = config.database.kind === 'pglite' ? await lockEmbeddedDataDir(config.database.dataDir) : undefined;
  const { database } = await openMigratedDatabase(config.database).catch(async (error: unknown) => {
    await unlock?.();
    throw error;
  });
  try {
    // npm runs scripts from the repository root; a relative folder means the caller's directory.
    const connector = new CsvFolderConnector(path.resolve(cwd, folder));
    say(`Importing CUFS reference data from ${connector.description}`);
    const outcome = await importReferenceData(database.db, connector, (progress) => showProgress(stderr, progress));
    if (!outcome.ok) {
      say(`\nNothing was loaded: ${outcome.badRows.length} problem(s) in the extracts.`);
      for (const bad of outcome.badRows.slice(0, MAX_BAD_ROWS_SHOWN))
        say(`  ${bad.source}${bad.line > 0 ? ` line ${bad.line}` : ''}: ${bad.message}`);
      if (outcome.badRows.length > MAX_BAD_ROWS_SHOWN)
        say(`  … and ${outcome.badRows.length - MAX_BAD_ROWS_SHOWN} more`);
      return 1;
    }
    say('\nLoaded:');
    for (const [dataset, count] of Object.entries(outcome.counts))
      say(`  ${dataset.padEnd(17)} ${count.inserted} new, ${count.updated} changed, ${count.unchanged} unchanged`);
    return 0;
  } finally {
    await database.close();
    await unlock?.();
  }
}

/** One line per step on a log; an updating line on a terminal. */
function showProgress(stderr: CommandOutput, progress: ImportProgress): void {
  const text =
    progress.phase === 'reading'
      ? `reading ${progress.source}: ${progress.rows} rows${progress.finished ? ', done' : ''}`
      : `writing ${progress.dataset}: ${progress.written}/${progress.total}`;
  if (stderr.isTTY) stderr.write(`\r\x1b[2K${text}`);
  else if (progress.phase === 'writing' ? progress.written === progress.total : progress.finished)
    stderr.write(`${text}\n`);
}
