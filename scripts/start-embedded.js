// Runs the whole service on one machine with no configuration: the gateway (web, worker and
// schedules in one process, on embedded PGlite) and the CUFS API service, each in its own
// process, their logs prefixed. Ctrl-C stops both gracefully.
import { spawn } from 'node:child_process';
import path from 'node:path';

// The settings are the gateway's (PORT, DATABASE_URL, DATA_DIR…); CUFS reads PORT and
// DATABASE_URL too when its own are not set, so it is given neither: `PORT=3100 npm start` moved
// CUFS onto the gateway's port, and a DATABASE_URL put CUFS's tables in the gateway's database.
// CUFS listens on CUFS_PORT (3001), and the gateway is told where unless CUFS_URL says.
const { PORT: _port, DATABASE_URL: _database, ...cufsEnv } = process.env;
const cufsPort = process.env.CUFS_PORT ?? '3001';
const apps = [
  {
    name: 'gateway',
    entry: 'apps/gateway/dist/main.bundle.js',
    env: { ...process.env, CUFS_URL: process.env.CUFS_URL ?? `http://localhost:${cufsPort}` },
  },
  {
    name: 'cufs',
    entry: 'apps/cufs/dist/main.js',
    // Its data beside the gateway's when DATA_DIR moves that (./data/cufs by default).
    env: {
      ...cufsEnv,
      CUFS_PORT: cufsPort,
      ...(process.env.DATA_DIR && !process.env.CUFS_DATA_DIR
        ? { CUFS_DATA_DIR: path.join(process.env.DATA_DIR, 'cufs') }
        : {}),
    },
  },
];

const children = apps.map(({ name, entry, env }) => {
  // Own process groups: a Ctrl-C reaches each child once, through the forwarding below.
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${name.padEnd(8)}| ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${name.padEnd(8)}| stopped (${signal ?? code})\n`);
    // One part down means the service is down: stop the rest rather than half-run.
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
  return child;
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  });
}
