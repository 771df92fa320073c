// Schema: the directory sync. The embedded default directory (`directory_people`: the seeded table
// DIRECTORY=seeded reads, loaded by `npm run directory:import`), the day a person was found to
// have left, and flags about one person on a licence ('member-left': a Data Owner, Data Manager
// or project member who has left), one open flag per licence, kind and person.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE directory_people (
      crsid text PRIMARY KEY CHECK (crsid = lower(crsid)),
      display_name text NOT NULL,
      email text NOT NULL,
      -- the directory's institution id; not a reference: the directory may know more than we do
      institution_id text,
      status text NOT NULL CHECK (status IN ('current', 'left')),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `ALTER TABLE people ADD COLUMN left_on date`,
    `CREATE INDEX people_left_idx ON people (id) WHERE status = 'left'`,
    `ALTER TABLE licence_flags ADD COLUMN person_id bigint REFERENCES people (id)`,
    `ALTER TABLE licence_flags DROP CONSTRAINT licence_flags_kind_check`,
    `ALTER TABLE licence_flags ADD CONSTRAINT licence_flags_kind_check
      CHECK (kind IN ('finance-code-closed', 'member-left'))`,
    `ALTER TABLE licence_flags ADD CONSTRAINT licence_flags_person_check
      CHECK ((kind = 'member-left') = (person_id IS NOT NULL))`,
    `DROP INDEX licence_flags_open_idx`,
    `CREATE UNIQUE INDEX licence_flags_open_idx ON licence_flags (licence_id, kind, person_id) NULLS NOT DISTINCT
      WHERE cleared_on IS NULL`,
    `CREATE INDEX licence_flags_open_person_idx ON licence_flags (person_id) WHERE cleared_on IS NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DELETE FROM licence_flags WHERE kind = 'member-left'`,
    `DROP INDEX licence_flags_open_person_idx`,
    `DROP INDEX licence_flags_open_idx`,
    `CREATE UNIQUE INDEX licence_flags_open_idx ON licence_flags (licence_id, kind) WHERE cleared_on IS NULL`,
    `ALTER TABLE licence_flags DROP CONSTRAINT licence_flags_person_check`,
    `ALTER TABLE licence_flags DROP CONSTRAINT licence_flags_kind_check`,
    `ALTER TABLE licence_flags ADD CONSTRAINT licence_flags_kind_check CHECK (kind IN ('finance-code-closed'))`,
    `ALTER TABLE licence_flags DROP COLUMN person_id`,
    `DROP INDEX people_left_idx`,
    `ALTER TABLE people DROP COLUMN left_on`,
    `DROP TABLE directory_people`,
  ]);
}
