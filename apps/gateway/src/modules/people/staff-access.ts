import type { PersonWithRoles } from './people.repository.ts';
import type { ServiceCode } from './people.tables.ts';

/**
 * Whether a person works on a service's records: its own team (service-admin of that service),
 * Finance (who read every payment) or a superuser. Customer access never comes from here; it
 * comes from a person's place on a licence or an order.
 */
export function isServiceStaff(person: PersonWithRoles, service: ServiceCode): boolean {
  return person.staffRoles.some(
    (grant) =>
      grant.role === 'superuser' ||
      grant.role === 'finance' ||
      (grant.role === 'service-admin' && grant.service === service),
  );
}
