import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
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

/** The names of migrations this build knows that the database has not run. */
export async function pendingMigrations(db: Executor): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((migration) => !migration.executedAt).map((migration) => migration.name);
}
