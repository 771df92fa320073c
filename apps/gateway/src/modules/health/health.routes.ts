import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { pendingMigrations } from '../../platform/db/migrate.ts';

export interface HealthOptions {
  db: Executor;
  /** False while the job queue is still starting: a web process listens before it is up. */
  jobsStarted?: () => boolean;
}

/**
 * How long readiness waits for the database: a database that does not answer (a failover, a
 * connection black-holed) makes /readyz say 503 well within a load balancer's probe timeout,
 * rather than hang until the pool's connect timeout or TCP gives up.
 */
const PROBE_TIMEOUT_MS = 3_000;

async function withinProbeTime<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the database did not answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  // The abandoned query still settles (the pool's own timeouts end it); nothing waits for it.
  work.catch(() => {});
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness says the process answers; readiness says it can serve: database up, schema current,
 * job queue started.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    if (options.jobsStarted && !options.jobsStarted()) return reply.status(503).send({ status: 'starting' });
    try {
      const pending = await withinProbeTime(
        (async () => {
          await sql`SELECT 1`.execute(options.db);
          return pendingMigrations(options.db);
        })(),
      );
      if (pending.length > 0) return reply.status(503).send({ status: 'migrations pending', pending });
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
}
