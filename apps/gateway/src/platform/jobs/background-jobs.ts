import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle, Executor } from '../db/database.ts';
import {
  CloudTasksJobQueue,
  GoogleCloudTasksDispatcher,
  type TaskDispatcher,
  TaskOutboxSweeper,
} from './cloud-tasks-queue.ts';
import { JobRunner } from './job-runner.ts';
import type { EnqueueOptions, FailedJobs, JobQueue, JobRegistry, JobType } from './jobs.ts';
import type { JobWorker } from './pg-boss-queue.ts';

export interface BackgroundJobsOptions {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  log: Logger;
  registry: JobRegistry;
  /** Replaces the Google Cloud Tasks client (tests push to the app over plain HTTP). */
  dispatcher?: TaskDispatcher;
}

export interface BackgroundJobs {
  queue: JobQueue;
  runner: JobRunner;
  /** pg-boss, where it runs: the pg-boss driver, or in-process schedules beside Cloud Tasks. */
  boss?: PgBoss;
  worker?: JobWorker;
  sweeper?: TaskOutboxSweeper;
  /** How long pg-boss took to start, for the start-up log. */
  startMs: number;
  /** Stops taking work and waits for jobs and pushes in flight to finish. */
  stop(): Promise<void>;
}

/**
 * Starts the background side for this process's role. `web` only enqueues; `worker` and `all`
 * also run jobs, run the in-process schedules (once per slot across replicas), and do
 * pg-boss's maintenance. On Cloud Tasks every role sweeps the outbox, so a push follows the
 * commit that wrote it without waiting for a worker.
 */
export async function startBackgroundJobs(options: BackgroundJobsOptions): Promise<BackgroundJobs> {
  const { config, database, clock, log, registry } = options;
  const runsWork = config.role !== 'web';
  const inProcessSchedules = runsWork && config.jobs.schedules === 'in-process';
  const started = performance.now();

  // pg-boss runs for the pg-boss driver, and beside Cloud Tasks only to keep in-process schedules.
  const needsBoss = config.jobs.driver === 'pg-boss' || inProcessSchedules;
  const bossHandlers =
    config.jobs.driver === 'pg-boss'
      ? registry.handlers
      : registry.handlers.filter((handler) => registry.schedules.some((s) => s.type.name === handler.type.name));
  // pg-boss's ~0.4 MB of JavaScript is loaded only where it runs (not by a web process on Cloud Tasks).
  const pgBoss = needsBoss ? await import('./pg-boss-queue.ts') : undefined;
  let boss: PgBoss | undefined;
  let worker: JobWorker | undefined;
  if (pgBoss) {
    boss = await pgBoss.startPgBoss(database, {
      schedule: inProcessSchedules,
      supervise: runsWork,
      log,
      instanceName: `gateway-${config.role}`,
    });
    await pgBoss.prepareQueues(
      boss,
      bossHandlers.map((handler) => handler.type),
    );
  }
  const startMs = Math.round(performance.now() - started);

  let jobQueue: JobQueue;
  let sweeper: TaskOutboxSweeper | undefined;
  if (config.jobs.driver === 'cloud-tasks') {
    const outbox = new TaskOutboxSweeper(database.db, options.dispatcher ?? googleDispatcher(config), { log });
    sweeper = outbox;
    jobQueue = new CloudTasksJobQueue(() => outbox.kick());
  } else {
    if (!boss || !pgBoss) throw new Error('pg-boss did not start');
    jobQueue = new pgBoss.PgBossJobQueue(boss);
  }

  const runner = new JobRunner(registry, { db: database.db, clock, log, queue: jobQueue });
  if (pgBoss && boss && runsWork) {
    const bossRunner = new JobRunner(
      { handlers: bossHandlers, schedules: registry.schedules },
      {
        db: database.db,
        clock,
        log,
        queue: jobQueue,
      },
    );
    worker = new pgBoss.JobWorker(boss, bossRunner, {
      // PGlite is one session: more than one job at a time would only queue behind it.
      concurrency: database.kind === 'pglite' ? 1 : 2,
      pollingIntervalSeconds: 2,
      log,
    });
    await worker.schedule(inProcessSchedules ? registry.schedules : []);
    await worker.start();
  }
  sweeper?.start();
  log.info(
    { driver: config.jobs.driver, schedules: config.jobs.schedules, role: config.role, startMs },
    runsWork ? 'background jobs running' : 'background jobs: enqueue only',
  );

  return {
    queue: jobQueue,
    runner,
    boss,
    worker,
    sweeper,
    startMs,
    stop: async () => {
      await Promise.all([worker?.stop(), sweeper?.stop()]);
      await boss?.stop({ graceful: true, timeout: 20_000 });
    },
  };
}

/**
 * The job queue of a web process that listens before its background side has started (it only
 * enqueues): each call waits for the queue it is given once that has started.
 */
export class AwaitedJobQueue implements JobQueue {
  readonly failedJobs?: FailedJobs;

  /** driver: the queue to come's, which says whether it lists failed jobs (pg-boss does). */
  constructor(
    private readonly started: Promise<JobQueue>,
    driver: Config['jobs']['driver'],
  ) {
    if (driver === 'pg-boss') {
      this.failedJobs = {
        list: async (page) => (await this.startedFailedJobs()).list(page),
        retry: async (queue, id) => (await this.startedFailedJobs()).retry(queue, id),
      };
    }
  }

  async enqueue<P>(executor: Executor, type: JobType<P>, payload: P, options?: EnqueueOptions): Promise<void> {
    await (await this.started).enqueue(executor, type, payload, options);
  }

  private async startedFailedJobs(): Promise<FailedJobs> {
    const { failedJobs } = await this.started;
    if (!failedJobs) throw new Error('this job queue keeps no failed jobs');
    return failedJobs;
  }
}

function googleDispatcher(config: Config): GoogleCloudTasksDispatcher {
  const { cloudTasksQueue, cloudTasksServiceAccount, callers } = config.jobs;
  if (!cloudTasksQueue || !cloudTasksServiceAccount)
    throw new Error('JOBS_DRIVER=cloud-tasks needs CLOUD_TASKS_QUEUE and CLOUD_TASKS_SERVICE_ACCOUNT');
  return new GoogleCloudTasksDispatcher({
    queue: cloudTasksQueue,
    publicUrl: config.publicUrl,
    serviceAccountEmail: cloudTasksServiceAccount,
    audience: callers.audience,
  });
}
