import { setTimeout as sleep } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import { sql } from 'kysely';
import { buildApp } from './app.ts';
import { createJobRegistry } from './jobs.ts';
import { cufsClientFromConfig } from './modules/payments/cufs-client.ts';
import { directorySyncJob } from './modules/people/directory-sync.jobs.ts';
import { systemClock } from './platform/clock.ts';
import { loadConfig, loadDotEnv, siteLinks } from './platform/config.ts';
import { listenForDataChanges } from './platform/db/data-changes.ts';
import { openConnectionsAhead, openDatabase } from './platform/db/database.ts';
import { createDirectory } from './platform/directory/index.ts';
import { createDocumentStore } from './platform/documents/index.ts';
import { embeddedSessionSecret } from './platform/identity/session-secret.ts';
import { AwaitedJobQueue, type BackgroundJobs, startBackgroundJobs } from './platform/jobs/background-jobs.ts';
import { createLogger, loggerOptions, reportStartFailure } from './platform/logging/logger.ts';
import { createMailTransport } from './platform/mail/mail-transport.ts';
import { createProvisioner } from './platform/provisioner/index.ts';
import { saveCodeCache } from './platform/web/code-cache.ts';
import { firstResponse } from './platform/web/first-response.ts';

/** Connections a web process opens before its first request: "My storage" reads four things at once. */
const FIRST_PAGE_CONNECTIONS = 4;

/** How long shutting down may take before close-with-grace gives up (Cloud Run kills at 10 s). */
const SHUTDOWN_GRACE_MS = 8_000;

/** How long a web process that has answered nothing waits after listening to start its job queue. */
const JOBS_START_DELAY_MS = 1000;

/** The gateway process: web, worker, or both (APP_ROLE), on PostgreSQL or embedded PGlite. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const log = createLogger(config, 'gateway');
  const embedded = config.database.kind === 'pglite';
  // The lock, the migrations run at start and the demo data are the embedded database's alone:
  // a process on PostgreSQL does not load them.
  const unlock =
    config.database.kind === 'pglite'
      ? await (await import('./platform/db/embedded-lock.ts')).lockEmbeddedDataDir(config.database.dataDir)
      : undefined;
  const database = await openDatabase(config.database);

  let seeded = false;
  if (embedded) {
    const { migrate, seedIfEmpty } = await import('./platform/db/prepare.ts');
    await migrate(database.db, log);
    seeded = await seedIfEmpty(database.db, log);
  }

  const mailTransport = createMailTransport(config.mail);
  const cufs = cufsClientFromConfig(config.cufs, log.child({ component: 'cufs-client' }));
  const documents = createDocumentStore(config.documents);
  const directory = createDirectory(config.directory, database.db);
  const jobRegistry = createJobRegistry({
    mail: { transport: mailTransport, from: config.mail.from },
    cufs,
    documents,
    site: siteLinks(config),
    provisioner: createProvisioner(config.provisioner),
    lifecycle: config.lifecycle,
    directory,
    usage: config.usage,
  });
  // Worker and all run jobs and (in-process) schedules: they start them before they listen. Role
  // web only enqueues: it listens first and starts its job queue after its first response (or
  // JOBS_START_DELAY_MS after listening, if no request comes), since loading pg-boss (~40 ms)
  // would hold that request; a request that enqueues waits for it, and /readyz answers 503 until
  // it has started.
  const jobsLater = config.role === 'web';
  const jobsStarting = Promise.withResolvers<BackgroundJobs>();
  let jobs: BackgroundJobs | undefined;
  const startJobs = async () => {
    jobs = await startBackgroundJobs({
      config,
      database,
      clock: systemClock,
      log: log.child({ component: 'jobs' }),
      registry: jobRegistry,
    });
    jobsStarting.resolve(jobs);
    // The demo's first start syncs the directory at once, so the seeded leaver shows flagged.
    if (seeded) await jobs.queue.enqueue(database.db, directorySyncJob, {});
  };
  if (!jobsLater) await startJobs();
  // Still, a database that cannot be reached stops a web process before it listens; the
  // connections its first page reads on are opened while it builds the app.
  else {
    await sql`SELECT 1`.execute(database.db);
    openConnectionsAhead(database, FIRST_PAGE_CONNECTIONS);
  }
  const jobQueue =
    jobs?.queue ??
    new AwaitedJobQueue(
      jobsStarting.promise.then((s) => s.queue),
      config.jobs.driver,
    );

  // Web processes keep recent sessions in memory while they hear every commit (recent-sessions.ts).
  const changes = config.role === 'worker' ? undefined : await listenForDataChanges(database);
  const app = await buildApp({
    config,
    db: database.db,
    clock: systemClock,
    sessionSecret: config.identity.sessionSecret ?? embeddedSessionSecret(config.dataDir),
    logger: loggerOptions(config, 'gateway'),
    jobs: jobQueue,
    jobsStarted: () => jobs !== undefined,
    jobRegistry,
    documents,
    cufs,
    directory,
    changes,
  });

  const served = jobsLater ? firstResponse(app) : undefined;

  // Cloud Run sends SIGKILL 10 s after SIGTERM. close-with-grace ends the process itself if the
  // closing below takes longer than its delay: at 8 s that exit, and its log line saying so, come
  // before the kill, with time left to write them; at 25 s the kill always came first, unlogged.
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down: finishing requests in flight');
    // Requests and jobs in flight finish together; only then does the database go.
    // A job queue still starting is stopped once it has.
    await Promise.all([app.close(), jobsStarting.promise.then((started) => started.stop())]);
    await changes?.close();
    await mailTransport.close();
    await documents.close();
    await database.close();
    await unlock?.();
  });

  // Every role listens: a worker answers health checks, and Cloud Tasks and Cloud Scheduler
  // calls, on its own port (Cloud Run starts nothing that does not).
  await app.listen({ host: config.host, port: config.port });
  log.info({ url: config.publicUrl, role: config.role, database: config.database.kind }, 'gateway ready');
  // A failure here ends the process as one before listening would (main's catch).
  // The code cache (platform/web/code-cache.ts) is taken before the job queue starts, so that it
  // holds a start and a first request, not pg-boss.
  if (served) {
    await Promise.race([served, sleep(JOBS_START_DELAY_MS, undefined, { ref: false })]);
    saveCodeCache();
    await startJobs();
  } else saveCodeCache();
}

main().catch((error: unknown) => {
  reportStartFailure(error, 'gateway');
  process.exit(1);
});
