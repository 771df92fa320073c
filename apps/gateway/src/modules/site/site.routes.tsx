import type { FastifyInstance } from 'fastify';
import { Page } from '../../platform/web/layout.tsx';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';

export async function siteRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (request, reply) => {
    const context = pageContext(request, reply);
    return sendPage(
      reply,
      <Page context={context} title="Buy and manage University storage">
        <h1>Buy and manage University storage</h1>
        <p class="lead">
          Research groups buy storage for their data from Research Computing Services. Departments and Colleges buy file
          shares from the Institutional File Storage service. This is where you do both, and then look after your
          storage for as long as you keep it.
        </p>
        <ul>
          <li>Get a price and a quote you can raise a purchase order against.</li>
          <li>Pay with a University finance code, a purchase order or a voucher.</li>
          <li>Choose who owns, manages and uses your storage, make it bigger and renew it before it ends.</li>
        </ul>
        <p>
          <a class="button" href="/catalogue/">
            See the storage we offer
          </a>
        </p>
        {context.person ? (
          <p>
            <a href="/storage/">Go to my storage</a>
          </p>
        ) : (
          <p>
            <a href="/sign-in">Sign in</a> with your University account to buy storage or manage what you have.
          </p>
        )}
      </Page>,
    );
  });
}
