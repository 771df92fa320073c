import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { VIEW_AS_STOP_PATH } from '../../platform/identity/view-as.ts';
import { formValues } from '../../platform/web/forms.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { requireBackOffice } from './back-office.ts';
import { startViewAs, stopViewAs } from './view-as.service.ts';
import { ViewAsPage } from './view-as.views.tsx';

/**
 * Staff view the site as a customer sees it: /admin/view-as starts it (with a reason), the
 * banner's button stops it. While viewing, request.person is the customer (platform/identity/view-as.ts).
 */
export async function viewAsRoutes(
  app: FastifyInstance,
  options: { db: Executor; clock: Clock; viewAsMinutes: number },
): Promise<void> {
  app.get('/admin/view-as', async (request, reply) => {
    requireBackOffice(request);
    const crsid = (request.query as Record<string, unknown>).crsid;
    const values: Record<string, string> = typeof crsid === 'string' ? { crsid: crsid.trim().slice(0, 20) } : {};
    return sendPage(
      reply,
      <ViewAsPage context={pageContext(request, reply)} values={values} errors={{}} minutes={options.viewAsMinutes} />,
    );
  });

  app.post('/admin/view-as', async (request, reply) => {
    const staff = requireBackOffice(request);
    const outcome = await startViewAs(options, staff, request.body);
    if (!outcome.ok) {
      const page = (
        <ViewAsPage
          context={pageContext(request, reply)}
          values={formValues(request.body)}
          errors={outcome.errors}
          minutes={options.viewAsMinutes}
        />
      );
      return sendPage(reply, page, 422);
    }
    request.session.viewAs = outcome.view;
    return reply.redirect('/storage/', 303);
  });

  // Allowed while viewing (the one change that is): the identity layer lets it through.
  app.post(VIEW_AS_STOP_PATH, async (request, reply) => {
    const view = request.session.viewAs;
    if (!view || !request.viewingAs) {
      // Not viewing: only staff have a view to stop (401 signed out, 403 for a customer).
      requireBackOffice(request);
      // A view that ran out on this very request has said so (view-as.ts): that is the news.
      request.session.flash ??= 'You were not viewing the site as anyone.';
      return reply.redirect('/admin/view-as', 303);
    }
    await stopViewAs(options.db, view);
    request.session.viewAs = undefined;
    request.session.flash = `You stopped viewing the site as ${view.crsid}: you see it as yourself again.`;
    return reply.redirect('/admin/view-as', 303);
  });
}
