import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../src/modules/health/health.routes.ts';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.ts';
import { testConfig } from '../support/test-app.ts';

// A database behind a paused proxy (a failover, a black-holed connection): the socket is accepted
// and then nothing ever comes back.
let silent: Server;
const sockets: Socket[] = [];
let database: DatabaseHandle;

beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const config = testConfig({ DATABASE_URL: `postgres://gateway@127.0.0.1:${port}/gateway` });
  database = await openDatabase(config.database);
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await database?.close().catch(() => {});
  await new Promise((resolve) => silent?.close(resolve));
});

describe('a database that does not answer', () => {
  it('makes /readyz answer 503 within a few seconds rather than hang', async () => {
    const app = Fastify();
    await app.register(healthRoutes, { db: database.db });
    const started = Date.now();
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'database unreachable' });
    expect(Date.now() - started).toBeLessThan(6_000);
    await app.close();
  }, 20_000);

  it('gives up connecting after the connect timeout (5 s by default)', async () => {
    const started = Date.now();
    await expect(database.db.selectFrom('people').select('id').execute()).rejects.toThrow(/timeout/i);
    expect(Date.now() - started).toBeLessThan(6_500);
  }, 20_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('a statement that runs too long (PostgreSQL)', () => {
  it('is cancelled by the server after the statement timeout', async () => {
    const config = testConfig({
      DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '1',
    });
    const slow = await openDatabase(config.database);
    try {
      await expect(sql`SELECT pg_sleep(5)`.execute(slow.db)).rejects.toThrow(/statement timeout/);
    } finally {
      await slow.close();
    }
  }, 20_000);
});
