import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCommandDatabase } from '../../src/cli/cli-support.ts';
import { migrations } from '../../src/migrations/index.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { admin, testEngine } from '../support/test-database.ts';

/**
 * The commands (npm run nightly, directory:import, usage:import) on PostgreSQL: only the migration
 * job migrates it, so a command refuses a database behind its build. (On PGlite a command migrates
 * the embedded database, as the gateway does at start.)
 */
describe.skipIf(testEngine !== 'postgres')('a command on a PostgreSQL database', () => {
  const name = `ssgw_command_${randomBytes(4).toString('hex')}`;
  const url = new URL(process.env.TEST_DATABASE_URL || 'postgres://localhost/none');
  url.pathname = `/${name}`;
  const previous = process.env.DATABASE_URL;

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
    process.env.DATABASE_URL = url.toString();
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it('refuses a database that has not run its migrations, migrates nothing and does no work; runs once it has', async () => {
    let worked = 0;
    const work = async () => ++worked;
    await expect(withCommandDatabase(work)).rejects.toThrow(
      /^The database has not run \d+ migrations this build needs \(0001_.*\): run npm run migrate first, then this command again\. Nothing was changed\.$/,
    );
    expect(worked).toBe(0);
    const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
    try {
      const tables = await handle.db.introspection.getTables();
      expect(tables.map((table) => table.name)).not.toContain('licences');
      await migrateToLatest(handle.db);
    } finally {
      await handle.close();
    }
    await expect(withCommandDatabase(work)).resolves.toBe(1);
  });

  it('names the one migration a database has not run, the latest', async () => {
    const latest = Object.keys(migrations).sort().at(-1);
    const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
    try {
      await migrateToLatest(handle.db);
      await sql`DELETE FROM kysely_migration WHERE name = ${latest}`.execute(handle.db);
    } finally {
      await handle.close();
    }
    await expect(withCommandDatabase(async () => 'worked')).rejects.toThrow(
      `The database has not run a migration this build needs (${latest}): run npm run migrate first`,
    );
  });
});
