import { buildCufsApp, universityToday } from './app.ts';
import { CufsConfigError, loadCufsConfig, loadDotEnv } from './config.ts';
import { hasReferenceData } from './modules/codes/reference.repository.ts';
import { CsvFolderConnector } from './modules/import/csv-folder.connector.ts';
import { importReferenceData } from './modules/import/importer.ts';
import { DataDirLockedError, lockEmbeddedDataDir } from './platform/embedded-lock.ts';
import { createLogger, loggerOptions } from './platform/logger.ts';
import { DatabaseUnavailableError, openMigratedDatabase } from './platform/migrate.ts';
import { SAMPLE_DATA_DIR } from './sample-data.ts';

/** The CUFS API service: on PostgreSQL (DATABASE_URL) or embedded PGlite in ./data/cufs. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadCufsConfig();
  const log = createLogger(config.logging);
  const unlock = config.database.kind === 'pglite' ? await lockEmbeddedDataDir(config.database.dataDir) : undefined;
  // A small schema of its own: every start brings it up to date (Kysely's migrator holds a lock,
  // so replicas starting together apply each migration once).
  const { database, migrated } = await openMigratedDatabase(config.database);
  for (const step of migrated.results ?? [])
    log.info({ migration: step.migrationName, status: step.status }, 'migration');
  if (config.loadSampleData) {
    if (!(await hasReferenceData(database.db))) {
      const outcome = await importReferenceData(database.db, new CsvFolderConnector(SAMPLE_DATA_DIR));
      if (!outcome.ok) throw new Error(`the sample data does not load: ${JSON.stringify(outcome.badRows)}`);
      log.info({ counts: outcome.counts }, 'loaded the sample CUFS reference data');
    }
  }

  const app = await buildCufsApp({
    config,
    db: database.db,
    today: () => universityToday(),
    logger: loggerOptions(config.logging),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await app.close();
    await database.close();
    await unlock?.();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ host: config.host, port: config.port });
  log.info({ port: config.port, database: config.database.kind }, 'CUFS API service ready');
}

main().catch((error: unknown) => {
  const known = [CufsConfigError, DataDirLockedError, DatabaseUnavailableError].some((kind) => error instanceof kind);
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
