// Schema: licences waiting for an access change, with the manual provisioner. Every change of an
// active licence's people or storage projects leaves one row for its licence (however many changes
// pile up) until the service team marks the change made on the storage's groups; `version` grows
// with each change, so a "Mark as done" pressed on a page older than the last change is refused.
// The back office's list reads them oldest first, so the index is in that order.
import type { Kysely } from 'kysely';
import { pageDataTrigger } from './0015_page_data_version.ts';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE licence_access_changes (
      licence_id integer PRIMARY KEY REFERENCES licences (id) ON DELETE CASCADE,
      waiting_since timestamptz NOT NULL,
      last_changed_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1
    )`,
    `CREATE INDEX licence_access_changes_waiting_idx ON licence_access_changes (waiting_since, licence_id)`,
    pageDataTrigger('licence_access_changes'),
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP TABLE licence_access_changes`]);
}
