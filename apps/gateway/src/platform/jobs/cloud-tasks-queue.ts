import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Executor } from '../db/database.ts';
import { type EnqueueOptions, type JobQueue, type JobType, toJobData } from './jobs.ts';

/** A committed outbox row on its way to Cloud Tasks. */
export interface TaskToDispatch {
  /** Names the Cloud Task: pushing the same row twice creates one task. */
  taskId: string;
  job: string;
  payload: unknown;
  runAfter: Date | null;
}

/** Hands a task to whatever runs it over HTTP; resolves once the task is accepted (or already was). */
export interface TaskDispatcher {
  dispatch(task: TaskToDispatch): Promise<void>;
}

/**
 * The JobQueue port for JOBS_DRIVER=cloud-tasks. A job is an outbox row written in the caller's
 * transaction; the sweeper pushes committed rows to Cloud Tasks, which calls /cloud_tasks/<job>.
 */
export class CloudTasksJobQueue implements JobQueue {
  constructor(private readonly afterEnqueue: () => void = () => {}) {}

  async enqueue<P>(executor: Executor, type: JobType<P>, payload: P, options: EnqueueOptions = {}): Promise<void> {
    const data = toJobData(type.name, type.payload.parse(payload));
    await executor
      .insertInto('task_outbox')
      .values({
        job: type.name,
        payload: JSON.stringify(data),
        run_after: options.startAfter ?? null,
        singleton_key: options.singletonKey ?? null,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    // Most likely the transaction has not committed yet; the sweeper looks again shortly.
    this.afterEnqueue();
  }
}

export interface SweeperOptions {
  log: Logger;
  /** A claim older than this belongs to a crashed sweeper, or a push that failed: try again. */
  leaseSeconds?: number;
  batchSize?: number;
  intervalMs?: number;
}

/**
 * Pushes committed outbox rows to the dispatcher. Rows are claimed with SKIP LOCKED, so any
 * number of replicas can sweep; no transaction is held while pushing. A failed push keeps its
 * claim until the lease runs out, which spaces out retries while Cloud Tasks is unreachable.
 */
export class TaskOutboxSweeper {
  private timer: NodeJS.Timeout | undefined;
  private kickTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private stopped = true;
  private readonly leaseSeconds: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;

  constructor(
    private readonly db: Executor,
    private readonly dispatcher: TaskDispatcher,
    private readonly options: SweeperOptions,
  ) {
    this.leaseSeconds = options.leaseSeconds ?? 60;
    this.batchSize = options.batchSize ?? 20;
    this.intervalMs = options.intervalMs ?? 5_000;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.sweepInBackground(), this.intervalMs);
    this.timer.unref();
    this.sweepInBackground();
  }

  /** Sweeps soon: called after an enqueue, once its transaction has had a moment to commit. */
  kick(): void {
    if (this.stopped || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      this.sweepInBackground();
    }, 50);
    this.kickTimer.unref();
  }

  /** Stops sweeping and waits for a sweep in progress to finish its pushes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.kickTimer);
    await this.sweeping;
  }

  /** One pass: claims up to a batch of rows and pushes each. */
  async sweepOnce(): Promise<{ dispatched: number; failed: number }> {
    const claimed = await sql<{ id: number; task_id: string; job: string; payload: unknown; run_after: Date | null }>`
      UPDATE task_outbox SET claimed_at = now(), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM task_outbox
          WHERE dispatched_at IS NULL
            AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => ${this.leaseSeconds}))
          ORDER BY id
          LIMIT ${this.batchSize}
          FOR UPDATE SKIP LOCKED)
      RETURNING id, task_id, job, payload, run_after`.execute(this.db);
    let dispatched = 0;
    let failed = 0;
    for (const row of claimed.rows) {
      try {
        await this.dispatcher.dispatch({
          taskId: row.task_id,
          job: row.job,
          payload: row.payload,
          runAfter: row.run_after ? new Date(row.run_after) : null,
        });
        await this.db
          .updateTable('task_outbox')
          .set({ dispatched_at: new Date(), claimed_at: null, last_error: null })
          .where('id', '=', row.id)
          .execute();
        dispatched += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log.warn({ err: error, job: row.job, taskId: row.task_id }, 'pushing a task failed');
        await this.db.updateTable('task_outbox').set({ last_error: message }).where('id', '=', row.id).execute();
        failed += 1;
      }
    }
    return { dispatched, failed };
  }

  private sweepInBackground(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.sweepOnce()
      .then(async (result) => {
        // A full batch means there is more waiting.
        if (result.dispatched + result.failed >= this.batchSize && !this.stopped) await this.sweepOnce();
      })
      .catch((err: unknown) => this.options.log.error({ err }, 'task outbox sweep failed'))
      .finally(() => {
        this.sweeping = undefined;
      });
  }
}

export interface GoogleCloudTasksSettings {
  /** projects/P/locations/L/queues/Q */
  queue: string;
  publicUrl: string;
  serviceAccountEmail: string;
  audience: string;
}

/** Cloud Tasks' gRPC status for a task name already taken: this task was pushed before. */
const ALREADY_EXISTS = 6;

/**
 * Pushes tasks to Google Cloud Tasks as HTTP tasks to `${publicUrl}/cloud_tasks/<job>`, carrying
 * an OIDC token for the service account, which /cloud_tasks/ verifies.
 */
export class GoogleCloudTasksDispatcher implements TaskDispatcher {
  private client: Promise<import('@google-cloud/tasks').CloudTasksClient> | undefined;

  constructor(private readonly settings: GoogleCloudTasksSettings) {}

  async dispatch(task: TaskToDispatch): Promise<void> {
    // Loaded on first use: the gRPC client is large, and most processes never push.
    this.client ??= import('@google-cloud/tasks').then(({ CloudTasksClient }) => new CloudTasksClient());
    let client: import('@google-cloud/tasks').CloudTasksClient;
    try {
      client = await this.client;
      // Awaited here because createTask starts initialize() itself and rethrows its failure from a
      // detached .catch — an unhandled rejection (no Google credentials, say) that would take the
      // whole process down. Initialised first, the failure is this push's and goes on the row.
      await client.initialize();
    } catch (error) {
      // The client keeps a failed stub for good: start afresh next time, when the credentials
      // (or the metadata server) may be there.
      this.client = undefined;
      throw error;
    }
    try {
      await client.createTask({
        parent: this.settings.queue,
        task: {
          name: `${this.settings.queue}/tasks/${task.taskId}`,
          ...(task.runAfter ? { scheduleTime: { seconds: Math.floor(task.runAfter.getTime() / 1000) } } : {}),
          httpRequest: {
            httpMethod: 'POST',
            url: `${this.settings.publicUrl}/cloud_tasks/${encodeURIComponent(task.job)}`,
            headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(task.payload)).toString('base64'),
            oidcToken: { serviceAccountEmail: this.settings.serviceAccountEmail, audience: this.settings.audience },
          },
        },
      });
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === ALREADY_EXISTS) return;
      throw error;
    }
  }
}
