import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { isSuperuser, servicesVisibleTo } from '../people/staff-access.ts';

/**
 * Entries about people and their staff roles (grants, and staff viewing the site as a customer):
 * every member of staff may read these, so the service teams can see who holds which power and
 * who has looked through a customer's eyes.
 */
export const PEOPLE_ENTITIES: readonly string[] = ['staff-role', 'person', 'view-as'];

/**
 * Entries about no one record that name the services they were about in `after.services`: a usage
 * import (the services whose projects it wrote) and a billing export (the services it billed).
 */
export const SERVICES_ENTITIES: readonly string[] = ['usage-import', 'billing-export'];

/** Which audit entries a member of staff may read in the back office. */
export interface AuditScope {
  /** Superusers read every entry. */
  all: boolean;
  /** Entries about these services' records (their team, Finance: both services). */
  services: ServiceCode[];
}

export function auditScopeFor(person: PersonWithRoles): AuditScope {
  return { all: isSuperuser(person), services: servicesVisibleTo(person) };
}

/**
 * The rule the search's SQL applies, as a function (and its specification). An entry belongs to a
 * service when it is about one of its licences (or a quote or voucher for one of its products, or
 * is a usage import that wrote its projects, or a billing export of its orders);
 * staff of that service read it. Entries about people are read by all staff. Anything else (an
 * entry of no service, such as a personal access token) is for superusers only.
 */
export function mayReadAuditEntry(
  scope: AuditScope,
  entry: { service: ServiceCode | null; entityType: string; after?: Record<string, unknown> | null },
): boolean {
  if (scope.all) return true;
  if (PEOPLE_ENTITIES.includes(entry.entityType)) return scope.services.length > 0;
  if (SERVICES_ENTITIES.includes(entry.entityType)) {
    const services = entry.after?.services;
    return Array.isArray(services) && services.some((service) => scope.services.includes(service));
  }
  return entry.service !== null && scope.services.includes(entry.service);
}
