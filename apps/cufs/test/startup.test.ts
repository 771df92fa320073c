import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The service or the import command in a process of its own, as an operator starts it. */
const run = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

// Both used to print pg's bare error: the service with its stack trace, the import as just
// 'connect ECONNREFUSED 127.0.0.1:…', neither saying which database or which setting.
describe('starting with a database that cannot be reached', () => {
  it.each([
    ['the service', 'apps/cufs/src/main.ts', []],
    ['npm run cufs:import', 'apps/cufs/src/cli/import.ts', ['apps/cufs/sample-data']],
  ])(
    '%s says so in one sentence naming the database and the setting, without the password',
    async (_name, script, args) => {
      const port = await closedPort();
      const result = run(script, args, {
        CUFS_DATABASE_URL: '',
        DATABASE_URL: `postgres://cufs:s3cret-pw@127.0.0.1:${port}/cufs`,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        `The CUFS database (PostgreSQL cufs@127.0.0.1:${port}/cufs, from CUFS_DATABASE_URL or DATABASE_URL) cannot be used: connect ECONNREFUSED 127.0.0.1:${port}`,
      ]);
    },
    120_000,
  );
});
