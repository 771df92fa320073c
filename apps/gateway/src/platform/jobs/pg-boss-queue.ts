import {
  type Clock as BossClock,
  fromKysely,
  fromPglite,
  type Job,
  type JobResult,
  PgBoss,
  type QueueResult,
} from 'pg-boss';
import type { Logger } from 'pino';
import { UNIVERSITY_TIME_ZONE } from '../clock.ts';
import type { DatabaseHandle, Executor } from '../db/database.ts';
import { type JobRunner, PayloadRejected } from './job-runner.ts';
import {
  DEFAULT_RETRY,
  type EnqueueOptions,
  type FailedJob,
  type FailedJobs,
  type JobQueue,
  type JobType,
  type ScheduledJob,
  toJobData,
} from './jobs.ts';

/** pg-boss keeps its tables in a schema of its own; the failed-jobs list reads them there. */
export const PG_BOSS_SCHEMA = 'pgboss';

/** Failed jobs stay for a month, so a failure found after a holiday can still be retried. */
const KEEP_FINISHED_JOBS_SECONDS = 30 * 24 * 60 * 60;

export interface PgBossOptions {
  /** Run schedules: pg-boss's cron pass, claimed by one instance per interval. */
  schedule: boolean;
  /** Run maintenance (expiry, retention); any number of instances may, one wins each pass. */
  supervise: boolean;
  log: Logger;
  /** Its own pool on PostgreSQL (pg-boss needs LISTEN and its own transactions). */
  poolSize?: number;
  /** pg-boss's own clock; tests pass its TestClock to drive schedules through time. */
  clock?: BossClock;
  cronMonitorIntervalSeconds?: number;
  instanceName?: string;
}

/**
 * Starts pg-boss on the gateway's database: on PGlite through the one embedded session, on
 * PostgreSQL through a small pool of its own. Installs or migrates its schema on first start.
 */
export async function startPgBoss(database: DatabaseHandle, options: PgBossOptions): Promise<PgBoss> {
  const common = {
    schema: PG_BOSS_SCHEMA,
    schedule: options.schedule,
    supervise: options.supervise,
    migrate: true,
    instanceName: options.instanceName,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.cronMonitorIntervalSeconds ? { cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds } : {}),
  };
  let boss: PgBoss;
  if (database.pglite) {
    boss = new PgBoss({ ...common, backend: 'pglite', db: fromPglite(database.pglite) });
  } else if (database.pool) {
    const connectionString = database.pool.options.connectionString;
    if (!connectionString) throw new Error('the job queue needs the database connection string');
    boss = new PgBoss({ ...common, connectionString, max: options.poolSize ?? 4, application_name: 'ssgw-jobs' });
  } else {
    throw new Error('the job queue needs PGlite or a PostgreSQL pool');
  }
  boss.on('error', (err) => options.log.error({ err }, 'job queue error'));
  boss.on('warning', (warning) => options.log.warn({ warning: warning.data }, warning.message));
  await boss.start();
  return boss;
}

/** Installs pg-boss's schema and stops again: templates and deploy steps do it once, up front. */
export async function installJobQueueSchema(database: DatabaseHandle, log: Logger): Promise<void> {
  const boss = await startPgBoss(database, { schedule: false, supervise: false, log });
  await boss.stop({ graceful: false });
}

/**
 * Creates (or brings up to date) one queue per job type with that type's retry policy, so that
 * every queue exists before anything is sent to it. On PGlite this also matters for deadlocks:
 * pg-boss looks an unknown queue up on its own handle, which waits behind an open transaction.
 * The queues are read in one statement and only a missing or changed one is written: a start
 * with nothing to change costs one round trip, not two per queue.
 */
export async function prepareQueues(boss: PgBoss, types: ReadonlyArray<JobType<unknown>>): Promise<void> {
  const queues = await boss.getQueues(types.map((type) => type.name));
  const existing = new Map(queues.map((queue) => [queue.name, queue]));
  for (const type of types) {
    const policy = queuePolicy(type);
    const queue = existing.get(type.name);
    if (!queue) await boss.createQueue(type.name, policy);
    // The code's policy wins on every start.
    else if (!samePolicy(queue, policy)) await boss.updateQueue(type.name, policy);
  }
}

type QueuePolicy = Pick<QueueResult, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'deleteAfterSeconds'>;

function queuePolicy(type: JobType<unknown>): QueuePolicy {
  const retry = type.retry ?? DEFAULT_RETRY;
  return {
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: retry.backoff,
    deleteAfterSeconds: KEEP_FINISHED_JOBS_SECONDS,
  };
}

function samePolicy(queue: QueueResult, policy: QueuePolicy): boolean {
  return (Object.keys(policy) as Array<keyof QueuePolicy>).every((key) => queue[key] === policy[key]);
}

/** The JobQueue port on pg-boss: a job is a row written in the caller's transaction. */
export class PgBossJobQueue implements JobQueue {
  readonly failedJobs: FailedJobs;

  constructor(readonly boss: PgBoss) {
    this.failedJobs = new PgBossFailedJobs(boss);
  }

  async enqueue<P>(executor: Executor, type: JobType<P>, payload: P, options: EnqueueOptions = {}): Promise<void> {
    // Parsed on the way in too, so a bad payload fails the code that wrote it, not a worker later.
    const data = toJobData(type.name, type.payload.parse(payload));
    await this.boss.send(type.name, data, {
      db: fromKysely(executor),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    });
  }
}

interface FailedJobRow {
  id: string;
  name: string;
  data: unknown;
  retry_count: number;
  completed_on: Date;
  created_on: Date;
  output: unknown;
}

class PgBossFailedJobs implements FailedJobs {
  constructor(private readonly boss: PgBoss) {}

  async list(page: { limit: number; offset: number }): Promise<{ jobs: FailedJob[]; total: number }> {
    // pg-boss's API finds jobs by queue, id or payload, not by state, so read its table directly.
    const bossDb = this.boss.getDb();
    const { rows } = await bossDb.executeSql(
      `SELECT id, name, data, retry_count, completed_on, created_on, output, count(*) OVER () AS total
         FROM ${PG_BOSS_SCHEMA}.job
        WHERE state = 'failed' AND name NOT LIKE '\\_\\_pgboss\\_\\_%'
        ORDER BY completed_on DESC, id
        LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    );
    const typed = rows as Array<FailedJobRow & { total: string | number }>;
    let total = Number(typed[0]?.total ?? 0);
    if (typed.length === 0 && page.offset > 0) total = await this.count();
    return {
      total,
      jobs: typed.map((row) => ({
        id: row.id,
        queue: row.name,
        payload: row.data,
        attempts: Number(row.retry_count) + 1,
        failedAt: new Date(row.completed_on),
        createdAt: new Date(row.created_on),
        error: errorMessage(row.output),
      })),
    };
  }

  async retry(queue: string, id: string): Promise<boolean> {
    if (!(await this.boss.getQueue(queue))) return false;
    const [job] = await this.boss.findJobs(queue, { id });
    if (job?.state !== 'failed') return false;
    await this.boss.retry(queue, id);
    return true;
  }

  private async count(): Promise<number> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(`SELECT count(*) AS total FROM ${PG_BOSS_SCHEMA}.job WHERE state = 'failed'`);
    return Number((rows[0] as { total: string | number } | undefined)?.total ?? 0);
  }
}

function errorMessage(output: unknown): string {
  if (typeof output === 'object' && output !== null && 'message' in output && typeof output.message === 'string')
    return output.message;
  if (output === null || output === undefined) return 'No error was recorded.';
  return JSON.stringify(output);
}

export interface JobWorkerOptions {
  /** Jobs of one queue run at once in this process; keep 1 on PGlite, which has one session. */
  concurrency: number;
  pollingIntervalSeconds: number;
  log: Logger;
}

/**
 * Runs the registered handlers on pg-boss: one `work()` loop per queue. A failing handler fails
 * the attempt (pg-boss retries with the queue's backoff, then keeps the job as failed); a payload
 * that does not parse fails the job at once, since no retry could fix it.
 */
export class JobWorker {
  private running = false;

  constructor(
    readonly boss: PgBoss,
    readonly runner: JobRunner,
    private readonly options: JobWorkerOptions,
  ) {}

  async start(overrides: { ignoreStartAfter?: boolean; pollingIntervalSeconds?: number } = {}): Promise<string[]> {
    this.running = true;
    const ids: string[] = [];
    for (const name of this.runner.jobNames) {
      ids.push(
        await this.boss.work<unknown>(
          name,
          {
            batchSize: 1,
            localConcurrency: this.options.concurrency,
            pollingIntervalSeconds: overrides.pollingIntervalSeconds ?? this.options.pollingIntervalSeconds,
            ignoreStartAfter: overrides.ignoreStartAfter ?? false,
            perJobResults: true,
          },
          (jobs) => Promise.all(jobs.map((job) => this.process(job))),
        ),
      );
    }
    return ids;
  }

  /** Stops fetching and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.runner.jobNames.map((name) => this.boss.offWork(name, { wait: true })));
  }

  async schedule(schedules: readonly ScheduledJob[]): Promise<void> {
    const wanted = new Set(schedules.map((schedule) => schedule.type.name));
    for (const existing of await this.boss.getSchedules()) {
      // A schedule removed from the code must stop firing, not linger in the table.
      if (!wanted.has(existing.name)) await this.boss.unschedule(existing.name, existing.key);
    }
    for (const schedule of schedules) {
      await this.boss.schedule(schedule.type.name, schedule.cron, {}, { tz: UNIVERSITY_TIME_ZONE });
    }
  }

  private async process(job: Job<unknown>): Promise<JobResult> {
    try {
      await this.runner.run(job.name, job.data, job.id);
      return { id: job.id, status: 'completed' };
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const terminal = err instanceof PayloadRejected;
      this.options.log.warn(
        { err, job: job.name, jobId: job.id, attempt: job.retryCount + 1, terminal },
        terminal ? 'job payload rejected' : 'job attempt failed',
      );
      return {
        id: job.id,
        status: terminal ? 'deadletter' : 'failed',
        output: { name: err.name, message: err.message, stack: err.stack },
      };
    }
  }
}
