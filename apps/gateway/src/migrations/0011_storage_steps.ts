// Schema: what the storage systems were told of the nightly lifecycle's steps. Each licence the
// nightly job makes read-only (suspended) or moves to the cold store gets a row in the same
// transaction; a job per run and step then tells an automated provisioner (a batch at a time) or
// emails each service team the list (the manual provisioner), and marks the rows told, so a
// second run tells nothing twice.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE licence_storage_steps (
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      step text NOT NULL CHECK (step IN ('read-only', 'cold-store')),
      -- the day the nightly job took the step
      as_of date NOT NULL,
      told_at timestamptz,
      -- manual: the service team was emailed; skipped: the licence had moved on before it was told
      told_how text CHECK (told_how IN ('manual', 'command', 'webhook', 'skipped')),
      CHECK ((told_at IS NULL) = (told_how IS NULL)),
      PRIMARY KEY (licence_id, step, as_of)
    )`,
    // the job pages through what is still to be told for its day and step
    `CREATE INDEX licence_storage_steps_untold_idx ON licence_storage_steps (as_of, step, licence_id)
      WHERE told_at IS NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP TABLE licence_storage_steps`]);
}
