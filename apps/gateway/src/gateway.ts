import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { createJobRegistry } from './jobs.ts';
import { cufsClientFromConfig } from './modules/payments/cufs-client.ts';
import { directorySyncJob } from './modules/people/directory-sync.jobs.ts';
import { systemClock } from './platform/clock.ts';
import { ConfigError, loadConfig, loadDotEnv, siteLinks } from './platform/config.ts';
import { openDatabase } from './platform/db/database.ts';
import { lockEmbeddedDataDir } from './platform/db/embedded-lock.ts';
import { migrate, seedIfEmpty } from './platform/db/prepare.ts';
import { createDirectory } from './platform/directory/index.ts';
import { createDocumentStore } from './platform/documents/index.ts';
import { embeddedSessionSecret } from './platform/identity/session-secret.ts';
import { startBackgroundJobs } from './platform/jobs/background-jobs.ts';
import { createLogger, loggerOptions } from './platform/logging/logger.ts';
import { createMailTransport } from './platform/mail/mail-transport.ts';
import { createProvisioner } from './platform/provisioner/index.ts';

/** The gateway process: web, worker, or both (APP_ROLE), on PostgreSQL or embedded PGlite. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const log = createLogger(config, 'gateway');
  const embedded = config.database.kind === 'pglite';
  const unlock = config.database.kind === 'pglite' ? await lockEmbeddedDataDir(config.database.dataDir) : undefined;
  const database = await openDatabase(config.database);

  let seeded = false;
  if (embedded) {
    await migrate(database.db, log);
    seeded = await seedIfEmpty(database.db, log);
  }

  const mailTransport = createMailTransport(config.mail);
  const cufs = cufsClientFromConfig(config.cufs, log.child({ component: 'cufs-client' }));
  const documents = createDocumentStore(config.documents);
  const jobRegistry = createJobRegistry({
    mail: { transport: mailTransport, from: config.mail.from },
    cufs,
    documents,
    site: siteLinks(config),
    provisioner: createProvisioner(config.provisioner),
    lifecycle: config.lifecycle,
    directory: createDirectory(config.directory, database.db),
    usage: config.usage,
  });
  // Role web only enqueues; worker and all also run jobs and (in-process) schedules.
  const jobs = await startBackgroundJobs({
    config,
    database,
    clock: systemClock,
    log: log.child({ component: 'jobs' }),
    registry: jobRegistry,
  });

  // The demo's first start syncs the directory at once, so the seeded leaver shows flagged.
  if (seeded) await jobs.queue.enqueue(database.db, directorySyncJob, {});

  const app = await buildApp({
    config,
    db: database.db,
    clock: systemClock,
    sessionSecret: config.identity.sessionSecret ?? embeddedSessionSecret(config.dataDir),
    logger: loggerOptions(config, 'gateway'),
    jobs: jobs.queue,
    jobRegistry,
    documents,
    cufs,
  });

  closeWithGrace({ delay: 25_000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down: finishing requests in flight');
    // Requests and jobs in flight finish together; only then does the database go.
    await Promise.all([app.close(), jobs.stop()]);
    await mailTransport.close();
    await documents.close();
    await database.close();
    await unlock?.();
  });

  // Every role listens: a worker answers health checks, and Cloud Tasks and Cloud Scheduler
  // calls, on its own port (Cloud Run starts nothing that does not).
  await app.listen({ host: config.host, port: config.port });
  log.info({ url: config.publicUrl, role: config.role, database: config.database.kind }, 'gateway ready');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
