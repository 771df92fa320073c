import type { FastifyRequest } from 'fastify';
import type { PersonWithRoles } from '../../modules/people/people.repository.ts';
import { AppError } from '../web/errors.ts';

declare module 'fastify' {
  interface Session {
    personId?: number;
    flash?: string;
    returnTo?: string;
    oidc?: { state: string; nonce: string; codeVerifier: string };
  }
  interface FastifyRequest {
    person?: PersonWithRoles;
  }
}

export function isStaff(person: PersonWithRoles | undefined): boolean {
  return Boolean(person && person.staffRoles.length > 0);
}

/** The signed-in person, or a 401 that the error handler turns into a sign-in link. */
export function requirePerson(request: FastifyRequest): PersonWithRoles {
  if (!request.person) throw new AppError('unauthenticated', 'Sign in to continue.');
  return request.person;
}

/** Only local paths may be returned to after sign-in, so a link cannot bounce people off-site. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/storage/';
  return value;
}
