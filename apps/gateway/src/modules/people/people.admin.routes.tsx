import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../platform/db/database.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice } from '../admin/back-office.ts';
import { pageQuery, queryText } from '../admin/manage-forms.ts';
import { ADMIN_PAGE_SIZE } from '../admin/paging.tsx';
import { listLicencesHeldBy } from '../licences/licences.admin.repository.ts';
import { parseId } from '../licences/licences.routes.tsx';
import { searchPeople } from './people.admin.repository.ts';
import { grantStaffRole, personForStaff, type RoleOutcome, removeStaffRole } from './people.admin.service.ts';
import { AdminPeoplePage, AdminPersonPage, adminPersonPath } from './people.admin.views.tsx';
import { isSuperuser } from './staff-access.ts';

/** MANAGE / People and roles: any member of staff looks people up; superusers change staff roles. */
export async function peopleAdminRoutes(app: FastifyInstance, options: { db: Executor }) {
  const { db } = options;

  app.get('/admin/people/', async (request, reply) => {
    requireBackOffice(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const page = pageQuery.parse(query.page);
    const text = queryText(query.q);
    const found = await searchPeople(db, { text, limit: ADMIN_PAGE_SIZE, offset: (page - 1) * ADMIN_PAGE_SIZE });
    return sendPage(
      reply,
      <AdminPeoplePage
        context={pageContext(request, reply)}
        text={text}
        people={found.people}
        total={found.total}
        page={page}
      />,
    );
  });

  async function renderPerson(
    request: FastifyRequest<{ Params: { crsid: string } }>,
    reply: FastifyReply,
    form?: { errors: FieldErrors; values: Record<string, string> },
  ) {
    const viewer = requireBackOffice(request);
    const person = await personForStaff(db, request.params.crsid);
    const page = pageQuery.parse((request.query as Record<string, unknown> | undefined)?.page);
    const held = await listLicencesHeldBy(db, person.id, viewer.services, {
      limit: ADMIN_PAGE_SIZE,
      offset: (page - 1) * ADMIN_PAGE_SIZE,
    });
    return sendPage(
      reply,
      <AdminPersonPage
        context={pageContext(request, reply)}
        person={person}
        viewerId={viewer.id}
        canChangeRoles={isSuperuser(viewer)}
        licences={held.licences}
        licenceTotal={held.total}
        page={page}
        errors={form?.errors}
        values={form?.values}
      />,
      form ? 422 : 200,
    );
  }

  app.get<{ Params: { crsid: string } }>('/admin/people/:crsid/', async (request, reply) =>
    renderPerson(request, reply),
  );

  async function answer(
    request: FastifyRequest<{ Params: { crsid: string } }>,
    reply: FastifyReply,
    outcome: RoleOutcome,
    body: Record<string, string>,
  ) {
    if (!outcome.ok) return renderPerson(request, reply, { errors: outcome.errors, values: body });
    request.session.flash = outcome.message;
    return reply.redirect(adminPersonPath(request.params.crsid.toLowerCase()), 303);
  }

  app.post<{ Params: { crsid: string } }>('/admin/people/:crsid/roles', async (request, reply) => {
    const actor = requireBackOffice(request);
    const body = formValues(request.body);
    return answer(request, reply, await grantStaffRole(db, actor, request.params.crsid, body), body);
  });

  app.post<{ Params: { crsid: string; roleId: string } }>(
    '/admin/people/:crsid/roles/:roleId/remove',
    async (request, reply) => {
      const actor = requireBackOffice(request);
      const roleId = parseId(request.params.roleId);
      if (roleId === undefined) throw new AppError('not-found', 'There is no such role.');
      const body = formValues(request.body);
      return answer(request, reply, await removeStaffRole(db, actor, request.params.crsid, roleId, body), body);
    },
  );
}
