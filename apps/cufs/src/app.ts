import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { CufsConfig } from './config.ts';
import { CredentialsUncheckable, createAuthenticator, requireCallers } from './modules/access/access.ts';
import { codesRoutes } from './modules/codes/api.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { openApiDocument } from './modules/openapi/openapi.ts';
import type { Executor } from './platform/database.ts';
import { requestId } from './platform/logger.ts';

/** What the service is built from: plain objects, so tests can hand in their own. */
export interface CufsAppDependencies {
  config: CufsConfig;
  db: Executor;
  /** Today's date in the University's time zone, 'YYYY-MM-DD': the default "as of" day. */
  today: () => string;
  logger: FastifyServerOptions['logger'];
}

/** Today in Europe/London as 'YYYY-MM-DD' (en-CA writes dates in ISO order). */
export function universityToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** Every error answer: `{ error: { status, message, requestId } }`, never a stack or Fastify's own shape. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = error.statusCode ?? 500;
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  const message =
    error instanceof CredentialsUncheckable
      ? error.message
      : status === 401
        ? 'A valid bearer token is required'
        : status === 429
          ? 'Too many requests: slow down and retry after the time in Retry-After'
          : status < 500
            ? 'The request could not be understood'
            : 'Something went wrong on our side';
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.status(status).send({ error: { status, message, requestId: request.id } });
}

export async function buildCufsApp(deps: CufsAppDependencies): Promise<FastifyInstance> {
  const { config, db } = deps;
  const app = Fastify({
    logger: deps.logger,
    genReqId: requestId,
    trustProxy: trustedHops(config.trustProxy),
    bodyLimit: 16_384,
    return503OnClosing: true,
    // Longer than any code, so that an overlong one reaches its route and gets the README's 400
    // "malformed", not the router's 414 (100 characters by default).
    routerOptions: { maxParamLength: 500 },
    // A URL the router cannot decode (a broken %-escape) is answered before any route or hook.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply.header('x-request-id', request.id)),
  });
  // An answer is about one code on one day, for one caller: kept by nobody on the way, and never
  // read as anything but the JSON it says it is.
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { status: 404, message: 'No such endpoint', requestId: request.id } }),
  );
  app.setErrorHandler(sendError);

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    hook: 'onRequest',
  });
  requireCallers(app, createAuthenticator(config.access));

  await app.register(healthRoutes, { db });
  app.get('/openapi.json', { config: { rateLimit: false } }, async () => openApiDocument());
  await app.register(codesRoutes, { db, today: deps.today });
  return app;
}

/**
 * A number of proxies as Fastify takes it: a function trusting the first that many hops (the
 * socket's peer, then X-Forwarded-For from its end), as proxy-addr does for a number, which
 * Fastify's types do not list.
 */
function trustedHops(setting: boolean | number): boolean | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}
