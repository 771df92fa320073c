import { migrate } from '../platform/db/prepare.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { noArguments, runCommand, withCommandDatabase } from './cli-support.ts';

/**
 * `npm run migrate`: brings the configured database to the latest schema. As every command, it
 * holds the embedded database for itself (refused while the gateway has it open) and answers a
 * bad setting or an unreachable database with a sentence and exit 1.
 */
const USAGE =
  'Usage: npm run migrate (brings the configured database, DATABASE_URL or the embedded one, to the latest schema)';

runCommand(async () => {
  if (!noArguments(process.argv.slice(2), USAGE)) return 2;
  return withCommandDatabase(
    async (db, { config }) => {
      const log = createLogger(config, 'migrate');
      await migrate(db, log);
      log.info('database is up to date');
      return 0;
    },
    { migrates: true },
  );
});
