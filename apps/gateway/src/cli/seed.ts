import { loadConfig, loadDotEnv } from '../platform/config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/prepare.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { seedDemoData } from '../seed.ts';

/** `npm run seed`: loads the demo products, prices, institutions and people (idempotent). */
loadDotEnv();
const config = loadConfig();
const log = createLogger(config, 'seed');
const database = await openDatabase(config.database);
try {
  await migrate(database.db, log);
  await seedDemoData(database.db);
  log.info('demo data loaded');
} finally {
  await database.close();
}
