import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { VNode } from 'preact';
import { renderPage } from './render.ts';

/**
 * Tables no cached page reads: queues, logs, the jobs' own bookkeeping and the sessions (read
 * afresh on every request). Writing them leaves the page data version alone. Every other table
 * has the trigger that moves it (migration 0015's pageDataTrigger); a test checks that each table
 * is on this list or has the trigger, so a new table cannot be forgotten.
 */
export const TABLES_NO_PAGE_READS = [
  'audit_events',
  'digest_runs',
  'directory_people',
  'kysely_migration',
  'kysely_migration_lock',
  'licence_reminders',
  'lifecycle_notices',
  'lifecycle_runs',
  'mail_outbox',
  'page_data_changes',
  'page_data_version',
  'personal_access_tokens',
  'reminder_opt_outs',
  'sessions',
  'task_outbox',
  'usage_readings',
  'usage_warnings',
];

/** Rendered pages a web process keeps: about 12 KB each, so at most ~25 MB. */
const MAX_BYTES = 25_000_000;

/**
 * Rendered pages kept by this web process, for the pages people reload most (My storage).
 *
 * An entry is for one session (its CSRF token and its person are in the HTML), one address, one
 * day (pages count days to a date) and one page data version: the number a commit moves whenever
 * it wrote a table a page reads (migration 0015), read in the same statement as the session. The
 * version is read before the page's data, so a page kept under a version never shows older data
 * than that version; a write anywhere makes every kept page miss once. A page with a flash
 * message, or a request whose version is unknown, is rendered and not kept.
 */
export class PageCache {
  readonly #pages = new LRUCache<string, Buffer>({
    maxSize: MAX_BYTES,
    sizeCalculation: (page) => page.length,
  });

  /** Sends the kept page for this request, or renders it (and keeps it when it may be kept). */
  async send(
    request: FastifyRequest,
    reply: FastifyReply,
    today: string,
    render: () => Promise<VNode>,
  ): Promise<FastifyReply> {
    const key = cacheKey(request, today);
    const kept = key === undefined ? undefined : this.#pages.get(key);
    if (kept) return reply.type('text/html; charset=utf-8').send(kept);
    const page = Buffer.from(renderPage(await render()));
    // A page that rendered an error status is not kept.
    if (key !== undefined && reply.statusCode === 200) this.#pages.set(key, page);
    return reply.type('text/html; charset=utf-8').send(page);
  }

  get size(): number {
    return this.#pages.size;
  }
}

function cacheKey(request: FastifyRequest, today: string): string | undefined {
  const session = request.session;
  if (request.pageDataVersion === undefined || !session?.sessionId || session.flash) return undefined;
  const viewingAs = request.viewingAs ? `as:${request.person?.id}` : '';
  return [request.pageDataVersion, today, session.sessionId, request.person?.id ?? '-', viewingAs, request.url].join(
    '\n',
  );
}
