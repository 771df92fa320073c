import { sql } from 'kysely';
import * as z from 'zod';
import type { Executor } from '../../src/platform/db/database.ts';
import { type AnyJobHandler, type JobRegistry, jobHandler, jobType } from '../../src/platform/jobs/jobs.ts';
import { defaultJobRegistry, testConfig } from '../support/test-app.ts';

/** A table the test jobs write to, so a test can see exactly which jobs ran and how often. */
export async function createJobRunsTable(db: Executor): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS test_job_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id text NOT NULL,
    note text NOT NULL,
    runner text
  )`.execute(db);
}

export async function jobRuns(db: Executor): Promise<Array<{ job_id: string; note: string; runner: string | null }>> {
  const result = await sql<{
    job_id: string;
    note: string;
    runner: string | null;
  }>`SELECT job_id, note, runner FROM test_job_runs ORDER BY id`.execute(db);
  return result.rows;
}

export const recordNote = jobType({
  name: 'test-record-note',
  payload: z.object({ note: z.string().min(1) }),
  retry: { limit: 2, delaySeconds: 1, backoff: true },
});

/** Runs until `failuresLeft` is used up, then records; counts every attempt. */
export const flaky = jobType({
  name: 'test-flaky',
  payload: z.object({ note: z.string() }),
  retry: { limit: 3, delaySeconds: 2, backoff: true },
});

/** Takes its time, so a test can stop a worker while it runs. */
export const slow = jobType({ name: 'test-slow', payload: z.object({ note: z.string(), ms: z.number().int() }) });

export function testJobHandlers(options: { runner?: string; flakyFailures?: number } = {}): AnyJobHandler[] {
  let flakyFailures = options.flakyFailures ?? Number.POSITIVE_INFINITY;
  return [
    jobHandler(recordNote, async (payload, context) => {
      await sql`INSERT INTO test_job_runs (job_id, note, runner)
                VALUES (${context.jobId}, ${payload.note}, ${options.runner ?? null})`.execute(context.db);
    }),
    jobHandler(slow, async (payload, context) => {
      await new Promise((resolve) => setTimeout(resolve, payload.ms));
      await sql`INSERT INTO test_job_runs (job_id, note, runner)
                VALUES (${context.jobId}, ${payload.note}, ${options.runner ?? null})`.execute(context.db);
    }),
    jobHandler(flaky, async (payload, context) => {
      await sql`INSERT INTO test_job_runs (job_id, note, runner)
                VALUES (${context.jobId}, ${`attempt:${payload.note}`}, ${options.runner ?? null})`.execute(context.db);
      if (flakyFailures > 0) {
        flakyFailures -= 1;
        throw new Error(`storage system unreachable <${payload.note}>`);
      }
    }),
  ];
}

export function testRegistry(options: { runner?: string; flakyFailures?: number } = {}): JobRegistry {
  const base = defaultJobRegistry(testConfig());
  return { handlers: [...base.handlers, ...testJobHandlers(options)], schedules: base.schedules };
}
