import { seedCatalogue } from './modules/catalogue/catalogue.seed.ts';
import { seedVouchers } from './modules/payments/payments.seed.ts';
import { seedDirectory } from './modules/people/people.seed.ts';
import type { Executor } from './platform/db/database.ts';

/** Demo data for the embedded default, the tests and `npm run seed`: idempotent. */
export async function seedDemoData(db: Executor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await seedDirectory(trx);
    await seedCatalogue(trx);
    await seedVouchers(trx);
  });
}
