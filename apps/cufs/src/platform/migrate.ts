import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from '../migrations/index.ts';
import type { Executor } from './database.ts';

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
