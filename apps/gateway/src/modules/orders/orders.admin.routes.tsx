import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError, withConflictLink } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice, requireServiceReader } from '../admin/back-office.ts';
import { isLicenceLocked } from '../licences/licence-lock.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService } from '../people/staff-access.ts';
import { provisioningSectionFor } from '../provisioning/provisioning.slot.tsx';
import { approveOrder, recheckPayment, rejectOrder } from './order-decisions.service.ts';
import {
  approvalConflict,
  canApproveNow,
  canRecheckNow,
  canRejectNow,
  licenceLockedWords,
  licenceMovedOn,
} from './order-decisions.ts';
import { whoWasTold } from './order-people.ts';
import { parseQueueFilter, QUEUE_PAGE_SIZE, queryString, queueHref, queueParamsFrom } from './order-queue.ts';
import {
  findOrderStaffDetails,
  listOrderHistory,
  listOrderQueue,
  listQueueChoices,
} from './orders.admin.repository.ts';
import { OrderQueuePage, type StaffOrderActions, StaffOrderPage, staffOrderPath } from './orders.admin.views.tsx';
import { findOrder, type OrderDetail } from './orders.repository.ts';
import type { OrdersContext } from './orders.service.ts';

type OrderRequest = FastifyRequest<{ Params: { reference: string } }>;

/**
 * The staff order page's address, with the filters of the queue it was opened from (on the
 * request's query string) kept: where a decision comes back to.
 */
function orderPageOf(request: OrderRequest, reference: string): string {
  return `${staffOrderPath(reference)}${queryString(queueParamsFrom(request.query))}`;
}

/**
 * Runs a decision on the order; a conflict it meets (decided meanwhile, in another tab or by a
 * colleague) leads back to the order, as it is now, in the same queue.
 */
function decidingOn<T>(request: OrderRequest, decision: () => Promise<T>): Promise<T> {
  const reference = request.params.reference;
  return withConflictLink({ href: orderPageOf(request, reference), text: `Go back to order ${reference}` }, decision);
}

/** What the staff order page offers this person: only the decisions they may take, in this state. */
export function staffOrderActions(person: PersonWithRoles, order: OrderDetail): StaffOrderActions {
  if (!canManageService(person, order.product.service)) return { approve: false, reject: false, recheck: false };
  const approvable = canApproveNow(order);
  const refusal = approvable ? (approvalConflict(person.id, order) ?? licenceMovedOn(order)) : undefined;
  return {
    approve: approvable && !refusal,
    approveRefusal: refusal,
    reject: canRejectNow(order),
    recheck: canRecheckNow(order),
  };
}

/**
 * The service teams' order queue, the staff order page, and the decisions on it (approve, reject,
 * re-check the finance code). Every handler starts with requireBackOffice, so customers get 403
 * on each; the decisions check the person's service again in order-decisions.service.ts.
 */
export async function ordersAdminRoutes(app: FastifyInstance, options: { orders: OrdersContext }): Promise<void> {
  const { orders } = options;

  app.get('/admin/orders/', async (request, reply) => {
    const person = requireBackOffice(request);
    const choices = await listQueueChoices(orders.db, person.services);
    const productsByService: Partial<Record<ServiceCode, string[]>> = Object.fromEntries(
      person.services.map((service) => [
        service,
        choices.products.filter((product) => product.service === service).map((product) => product.code),
      ]),
    );
    const { filter, errors } = parseQueueFilter(request.query as Record<string, string | string[] | undefined>, {
      services: person.services,
      productsByService,
      departments: choices.departments.map((department) => department.id),
    });
    const now = orders.clock.now();
    const result = await listOrderQueue(orders.db, filter, productsByService[filter.service] ?? [], now);
    const failed = Object.keys(errors).length > 0;
    // A page past the last one (an old link, a queue that has emptied) would read "Page 5 of 1":
    // the last page, with the same filters, is where the orders are.
    const lastPage = Math.max(1, Math.ceil(result.total / QUEUE_PAGE_SIZE));
    if (!failed && result.rows.length === 0 && !result.totalIsCapped && filter.page > lastPage) {
      return reply.redirect(queueHref(filter, { page: lastPage }), 303);
    }
    return sendPage(
      reply,
      <OrderQueuePage
        context={pageContext(request, reply)}
        filter={filter}
        choices={choices}
        result={result}
        errors={errors}
        values={formValues(request.query)}
        now={now}
      />,
      failed ? 422 : 200,
    );
  });

  /** The staff order page, for the order's service team, Finance and superusers. */
  async function showOrder(
    request: OrderRequest,
    reply: FastifyReply,
    extra: { rejectErrors?: FieldErrors; rejectValue?: string; provisioning?: ComponentChildren } = {},
    status = 200,
  ) {
    const person = requireBackOffice(request);
    const order = await findOrder(orders.db, { reference: request.params.reference });
    if (!order) throw new AppError('not-found', `There is no order ${request.params.reference}.`);
    requireServiceReader(request, order.product.service);
    const details = await findOrderStaffDetails(orders.db, order.id);
    if (!details) throw new AppError('not-found', `There is no order ${request.params.reference}.`);
    const history = await listOrderHistory(orders.db, order.reference);
    const context = pageContext(request, reply);
    const provisioning = await provisioningSectionFor(orders.db, request, person, order, context);
    return sendPage(
      reply,
      <StaffOrderPage
        context={context}
        order={order}
        details={details}
        history={history}
        actions={staffOrderActions(person, order)}
        rejectErrors={extra.rejectErrors}
        rejectValue={extra.rejectValue}
        queue={queueParamsFrom(request.query)}
        // SLOT: the provisioning module passes its section here (see StaffOrderPageProps.provisioning).
        provisioning={extra.provisioning ?? provisioning}
      />,
      status,
    );
  }

  app.get('/admin/orders/:reference/', async (request: OrderRequest, reply) => showOrder(request, reply));

  app.post('/admin/orders/:reference/approve', async (request: OrderRequest, reply) => {
    const person = requireBackOffice(request);
    const { order, licenceLock } = await decidingOn(request, () =>
      approveOrder(orders, person, request.params.reference),
    );
    // A locked licence: approved all the same, but nothing is provisioned until it is unlocked.
    const locked = isLicenceLocked(licenceLock)
      ? ` ${licenceLockedWords(licenceLock)}: provisioning waits for the unlock.`
      : '';
    request.session.flash = `Order ${order.reference} approved. ${whoWasTold(order, 'told by email')}${locked}`;
    return reply.redirect(orderPageOf(request, order.reference), 303);
  });

  app.post('/admin/orders/:reference/reject', async (request: OrderRequest, reply) => {
    const person = requireBackOffice(request);
    const reason = formValues(request.body).reason ?? '';
    const result = await decidingOn(request, () => rejectOrder(orders, person, request.params.reference, reason));
    if ('errors' in result) return showOrder(request, reply, { rejectErrors: result.errors, rejectValue: reason }, 422);
    request.session.flash = `Order ${result.order.reference} rejected. ${whoWasTold(result.order, 'told why by email')}`;
    return reply.redirect(orderPageOf(request, result.order.reference), 303);
  });

  app.post('/admin/orders/:reference/recheck', async (request: OrderRequest, reply) => {
    const person = requireBackOffice(request);
    const { order, outcome, message } = await decidingOn(request, () =>
      recheckPayment(orders, person, request.params.reference),
    );
    const code = order.payment?.financeCode;
    request.session.flash =
      outcome === 'unavailable'
        ? `CUFS could not be reached, so nothing has changed. Try again later.`
        : outcome === 'valid'
          ? `CUFS says the finance code ${code} is open. Order ${order.reference} now waits for approval.`
          : `CUFS refused the finance code ${code}: ${message ?? 'no reason given'}`;
    return reply.redirect(orderPageOf(request, order.reference), 303);
  });
}
