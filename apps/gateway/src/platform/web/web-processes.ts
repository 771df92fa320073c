import cluster, { type Worker } from 'node:cluster';
import { loadConfig, loadDotEnv } from '../config.ts';
import { createLogger } from '../logging/logger.ts';

/**
 * WEB_CONCURRENCY web processes on one port (node:cluster), so a web replica uses every core it
 * has: one Node.js process runs JavaScript on one core. The gateway keeps nothing between requests
 * that another process needs (sessions and jobs are in PostgreSQL); what each process keeps to
 * itself is listed in docs/operations/deployment.md (the rate limits' counts, /metrics).
 *
 * Answers true in the first process when it has started the others and only watches them: it
 * forks WEB_CONCURRENCY copies of the entry point, which answer false here and start the gateway.
 * Answers false, and starts nothing, for one process or a configuration that does not load (the
 * gateway then reports it as it always has).
 */
export function forkWebProcesses(): boolean {
  if (!cluster.isPrimary) return false;
  loadDotEnv();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch {
    return false;
  }
  if (config.webProcesses <= 1) return false;

  const log = createLogger(config, 'gateway').child({ component: 'web-processes' });
  // Each web process, and whether it has started listening.
  const started = new Map<Worker, boolean>();
  let stopping = false;
  const fork = () => started.set(cluster.fork(), false);
  cluster.on('listening', (worker) => started.set(worker, true));

  cluster.on('exit', (worker, code, signal) => {
    const listened = started.get(worker);
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) process.exit();
      return;
    }
    if (!listened) {
      // It could not start (the database is unreachable, the port is taken): neither can the others,
      // and the platform should see the failure rather than a process that keeps forking.
      log.fatal({ worker: worker.process.pid, code, signal }, 'a web process failed to start: stopping');
      stop('SIGTERM');
      process.exitCode = 1;
      return;
    }
    log.error({ worker: worker.process.pid, code, signal }, 'a web process exited: starting another');
    fork();
  });

  // The platform stops a container with SIGTERM to this process: each web process then finishes
  // its requests in flight (close-with-grace) and exits, and this one exits after the last.
  // Ctrl-C in a terminal sends SIGINT to every process of the group, so it is not passed on
  // (close-with-grace ends a process at once on a second signal).
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    if (started.size === 0) process.exit();
    if (signal === 'SIGTERM') for (const worker of started.keys()) worker.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log.info({ processes: config.webProcesses }, 'starting web processes');
  for (let i = 0; i < config.webProcesses; i++) fork();
  return true;
}
