import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice } from '../admin/back-office.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { SERVICE_NAMES } from '../people/staff-access.ts';
import { billingTotals } from './billing.repository.ts';
import { billingCsv } from './billing.service.ts';
import { BILLING_CSV_PATH, BILLING_PATH, BillingPage } from './billing.views.tsx';
import { billingFileName, type ParsedBillingQuery, parseBillingQuery, previousMonth } from './billing-rules.ts';

/**
 * Finance's billing export: /admin/billing/ (a range of days and a service; how many orders and
 * their totals) and /admin/billing/orders.csv (those orders, streamed). Finance and superusers
 * bill both services, each service team its own: another service is refused (403), as are customers.
 */
export async function billingRoutes(app: FastifyInstance, options: { db: Executor; clock: Clock }): Promise<void> {
  const { db, clock } = options;

  /** The query read for this person; a service they may not read is refused here. */
  function readQuery(request: FastifyRequest, query: Record<string, unknown>) {
    const person = requireBackOffice(request);
    const parsed = parseBillingQuery(query, person.services);
    if ('forbidden' in parsed) {
      throw new AppError('forbidden', `${SERVICE_NAMES[parsed.forbidden]} is another team’s service.`);
    }
    return { person, parsed };
  }

  function sendForm(
    request: FastifyRequest,
    reply: FastifyReply,
    parsed: ParsedBillingQuery,
    services: readonly ServiceCode[],
  ) {
    const errors = !parsed.ok && 'errors' in parsed ? parsed.errors : {};
    const page = (
      <BillingPage context={pageContext(request, reply)} values={parsed.values} errors={errors} services={services} />
    );
    return sendPage(reply, page, 422);
  }

  app.get(BILLING_PATH, async (request, reply) => {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    // Nothing chosen yet: last month, as Finance bills a month at a time.
    const query = raw.from === undefined && raw.to === undefined ? { ...raw, ...previousMonth(clock.today()) } : raw;
    const { person, parsed } = readQuery(request, query);
    if (!parsed.ok) return sendForm(request, reply, parsed, person.services);
    const totals = await billingTotals(db, parsed.range);
    return sendPage(
      reply,
      <BillingPage
        context={pageContext(request, reply)}
        values={parsed.values}
        errors={{}}
        services={person.services}
        result={{ range: parsed.range, totals }}
      />,
    );
  });

  app.get(BILLING_CSV_PATH, async (request, reply) => {
    const { person, parsed } = readQuery(request, (request.query ?? {}) as Record<string, unknown>);
    // A file asked for with a range that is not one (typed by hand): the form, with what is wrong.
    if (!parsed.ok) return sendForm(request, reply, parsed, person.services);
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${billingFileName(parsed.range)}"`)
      .header('cache-control', 'private, no-store');
    // A HEAD request asks for the headers: Fastify would read the whole file and throw it away,
    // and the file's end would be audited as a download no one had.
    if (request.method === 'HEAD') return reply.send();
    return reply.send(Readable.from(billingCsv(db, person, parsed.range, request.log), { objectMode: false }));
  });
}
