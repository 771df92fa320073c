import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice, requireServiceManager, requireServiceReader } from '../admin/back-office.ts';
import { pageQuery } from '../admin/manage-forms.ts';
import { ADMIN_PAGE_SIZE } from '../admin/paging.tsx';
import { parseId } from '../licences/licences.routes.tsx';
import { staffOrderPath } from '../orders/orders.admin.views.tsx';
import type { OrderDetail } from '../orders/orders.repository.ts';
import { canManageService } from '../people/staff-access.ts';
import { findAccessChange, listWaitingAccessChanges } from './access-changes.repository.ts';
import { accessChangeLicence, loadAccessChange, markAccessChangeMade } from './access-changes.service.ts';
import { ACCESS_CHANGES_PATH, AccessChangePage, AccessChangesPage, accessChangePath } from './access-changes.views.tsx';
import { loadProjectsToMake, recordProjectsByHand } from './project-provisioning.service.ts';
import { listWaitingProjects } from './provisioning.repository.ts';
import {
  findOrderForStaff,
  licencePeopleEmailed,
  loadProvisioning,
  type ProvisioningContext,
  recordManualProvisioning,
  retryProvisioning,
  startProvisioning,
} from './provisioning.service.ts';
import {
  PROJECTS_WAITING_PATH,
  ProjectsMadePage,
  ProjectsWaitingPage,
  ProvisioningPage,
} from './provisioning.views.tsx';

type OrderRequest = FastifyRequest<{ Params: { reference: string } }>;
type LicenceRequest = FastifyRequest<{ Params: { id: string } }>;

function licenceIdOf(request: LicenceRequest): number {
  const id = parseId(request.params.id);
  if (id === undefined) throw new AppError('not-found', 'We could not find that licence.');
  return id;
}

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
    const emailed = await licencePeopleEmailed(provisioning.db, order);
    const changedMeanwhile =
      order.kind === 'new' && (await findAccessChange(provisioning.db, order.licence.id))
        ? ' Its people or storage projects changed while it was being set up: it waits in Access changes to make.'
        : '';
    request.session.flash =
      order.kind === 'new'
        ? `Order ${order.reference} is provisioned: the licence is active and ${emailed}.${changedMeanwhile}`
        : `Order ${order.reference} is done: the licence is changed and ${emailed}.`;
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

  /** Projects created in an active licence, waiting to be made: the staff licence page links here. */
  async function showProjectsMade(
    request: LicenceRequest,
    reply: FastifyReply,
    form?: { errors: FieldErrors; values: Record<string, string> },
  ) {
    requireBackOffice(request);
    const toMake = await loadProjectsToMake(provisioning.db, licenceIdOf(request));
    const person = requireServiceReader(request, toMake.licence.service);
    return sendPage(
      reply,
      <ProjectsMadePage
        context={pageContext(request, reply)}
        toMake={toMake}
        canAct={canManageService(person, toMake.licence.service)}
        errors={form?.errors}
        values={form?.values}
      />,
      form ? 422 : 200,
    );
  }

  app.get('/admin/licences/:id/projects-made', (request: LicenceRequest, reply) => showProjectsMade(request, reply));

  // Across licences: the services the person sees (Finance reads; only a service's team may act).
  app.get(PROJECTS_WAITING_PATH, async (request, reply) => {
    const person = requireBackOffice(request);
    const page = pageQuery.parse((request.query as Record<string, unknown> | undefined)?.page);
    const { projects, total } = await listWaitingProjects(provisioning.db, person.services, {
      limit: ADMIN_PAGE_SIZE,
      offset: (page - 1) * ADMIN_PAGE_SIZE,
    });
    return sendPage(
      reply,
      <ProjectsWaitingPage
        context={pageContext(request, reply)}
        projects={projects}
        total={total}
        page={page}
        canAct={(service) => canManageService(person, service)}
      />,
    );
  });

  // Licences waiting for an access change made by hand (the manual provisioner), across the services the person sees.
  app.get(ACCESS_CHANGES_PATH, async (request, reply) => {
    const person = requireBackOffice(request);
    const page = pageQuery.parse((request.query as Record<string, unknown> | undefined)?.page);
    const { changes, total } = await listWaitingAccessChanges(provisioning.db, person.services, {
      limit: ADMIN_PAGE_SIZE,
      offset: (page - 1) * ADMIN_PAGE_SIZE,
    });
    return sendPage(
      reply,
      <AccessChangesPage
        context={pageContext(request, reply)}
        changes={changes}
        total={total}
        page={page}
        automatic={provisioning.provisioner.automatic}
      />,
    );
  });

  app.get('/admin/licences/:id/access-change', async (request: LicenceRequest, reply) => {
    requireBackOffice(request);
    const { licence, state, waiting } = await loadAccessChange(provisioning.db, licenceIdOf(request));
    const person = requireServiceReader(request, licence.service);
    return sendPage(
      reply,
      <AccessChangePage
        context={pageContext(request, reply)}
        licence={licence}
        state={state}
        waiting={waiting}
        canAct={canManageService(person, licence.service)}
      />,
    );
  });

  app.post('/admin/licences/:id/access-change', async (request: LicenceRequest, reply) => {
    requireBackOffice(request);
    const licence = await accessChangeLicence(provisioning.db, licenceIdOf(request));
    const person = requireServiceManager(request, licence.service);
    const version = Number(formValues(request.body).version);
    const outcome = await markAccessChangeMade(
      provisioning.db,
      person,
      licence.id,
      Number.isSafeInteger(version) ? version : 0,
    );
    request.session.flash = {
      done: `The access change of ${licence.name} is marked as done.`,
      changed: `${licence.name} changed again since that page was opened: check its groups against what it shows now, then mark the change as done.`,
      none: `Nothing was waiting: the access change of ${licence.name} had already been marked as done.`,
    }[outcome];
    return reply.redirect(outcome === 'done' ? `/admin/licences/${licence.id}/` : accessChangePath(licence.id), 303);
  });

  app.post('/admin/licences/:id/projects-made', async (request: LicenceRequest, reply) => {
    requireBackOffice(request);
    const id = licenceIdOf(request);
    const toMake = await loadProjectsToMake(provisioning.db, id);
    const person = requireServiceManager(request, toMake.licence.service);
    const values = formValues(request.body);
    const result = await recordProjectsByHand(provisioning, person, id, values);
    if ('errors' in result) return showProjectsMade(request, reply, { errors: result.errors, values });
    request.session.flash = `${result.made.length === 1 ? 'The storage project is' : `${result.made.length} storage projects are`} recorded as made and active.`;
    return reply.redirect(`/admin/licences/${id}/`, 303);
  });
}
