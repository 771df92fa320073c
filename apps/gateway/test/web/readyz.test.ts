import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrations } from '../../src/migrations/index.ts';
import { healthRoutes } from '../../src/modules/health/health.routes.ts';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';

describe(`/readyz (${testEngine})`, () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let jobsStarted = false;
  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
    app = Fastify();
    await app.register(healthRoutes, { db: database.db, jobsStarted: () => jobsStarted });
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('is not ready until the job queue has started, while the process is live', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const starting = await app.inject('/readyz');
    expect(starting.statusCode).toBe(503);
    expect(starting.json()).toEqual({ status: 'starting' });
    jobsStarted = true;
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('is not ready on a database behind this build, and names what it has not run', async () => {
    jobsStarted = true;
    const latest = Object.keys(migrations).sort().at(-1);
    await sql`DELETE FROM kysely_migration WHERE name = ${latest}`.execute(database.db);
    const behind = await app.inject('/readyz');
    expect(behind.statusCode).toBe(503);
    expect(behind.json()).toEqual({ status: 'migrations pending', pending: [latest] });
  });
});
