import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';

/** What people send by hand: every method that changes something, outside the API and the job pushes (their own limits). */
const CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const OWN_LIMITS = ['/api/', '/cloud_tasks/'];

export interface FormRateLimitOptions {
  perMinute: number;
}

/**
 * A limit on the forms one person (or, signed out, one address) sends a minute. No one fills in
 * forms this fast by hand; a script that does could otherwise send mail in the service's name
 * (every Data Manager added is emailed) as fast as the server answers. The pages' routes are
 * registered after this plugin, so its onRoute hook sees each of them.
 */
async function formRateLimit(app: FastifyInstance, options: FormRateLimitOptions): Promise<void> {
  const limiter = app.rateLimit({
    max: options.perMinute,
    timeWindow: '1 minute',
    keyGenerator: (request) => (request.person ? `form-person:${request.person.id}` : `form-ip:${request.ip}`),
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => CHANGING_METHODS.has(method))) return;
    if (OWN_LIMITS.some((prefix) => route.url.startsWith(prefix))) return;
    const given = route.preHandler ?? [];
    route.preHandler = [limiter as preHandlerHookHandler, ...(Array.isArray(given) ? given : [given])];
  });
}

export default fp(formRateLimit, { name: 'form-rate-limit', dependencies: ['@fastify/rate-limit'] });
