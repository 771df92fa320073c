import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/web/errors.ts';
import { apiRoute, idAnswer, idParams, pageFields, pageQuery, wholeNumber } from '../../platform/web/openapi.ts';
import { ORDER_STATUSES } from '../orders/order-status.ts';
import { sizeTbAnswer } from '../orders/orders.api.ts';
import { MAXIMUM_TB } from '../orders/purchase-configuration.ts';
import {
  addDataManager,
  addProjectMember,
  changeStorageProject,
  createStorageProject,
  handOverOwnership,
  type MembersContext,
  removeDataManager,
  removeProjectMember,
  removeStorageProject,
} from './licence-members.service.ts';
import { PROJECT_NAME_MESSAGE } from './licence-members.ts';
import { LICENCE_STATUS_WORDS, LICENCE_STATUSES } from './licence-status.ts';
import {
  DEFAULT_LICENCE_LIMIT,
  findLicenceForPerson,
  findProjectForPerson,
  type LicenceListing,
  listLicencesForPerson,
  listProjects,
} from './licences.repository.ts';

const person = z.object({ crsid: z.string(), displayName: z.string() });

const licenceListing = z
  .object({
    id: idAnswer,
    name: z.string(),
    product: z.string(),
    institutionId: z.string(),
    sizeTb: sizeTbAnswer,
    startDate: z.iso.date().nullable().describe('Empty until the storage is set up.'),
    endDate: z.iso.date().nullable(),
    status: z.enum(LICENCE_STATUSES),
    statusLabel: z.string(),
    roles: z.array(z.string()).describe('Your places on the licence.'),
  })
  .meta({ id: 'LicenceListing' });

const project = z.object({
  id: idAnswer,
  name: z.string(),
  // Within the licence's size, so as sizes are.
  quotaTb: sizeTbAnswer,
  status: z.enum(['pending', 'active', 'removed']),
  members: z.array(person.extend({ role: z.enum(['project-data-manager', 'project-data-user']) })),
});

function listing(licence: LicenceListing) {
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
export async function licencesApi(app: FastifyInstance, options: MembersContext & { clock: Clock }): Promise<void> {
  const { db } = options;
  const members: MembersContext = options;
  const notFound = (what: string) => new AppError('not-found', `There is no ${what} that you can see.`);

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/licences',
      operationId: 'listLicences',
      summary: 'The licences you own, manage or use a project of: in use first, then by name',
      description:
        'In the order My storage lists them: active and pending licences first, then suspended, in the cold store, to be deleted, and last the cancelled and deleted ones; by name (ignoring case) within each, then by id, so pages do not overlap while nothing changes.',
      tags: ['Licences'],
      query: pageQuery(DEFAULT_LICENCE_LIMIT),
      response: z.object({ ...pageFields(DEFAULT_LICENCE_LIMIT), licences: z.array(licenceListing) }),
    },
    async ({ person: caller, query }) => {
      const page = await listLicencesForPerson(db, caller.id, options.clock.today().toString(), query);
      return { total: page.total, ...query, licences: page.licences.map(listing) };
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
        orders: z.array(z.object({ reference: z.string(), status: z.enum(ORDER_STATUSES) })),
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
      response: project.extend({ licenceId: idAnswer, licenceName: z.string() }),
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

  // --- changes of people and storage projects (licence-members.service.ts has the rules) ------

  const licencePeople = z
    .object({ licenceId: idAnswer, owner: person, managers: z.array(person) })
    .meta({ id: 'LicencePeople' });

  async function peopleOf(licenceId: number) {
    const owner = await db
      .selectFrom('licences')
      .innerJoin('people', 'people.id', 'licences.owner_person_id')
      .select(['people.crsid', 'people.display_name'])
      .where('licences.id', '=', licenceId)
      .executeTakeFirstOrThrow();
    const managers = await db
      .selectFrom('licence_managers')
      .innerJoin('people', 'people.id', 'licence_managers.person_id')
      .select(['people.crsid', 'people.display_name'])
      .where('licence_managers.licence_id', '=', licenceId)
      .orderBy('people.display_name')
      .execute();
    return {
      licenceId,
      owner: { crsid: owner.crsid, displayName: owner.display_name },
      managers: managers.map((m) => ({ crsid: m.crsid, displayName: m.display_name })),
    };
  }

  const projectAnswer = project.extend({ licenceId: idAnswer }).meta({ id: 'StorageProjectChanged' });

  async function projectOf(projectId: number) {
    const row = await db
      .selectFrom('storage_projects')
      .select('licence_id')
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow();
    const found = (await listProjects(db, row.licence_id)).find((p) => p.id === projectId);
    if (!found) throw notFound(`storage project ${projectId}`);
    return {
      id: found.id,
      name: found.name,
      quotaTb: found.quotaTb,
      status: found.status,
      members: found.members.map((m) => ({ crsid: m.crsid, displayName: m.displayName, role: m.role })),
      licenceId: row.licence_id,
    };
  }

  // The pages' words for a missing or malformed field, not zod's ("Invalid input: expected string, received undefined").
  const crsidBody = z.strictObject({
    crsid: z
      .string({ error: 'Enter a CRSid, like ab123' })
      .trim()
      .min(1, 'Enter a CRSid, like ab123')
      .max(20, 'Enter a CRSid as letters then numbers, like ab123'),
  });
  const changeErrors = ['not-found', 'forbidden', 'conflict', 'unprocessable'] as const;
  const roleEnum = z.enum(['project-data-manager', 'project-data-user'], {
    error: 'Choose project-data-manager (Project Data Manager) or project-data-user (Project Data User)',
  });
  const projectName = z.string({ error: 'Enter a name for the storage project' }).max(100, PROJECT_NAME_MESSAGE);
  // The page's words (licence-members.ts's parseQuotaTb); its bounds are refused there too, and by
  // quotaProblem, whose words say how much of the licence is free.
  const quotaTb = wholeNumber(
    { minimum: 1, maximum: MAXIMUM_TB },
    { missing: 'Enter the quota in TB', notWhole: 'Enter the quota as a whole number of TB, like 2' },
  ).describe(`Whole TB, at least 1; the projects' quotas together fit in the licence (at most ${MAXIMUM_TB} TB).`);

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/licences/{id}/managers',
      operationId: 'addLicenceManager',
      summary: 'Add a Data Manager (the Data Owner and Data Managers)',
      description:
        'The person must be a current member of the University, found by CRSid (in the University directory if they have not signed in yet; a 422 for the crsid field if it cannot be asked just now). They are emailed.',
      tags: ['Licences'],
      params: idParams,
      body: crsidBody,
      response: licencePeople,
      status: 201,
      errors: [...changeErrors],
    },
    async ({ params, body, person: caller }) => {
      await addDataManager(members, caller, params.id, body.crsid);
      return peopleOf(params.id);
    },
  );

  apiRoute(
    app,
    {
      method: 'DELETE',
      path: '/api/licences/{id}/managers/{crsid}',
      operationId: 'removeLicenceManager',
      summary: 'Remove a Data Manager (the Data Owner and Data Managers; a manager may remove themselves)',
      tags: ['Licences'],
      params: idParams.extend({ crsid: z.string().min(1).max(20) }),
      response: licencePeople,
      errors: [...changeErrors],
    },
    async ({ params, person: caller }) => {
      await removeDataManager(members, caller, params.id, params.crsid);
      return peopleOf(params.id);
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/licences/{id}/owner',
      operationId: 'handOverLicence',
      summary: 'Hand the licence over to a new Data Owner (the Data Owner only)',
      description:
        'The old Data Owner stays on as a Data Manager, unless they have left the University. The new owner, found as for addLicenceManager, is emailed.',
      tags: ['Licences'],
      params: idParams,
      body: crsidBody,
      response: licencePeople,
      errors: [...changeErrors],
    },
    async ({ params, body, person: caller }) => {
      await handOverOwnership(members, caller, params.id, body.crsid);
      return peopleOf(params.id);
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/licences/{id}/projects',
      operationId: 'createStorageProject',
      summary: 'Create a storage project in the licence (the Data Owner and Data Managers)',
      description: "The projects' quotas together must fit in the licence's size.",
      tags: ['Licences'],
      params: idParams,
      body: z.strictObject({ name: projectName, quotaTb }),
      response: projectAnswer,
      status: 201,
      errors: [...changeErrors],
    },
    async ({ params, body, person: caller }) => {
      const id = await createStorageProject(members, caller, params.id, body);
      return projectOf(id);
    },
  );

  apiRoute(
    app,
    {
      method: 'PATCH',
      path: '/api/projects/{id}',
      operationId: 'updateStorageProject',
      summary: 'Rename a storage project or change its quota, or both (the Data Owner and Data Managers)',
      description:
        "A new name follows the rules of a new project's and is unique in the licence (ignoring case) among the projects not removed; the project's members are emailed it. Both fields are checked before either changes.",
      tags: ['Licences'],
      params: idParams,
      body: z.strictObject({
        name: projectName.optional().describe('The new name.'),
        quotaTb: quotaTb.optional(),
      }),
      response: projectAnswer,
      errors: [...changeErrors],
    },
    async ({ params, body, person: caller }) => {
      if (body.name === undefined && body.quotaTb === undefined) {
        const message = 'Give the project a new name or quotaTb, or both';
        throw new AppError('unprocessable', message, { name: message });
      }
      await changeStorageProject(members, caller, params.id, body);
      return projectOf(params.id);
    },
  );

  apiRoute(
    app,
    {
      method: 'DELETE',
      path: '/api/projects/{id}',
      operationId: 'removeStorageProject',
      summary: 'Remove a storage project (the Data Owner and Data Managers)',
      description:
        "The project stays in the licence's history with the status removed: its members lose their places (and access to its folder on the storage) and are emailed, its quota is free again for the licence's other projects, and its name may be given to a new one. A project removed already is a 409.",
      tags: ['Licences'],
      params: idParams,
      response: projectAnswer,
      errors: [...changeErrors],
    },
    async ({ params, person: caller }) => {
      await removeStorageProject(members, caller, params.id);
      return projectOf(params.id);
    },
  );

  apiRoute(
    app,
    {
      method: 'POST',
      path: '/api/projects/{id}/members',
      operationId: 'addStorageProjectMember',
      summary:
        "Add a Project Data Manager or Project Data User (the licence's owner and managers, the project's managers)",
      tags: ['Licences'],
      params: idParams,
      description:
        'The person is found as for addLicenceManager. A person holds one role in a project: someone who holds either role in it already is a 422 for crsid (to change their role, remove them from the one they hold first).',
      body: crsidBody.extend({ role: roleEnum }),
      response: projectAnswer,
      status: 201,
      errors: [...changeErrors],
    },
    async ({ params, body, person: caller }) => {
      await addProjectMember(members, caller, params.id, body);
      return projectOf(params.id);
    },
  );

  apiRoute(
    app,
    {
      method: 'DELETE',
      path: '/api/projects/{id}/members/{crsid}/{role}',
      operationId: 'removeStorageProjectMember',
      summary: "Remove a project member's role (the licence's owner and managers, the project's managers)",
      tags: ['Licences'],
      params: idParams.extend({ crsid: z.string().min(1).max(20), role: roleEnum }),
      response: projectAnswer,
      errors: [...changeErrors],
    },
    async ({ params, person: caller }) => {
      await removeProjectMember(members, caller, params.id, params);
      return projectOf(params.id);
    },
  );
}
