import { loadDotEnv } from '../platform/config.ts';
import { migrate } from '../platform/db/prepare.ts';
import { createLogger } from '../platform/logging/logger.ts';
import { seedDemoData } from '../seed.ts';
import { noArguments, runCommand, withCommandDatabase } from './cli-support.ts';

/**
 * `npm run seed`: loads the demo products, prices, institutions and people (idempotent), after
 * bringing the database up to date. Like `npm run migrate`, refused while the gateway has the
 * embedded database open.
 */
/** Said to load the demo data where NODE_ENV=production, knowingly (a production-shaped copy for a demo). */
const FORCE_FLAG = '--force-demo-data';

const USAGE = `Usage: npm run seed [-- ${FORCE_FLAG}] (loads the demo products, prices, institutions and people into the configured database; ${FORCE_FLAG} is needed with NODE_ENV=production)`;

/**
 * The demo people hold staff roles under real-looking CRSids (su701 a superuser, rs501 and if502
 * service admins, fn601 Finance): in production, signing in through the University's identity
 * provider, anyone whose CRSid matches would get those roles. So production is refused unless
 * asked for by name, checked before the configuration or the database is touched.
 */
const PRODUCTION_REFUSAL = `npm run seed loads demo people with staff roles (su701 a superuser, rs501 and if502 service admins, fn601 Finance), which anyone whose CRSid matches would get: it is refused with NODE_ENV=production. Nothing was changed. To load the demo data into a production-shaped copy all the same, run npm run seed -- ${FORCE_FLAG}.`;

runCommand(async () => {
  const args = process.argv.slice(2);
  const forced = args[0] === FORCE_FLAG;
  if (!noArguments(forced ? args.slice(1) : args, USAGE)) return 2;
  // The settings the command will use: .env as withCommandDatabase reads it.
  loadDotEnv();
  if (process.env.NODE_ENV === 'production' && !forced) {
    console.error(PRODUCTION_REFUSAL);
    return 2;
  }
  return withCommandDatabase(
    async (db, { config }) => {
      const log = createLogger(config, 'seed');
      await migrate(db, log);
      await seedDemoData(db);
      log.info({ forced }, 'demo data loaded');
      return 0;
    },
    { migrates: true },
  );
});
