// The integration suite again on a real PostgreSQL server, when TEST_DATABASE_URL names one.
// PGlite is PostgreSQL 18 and production is older: this pass keeps newer features out.
import { spawnSync } from 'node:child_process';

if (!process.env.TEST_DATABASE_URL) {
  console.log(
    '\n*** PostgreSQL pass skipped: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it. ***\n',
  );
  process.exit(0);
}
console.log(`\nIntegration tests on PostgreSQL (${new URL(process.env.TEST_DATABASE_URL).host})`);
const run = spawnSync('npx', ['vitest', 'run', '--project', 'integration'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
