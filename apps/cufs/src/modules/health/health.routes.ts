import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import { pendingMigrations } from '../../platform/migrate.ts';

/** Liveness: the process answers. Readiness: database up, schema current, reference data loaded. */
export async function healthRoutes(app: FastifyInstance, options: { db: Executor }): Promise<void> {
  const unlimited = { config: { rateLimit: false } };
  app.get('/healthz', unlimited, async () => ({ status: 'ok' }));

  app.get('/readyz', unlimited, async (request, reply) => {
    try {
      await sql`SELECT 1`.execute(options.db);
      const pending = await pendingMigrations(options.db);
      if (pending.length > 0) return reply.status(503).send({ status: 'migrations pending', pending });
      const lastImport = await options.db
        .selectFrom('import_runs')
        .select('finished_at')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      // Without reference data every code would come back "unknown": better to be out of rotation.
      if (!lastImport) return reply.status(503).send({ status: 'no reference data imported' });
      return { status: 'ready', dataImportedAt: lastImport.finished_at };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
}
