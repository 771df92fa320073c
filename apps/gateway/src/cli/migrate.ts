import { loadConfig, loadDotEnv } from '../platform/config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/prepare.ts';
import { createLogger } from '../platform/logging/logger.ts';

/** `npm run migrate`: brings the configured database to the latest schema. */
loadDotEnv();
const config = loadConfig();
const log = createLogger(config, 'migrate');
const database = await openDatabase(config.database);
try {
  await migrate(database.db, log);
  log.info('database is up to date');
} finally {
  await database.close();
}
