// Runs the whole service on one machine with no configuration: the gateway (web, worker and
// schedules in one process, on embedded PGlite) and the CUFS API service, each in its own
// process, their logs prefixed. Ctrl-C stops both gracefully.
import { spawn } from 'node:child_process';

const apps = [
  { name: 'gateway', entry: 'apps/gateway/dist/main.bundle.js' },
  { name: 'cufs', entry: 'apps/cufs/dist/main.js' },
];

const children = apps.map(({ name, entry }) => {
  // Own process groups: a Ctrl-C reaches each child once, through the forwarding below.
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
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
