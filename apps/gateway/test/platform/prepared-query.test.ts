import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle, Executor } from '../../src/platform/db/database.ts';
import { preparedQuery, preparedStatementName } from '../../src/platform/db/prepared.ts';
import { openTestDatabase, testEngine } from '../support/test-database.ts';

const peopleOf = (db: Executor, institutionId: string, limit: number) =>
  db
    .selectFrom('people')
    .select(['people.crsid', 'people.institution_id'])
    .where('people.institution_id', '=', institutionId)
    .where('people.status', '=', 'current')
    .orderBy('people.crsid')
    .limit(limit);

const preparedPeopleOf = preparedQuery((db, p: { institutionId: string; limit: number }) =>
  peopleOf(db, p.institutionId, p.limit),
);

describe('preparedQuery', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('answers what the query built afresh answers, with each run’s own parameters', async () => {
    const { db } = database;
    for (const [institutionId, limit] of [
      ['PHYS', 10],
      ['CHEM', 10],
      ['PHYS', 1],
      ['NOWHERE', 5],
    ] as const) {
      const expected = await peopleOf(db, institutionId, limit).execute();
      expect(await preparedPeopleOf(db, { institutionId, limit })).toEqual(expected);
    }
    expect((await preparedPeopleOf(db, { institutionId: 'PHYS', limit: 10 })).length).toBeGreaterThan(0);
  });

  it('runs in a transaction it is given', async () => {
    await database.db.transaction().execute(async (trx) => {
      await trx.updateTable('people').set({ status: 'left' }).where('crsid', '=', 'ar101').execute();
      const inside = await preparedPeopleOf(trx, { institutionId: 'PHYS', limit: 10 });
      expect(inside.map((row) => row.crsid)).not.toContain('ar101');
      await trx.updateTable('people').set({ status: 'current' }).where('crsid', '=', 'ar101').execute();
    });
  });

  it.runIf(testEngine === 'postgres')(
    'is a named prepared statement on PostgreSQL, planned once per connection; other statements are not',
    async () => {
      await database.db.connection().execute(async (connection) => {
        await preparedPeopleOf(connection, { institutionId: 'PHYS', limit: 10 });
        await preparedPeopleOf(connection, { institutionId: 'CHEM', limit: 3 });
        await peopleOf(connection, 'PHYS', 10).execute();
        const prepared = await sql<{ name: string; statement: string }>`
          SELECT name, statement FROM pg_prepared_statements`.execute(connection);
        const compiled = peopleOf(connection, 'PHYS', 10).compile().sql;
        expect(prepared.rows).toEqual([{ name: preparedStatementName(compiled), statement: compiled }]);
      });
    },
  );
});
