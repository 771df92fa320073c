import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CsvFolderConnector } from '../../src/modules/import/csv-folder.connector.ts';
import { importReferenceData } from '../../src/modules/import/importer.ts';
import { type DatabaseHandle, openDatabase } from '../../src/platform/database.ts';
import { migrateToLatest } from '../../src/platform/migrate.ts';
import { SAMPLE_DATA_DIR } from '../../src/sample-data.ts';

/** PostgreSQL when TEST_DATABASE_URL is set (CI runs both), else embedded PGlite. */
export const testEngine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL of one database on the test server. */
export function testServerUrl(database: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A fresh, migrated CUFS database of its own on the engine under test, with the sample extracts
 * loaded unless `empty`. Closing it drops it.
 */
export async function openCufsTestDatabase(
  options: { empty?: boolean } = {},
): Promise<DatabaseHandle & { url?: string }> {
  let handle: DatabaseHandle & { url?: string };
  if (testEngine === 'postgres') {
    const name = `cufs_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    const url = testServerUrl(name);
    const opened = await openDatabase({ kind: 'postgres', url, poolSize: 3 });
    handle = {
      ...opened,
      url,
      close: async () => {
        await opened.close();
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  } else {
    handle = await openDatabase({ kind: 'pglite' });
  }
  await migrateToLatest(handle.db);
  if (!options.empty) {
    const outcome = await importReferenceData(handle.db, new CsvFolderConnector(SAMPLE_DATA_DIR));
    if (!outcome.ok) throw new Error(`sample data did not load: ${JSON.stringify(outcome.badRows)}`);
  }
  return handle;
}
