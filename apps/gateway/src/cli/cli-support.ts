import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Config, loadConfig, loadDotEnv } from '../platform/config.ts';
import type { DatabaseHandle, Executor } from '../platform/db/database.ts';
import { openDatabase } from '../platform/db/database.ts';
import { lockEmbeddedDataDir } from '../platform/db/embedded-lock.ts';
import { migrateToLatest, pendingMigrations } from '../platform/db/migrate.ts';

/**
 * What the gateway's commands share: the configured database, held for the command alone (the
 * embedded database belongs to one process at a time: stop the gateway first), and closed however
 * the work ends. As with the gateway itself, the embedded database is brought up to date here; a
 * PostgreSQL database is migrated only by `npm run migrate` (in production, the deployment's
 * migration job), so a command refuses one that is behind this build rather than migrate it.
 */
export async function withCommandDatabase<T>(
  work: (db: Executor, context: { config: Config; database: DatabaseHandle }) => Promise<T>,
  options: {
    /** The command migrates the database itself, whichever engine (npm run migrate, npm run seed): not checked here. */
    migrates?: boolean;
  } = {},
): Promise<T> {
  loadDotEnv();
  const config = loadConfig();
  const unlock = config.database.kind === 'pglite' ? await lockEmbeddedDataDir(config.database.dataDir) : undefined;
  // No statement timeout for commands: migrations and the nightly run may rightly take minutes.
  const database = await openDatabase(
    config.database.kind === 'postgres' ? { ...config.database, statementTimeoutMs: undefined } : config.database,
  );
  try {
    if (options.migrates) {
      // the work does it
    } else if (config.database.kind === 'pglite') await migrateToLatest(database.db);
    else await refuseIfBehind(database.db);
    return await work(database.db, { config, database });
  } finally {
    await database.close();
    await unlock?.();
  }
}

async function refuseIfBehind(db: Executor): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length === 0) return;
  throw new Error(
    `The database has not run ${pending.length === 1 ? 'a migration' : `${pending.length} migrations`} this build needs (${pending.join(', ')}): run npm run migrate first, then this command again. Nothing was changed.`,
  );
}

/** A file named on the command line: npm runs scripts from the repository root, so a relative path means the caller's directory. */
export function callerPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/**
 * For a command that takes no arguments: true, or false with the usage printed for any (so that
 * `npm run migrate -- --dry-run` stops instead of migrating as if nothing had been asked).
 */
export function noArguments(args: readonly string[], usage: string): boolean {
  if (args.length === 0) return true;
  if (args[0] !== '--help') console.error(`This command takes no arguments: ${args.join(' ')}`);
  console.error(usage);
  return false;
}

/**
 * The one file an import command takes, from its arguments; undefined, with the usage printed, for
 * none, `--help` or more than one (only the first would have been read, the others left unsaid).
 */
export function oneFileArgument(args: readonly string[], usage: string): string | undefined {
  const [file, ...more] = args;
  if (file && file !== '--help' && more.length === 0) return file;
  if (file && more.length > 0) console.error(`One file at a time: ${args.length} arguments were given.`);
  console.error(usage);
  return undefined;
}

/**
 * The file a command is to read, checked before the database is opened: its full path (relative
 * to the caller's directory), or an error saying plainly why it cannot be read, so that a mistyped
 * name stops the command at once with a sentence rather than a stack trace, having changed nothing.
 */
export async function commandFile(file: string): Promise<string> {
  const source = callerPath(file);
  try {
    if (!(await stat(source)).isFile()) throw new Error(`${source} is not a file (a folder?). Nothing was changed.`);
    await access(source, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new Error(`There is no file ${source}: check its name and folder. Nothing was changed.`);
    if (code === 'EACCES') throw new Error(`${source} cannot be read: permission denied. Nothing was changed.`);
    throw error;
  }
  return source;
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
