import path from 'node:path';
import { type Config, loadConfig, loadDotEnv } from '../platform/config.ts';
import type { DatabaseHandle, Executor } from '../platform/db/database.ts';
import { openDatabase } from '../platform/db/database.ts';
import { lockEmbeddedDataDir } from '../platform/db/embedded-lock.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';

/**
 * What the gateway's import commands share: the configured database, brought up to date and held
 * for the command alone (the embedded database belongs to one process at a time: stop the
 * gateway first), and closed however the work ends.
 */
export async function withCommandDatabase<T>(
  work: (db: Executor, context: { config: Config; database: DatabaseHandle }) => Promise<T>,
): Promise<T> {
  loadDotEnv();
  const config = loadConfig();
  const unlock = config.database.kind === 'pglite' ? await lockEmbeddedDataDir(config.database.dataDir) : undefined;
  const database = await openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    return await work(database.db, { config, database });
  } finally {
    await database.close();
    await unlock?.();
  }
}

/** A file named on the command line: npm runs scripts from the repository root, so a relative path means the caller's directory. */
export function callerPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/** Runs a command's main function and exits with its code (1, with the message, if it throws). */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
