// npm run cufs:import -- <folder of CSV extracts>
// Checks every row of every extract, reports bad rows by file and line, and loads the set (in one
// transaction) only when there are none (import-command.ts). Running it twice with the same files
// changes nothing.
import { loadDotEnv } from '../config.ts';
import { runImportCommand } from './import-command.ts';

loadDotEnv();
runImportCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
