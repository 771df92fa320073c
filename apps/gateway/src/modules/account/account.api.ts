import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { apiRoute } from '../../platform/web/openapi.ts';
import { findInstitution } from '../people/people.repository.ts';

const meSchema = z.object({
  crsid: z.string().meta({ example: 'ar101' }),
  name: z.string(),
  email: z.string(),
  institution: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .describe('The department, College or organisation the directory puts this person in.'),
  staffRoles: z
    .array(
      z.object({
        role: z.enum(['service-admin', 'finance', 'superuser']),
        service: z.enum(['research', 'institutional']).nullable(),
      }),
    )
    .describe('Roles in the service teams and Finance; empty for customers.'),
  authenticatedBy: z.enum(['session', 'access-token']),
});

/** The JSON API's account operations: who is calling, and a CSRF token for browser sessions. */
export async function accountApi(app: FastifyInstance, options: { db: Executor }): Promise<void> {
  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/me',
      operationId: 'getMe',
      summary: 'The signed-in person',
      description: 'Who the session or the access token acts for, with their staff roles.',
      tags: ['Account'],
      response: meSchema,
    },
    async ({ person, request }) => {
      const institution = person.institutionId ? await findInstitution(options.db, person.institutionId) : undefined;
      return {
        crsid: person.crsid,
        name: person.displayName,
        email: person.email,
        institution: person.institutionId
          ? { id: person.institutionId, name: institution?.name ?? person.institutionId }
          : null,
        staffRoles: person.staffRoles,
        authenticatedBy: request.authenticatedBy ?? 'session',
      };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/csrf-token',
      operationId: 'getCsrfToken',
      summary: 'A CSRF token for this browser session',
      description:
        'Browser code signed in by session sends it in the x-csrf-token header of every POST, PUT, PATCH or DELETE. Requests with an access token need none.',
      tags: ['Account'],
      response: z.object({ csrfToken: z.string() }),
      errors: ['bad-request'],
    },
    async ({ request, reply }) => {
      if (request.authenticatedBy === 'access-token') {
        throw new AppError('bad-request', 'Requests with an access token need no CSRF token.');
      }
      return { csrfToken: reply.generateCsrf() };
    },
  );
}
