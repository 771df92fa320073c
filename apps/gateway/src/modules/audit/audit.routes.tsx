import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice } from '../admin/back-office.ts';
import { SERVICE_NAMES } from '../people/staff-access.ts';
import { AuditSearchPage } from './audit.views.tsx';
import { type AuditScope, auditScopeFor } from './audit-access.ts';
import { parseAuditQuery } from './audit-query.ts';
import { countAudit, searchAudit } from './audit-search.repository.ts';

export const AUDIT_PAGE_SIZE = 50;

const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });

function scopeWords(scope: AuditScope): string {
  if (scope.all) return 'every entry, as a superuser';
  const services = scope.services.map((service) => SERVICE_NAMES[service].toLowerCase()).join(' and ');
  return `the entries about ${services}, and about people and staff roles`;
}

/** /admin/audit/: staff search the audit trail of the services they may read. */
export async function auditRoutes(app: FastifyInstance, options: { db: Executor }): Promise<void> {
  app.get('/admin/audit/', async (request, reply) => {
    const person = requireBackOffice(request);
    const scope = auditScopeFor(person);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const { page } = pageQuery.parse(query);
    const parsed = parseAuditQuery(query);
    const context = pageContext(request, reply);
    if (!parsed.ok) {
      const props = { values: parsed.values, errors: parsed.errors, page, pageSize: AUDIT_PAGE_SIZE, hasMore: false };
      return sendPage(reply, <AuditSearchPage context={context} {...props} scopeWords={scopeWords(scope)} />, 422);
    }
    const result = await searchAudit(options.db, parsed.search, scope, {
      limit: AUDIT_PAGE_SIZE,
      offset: (page - 1) * AUDIT_PAGE_SIZE,
    });
    // A page past the last one says how many there are, so only it counts the entries.
    const total =
      result.events.length === 0 && page > 1 ? await countAudit(options.db, parsed.search, scope) : undefined;
    return sendPage(
      reply,
      <AuditSearchPage
        context={context}
        values={parsed.values}
        errors={{}}
        events={result.events}
        page={page}
        pageSize={AUDIT_PAGE_SIZE}
        hasMore={result.hasMore}
        total={total}
        scopeWords={scopeWords(scope)}
      />,
    );
  });
}
