import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exitOf, freePort, startGateway } from '../support/gateway-process.ts';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';

/**
 * How many web processes `pid` started are still running (ps exits with 1, and prints nothing, for
 * none). tsx's esbuild service, a child of the primary while it compiles, is not one of them.
 */
const childrenOf = (pid: number) =>
  spawnSync('ps', ['-o', 'comm=', '--ppid', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((command) => command && command !== 'esbuild').length;

describe.runIf(testEngine === 'postgres')('WEB_CONCURRENCY web processes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(inject('databaseTemplate'));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('serves from that many processes on one port, and all of them stop on SIGTERM', async () => {
    const port = await freePort();
    const gateway = await startGateway(database.url as string, port, 2);
    try {
      await expect
        .poll(
          async () => {
            const answers = await Promise.all(
              Array.from({ length: 4 }, () =>
                fetch(`http://127.0.0.1:${port}/readyz`, { headers: { connection: 'close' } }).then(
                  (response) => response.status,
                  () => 0,
                ),
              ),
            );
            return answers;
          },
          { timeout: 150_000, interval: 250 },
        )
        .toEqual([200, 200, 200, 200]);
      expect(childrenOf(gateway.pid as number)).toBe(2);
      gateway.kill('SIGTERM');
      expect(await exitOf(gateway)).toBe(0);
      expect(childrenOf(gateway.pid as number)).toBe(0);
    } finally {
      gateway.kill('SIGKILL');
    }
  }, 180_000);

  it('exits with an error, instead of starting processes again and again, when they cannot start', async () => {
    const nowhere = new URL(database.url as string);
    nowhere.port = String(await freePort());
    const gateway = await startGateway(nowhere.toString(), await freePort(), 2);
    try {
      expect(await exitOf(gateway)).toBe(1);
    } finally {
      gateway.kill('SIGKILL');
    }
  }, 180_000);
});
