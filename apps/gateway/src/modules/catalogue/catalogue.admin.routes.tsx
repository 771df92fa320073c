import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError, withConflictLink } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice, requireServiceManager, requireServiceReader } from '../admin/back-office.ts';
import { parseId } from '../licences/licences.routes.tsx';
import {
  addPrice,
  type ChangeOutcome,
  coldStorePriceForStaff,
  editProduct,
  listCatalogueForStaff,
  productForStaff,
  productServiceOf,
  withdrawFuturePrice,
} from './catalogue.admin.service.ts';
import { AdminCataloguePage, AdminProductPage, adminProductPath, type ProductForm } from './catalogue.admin.views.tsx';

/** MANAGE / Products and prices in the back office. */
export async function catalogueAdminRoutes(app: FastifyInstance, options: { db: Executor; clock: Clock }) {
  const context = { db: options.db, clock: options.clock };

  app.get('/admin/catalogue/', async (request, reply) => {
    const person = requireBackOffice(request);
    const products = await listCatalogueForStaff(context, person);
    const coldStore = await coldStorePriceForStaff(context, person);
    return sendPage(
      reply,
      <AdminCataloguePage context={pageContext(request, reply)} products={products} coldStore={coldStore} />,
    );
  });

  async function renderProduct(
    request: FastifyRequest,
    reply: FastifyReply,
    code: string,
    form?: { name: ProductForm; errors: FieldErrors; values: Record<string, string> },
  ) {
    const person = requireServiceReader(request, await productServiceOf(context.db, code));
    const product = await productForStaff(context, person, code);
    return sendPage(
      reply,
      <AdminProductPage
        context={pageContext(request, reply)}
        product={product}
        today={context.clock.today().toString()}
        form={form}
      />,
      form ? 422 : 200,
    );
  }

  app.get<{ Params: { code: string } }>('/admin/catalogue/:code/', async (request, reply) => {
    requireBackOffice(request);
    return renderProduct(request, reply, request.params.code.toUpperCase());
  });

  const changes: Array<[ProductForm, string, typeof editProduct]> = [
    ['edit', 'edit', editProduct],
    ['price', 'prices', addPrice],
  ];
  for (const [name, path, change] of changes) {
    app.post<{ Params: { code: string } }>(`/admin/catalogue/:code/${path}`, async (request, reply) => {
      requireBackOffice(request);
      const code = request.params.code.toUpperCase();
      const person = requireServiceManager(request, await productServiceOf(context.db, code));
      const body = formValues(request.body);
      const outcome: ChangeOutcome = await change(context, person, code, body);
      if (!outcome.ok) return renderProduct(request, reply, code, { name, errors: outcome.errors, values: body });
      request.session.flash = outcome.message;
      return reply.redirect(adminProductPath(code), 303);
    });
  }

  // A price whose first day is still to come can be withdrawn (mistyped); one in force never changes.
  app.post<{ Params: { code: string; id: string } }>(
    '/admin/catalogue/:code/prices/:id/withdraw',
    async (request, reply) => {
      requireBackOffice(request);
      const code = request.params.code.toUpperCase();
      const person = requireServiceManager(request, await productServiceOf(context.db, code));
      const id = parseId(request.params.id);
      if (id === undefined) throw new AppError('not-found', `${code} has no such price.`);
      request.session.flash = await withConflictLink({ href: adminProductPath(code), text: `Go back to ${code}` }, () =>
        withdrawFuturePrice(context, person, code, id),
      );
      return reply.redirect(adminProductPath(code), 303);
    },
  );
}
