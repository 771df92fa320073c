import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The gateway from its sources, through tsx. */
export const SOURCES = ['--import', 'tsx', path.join(repositoryRoot, 'apps/gateway/src/main.ts')];
/** The built bundle, as the image's CMD starts it (`npm run build` makes it), V8 option included. */
export const BUNDLE = ['--min-semi-space-size=32', path.join(repositoryRoot, 'apps/gateway/dist/main.bundle.js')];

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** The gateway as its own process, a production web role on PostgreSQL, as `npm run start:gateway` starts it. */
export async function startGateway(
  databaseUrl: string,
  port: number,
  processes: number,
  command: readonly string[] = SOURCES,
  settings: Readonly<Record<string, string>> = {},
): Promise<ChildProcess> {
  return spawn(process.execPath, command, {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_ROLE: 'web',
      WEB_CONCURRENCY: String(processes),
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: await mkdtemp(path.join(tmpdir(), 'ssgw-gateway-process-')),
      SESSION_SECRET: 'gateway-process-test-secret-0123456789abcdef',
      CUFS_TOKEN: 'not-used-here-but-required-in-production',
      ALLOW_DEV_SIGN_IN: 'true',
      ALLOW_OUTBOX_MAILER: 'true',
      ALLOW_LOCAL_DOCUMENTS: 'true',
      LOG_LEVEL: 'fatal',
      ...settings,
    },
    stdio: 'ignore',
  });
}

export async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}
