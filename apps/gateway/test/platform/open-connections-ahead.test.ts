import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openConnectionsAhead, openDatabase } from '../../src/platform/db/database.ts';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';

describe.runIf(testEngine === 'postgres')('openConnectionsAhead (a web process, while it builds its app)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('opens connections until the pool holds as many as asked, and no more than its size (5 here)', async () => {
    const pool = database.pool;
    if (!pool) throw new Error('no pool on PostgreSQL');
    await sql`SELECT 1`.execute(database.db);
    expect(pool.totalCount).toBe(1);

    openConnectionsAhead(database, 4);
    await expect.poll(() => [pool.totalCount, pool.idleCount]).toEqual([4, 4]);

    openConnectionsAhead(database, 8);
    await expect.poll(() => [pool.totalCount, pool.idleCount, pool.waitingCount]).toEqual([5, 5, 0]);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
  });

  it('leaves a database it cannot reach to the queries that follow, which report it', async () => {
    const unreachable = await openDatabase({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:1/none',
      poolSize: 2,
    });
    try {
      openConnectionsAhead(unreachable, 2);
      await expect(sql`SELECT 1`.execute(unreachable.db)).rejects.toThrow(/ECONNREFUSED/);
      await expect.poll(() => unreachable.pool?.totalCount).toBe(0);
    } finally {
      await unreachable.close();
    }
  });
});
