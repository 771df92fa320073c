// Schema: server-side sessions, so that staff can end a person's sessions and cookies stay small.
import { type Kysely, sql } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE sessions (
      id text PRIMARY KEY,
      data jsonb NOT NULL,
      expires_at timestamptz NOT NULL,
      person_id bigint REFERENCES people (id) ON DELETE CASCADE
    )`,
    `CREATE INDEX sessions_expires_idx ON sessions (expires_at)`,
    `CREATE INDEX sessions_person_idx ON sessions (person_id)`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE sessions`.execute(db);
}
