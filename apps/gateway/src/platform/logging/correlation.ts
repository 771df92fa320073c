import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request (or job) whose work is running now, for calls to other services that log
 * the caller's X-Request-Id (CUFS does), so that their log lines can be matched with ours. Held in
 * async context rather than passed down: the services between a route and a client need not know.
 */
const current = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it starts) as part of the request or job `id`. */
export function withCorrelationId<T>(id: string, work: () => T): T {
  return current.run(id, work);
}

/** The id of the request or job running now; undefined outside one (start-up, a schedule's tick). */
export function correlationId(): string | undefined {
  return current.getStore();
}
