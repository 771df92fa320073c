// Schema: when each session began, so that a session in constant use still ends a set time after its
// sign-in (SESSION_LIFETIME_HOURS, session-store.ts); its expiry no longer moves past that. Sessions
// open when this runs count from now.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`ALTER TABLE sessions ADD COLUMN started_at timestamptz NOT NULL DEFAULT now()`]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`ALTER TABLE sessions DROP COLUMN started_at`]);
}
