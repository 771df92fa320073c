import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import pino from 'pino';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { installJobQueueSchema } from '../../src/platform/jobs/pg-boss-queue.ts';
import { seedDemoData } from '../../src/seed.ts';

/** PostgreSQL when TEST_DATABASE_URL is set (CI runs both), else embedded PGlite. */
export const testEngine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface Template {
  /** A template database name on PostgreSQL, or a file holding a PGlite data dump. */
  reference: string;
  dispose(): Promise<void>;
}

function serverUrl(database: string, server = process.env.TEST_DATABASE_URL as string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

/** `work` with a connection to the test server's maintenance database (to create and drop databases). */
export async function admin<T>(
  work: (client: pg.Client) => Promise<T>,
  server = process.env.TEST_DATABASE_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Every copy of the PGlite template starts with this setting: PostgreSQL's default 128 MB of
 * shared buffers is allocated and zeroed at each start, which in WebAssembly is ~0.45 s of every
 * test database's ~1 s; a test database holds a few MB.
 */
const SMALL_SHARED_BUFFERS = `ALTER SYSTEM SET shared_buffers = '16MB'`;

/**
 * The template of a project's run: on the PostgreSQL server `server` (the project's
 * TEST_DATABASE_URL), else on PGlite. Global set-up runs in Vitest's main process for every project,
 * so the engine comes from the project, not from this process's environment.
 */
export async function prepareTemplate(server: string | undefined): Promise<Template> {
  if (server) {
    const name = `ssgw_template_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE ${name}`), server);
    const handle = await openDatabase({ kind: 'postgres', url: serverUrl(name, server), poolSize: 2 });
    await migrateToLatest(handle.db);
    await seedDemoData(handle.db);
    // pg-boss installs its schema on first start: once here, not in every test file.
    await installJobQueueSchema(handle, pino({ level: 'silent' }));
    await handle.close();
    return {
      reference: name,
      dispose: () =>
        admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)), server),
    };
  }
  const handle = await openDatabase({ kind: 'pglite' });
  await migrateToLatest(handle.db);
  await seedDemoData(handle.db);
  await installJobQueueSchema(handle, pino({ level: 'silent' }));
  await (handle.pglite as PGlite).exec(SMALL_SHARED_BUFFERS);
  const dump = await (handle.pglite as PGlite).dumpDataDir('none');
  await handle.close();
  const dir = await mkdtemp(path.join(tmpdir(), 'ssgw-template-'));
  const file = path.join(dir, 'template.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  return { reference: file, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** A test file's own database; on PostgreSQL with its address, for a gateway process started on it. */
export interface TestDatabase extends DatabaseHandle {
  url?: string;
}

/**
 * A fresh, migrated and seeded database of its own for one test file, on the engine under test.
 * Closing it drops it.
 */
export async function openTestDatabase(template: string): Promise<TestDatabase> {
  if (testEngine === 'postgres') {
    const name = `ssgw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
    const handle = await openDatabase({ kind: 'postgres', url: serverUrl(name), poolSize: 5 });
    return {
      ...handle,
      url: serverUrl(name),
      close: async () => {
        await handle.close();
        await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  // A Blob backed by the file: one made from its bytes copies 44 MB each time (~0.4 s).
  return openDatabase({ kind: 'pglite', loadDataDir: await openAsBlob(template) });
}
