import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from '../migrations/index.ts';
import { type DatabaseHandle, type DatabaseTarget, type Executor, openDatabase } from './database.ts';

/**
 * Own bookkeeping tables, so that the service can share a PostgreSQL database with the gateway
 * (whose migrator uses Kysely's default names) without either seeing the other's migrations.
 */
function migrator(db: Executor): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
    migrationTableName: 'cufs_migration',
    migrationLockTableName: 'cufs_migration_lock',
  });
}

export async function migrateToLatest(db: Executor): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

export async function pendingMigrations(db: Executor): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((migration) => !migration.executedAt).map((migration) => migration.name);
}

/** The database cannot be reached or brought up to date: one sentence for the operator, no stack. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * Opens the database and migrates it, as the service and the import do on every start. A failure
 * (server down, wrong user or password, unknown database, unusable folder) becomes one sentence
 * naming the database and the setting that chose it, never the password.
 */
export async function openMigratedDatabase(
  target: DatabaseTarget,
): Promise<{ database: DatabaseHandle; migrated: MigrationResultSet }> {
  let database: DatabaseHandle | undefined;
  try {
    database = await openDatabase(target);
    return { database, migrated: await migrateToLatest(database.db) };
  } catch (error) {
    await database?.close().catch(() => {});
    const cause = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(`The CUFS database (${describeDatabase(target)}) cannot be used: ${cause}`, {
      cause: error,
    });
  }
}

function describeDatabase(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `embedded PGlite in ${target.dataDir ?? 'memory'}, from CUFS_DATA_DIR`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}, from CUFS_DATABASE_URL or DATABASE_URL`;
}
