import { seedCatalogue } from './modules/catalogue/catalogue.seed.ts';
import { seedDemoLicence } from './modules/licences/licences.seed.ts';
import { seedVouchers } from './modules/payments/payments.seed.ts';
import { DEMO_LEAVER, seedDemoLeaver, seedDirectory } from './modules/people/people.seed.ts';
import { seedDemoUsage } from './modules/usage/usage.seed.ts';
import { systemClock } from './platform/clock.ts';
import type { Executor } from './platform/db/database.ts';

/** Demo data for the embedded default, the tests and `npm run seed`: idempotent. */
export async function seedDemoData(db: Executor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await seedDirectory(trx);
    await seedCatalogue(trx);
    await seedVouchers(trx);
  });
}

/**
 * What the embedded demo's first start adds to the demo data (not the tests'): a licence of
 * Alice's with Ben and a person who has since left as Data Managers, for the directory sync to flag,
 * and one of hers with half a year of usage readings, nearly full.
 */
export async function seedDemoShowcase(db: Executor, today = systemClock.today().toString()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await seedDemoLeaver(trx);
    await seedDemoLicence(trx, ['bm202', DEMO_LEAVER.crsid]);
    await seedDemoUsage(trx, today);
  });
}
