// Schema: the Cloud Tasks outbox. With JOBS_DRIVER=cloud-tasks a job is a row written in the
// caller's transaction and pushed to Cloud Tasks after it commits, so a push that fails (or a
// process that dies between commit and push) loses nothing: a sweeper pushes what is left.
import { type Kysely, sql } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE task_outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      -- names the Cloud Task, so a push repeated after a crash is refused as a duplicate
      task_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      job text NOT NULL,
      payload jsonb NOT NULL,
      run_after timestamptz,
      -- EnqueueOptions.singletonKey: at most one task per key waiting to be pushed
      singleton_key text,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- a sweeper's claim: rows claimed longer ago than the lease belong to a crashed sweeper
      claimed_at timestamptz,
      dispatched_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    )`,
    // the sweeper only ever looks at what is still to push
    `CREATE INDEX task_outbox_pending_idx ON task_outbox (id) WHERE dispatched_at IS NULL`,
    `CREATE UNIQUE INDEX task_outbox_singleton_idx ON task_outbox (job, singleton_key)
      WHERE dispatched_at IS NULL AND singleton_key IS NOT NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE task_outbox`.execute(db);
}
