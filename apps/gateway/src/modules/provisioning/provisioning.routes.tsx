import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice, requireServiceManager, requireServiceReader } from '../admin/back-office.ts';
import { staffOrderPath } from '../orders/orders.admin.views.tsx';
import type { OrderDetail } from '../orders/orders.repository.ts';
import { canManageService } from '../people/staff-access.ts';
import {
  findOrderForStaff,
  loadProvisioning,
  type ProvisioningContext,
  recordManualProvisioning,
  retryProvisioning,
  startProvisioning,
} from './provisioning.service.ts';
import { ProvisioningPage } from './provisioning.views.tsx';

type OrderRequest = FastifyRequest<{ Params: { reference: string } }>;

/**
 * The service team's provisioning of an order: its page (the same section the staff order page
 * shows), "Mark as provisioned", "Start provisioning" and "Retry provisioning". Customers are
 * refused before anything is read; staff of another service too; Finance reads but never acts.
 */
export async function provisioningRoutes(
  app: FastifyInstance,
  options: { provisioning: ProvisioningContext },
): Promise<void> {
  const { provisioning } = options;

  async function orderFor(request: OrderRequest): Promise<OrderDetail> {
    requireBackOffice(request);
    return findOrderForStaff(provisioning.db, request.params.reference);
  }

  async function showPage(
    request: OrderRequest,
    reply: FastifyReply,
    order: OrderDetail,
    form?: { errors: FieldErrors; values: Record<string, string> },
  ) {
    const person = requireServiceReader(request, order.product.service);
    const view = await loadProvisioning(provisioning.db, order, provisioning.provisioner);
    return sendPage(
      reply,
      <ProvisioningPage
        context={pageContext(request, reply)}
        order={order}
        provisioning={view}
        canAct={canManageService(person, order.product.service)}
        errors={form?.errors}
        values={form?.values}
      />,
      form ? 422 : 200,
    );
  }

  app.get('/admin/orders/:reference/provisioning', async (request: OrderRequest, reply) => {
    const order = await orderFor(request);
    return showPage(request, reply, order);
  });

  app.post('/admin/orders/:reference/provisioning', async (request: OrderRequest, reply) => {
    const order = await orderFor(request);
    const person = requireServiceManager(request, order.product.service);
    const values = formValues(request.body);
    const result = await recordManualProvisioning(provisioning, person, order, values);
    if ('errors' in result) return showPage(request, reply, order, { errors: result.errors, values });
    request.session.flash = `Order ${order.reference} is provisioned: the licence is active and its people have been emailed.`;
    return reply.redirect(staffOrderPath(order.reference), 303);
  });

  app.post('/admin/orders/:reference/provisioning/start', async (request: OrderRequest, reply) => {
    const order = await orderFor(request);
    const person = requireServiceManager(request, order.product.service);
    const runId = await startProvisioning(provisioning, person, order);
    request.session.flash = `Provisioning of order ${order.reference} has started (run ${runId}).`;
    return reply.redirect(staffOrderPath(order.reference), 303);
  });

  app.post('/admin/orders/:reference/provisioning/retry', async (request: OrderRequest, reply) => {
    const order = await orderFor(request);
    const person = requireServiceManager(request, order.product.service);
    const runId = await retryProvisioning(provisioning, person, order);
    request.session.flash = `Provisioning of order ${order.reference} is running again (run ${runId}).`;
    return reply.redirect(staffOrderPath(order.reference), 303);
  });
}
