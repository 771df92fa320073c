import type { FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Executor } from '../../platform/db/database.ts';
import type { Provisioner } from '../../platform/provisioner/provisioner.ts';
import type { PageContext } from '../../platform/web/layout.tsx';
import type { OrderDetail } from '../orders/orders.repository.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { canManageService } from '../people/staff-access.ts';
import { loadProvisioning } from './provisioning.service.ts';
import { ProvisioningSection } from './provisioning.views.tsx';

declare module 'fastify' {
  interface FastifyInstance {
    /** The deployment's provisioner (PROVISIONER), decorated on the app by buildApp. */
    provisioner: Provisioner;
  }
}

/**
 * The provisioning section for another page (the staff order page): loads what it shows and
 * renders it for this person (Finance reads; the service's team and superusers act). Null where
 * the app has no provisioner decorated.
 */
export async function provisioningSectionFor(
  db: Executor,
  request: FastifyRequest,
  person: PersonWithRoles,
  order: OrderDetail,
  context: PageContext,
): Promise<VNode | null> {
  if (!request.server.hasDecorator('provisioner')) return null;
  const view = await loadProvisioning(db, order, request.server.provisioner);
  return (
    <ProvisioningSection
      context={context}
      order={order}
      provisioning={view}
      canAct={canManageService(person, order.product.service)}
    />
  );
}
