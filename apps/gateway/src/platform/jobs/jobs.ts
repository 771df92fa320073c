import type { Logger } from 'pino';
import * as z from 'zod';
import type { Clock } from '../clock.ts';
import type { Executor } from '../db/database.ts';

/**
 * Background work as data (after Documenso): a job type is a name, a payload schema and a retry
 * policy; its handler is registered separately so that code which only enqueues needs nothing
 * but the type.
 */
export interface RetryPolicy {
  /** Runs after the first one fails: 4 means five tries in all. */
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

export interface JobType<P> {
  /** The queue's name: kebab-case, stable, never reused for another payload. */
  name: string;
  payload: z.ZodType<P>;
  retry?: RetryPolicy;
}

export function jobType<P>(type: JobType<P>): JobType<P> {
  return type;
}

/** What a job gets when its type says nothing: five tries, waiting about 30 s, 1 min, 2 min, 4 min. */
export const DEFAULT_RETRY: RetryPolicy = { limit: 4, delaySeconds: 30, backoff: true };

/** The payload of a scheduled job: nothing, since it works out what to do from the clock. */
export const noPayload: z.ZodType<Record<string, never>> = z.record(z.string(), z.never());

export interface JobContext {
  db: Executor;
  clock: Clock;
  log: Logger;
  queue: JobQueue;
  /** The job's id in the queue, stable across retries: a natural idempotency key. */
  jobId: string;
}

export interface JobHandler<P> {
  type: JobType<P>;
  /** Must be idempotent: a job may run again after a crash between its work and its completion. */
  handle(payload: P, context: JobContext): Promise<void>;
}

export function jobHandler<P>(type: JobType<P>, handle: JobHandler<P>['handle']): JobHandler<P> {
  return { type, handle };
}

/** A handler of some job type, as registries hold them; the worker parses the payload with its own type's schema. */
export type AnyJobHandler = JobHandler<unknown>;

/** A job type run on a timetable; it fires once per slot however many replicas run. */
export interface ScheduledJob {
  type: JobType<Record<string, never>>;
  /** Five-field cron, in the University's time zone (Europe/London). */
  cron: string;
}

export interface EnqueueOptions {
  /**
   * Names the job for de-duplication where the driver supports it: the Cloud Tasks outbox keeps
   * one waiting task per key; pg-boss's standard queues ignore it. Handlers stay idempotent
   * either way, which is what guarantees a job's work happens once.
   */
  singletonKey?: string;
  startAfter?: Date;
}

export interface JobQueue {
  /**
   * Records the job inside the caller's transaction: it exists, and runs, only if that
   * transaction commits. Pass the transaction as `executor`.
   */
  enqueue<P>(executor: Executor, type: JobType<P>, payload: P, options?: EnqueueOptions): Promise<void>;
  /** Jobs that used up their tries, for the back office; absent where the driver keeps them elsewhere. */
  failedJobs?: FailedJobs;
}

/** Every handler and schedule the application knows (src/jobs.ts lists them). */
export interface JobRegistry {
  handlers: readonly AnyJobHandler[];
  schedules: readonly ScheduledJob[];
}

export interface FailedJob {
  id: string;
  queue: string;
  payload: unknown;
  /** Runs so far, the first included. */
  attempts: number;
  failedAt: Date;
  createdAt: Date;
  error: string;
}

export interface FailedJobs {
  /** Newest failure first. */
  list(page: { limit: number; offset: number }): Promise<{ jobs: FailedJob[]; total: number }>;
  /** Queues the job to run once more; false if it is no longer failed (someone retried it already). */
  retry(queue: string, id: string): Promise<boolean>;
}

/** A job payload must be a JSON object: pg-boss stores it as jsonb and Cloud Tasks posts it. */
export function toJobData(name: string, payload: unknown): object {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new Error(`the payload of ${name} must be an object`);
  return payload;
}
