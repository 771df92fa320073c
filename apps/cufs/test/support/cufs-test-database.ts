import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { CsvFolderConnector } from '../../src/modules/import/csv-folder.connector.ts';
import { importReferenceData } from '../../src/modules/import/importer.ts';
import { type DatabaseHandle, openDatabase } from '../../src/platform/database.ts';
import { migrateToLatest } from '../../src/platform/migrate.ts';
import { SAMPLE_DATA_DIR } from '../../src/sample-data.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A file holding the data dump of a migrated, empty CUFS PGlite database ('' on PostgreSQL). */
    cufsDatabaseTemplate: string;
  }
}

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
 * A new PGlite database runs initdb (5 to 12 s on two busy cores) where loading a dump takes about
 * one: globalSetup migrates one CUFS database on PGlite and every test starts from a copy of it.
 * PostgreSQL creates and migrates a database in well under a second, so it needs no template.
 */
export async function prepareCufsTemplate(
  server: string | undefined,
): Promise<{ reference: string; dispose(): Promise<void> }> {
  if (server) return { reference: '', dispose: async () => {} };
  const handle = await openDatabase({ kind: 'pglite' });
  await migrateToLatest(handle.db);
  // Each copy starts with small shared buffers: the default 128 MB are zeroed at every start,
  // ~0.45 s in WebAssembly, for a database of a few MB.
  await handle.pglite?.exec(`ALTER SYSTEM SET shared_buffers = '16MB'`);
  const dump = await handle.pglite?.dumpDataDir('none');
  await handle.close();
  const dir = await mkdtemp(path.join(tmpdir(), 'cufs-template-'));
  const file = path.join(dir, 'template.tar');
  await writeFile(file, Buffer.from(await (dump as Blob).arrayBuffer()));
  return { reference: file, dispose: () => rm(dir, { recursive: true, force: true }) };
}

async function openPostgres(): Promise<DatabaseHandle & { url: string }> {
  const name = `cufs_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = testServerUrl(name);
  const opened = await openDatabase({ kind: 'postgres', url, poolSize: 3 });
  await migrateToLatest(opened.db);
  return {
    ...opened,
    url,
    close: async () => {
      await opened.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function openPglite(): Promise<DatabaseHandle> {
  const template = inject('cufsDatabaseTemplate');
  // Backed by the file: a Blob made from its bytes copies them each time.
  return openDatabase({ kind: 'pglite', loadDataDir: await openAsBlob(template) });
}

/**
 * A fresh, migrated CUFS database of its own on the engine under test, with the sample extracts
 * loaded unless `empty`. Closing it drops it.
 */
export async function openCufsTestDatabase(
  options: { empty?: boolean } = {},
): Promise<DatabaseHandle & { url?: string }> {
  const handle = testEngine === 'postgres' ? await openPostgres() : await openPglite();
  if (!options.empty) {
    const outcome = await importReferenceData(handle.db, new CsvFolderConnector(SAMPLE_DATA_DIR));
    if (!outcome.ok) throw new Error(`sample data did not load: ${JSON.stringify(outcome.badRows)}`);
  }
  return handle;
}
