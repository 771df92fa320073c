import type { Executor } from '../../src/platform/db/database.ts';
import { createAccessToken } from '../../src/platform/identity/access-tokens.ts';
import type { TestApp } from './test-app.ts';

/** A personal access token for each of these people, to call the API as them (`Authorization: Bearer`). */
export async function accessTokens(t: TestApp, crsids: readonly string[]): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const crsid of crsids) {
    const person = await t.database.db
      .selectFrom('people')
      .select(['id', 'crsid'])
      .where('crsid', '=', crsid)
      .executeTakeFirstOrThrow();
    tokens[crsid] = (await createAccessToken(t.database.db, t.clock, person, { name: 'tests', lifetime: 90 })).token;
  }
  return tokens;
}

/** How many rows a table has: what a refused request must leave as it was. */
export async function rowCount(
  db: Executor,
  table: 'orders' | 'licences' | 'payments' | 'uploaded_documents',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
