import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import { AppError } from '../../platform/web/errors.ts';
import { apiRoute } from '../../platform/web/openapi.ts';
import { LICENCE_STATUS_WORDS, LICENCE_STATUSES } from './licence-status.ts';
import { findLicenceForPerson, findProjectForPerson, listLicencesForPerson } from './licences.repository.ts';

const person = z.object({ crsid: z.string(), displayName: z.string() });

const licenceListing = z
  .object({
    id: z.int(),
    name: z.string(),
    product: z.string(),
    institutionId: z.string(),
    sizeTb: z.int(),
    startDate: z.iso.date().nullable().describe('Empty until the storage is set up.'),
    endDate: z.iso.date().nullable(),
    status: z.enum(LICENCE_STATUSES),
    statusLabel: z.string(),
    roles: z.array(z.string()).describe('Your places on the licence.'),
  })
  .meta({ id: 'LicenceListing' });

const project = z.object({
  id: z.int(),
  name: z.string(),
  quotaTb: z.int(),
  status: z.enum(['pending', 'active', 'removed']),
  members: z.array(person.extend({ role: z.enum(['project-data-manager', 'project-data-user']) })),
});

const idParams = z.object({ id: z.coerce.number().int().positive('An id is a whole number') });

function listing(licence: Awaited<ReturnType<typeof listLicencesForPerson>>['licences'][number]) {
  return {
    id: licence.id,
    name: licence.name,
    product: licence.productCode,
    institutionId: licence.institutionId,
    sizeTb: licence.sizeTb,
    startDate: licence.startDate,
    endDate: licence.endDate,
    status: licence.status,
    statusLabel: LICENCE_STATUS_WORDS[licence.status].label,
    roles: licence.roles,
  };
}

const people = (list: Array<{ crsid: string; displayName: string }>) =>
  list.map(({ crsid, displayName }) => ({ crsid, displayName }));

/** Licences and storage projects as JSON, with the same access rules as their pages. */
export async function licencesApi(app: FastifyInstance, options: { db: Executor }): Promise<void> {
  const { db } = options;
  const notFound = (what: string) => new AppError('not-found', `There is no ${what} that you can see.`);

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/licences',
      operationId: 'listLicences',
      summary: 'The licences you own, manage or use a project of',
      tags: ['Licences'],
      response: z.object({ total: z.int(), licences: z.array(licenceListing) }),
    },
    async ({ person: caller }) => {
      const page = await listLicencesForPerson(db, caller.id);
      return { total: page.total, licences: page.licences.map(listing) };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/licences/{id}',
      operationId: 'getLicence',
      summary: 'One licence with its people and storage projects',
      tags: ['Licences'],
      params: idParams,
      response: licenceListing.extend({
        owner: person,
        managers: z.array(person),
        projects: z.array(project),
        orders: z.array(z.object({ reference: z.string(), status: z.string() })),
      }),
      errors: ['not-found'],
    },
    async ({ params, person: caller }) => {
      const licence = await findLicenceForPerson(db, caller, params.id);
      if (!licence) throw notFound(`licence ${params.id}`);
      return {
        ...listing(licence),
        owner: { crsid: licence.owner.crsid, displayName: licence.owner.displayName },
        managers: people(licence.managers),
        projects: licence.projects.map((p) => ({
          ...p,
          members: p.members.map((m) => ({ crsid: m.crsid, displayName: m.displayName, role: m.role })),
        })),
        orders: licence.orders.map((order) => ({ reference: order.reference, status: order.status })),
      };
    },
  );

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/projects/{id}',
      operationId: 'getStorageProject',
      summary: 'One storage project',
      tags: ['Licences'],
      params: idParams,
      response: project.extend({ licenceId: z.int(), licenceName: z.string() }),
      errors: ['not-found'],
    },
    async ({ params, person: caller }) => {
      const found = await findProjectForPerson(db, caller, params.id);
      if (!found) throw notFound(`storage project ${params.id}`);
      return {
        id: found.id,
        name: found.name,
        quotaTb: found.quotaTb,
        status: found.status,
        members: found.members.map((m) => ({ crsid: m.crsid, displayName: m.displayName, role: m.role })),
        licenceId: found.licence.id,
        licenceName: found.licence.name,
      };
    },
  );
}
