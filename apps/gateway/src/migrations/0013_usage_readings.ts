// Schema: storage usage read by the storage systems, and the near-quota warnings sent from it.
//
// A reading is per storage project, named on the storage system by the project's `path`: that is
// what a storage system reports, and a licence's usage is the sum of its projects' latest
// readings. The licence is kept on each reading too (a project never moves between licences) so
// a licence's chart and latest total are one index range each. One reading per project and day:
// importing the same day again replaces its value instead of adding a row.
//
// A warning is recorded per licence while it is near its quota, with the size it was sent for, so
// nobody is told twice; it is re-armed (closed) once usage drops below the threshold or the size
// grows, and the next warning is a new row.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE usage_readings (
      project_id bigint NOT NULL REFERENCES storage_projects (id) ON DELETE CASCADE,
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      read_on date NOT NULL,
      used_bytes bigint NOT NULL CHECK (used_bytes >= 0),
      -- where it came from: 'csv upload by rs501', 'api: rs501', 'cli: readings.csv'
      source text NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now(),
      -- also each project's latest reading, for the nightly warnings
      PRIMARY KEY (project_id, read_on)
    )`,
    // a licence's latest readings and its last 12 months, newest first
    `CREATE INDEX usage_readings_licence_idx ON usage_readings (licence_id, read_on DESC)`,
    // storage systems name projects by path: imports look them up by it
    `CREATE INDEX storage_projects_path_idx ON storage_projects (path) WHERE path IS NOT NULL`,
    `CREATE TABLE usage_warnings (
      id bigserial PRIMARY KEY,
      licence_id bigint NOT NULL REFERENCES licences (id) ON DELETE CASCADE,
      -- the licence's size when warned: a bigger size re-arms the warning
      size_tb integer NOT NULL,
      used_bytes bigint NOT NULL,
      read_on date NOT NULL,
      warned_on date NOT NULL,
      -- set when usage dropped below the threshold or the size grew
      rearmed_on date,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX usage_warnings_open_idx ON usage_warnings (licence_id) WHERE rearmed_on IS NULL`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP TABLE usage_warnings`,
    `DROP INDEX storage_projects_path_idx`,
    `DROP TABLE usage_readings`,
  ]);
}
