import { sql } from 'kysely';
import { DEFAULT_MIGRATION_TABLE, type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import type { Executor } from './database.ts';

/** The migrations compiled into this build, in order: nothing is read from disk at run time. */
function migrator(db: Executor): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
  });
}

export async function migrateToLatest(db: Executor): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/**
 * The names of migrations this build knows that the database has not run, in order. Read from
 * Kysely's own table by name: Migrator.getMigrations() first lists every table's columns to see
 * whether that table exists, ~20 ms on a new connection, and /readyz and every command ask this.
 */
export async function pendingMigrations(db: Executor): Promise<string[]> {
  const table = await sql<{ present: boolean }>`
    SELECT to_regclass(${DEFAULT_MIGRATION_TABLE}) IS NOT NULL AS present`.execute(db);
  const executed = table.rows[0]?.present
    ? await sql<{ name: string }>`SELECT name FROM ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db)
    : { rows: [] };
  const ran = new Set(executed.rows.map((row) => row.name));
  return Object.keys(migrations)
    .sort()
    .filter((name) => !ran.has(name));
}
