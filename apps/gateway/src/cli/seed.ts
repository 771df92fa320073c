import { migrate } from '../platform/db/prepare.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { seedDemoData } from '../seed.ts';
import { noArguments, runCommand, withCommandDatabase } from './cli-support.ts';

/**
 * `npm run seed`: loads the demo products, prices, institutions and people (idempotent), after
 * bringing the database up to date. Like `npm run migrate`, refused while the gateway has the
 * embedded database open.
 */
const USAGE =
  'Usage: npm run seed (loads the demo products, prices, institutions and people into the configured database)';

runCommand(async () => {
  if (!noArguments(process.argv.slice(2), USAGE)) return 2;
  return withCommandDatabase(
    async (db, { config }) => {
      const log = createLogger(config, 'seed');
      await migrate(db, log);
      await seedDemoData(db);
      log.info('demo data loaded');
      return 0;
    },
    { migrates: true },
  );
});
