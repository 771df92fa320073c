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

/**
 * Whether a person may change a service's records (approve, reject, provision, edit licences,
 * prices and vouchers): that service's team or a superuser. Finance reads but does not decide.
 */
export function canManageService(person: PersonWithRoles, service: ServiceCode): boolean {
  return person.staffRoles.some(
    (grant) => grant.role === 'superuser' || (grant.role === 'service-admin' && grant.service === service),
  );
}

export const SERVICES: readonly ServiceCode[] = ['research', 'institutional'];

/** Each service's name as the pages write it (the catalogue's services.name). */
export const SERVICE_NAMES: Record<ServiceCode, string> = {
  research: 'Research storage',
  institutional: 'Institutional file storage',
};

/** The services whose records a person may read in the back office (in DESIGN order). */
export function servicesVisibleTo(person: PersonWithRoles): ServiceCode[] {
  return SERVICES.filter((service) => isServiceStaff(person, service));
}

export function isSuperuser(person: PersonWithRoles): boolean {
  return person.staffRoles.some((grant) => grant.role === 'superuser');
}
