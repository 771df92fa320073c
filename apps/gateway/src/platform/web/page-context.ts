import type { FastifyReply, FastifyRequest } from 'fastify';
import { canManageService, SERVICES } from '../../modules/people/staff-access.ts';
import { isStaff } from '../identity/current-person.ts';
import type { PageContext } from './layout.tsx';

export interface SiteSettings {
  serviceName: string;
  contactEmail: string;
  devTools: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    site: SiteSettings;
  }
}

/** Everything the site frame needs about this request: who is signed in, the CSRF token, a flash. */
export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  const site = request.server.site;
  const person = request.person;
  const flash = request.session?.flash;
  if (flash) request.session.flash = undefined;
  return {
    serviceName: site.serviceName,
    contactEmail: site.contactEmail,
    devTools: site.devTools,
    csrfToken: request.session ? reply.generateCsrf() : undefined,
    person: person
      ? {
          displayName: person.displayName,
          crsid: person.crsid,
          isStaff: isStaff(person),
          managesStorage: SERVICES.some((service) => canManageService(person, service)),
        }
      : undefined,
    viewingAs:
      request.viewingAs && person
        ? { displayName: person.displayName, crsid: person.crsid, until: request.viewingAs.endsAt }
        : undefined,
    flash,
  };
}
