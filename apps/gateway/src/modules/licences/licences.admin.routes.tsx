import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { withConflictLink } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice, requireServiceManager, requireServiceReader } from '../admin/back-office.ts';
import { oneOf, pageQuery, queryText } from '../admin/manage-forms.ts';
import { ADMIN_PAGE_SIZE } from '../admin/paging.tsx';
import { listProductsOfServices } from '../catalogue/catalogue.admin.repository.ts';
import { mayReplaceClosedCode, replaceClosedFinanceCode } from '../lifecycle/finance-code-replacement.service.ts';
import { openLicenceFlags } from '../lifecycle/finance-recheck.repository.ts';
import { FLAG_LABELS } from '../lifecycle/licence-flags.ts';
import type { LicenceFlagKind } from '../lifecycle/lifecycle.tables.ts';
import { listInstitutions } from '../people/people.repository.ts';
import { findAccessChange } from '../provisioning/access-changes.repository.ts';
import { licenceUsage } from '../usage/usage.service.ts';
import { LICENCE_STATUSES } from './licence-status.ts';
import { ANY_FLAG, searchLicences } from './licences.admin.repository.ts';
import {
  type ChangeOutcome,
  confirmLicenceDeletion,
  editLicence,
  type LicencesAdminContext,
  licenceForStaff,
  licenceServiceOf,
  lockLicence,
  unlockLicence,
} from './licences.admin.service.ts';
import { AdminLicencePage, AdminLicencesPage, adminLicencePath, type LicenceForm } from './licences.admin.views.tsx';
import { parseId } from './licences.routes.tsx';

/** MANAGE / Licences in the back office: search, everything about one licence, edit, lock and unlock. */
export async function licencesAdminRoutes(
  app: FastifyInstance,
  options: LicencesAdminContext & { warningPercent: number },
) {
  const { db, clock, warningPercent } = options;
  const context: LicencesAdminContext = {
    db,
    clock,
    jobs: options.jobs,
    site: options.site,
    cufs: options.cufs,
    provisioner: options.provisioner,
    directory: options.directory,
  };

  app.get('/admin/licences/', async (request, reply) => {
    const person = requireBackOffice(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const page = pageQuery.parse(query.page);
    const [products, institutions] = await Promise.all([
      listProductsOfServices(db, person.services),
      listInstitutions(db),
    ]);
    const productCode = oneOf(
      products.map((product) => product.code),
      query.product,
    );
    const status = oneOf(LICENCE_STATUSES, query.status);
    const institutionId = oneOf(
      institutions.map((institution) => institution.id),
      query.institution,
    );
    const flag = oneOf([ANY_FLAG, ...(Object.keys(FLAG_LABELS) as LicenceFlagKind[])], query.flag);
    const text = queryText(query.q);
    const found = await searchLicences(db, {
      services: person.services,
      text,
      productCode,
      status,
      institutionId,
      flag,
      limit: ADMIN_PAGE_SIZE,
      offset: (page - 1) * ADMIN_PAGE_SIZE,
    });
    return sendPage(
      reply,
      <AdminLicencesPage
        context={pageContext(request, reply)}
        filters={{
          text,
          productCode: productCode ?? '',
          status: status ?? '',
          institutionId: institutionId ?? '',
          flag: flag ?? '',
        }}
        products={products}
        institutions={institutions}
        licences={found.licences}
        total={found.total}
        page={page}
      />,
    );
  });

  async function renderLicence(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    form?: { name: LicenceForm; errors: FieldErrors; values: Record<string, string> },
  ) {
    const person = requireBackOffice(request);
    const { licence, history, canManage } = await licenceForStaff(db, person, id);
    const flags = await openLicenceFlags(db, id);
    const replaceCode =
      canManage &&
      flags.some((flag) => flag.kind === 'finance-code-closed') &&
      (await mayReplaceClosedCode(db, person, id));
    const usage = await licenceUsage(db, id, clock.today().toString(), warningPercent);
    const accessChange = await findAccessChange(db, id);
    return sendPage(
      reply,
      <AdminLicencePage
        context={pageContext(request, reply)}
        licence={licence}
        history={history}
        canManage={canManage}
        flags={flags}
        replaceCode={replaceCode}
        usage={usage}
        accessChange={accessChange}
        form={form}
      />,
      form ? 422 : 200,
    );
  }

  app.get<{ Params: { id: string } }>('/admin/licences/:id/', async (request, reply) => {
    requireBackOffice(request);
    const id = parseId(request.params.id);
    requireServiceReader(request, await licenceServiceOf(db, id));
    return renderLicence(request, reply, id as number);
  });

  const changes: Array<[LicenceForm, typeof editLicence]> = [
    ['edit', editLicence],
    ['lock', lockLicence],
    ['unlock', unlockLicence],
    ['confirm-deletion', confirmLicenceDeletion],
    // Another finance code for a closed one, as its Data Owner can give on the licence page.
    ['finance-code', replaceClosedFinanceCode],
  ];
  for (const [name, change] of changes) {
    app.post<{ Params: { id: string } }>(`/admin/licences/:id/${name}`, async (request, reply) => {
      requireBackOffice(request);
      const id = parseId(request.params.id);
      const person = requireServiceManager(request, await licenceServiceOf(db, id));
      const body = formValues(request.body);
      // A refusal (locked meanwhile, a stale page) leads back to the licence as it is now.
      const outcome: ChangeOutcome = await withConflictLink(
        { href: adminLicencePath(id as number), text: 'Go back to the licence' },
        () => change(context, person, id as number, body),
      );
      if (!outcome.ok)
        return renderLicence(request, reply, id as number, { name, errors: outcome.errors, values: body });
      request.session.flash = outcome.message;
      return reply.redirect(adminLicencePath(id as number), 303);
    });
  }
}
