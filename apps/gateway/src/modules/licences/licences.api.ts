import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/web/errors.ts';
import {
  apiRoute,
  documentedBounds,
  idAnswer,
  idParams,
  pageFields,
  pageQuery,
  wholeNumber,
} from '../../platform/web/openapi.ts';
import { openLicenceFlags } from '../lifecycle/finance-recheck.repository.ts';
import { ORDER_KINDS, ORDER_STATUSES } from '../orders/order-status.ts';
import { sizeTbAnswer } from '../orders/orders.api.ts';
import { MAXIMUM_TB } from '../orders/purchase-configuration.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { isServiceStaff } from '../people/staff-access.ts';
import { licenceUsage } from '../usage/usage.service.ts';
import {
  chartStart,
  isNearQuota,
  type ProjectReading,
  type UsagePoint,
  usageSeries,
  usedPercent,
} from '../usage/usage-readings.ts';
import { notSeenInApi } from './licence-links.ts';
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
import { LICENCE_STATUSES, licenceStatusWordsFor } from './licence-status.ts';
import {
  DEFAULT_LICENCE_LIMIT,
  findLicenceForPerson,
  findProjectForPerson,
  type LicenceListing,
  type LicenceWarnings,
  listLicencesForPerson,
  listProjects,
  type StorageProjectMember,
  warningsOfLicences,
} from './licences.repository.ts';

const person = z.object({
  crsid: z.string(),
  displayName: z.string(),
  left: z
    .boolean()
    .describe(
      'Whether they have left the University. They keep their place until someone hands it over or removes them, which the licence’s flags ask for (a flag member-left); they cannot use the storage.',
    ),
});

const lockAnswer = z
  .object({
    since: z.iso.datetime().describe('When the storage team locked it.'),
    reason: z
      .string()
      .nullable()
      .describe(
        'The storage team’s note of why: for the staff of its service only; null for its customers, who are told only that it is locked and to contact the storage team.',
      ),
  })
  .nullable()
  .describe(
    'Set while the storage team has locked the licence (a dispute, an audit, a migration): until they unlock it, nothing about it can be changed or ordered (its people, projects, changes), and its status does not say so; null while it is not locked.',
  );

const flagAnswer = z.object({
  kind: z
    .enum(['finance-code-closed', 'member-left'])
    .describe(
      'finance-code-closed: the finance code that pays for it has closed, so give another (the Data Owner or a Data Manager, on the licence page, or ask the storage team). member-left: someone in one of its roles has left the University: hand their role over or remove them (only the storage team can name a new Data Owner).',
    ),
  detail: z
    .string()
    .describe('What the licence page says, such as “Lee Leaver (lj909), Data Manager, has left the University.”'),
  raisedOn: z.iso.date().describe('The day the nightly checks raised it.'),
});

const flagsAnswer = z
  .array(flagAnswer)
  .describe(
    'The open flags the licence page warns its Data Owner and Data Managers of, oldest first; each is cleared once it is dealt with. Empty for someone who sees the licence only as a member of one of its projects.',
  );

const usedBytes = z.int().meta(documentedBounds(0)).describe('Bytes used (a TB is 10^12 bytes).');
const readingAnswer = z.object({
  usedBytes,
  readOn: z.iso.date().describe('The day the storage system read it.'),
  percent: z
    .int()
    .meta(documentedBounds(0))
    .describe('The whole percentage used, rounded down (so 89.9% is 89); over 100 when over the size.'),
});

const licenceUsageAnswer = readingAnswer
  .extend({
    readOn: z.iso.date().describe('The day of the latest reading of any of its projects.'),
    percent: readingAnswer.shape.percent.describe(
      'The whole percentage of the licence’s size used, rounded down (so 89.9% is 89); over 100 when over its size.',
    ),
    warningPercent: z
      .int()
      .meta(documentedBounds(1, 100))
      .describe(
        'The percentage of its size at which its Data Owner and Data Managers are warned that it is nearly full.',
      ),
    nearlyFull: z
      .boolean()
      .describe('At or over warningPercent of its size (full ones too): the licence page says it is nearly full.'),
    full: z.boolean().describe('At or over its size: nothing more can be written to it.'),
  })
  .nullable()
  .describe(
    'Its latest usage, as the licence page shows it (“nearly full: 9.7 TB of 10 TB used (97%)”): the sum of each storage project’s (not removed) latest reading in the last 12 months. Null when the storage system has reported none in that time, and for someone who sees the licence only as a member of one of its projects (each project they see has its own usage).',
  );

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
    locked: lockAnswer,
    flags: flagsAnswer,
    usage: licenceUsageAnswer,
  })
  .meta({ id: 'LicenceListing' });

const project = z.object({
  id: idAnswer,
  name: z.string(),
  // Within the licence's size, so as sizes are.
  quotaTb: sizeTbAnswer,
  status: z.enum(['pending', 'active', 'removed']),
  path: z
    .string()
    .nullable()
    .describe(
      'Where it lives on the storage system, once set up (null until then): the path a storage system gives with each of its usage readings (POST /api/usage-readings).',
    ),
  members: z.array(person.extend({ role: z.enum(['project-data-manager', 'project-data-user']) })),
});

/** Whether the person sees all of a licence (LicenceAccess 'full'): its Data Owner, a Data Manager, or staff of its service. */
function seesAll(caller: PersonWithRoles, licence: LicenceListing): boolean {
  return (
    licence.roles.includes('data-owner') ||
    licence.roles.includes('data-manager') ||
    isServiceStaff(caller, licence.service)
  );
}

/** The lock as the licence page tells of it: its reason is the storage team's note, for the staff of its service only. */
function lockOf(licence: LicenceListing, caller: PersonWithRoles) {
  if (!licence.lock) return null;
  return {
    since: licence.lock.lockedAt.toISOString(),
    reason: isServiceStaff(caller, licence.service) ? licence.lock.reason : null,
  };
}

/** A licence's latest usage point (usageSeries: what the licence page's chart and notice end on), in its size's terms. */
function usageOf(latest: UsagePoint | undefined, sizeTb: number, warningPercent: number) {
  if (!latest) return null;
  return {
    usedBytes: latest.usedBytes,
    readOn: latest.day,
    percent: usedPercent(latest.usedBytes, sizeTb),
    warningPercent,
    nearlyFull: isNearQuota(latest.usedBytes, sizeTb, warningPercent),
    full: isNearQuota(latest.usedBytes, sizeTb, 100),
  };
}

/** A project's latest reading as the licence page's projects table shows it: of the project's quota. */
function projectUsageOf(reading: ProjectReading | undefined, quotaTb: number) {
  if (!reading) return null;
  return { usedBytes: reading.usedBytes, readOn: reading.readOn, percent: usedPercent(reading.usedBytes, quotaTb) };
}

/** A person on a licence as the API answers one. */
const personAnswer = ({
  crsid,
  displayName,
  status,
}: {
  crsid: string;
  displayName: string;
  status: 'current' | 'left';
}) => ({
  crsid,
  displayName,
  left: status === 'left',
});

/** A project member as the API answers one: whether they have left, beside their role. */
const member = (m: StorageProjectMember) => ({ ...personAnswer(m), role: m.role });

/** A licence's own fields; `locked`, `flags` and `usage` depend on who asks, and are added beside it. */
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
    // A licence never set up, its new order rejected, reads "Not approved" as on its page.
    statusLabel: licenceStatusWordsFor(licence.status, [], licence.notApproved).label,
    roles: licence.roles,
  };
}

/** Licences and storage projects as JSON, with the same access rules as their pages. */
export async function licencesApi(
  app: FastifyInstance,
  options: MembersContext & {
    clock: Clock;
    /** The near-quota threshold (USAGE_WARNING_PERCENT), as the licence page says "nearly full" at. */
    warningPercent: number;
  },
): Promise<void> {
  const { db, warningPercent } = options;
  const members: MembersContext = options;

  apiRoute(
    app,
    {
      method: 'GET',
      path: '/api/licences',
      operationId: 'listLicences',
      summary: 'The licences you own, manage or use a project of: in use first, then by name',
      description:
        'Your own licences, as My storage lists them, for staff too: the licences a member of staff sees by their role (those of their service) are not listed here, but each one answers getLicence by its id. In the order My storage lists them: active and pending licences first, then suspended, in the cold store, to be deleted, and last the cancelled and deleted ones; by name (ignoring case) within each, then by id, so pages do not overlap while nothing changes.',
      tags: ['Licences'],
      query: pageQuery(DEFAULT_LICENCE_LIMIT),
      response: z.object({ ...pageFields(DEFAULT_LICENCE_LIMIT), licences: z.array(licenceListing) }),
    },
    async ({ person: caller, query, request }) => {
      const today = options.clock.today().toString();
      const page = await listLicencesForPerson(db, caller.id, today, {
        ...query,
        services: request.viewingAs?.services,
      });
      // One more query for the page, not one per licence: the flags and usage of those the caller sees all of.
      const full = page.licences.filter((licence) => seesAll(caller, licence));
      const warnings = await warningsOfLicences(
        db,
        full.map((licence) => licence.id),
        chartStart(today),
        today,
      );
      const none: LicenceWarnings = { flags: [], readings: [] };
      return {
        total: page.total,
        ...query,
        licences: page.licences.map((licence) => {
          const { flags, readings } = warnings.get(licence.id) ?? none;
          return {
            ...listing(licence),
            locked: lockOf(licence, caller),
            flags,
            usage: warnings.has(licence.id)
              ? usageOf(usageSeries(readings).at(-1), licence.sizeTb, warningPercent)
              : null,
          };
        }),
      };
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
      description:
        'What the licence page shows: for its Data Owner and Data Managers (and staff of its service) all of it; for a member of one of its storage projects its basic details, its people, and only their own projects, without its flags, usage or orders.',
      response: licenceListing.extend({
        owner: person,
        managers: z.array(person),
        projects: z.array(
          project.extend({
            usage: readingAnswer
              .nullable()
              .describe(
                'Its latest usage reading in the last 12 months, as the licence page shows it beside its quota (percent: of its quota); null when none.',
              ),
          }),
        ),
        orders: z
          .array(z.object({ reference: z.string(), kind: z.enum(ORDER_KINDS), status: z.enum(ORDER_STATUSES) }))
          .describe('Its orders, newest first: the new storage and each change (kind). Empty for a project member.'),
      }),
      errors: ['not-found'],
    },
    async ({ params, person: caller }) => {
      const licence = await findLicenceForPerson(db, caller, params.id);
      if (!licence) throw notSeenInApi(`licence ${params.id}`);
      const today = options.clock.today().toString();
      const full = licence.access === 'full';
      // The licence page's own reads: its open flags (for those who see all of it) and its usage.
      const [flags, usage] = await Promise.all([
        full ? openLicenceFlags(db, licence.id) : Promise.resolve([]),
        licenceUsage(db, licence.id, today, warningPercent),
      ]);
      return {
        ...listing(licence),
        locked: lockOf(licence, caller),
        flags: flags.map(({ kind, detail, raisedOn }) => ({ kind, detail, raisedOn })),
        usage: full ? usageOf(usage.points.at(-1), licence.sizeTb, warningPercent) : null,
        owner: personAnswer(licence.owner),
        managers: licence.managers.map(personAnswer),
        projects: licence.projects.map((p) => ({
          id: p.id,
          name: p.name,
          quotaTb: p.quotaTb,
          status: p.status,
          path: p.path,
          members: p.members.map(member),
          usage: projectUsageOf(usage.projects.get(p.id), p.quotaTb),
        })),
        orders: licence.orders.map((order) => ({ reference: order.reference, kind: order.kind, status: order.status })),
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
      if (!found) throw notSeenInApi(`storage project ${params.id}`);
      return {
        id: found.id,
        name: found.name,
        quotaTb: found.quotaTb,
        status: found.status,
        path: found.path,
        members: found.members.map(member),
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
      .select(['people.crsid', 'people.display_name', 'people.status'])
      .where('licences.id', '=', licenceId)
      .executeTakeFirstOrThrow();
    const managers = await db
      .selectFrom('licence_managers')
      .innerJoin('people', 'people.id', 'licence_managers.person_id')
      .select(['people.crsid', 'people.display_name', 'people.status'])
      .where('licence_managers.licence_id', '=', licenceId)
      .orderBy('people.display_name')
      .execute();
    return {
      licenceId,
      owner: { crsid: owner.crsid, displayName: owner.display_name, left: owner.status === 'left' },
      managers: managers.map((m) => ({ crsid: m.crsid, displayName: m.display_name, left: m.status === 'left' })),
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
    if (!found) throw notSeenInApi(`storage project ${projectId}`);
    return {
      id: found.id,
      name: found.name,
      quotaTb: found.quotaTb,
      status: found.status,
      path: found.path,
      members: found.members.map(member),
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
      location: '/api/projects/{id}',
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
