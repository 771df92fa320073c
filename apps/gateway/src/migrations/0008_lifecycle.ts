// Schema: the licence lifecycle's scheduled work. Each reminder sent (one per licence, end date
// and number of days, so none goes twice), the people who asked for no reminders, and the days
// the nightly job has run for, so a run after missed nights catches up on the reminders due.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE licence_reminders (
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      -- the end date the reminder was about: a renewal moves the end date, and its reminders start again
      end_date date NOT NULL,
      days integer NOT NULL CHECK (days > 0),
      -- the day the job ran for (its "as of" date)
      sent_on date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (licence_id, end_date, days)
    )`,
    `CREATE TABLE reminder_opt_outs (
      person_id bigint PRIMARY KEY REFERENCES people (id),
      opted_out_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE lifecycle_runs (
      as_of date PRIMARY KEY,
      finished_at timestamptz NOT NULL DEFAULT now()
    )`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP TABLE lifecycle_runs`,
    `DROP TABLE reminder_opt_outs`,
    `DROP TABLE licence_reminders`,
  ]);
}
