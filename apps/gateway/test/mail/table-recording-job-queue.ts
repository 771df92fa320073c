import { sql } from 'kysely';
import type { Executor } from '../../src/platform/db/database.ts';
import type { JobQueue } from '../../src/platform/jobs/jobs.ts';

export interface RecordedJob {
  type: string;
  payload: unknown;
}

/**
 * A JobQueue for tests that do not run a worker: it records each job as a row written through
 * the executor it is handed, exactly as the real queue does, so a rolled-back transaction takes
 * its jobs with it. It proves a caller enqueues inside its own transaction; the pg-boss tests
 * prove the queue itself.
 */
export async function tableRecordingJobQueue(db: Executor): Promise<{
  queue: JobQueue;
  recorded(): Promise<RecordedJob[]>;
}> {
  await sql`CREATE TABLE IF NOT EXISTS test_recorded_jobs (
    id serial PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL
  )`.execute(db);
  return {
    queue: {
      async enqueue(executor, type, payload) {
        const parsed = type.payload.parse(payload);
        await sql`INSERT INTO test_recorded_jobs (type, payload) VALUES (${type.name}, ${JSON.stringify(parsed)}::jsonb)`.execute(
          executor,
        );
      },
    },
    async recorded() {
      const result = await sql<RecordedJob>`SELECT type, payload FROM test_recorded_jobs ORDER BY id`.execute(db);
      return result.rows;
    },
  };
}
