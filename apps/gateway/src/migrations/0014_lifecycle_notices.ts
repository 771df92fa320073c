// Schema: the nightly lifecycle job's emails, written as data and rendered when they are sent. A
// night can expire tens of thousands of licences; rendering an email per owner inside the job's
// transaction made the job seconds long and hundreds of MiB large. Now the job writes one notice
// per person and step with INSERT … SELECT (who, which template, the licences as JSON), and the
// send-lifecycle-notices job renders each into the mail outbox once (queued_at set in the same
// transaction), so a second run of either sends nothing twice.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE lifecycle_notices (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      -- the email template: licence-reminder, licence-suspended, licence-cold or licence-deletable
      template text NOT NULL,
      -- the day the nightly job ran for
      as_of date NOT NULL,
      to_address text NOT NULL,
      -- { displayName, licences: [{ licenceId, licenceName, endDate }] }, by end date
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- when it was rendered into the mail outbox
      queued_at timestamptz
    )`,
    // the send job takes a day's notices not yet queued, in order
    `CREATE INDEX lifecycle_notices_unqueued_idx ON lifecycle_notices (as_of, id) WHERE queued_at IS NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP TABLE lifecycle_notices`]);
}
