import type { FastifyRequest } from 'fastify';
import { requirePerson } from '../../platform/identity/current-person.ts';
import { AppError } from '../../platform/web/errors.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService, isServiceStaff, servicesVisibleTo } from '../people/staff-access.ts';

/**
 * Access to the back office, checked first in every /admin/ handler. Customers are refused
 * outright; staff see the services their roles cover (Finance and superusers see both).
 */
export function requireBackOffice(request: FastifyRequest): PersonWithRoles & { services: ServiceCode[] } {
  const person = requirePerson(request);
  const services = servicesVisibleTo(person);
  if (services.length === 0) throw new AppError('forbidden', 'The back office is for the service teams and Finance.');
  return { ...person, services };
}

/** Staff who may read this service's records (its team, Finance, superusers). */
export function requireServiceReader(request: FastifyRequest, service: ServiceCode): PersonWithRoles {
  const person = requireBackOffice(request);
  if (!isServiceStaff(person, service)) throw new AppError('forbidden', `This is the ${service} storage team's work.`);
  return person;
}

/** Staff who may change this service's records (its team and superusers; not Finance). */
export function requireServiceManager(request: FastifyRequest, service: ServiceCode): PersonWithRoles {
  const person = requireBackOffice(request);
  if (!canManageService(person, service)) {
    throw new AppError('forbidden', `Only the ${service} storage team can do this.`);
  }
  return person;
}
