import type { FastifyRequest } from 'fastify';
import type { PersonWithRoles } from '../../modules/people/people.repository.ts';
import type { ServiceCode } from '../../modules/people/people.tables.ts';
import { AppError } from '../web/errors.ts';

declare module 'fastify' {
  interface Session {
    personId?: number;
    flash?: string;
    returnTo?: string;
    oidc?: { state: string; nonce: string; codeVerifier: string };
    /** Set while a member of staff (personId) views the site as a customer sees it (view-as.ts). */
    viewAs?: ViewAsSession;
  }
  interface FastifyRequest {
    /** Who the pages are for: while viewing as a customer, the customer (with no staff roles). */
    person?: PersonWithRoles;
    /** While viewing as a customer: the member of staff doing it, and why (view-as.ts). */
    viewingAs?: ViewingAs;
  }
}

export interface ViewingAs {
  staff: PersonWithRoles;
  reason: string;
  /** When the view ends on its own. */
  endsAt: Date;
  /** The services whose records the view shows (view-as-rules.ts viewServices); undefined: all. */
  services: readonly ServiceCode[] | undefined;
}

export interface ViewAsSession {
  /** The member of staff, so a session that changes hands ends the view. */
  staffPersonId: number;
  staffCrsid: string;
  /** The customer whose view this is. */
  personId: number;
  crsid: string;
  reason: string;
  /** When the view started, in words (formatInstant): its end's audit entry records it as it is. */
  startedAt: string;
  /** When it ends on its own (ISO 8601); none in a view started before views ended so, which ends at once. */
  endsAt?: string;
}

export function isStaff(person: PersonWithRoles | undefined): boolean {
  return Boolean(person && person.staffRoles.length > 0);
}

/** The signed-in person, or a 401 that the error handler turns into a sign-in link. */
export function requirePerson(request: FastifyRequest): PersonWithRoles {
  if (!request.person) throw new AppError('unauthenticated', 'Sign in to continue.');
  return request.person;
}

const THIS_SITE = 'http://this-site.invalid';

/**
 * Only local paths may be returned to after sign-in, so a link cannot bounce people off-site. The
 * path is judged as a browser reads it: browsers drop tabs and line breaks from an address and
 * read a backslash as a slash, so `/<tab>/evil.example` is `//evil.example`, another site.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[\\\p{Cc}]/u.test(value)) return '/storage/';
  return URL.parse(value, THIS_SITE)?.origin === THIS_SITE ? value : '/storage/';
}
