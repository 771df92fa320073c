import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DocumentStore } from '../../platform/documents/document-store.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { AppError, withConflictLink } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { findLicenceForPerson } from '../licences/licences.repository.ts';
import { attachmentDisposition, findDocument } from '../payments/po-document.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { cancelNeedsReason } from './order-decisions.ts';
import type { OrderDetail } from './orders.repository.ts';
import {
  canCancelOrder,
  canChangeFinanceCode,
  cancelOrder,
  cancelTellsTeam,
  cancelTransitionFor,
  changeFinanceCode,
  findOrderFor,
  type OrdersContext,
} from './orders.service.ts';
import { CancelOrderPage, OrderPage, orderPath } from './orders.views.tsx';

type OrderRequest = FastifyRequest<{ Params: { reference: string } }>;

/** An order's own pages: its status and details, cancelling it, fixing a refused finance code, its PO document. */
export async function ordersRoutes(
  app: FastifyInstance,
  options: { orders: OrdersContext; documents: DocumentStore },
): Promise<void> {
  const { orders, documents } = options;

  const view = async (person: PersonWithRoles, order: OrderDetail) => ({
    canCancel: cancelTransitionFor(person, order) !== undefined,
    canChangePayment: canChangeFinanceCode(person, order),
    // A buyer with no place on the licence (say, an administrator who bought it for a PI) may not
    // open its page: the order names it without a link to a 'Page not found'.
    linksLicence: (await findLicenceForPerson(orders.db, person, order.licence.id)) !== undefined,
  });

  app.get('/orders/:reference/', async (request: OrderRequest, reply) => {
    const person = requirePerson(request);
    const order = await findOrderFor(orders.db, person, request.params.reference);
    return sendPage(
      reply,
      <OrderPage context={pageContext(request, reply)} order={order} {...(await view(person, order))} />,
    );
  });

  app.get('/orders/:reference/cancel', async (request: OrderRequest, reply) => {
    const person = requirePerson(request);
    const order = await findOrderFor(orders.db, person, request.params.reference);
    if (!canCancelOrder(person, order))
      throw new AppError('forbidden', 'Only the buyer, the Data Owner or the storage team can cancel this order.');
    if (!cancelTransitionFor(person, order)) return reply.redirect(orderPath(order.reference), 303);
    return sendPage(
      reply,
      <CancelOrderPage
        context={pageContext(request, reply)}
        order={order}
        tellsTeam={cancelTellsTeam(person, order)}
        asksReason={cancelNeedsReason(person, order)}
      />,
    );
  });

  app.post('/orders/:reference/cancel', async (request: OrderRequest, reply) => {
    const person = requirePerson(request);
    const reference = request.params.reference;
    const reason = formValues(request.body).reason ?? '';
    // Cancelled meanwhile (another tab, the team): the refusal leads back to the order as it is now.
    const result = await withConflictLink({ href: orderPath(reference), text: `Go back to order ${reference}` }, () =>
      cancelOrder(orders, person, reference, { reason }),
    );
    if ('errors' in result) {
      const order = await findOrderFor(orders.db, person, reference);
      return sendPage(
        reply,
        <CancelOrderPage
          context={pageContext(request, reply)}
          order={order}
          tellsTeam={cancelTellsTeam(person, order)}
          asksReason
          errors={result.errors}
          reason={reason}
        />,
        422,
      );
    }
    const { order, teamTold } = result;
    request.session.flash = `Order ${order.reference} cancelled.${teamTold ? ' The storage team has been told.' : ''}`;
    return reply.redirect(orderPath(order.reference), 303);
  });

  app.post('/orders/:reference/payment', async (request: OrderRequest, reply) => {
    const person = requirePerson(request);
    const order = await findOrderFor(orders.db, person, request.params.reference);
    const financeCode = formValues(request.body).financeCode ?? '';
    const result = await changeFinanceCode(orders, person, order, financeCode);
    if ('errors' in result) {
      return sendPage(
        reply,
        <OrderPage
          context={pageContext(request, reply)}
          order={order}
          {...(await view(person, order))}
          paymentErrors={result.errors}
          paymentValue={financeCode}
        />,
        422,
      );
    }
    request.session.flash = result.message;
    return reply.redirect(orderPath(order.reference), 303);
  });

  app.get('/orders/:reference/purchase-order', async (request: OrderRequest, reply) => {
    const person = requirePerson(request);
    const order = await findOrderFor(orders.db, person, request.params.reference);
    const documentId = order.payment?.poDocumentId;
    const document = documentId ? await findDocument(orders.db, documentId) : undefined;
    if (!document) throw new AppError('not-found', `Order ${order.reference} has no purchase order document.`);
    const download = await documents.get(document.storageKey);
    return reply
      .type('application/pdf')
      .header('content-length', download.size)
      .header('content-disposition', attachmentDisposition(document.fileName))
      .header('cache-control', 'private, no-store')
      .send(download.body);
  });
}
