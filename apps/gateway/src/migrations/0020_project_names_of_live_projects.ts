// Schema: a storage project's name is unique (ignoring case) among its licence's projects that are
// not removed, as the pages and the API have always checked (licence-members.ts: projectNameProblem).
// Projects can now be removed and stay in the licence's history; the old index counted them, so a
// project removed by mistake would have held its name for good and a new one of that name failed.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP INDEX storage_projects_name_idx`,
    `CREATE UNIQUE INDEX storage_projects_name_idx ON storage_projects (licence_id, lower(name))
      WHERE status <> 'removed'`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `DROP INDEX storage_projects_name_idx`,
    `CREATE UNIQUE INDEX storage_projects_name_idx ON storage_projects (licence_id, lower(name))`,
  ]);
}
