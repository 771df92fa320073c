// Schema: two more scheduled jobs of the licence lifecycle. The weeks each service team's digest
// of waiting orders went out (so a second run in the same week sends nothing), and flags raised
// on a licence, such as its finance code having closed (one open flag per licence and kind;
// clearing one keeps it, with the day, as history).
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE digest_runs (
      service text NOT NULL REFERENCES services (code),
      -- the Monday of the week the digest was for
      week_start date NOT NULL,
      orders integer NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (service, week_start)
    )`,
    `CREATE TABLE licence_flags (
      id bigserial PRIMARY KEY,
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('finance-code-closed')),
      detail text NOT NULL,
      raised_on date NOT NULL,
      cleared_on date,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX licence_flags_open_idx ON licence_flags (licence_id, kind) WHERE cleared_on IS NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [`DROP TABLE licence_flags`, `DROP TABLE digest_runs`]);
}
