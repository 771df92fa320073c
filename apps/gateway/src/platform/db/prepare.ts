import type { Logger } from 'pino';
import { seedDemoData, seedDemoShowcase } from '../../seed.ts';
import type { Executor } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/** Brings a database up to date, logging each migration it applies. */
export async function migrate(db: Executor, log: Logger): Promise<void> {
  const result = await migrateToLatest(db);
  for (const step of result.results ?? [])
    log.info({ migration: step.migrationName, status: step.status }, 'migration');
}

/** The embedded default's first start: a fresh database gets the demo data, once. True if it did. */
export async function seedIfEmpty(db: Executor, log: Logger): Promise<boolean> {
  const existing = await db.selectFrom('products').select('code').limit(1).executeTakeFirst();
  if (existing) return false;
  await seedDemoData(db);
  await seedDemoShowcase(db);
  log.info('loaded the demo data (products, prices, institutions, people, a demo licence)');
  return true;
}
