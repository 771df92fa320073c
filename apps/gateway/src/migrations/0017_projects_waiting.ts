// Schema: the back office's list of storage projects waiting to be made (created in a licence
// already in use), oldest first across licences: a partial index holds only the pending ones, in
// the list's order, so a page is an index range however many projects are active.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE INDEX storage_projects_pending_idx ON storage_projects (created_at, id) WHERE status = 'pending'`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP INDEX storage_projects_pending_idx`]);
}
