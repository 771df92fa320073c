import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { HelpIndexPage, PAYMENT_HELP_PATH, PaymentMethodsPage } from './help.views.tsx';

/** Help pages: public, so people can read them before they sign in or send the link to a colleague. */
export async function helpRoutes(app: FastifyInstance): Promise<void> {
  app.get('/help/', async (request, reply) => sendPage(reply, <HelpIndexPage context={pageContext(request, reply)} />));
  app.get(PAYMENT_HELP_PATH, async (request, reply) =>
    sendPage(reply, <PaymentMethodsPage context={pageContext(request, reply)} />),
  );
}
