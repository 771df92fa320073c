import { AppError } from '../../platform/web/errors.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService, SERVICES } from '../people/staff-access.ts';

/**
 * The services whose storage a person may import usage readings for: those whose records they may
 * change (their own team's, or both for a superuser). Customers and Finance may not import.
 */
export function usageImportServices(person: PersonWithRoles): ServiceCode[] {
  const services = SERVICES.filter((service) => canManageService(person, service));
  if (services.length === 0) throw new AppError('forbidden', 'Only the storage teams can import usage readings.');
  return services;
}
