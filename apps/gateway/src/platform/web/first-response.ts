import type { FastifyInstance } from 'fastify';

/**
 * Resolves once the app's server has sent (or dropped) its first response. Work a process can put
 * off until then (a web process's job queue) no longer holds the first request of a cold start.
 * The server's own events, not a Fastify hook: a hook added now would miss the routes of plugins
 * already registered.
 */
export function firstResponse(app: FastifyInstance): Promise<void> {
  const sent = Promise.withResolvers<void>();
  app.server.once('request', (_request, response) => response.once('close', () => sent.resolve()));
  return sent.promise;
}
