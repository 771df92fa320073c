import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../web/errors.ts';

export interface MetricsOptions {
  /** When set, scrapers must send it as a bearer token; production without one serves nothing. */
  token?: string;
  production: boolean;
}

/**
 * Prometheus metrics at /metrics (Cloud Monitoring's managed collection scrapes the same format):
 * process figures and a request-duration histogram labelled by route pattern, never by raw URL,
 * so ids in paths cannot explode the series count.
 */
async function metricsPlugin(app: FastifyInstance, options: MetricsOptions): Promise<void> {
  if (options.production && !options.token) return;
  // Loaded only where metrics are served: a production process without a token does not load it.
  // The default export (the CommonJS module itself): in the esbuild bundle the named ones are not
  // the module's (test/platform/production-bundle.test.ts).
  const { default: promClient } = await import('prom-client');
  const { collectDefaultMetrics, Histogram, Registry } = promClient;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', async (request, reply) => {
    if (options.token && !bearerMatches(request.headers.authorization, options.token)) {
      throw new AppError('unauthenticated', 'A metrics token is required.');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Registered unencapsulated so the timing hook sees every route in the app. */
export default fp(metricsPlugin, { name: 'metrics' });
