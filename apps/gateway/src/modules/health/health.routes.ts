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
 * Liveness says the process answers; readiness says it can serve: database up, schema current,
 * job queue started.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    if (options.jobsStarted && !options.jobsStarted()) return reply.status(503).send({ status: 'starting' });
    try {
      await sql`SELECT 1`.execute(options.db);
      const pending = await pendingMigrations(options.db);
      if (pending.length > 0) return reply.status(503).send({ status: 'migrations pending', pending });
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
}
