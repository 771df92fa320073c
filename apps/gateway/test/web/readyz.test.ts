import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { healthRoutes } from '../../src/modules/health/health.routes.ts';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';

describe(`/readyz while the job queue starts (${testEngine})`, () => {
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
});
