import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testEngine } from '../support/test-database.ts';

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/main.ts');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** The gateway as its own process (the sources through tsx), as `npm run start:gateway` starts it. */
async function startGateway(databaseUrl: string, port: number, processes: number): Promise<ChildProcess> {
  return spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_ROLE: 'web',
      WEB_CONCURRENCY: String(processes),
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: await mkdtemp(path.join(tmpdir(), 'ssgw-web-processes-')),
      SESSION_SECRET: 'web-processes-test-secret-0123456789abcdef',
      ALLOW_DEV_SIGN_IN: 'true',
      ALLOW_OUTBOX_MAILER: 'true',
      ALLOW_LOCAL_DOCUMENTS: 'true',
      LOG_LEVEL: 'fatal',
    },
    stdio: 'ignore',
  });
}

/**
 * How many web processes `pid` started are still running (ps exits with 1, and prints nothing, for
 * none). tsx's esbuild service, a child of the primary while it compiles, is not one of them.
 */
const childrenOf = (pid: number) =>
  spawnSync('ps', ['-o', 'comm=', '--ppid', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((command) => command && command !== 'esbuild').length;

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

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
