// Schema: searching the audit trail in the back office. Staff look entries up by who acted (a
// CRSid, or a system job's label) and by date range, newest first; the entity and licence
// indexes of 0005 already serve the search by record.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE INDEX audit_events_actor_idx ON audit_events (actor_label, id)`,
    `CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at, id)`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP INDEX audit_events_occurred_idx`, `DROP INDEX audit_events_actor_idx`]);
}
