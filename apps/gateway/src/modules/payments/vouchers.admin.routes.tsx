import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice, requireServiceManager, requireServiceReader } from '../admin/back-office.ts';
import { oneOf, pageQuery } from '../admin/manage-forms.ts';
import { ADMIN_PAGE_SIZE } from '../admin/paging.tsx';
import { sizeText } from '../catalogue/sizes.ts';
import { parseId } from '../licences/licences.routes.tsx';
import { listInstitutions } from '../people/people.repository.ts';
import { VOUCHER_STATUSES } from './voucher-rules.ts';
import { listVouchers } from './vouchers.admin.repository.ts';
import {
  issueVoucher,
  requireVoucherIssuer,
  type VouchersAdminContext,
  voucherForStaff,
  voucherProducts,
  voucherServiceOf,
  withdrawVoucher,
} from './vouchers.admin.service.ts';
import { AdminVoucherPage, AdminVouchersPage, adminVoucherPath, IssueVoucherPage } from './vouchers.admin.views.tsx';

/** MANAGE / Vouchers in the back office: list, issue, withdraw. */
export async function vouchersAdminRoutes(
  app: FastifyInstance,
  options: { db: Executor; clock: Clock; generateCode?: VouchersAdminContext['generateCode'] },
) {
  const context: VouchersAdminContext = options;
  const { db, clock } = options;

  app.get('/admin/vouchers/', async (request, reply) => {
    const person = requireBackOffice(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const page = pageQuery.parse(query.page);
    const status = oneOf(VOUCHER_STATUSES, query.status);
    const today = clock.today().toString();
    const [listed, issuable] = await Promise.all([
      listVouchers(db, {
        services: person.services,
        status,
        today,
        limit: ADMIN_PAGE_SIZE,
        offset: (page - 1) * ADMIN_PAGE_SIZE,
      }),
      voucherProducts(db, person),
    ]);
    return sendPage(
      reply,
      <AdminVouchersPage
        context={pageContext(request, reply)}
        vouchers={listed.vouchers}
        total={listed.total}
        page={page}
        status={status}
        today={today}
        canIssue={issuable.length > 0}
      />,
    );
  });

  app.get('/admin/vouchers/new', async (request, reply) => {
    const person = requireBackOffice(request);
    const [products, institutions] = await Promise.all([requireVoucherIssuer(db, person), listInstitutions(db)]);
    return sendPage(
      reply,
      <IssueVoucherPage
        context={pageContext(request, reply)}
        products={products}
        institutions={institutions}
        values={{ issueKey: randomUUID() }}
      />,
    );
  });

  app.post('/admin/vouchers/', async (request, reply) => {
    const person = requireBackOffice(request);
    const body = formValues(request.body);
    const outcome = await issueVoucher(context, person, body);
    if (!outcome.ok) {
      const [products, institutions] = await Promise.all([requireVoucherIssuer(db, person), listInstitutions(db)]);
      return sendPage(
        reply,
        <IssueVoucherPage
          context={pageContext(request, reply)}
          products={products}
          institutions={institutions}
          errors={outcome.errors}
          values={body}
        />,
        422,
      );
    }
    request.session.flash = `Voucher ${outcome.voucher.code} is issued. Send the code to the department: it pays for up to ${sizeText(outcome.voucher.sizeTb)} of ${outcome.voucher.productCode}.`;
    return reply.redirect(adminVoucherPath(outcome.voucher.id), 303);
  });

  app.get<{ Params: { id: string } }>('/admin/vouchers/:id/', async (request, reply) => {
    requireBackOffice(request);
    const id = parseId(request.params.id);
    const person = requireServiceReader(request, await voucherServiceOf(db, id));
    const { voucher, canManage, history } = await voucherForStaff(db, person, id as number);
    return sendPage(
      reply,
      <AdminVoucherPage
        context={pageContext(request, reply)}
        voucher={voucher}
        today={clock.today().toString()}
        canManage={canManage}
        history={history}
      />,
    );
  });

  app.post<{ Params: { id: string } }>('/admin/vouchers/:id/revoke', async (request, reply) => {
    requireBackOffice(request);
    const id = parseId(request.params.id);
    const person = requireServiceManager(request, await voucherServiceOf(db, id));
    const body = formValues(request.body);
    const outcome = await withdrawVoucher(context, person, id as number, body);
    if (!outcome.ok) {
      const { voucher, canManage, history } = await voucherForStaff(db, person, id as number);
      return sendPage(
        reply,
        <AdminVoucherPage
          context={pageContext(request, reply)}
          voucher={voucher}
          today={clock.today().toString()}
          canManage={canManage}
          history={history}
          errors={outcome.errors}
          values={body}
        />,
        422,
      );
    }
    request.session.flash = outcome.message;
    return reply.redirect(adminVoucherPath(id as number), 303);
  });
}
