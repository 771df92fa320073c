// Schema: a quote for new storage records the whole configuration it was asked for, not only what
// it prices: the Data Owner, the Data Managers and the first storage project, as CRSids and a name.
// "Buy this storage" then fills the form in with exactly those answers, whoever opens the quote
// later and in whichever browser. Null for a change quote (its licence has its people) and for a
// quote issued before this migration, whose people were not kept.
import type { Kysely } from 'kysely';
import { runStatements } from './statements.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE quotes ADD COLUMN owner_crsid text`,
    `ALTER TABLE quotes ADD COLUMN manager_crsids text[]`,
    `ALTER TABLE quotes ADD COLUMN project_name text`,
    `ALTER TABLE quotes ADD CONSTRAINT quotes_people_check CHECK (
      (owner_crsid IS NULL AND manager_crsids IS NULL AND project_name IS NULL)
      OR (owner_crsid IS NOT NULL AND manager_crsids IS NOT NULL AND project_name IS NOT NULL AND licence_id IS NULL)
    )`,
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE quotes DROP CONSTRAINT quotes_people_check`,
    `ALTER TABLE quotes DROP COLUMN project_name`,
    `ALTER TABLE quotes DROP COLUMN manager_crsids`,
    `ALTER TABLE quotes DROP COLUMN owner_crsid`,
  ]);
}
