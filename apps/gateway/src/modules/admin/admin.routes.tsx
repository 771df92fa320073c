import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { countFlaggedLicences, countLicencesDueForDeletion } from '../licences/licences.admin.repository.ts';
import { countOrdersNeedingAction } from '../orders/orders.admin.repository.ts';
import { countWaitingAccessChanges } from '../provisioning/access-changes.repository.ts';
import { AdminHomePage } from './admin-home.views.tsx';
import { requireBackOffice } from './back-office.ts';

/** The back-office home for any staff: what waits for each service team they work on (orders, deletions to confirm, access changes to make). */
export async function adminRoutes(app: FastifyInstance, options: { db: Executor; clock: Clock }): Promise<void> {
  const { db, clock } = options;

  app.get('/admin/', async (request, reply) => {
    const person = requireBackOffice(request);
    // Only the manual provisioner's team makes access changes by hand: an automated one is sent each.
    const byHand = !(request.server.hasDecorator('provisioner') && request.server.provisioner.automatic);
    const [workloads, dueForDeletion, flagged, accessChanges] = await Promise.all([
      countOrdersNeedingAction(db, person.services),
      countLicencesDueForDeletion(db, person.services),
      countFlaggedLicences(db, person.services),
      byHand ? countWaitingAccessChanges(db, person.services) : undefined,
    ]);
    return sendPage(
      reply,
      <AdminHomePage
        context={pageContext(request, reply)}
        workloads={workloads}
        dueForDeletion={dueForDeletion}
        flagged={flagged}
        accessChanges={accessChanges}
        now={clock.now()}
      />,
    );
  });
}
