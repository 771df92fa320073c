import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { Directory } from '../../platform/directory/index.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { queueEmail } from '../../platform/mail/mail.jobs.ts';
import { quoted } from '../../platform/mail/quoted.ts';
import type { Provisioner } from '../../platform/provisioner/provisioner.ts';
import { AppError } from '../../platform/web/errors.ts';
import { type Actor, personActor, recordAudit } from '../audit/audit.repository.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { clearLeaverFlags } from '../lifecycle/leaver-flags.repository.ts';
import { orderInProgress } from '../orders/orders.repository.ts';
import { CRSID } from '../people/crsid.ts';
import { type DirectoryPerson, findPeopleByCrsids, type PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import {
  addPeopleFromDirectory,
  directoryUnreachableMessage,
  leftUniversityMessage,
} from '../people/people-from-directory.ts';
import { personWords } from '../people/person-words.ts';
import { canManageService, isServiceStaff } from '../people/staff-access.ts';
import { noteAccessChange } from '../provisioning/access-changes.repository.ts';
import { latestProjectReading } from '../usage/usage.repository.ts';
import { syncLicenceGroupsJob } from './licence-groups.jobs.ts';
import { assertLicenceUnlocked } from './licence-lock.ts';
import { memberEmail } from './licence-members.emails.tsx';
import {
  alreadyManager,
  belowUsageProblem,
  decideChange,
  licenceStatusProblem,
  type MemberChange,
  PROJECT_ROLE_LABELS,
  parseQuotaTb,
  projectNameProblem,
  projectRoleProblem,
  quotaProblem,
} from './licence-members.ts';
import { holdsProjectPlace } from './licences.admin.repository.ts';
import { type AuditedChange, latestChanges } from './licences.repository.ts';
import type { LicenceStatus, ProjectRole } from './licences.tables.ts';

/**
 * Self-service changes of a licence's people and storage projects (issue 6, point 1), for the
 * pages and the JSON API alike. Each one, in one transaction: reads the licence's row FOR UPDATE
 * (so changes of one licence happen one after another, and a lock taken a moment earlier is
 * respected), decides whether the caller may (licence-members.ts: decideChange), refuses a locked
 * licence and one not in use, makes the change, writes an audit row, enqueues the provisioner's
 * group sync (sync-licence-groups) and, where a person is given a place, emails them.
 */
export interface MembersContext {
  db: Executor;
  /** Where a person given a place who has not signed in yet is found (addPeopleFromDirectory). */
  directory: Directory;
  jobs: JobQueue;
  site: { serviceName: string; contactEmail: string; publicUrl: string };
  /** The deployment's provisioner: with the manual one, each change leaves the licence waiting for an access change. */
  provisioner: Pick<Provisioner, 'automatic'>;
  /** When an access change starts waiting (and last changed): "as of" a day, that day. */
  clock: Clock;
}

interface LockedLicence {
  id: number;
  name: string;
  status: LicenceStatus;
  sizeTb: number;
  ownerPersonId: number;
  service: ServiceCode;
  lockedAt: Date | null;
  lockReason: string | null;
  managerIds: number[];
}

const licenceNotFound = () => new AppError('not-found', 'We could not find that licence.');
const projectNotFound = () => new AppError('not-found', 'We could not find that storage project.');

const REFUSALS: Record<MemberChange, string> = {
  'hand-over': 'Only the Data Owner can hand the licence over to someone else.',
  'add-manager': 'Only the Data Owner and Data Managers can add Data Managers.',
  'remove-manager': 'Only the Data Owner and Data Managers can remove Data Managers.',
  'create-project': 'Only the Data Owner and Data Managers can create storage projects.',
  'resize-project': 'Only the Data Owner and Data Managers can change the quota of a storage project.',
  'rename-project': 'Only the Data Owner and Data Managers can rename a storage project.',
  'remove-project': 'Only the Data Owner and Data Managers can remove a storage project.',
  'change-project-members':
    "Only the Data Owner, Data Managers and the project's Project Data Managers can change who is in a storage project.",
};

async function lockLicence(tx: Executor, licenceId: number): Promise<LockedLicence | undefined> {
  const row = await tx
    .selectFrom('licences')
    .select(['id', 'name', 'status', 'size_tb', 'owner_person_id', 'product_code', 'locked_at', 'lock_reason'])
    .where('id', '=', licenceId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const product = await tx
    .selectFrom('products')
    .select('service')
    .where('code', '=', row.product_code)
    .executeTakeFirstOrThrow();
  const managers = await tx
    .selectFrom('licence_managers')
    .select('person_id')
    .where('licence_id', '=', licenceId)
    .execute();
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    sizeTb: row.size_tb,
    ownerPersonId: row.owner_person_id,
    service: product.service,
    lockedAt: row.locked_at,
    lockReason: row.lock_reason,
    managerIds: managers.map((manager) => manager.person_id),
  };
}

/** Authorisation first, then the lock, then the licence's status: throws the answer for a refused change. */
async function authorise(
  tx: Executor,
  person: PersonWithRoles,
  licence: LockedLicence,
  change: MemberChange,
  projectId?: number,
): Promise<void> {
  const memberships = await tx
    .selectFrom('storage_project_members')
    .innerJoin('storage_projects', 'storage_projects.id', 'storage_project_members.project_id')
    .select(['storage_project_members.project_id', 'storage_project_members.role'])
    .where('storage_projects.licence_id', '=', licence.id)
    .where('storage_project_members.person_id', '=', person.id)
    .execute();
  const isOwner = licence.ownerPersonId === person.id;
  const isManager = licence.managerIds.includes(person.id);
  const decision = decideChange(change, {
    isOwner,
    isManager,
    managesService: canManageService(person, licence.service),
    readsService: isServiceStaff(person, licence.service),
    projectRoles: memberships.filter((m) => m.project_id === projectId).map((m) => m.role),
    memberOfAnyProject: memberships.length > 0,
  });
  if (decision === 'not-found') {
    throw projectId === undefined ? licenceNotFound() : projectNotFound();
  }
  // A project member who is not a member of this project does not see it either.
  if (
    decision === 'forbidden' &&
    projectId !== undefined &&
    !isOwner &&
    !isManager &&
    !isServiceStaff(person, licence.service) &&
    !memberships.some((m) => m.project_id === projectId)
  ) {
    throw projectNotFound();
  }
  if (decision === 'forbidden') throw new AppError('forbidden', REFUSALS[change]);
  assertLicenceUnlocked({ lockedAt: licence.lockedAt, lockReason: licence.lockReason });
  const problem = await statusProblem(tx, licence.id, licence.status);
  if (problem) throw new AppError('conflict', problem);
}

/**
 * Why a licence's people cannot change in this status (licenceStatusProblem), except that one due
 * for deletion whose recovery, ordered while it was in the cold store, is under way is told so,
 * not that no recovery can be ordered and to contact the team: it is coming back.
 */
async function statusProblem(db: Executor, licenceId: number, status: LicenceStatus): Promise<string | undefined> {
  if (status === 'deletable') {
    const change = await orderInProgress(db, licenceId, 'change');
    if (change?.kind === 'recovery')
      return `This licence is due for deletion, but its recovery (order ${change.reference}) is under way, so its people and storage projects can be changed once its data is back.`;
  }
  return licenceStatusProblem(status);
}

async function lockForChange(
  tx: Executor,
  person: PersonWithRoles,
  licenceId: number,
  change: MemberChange,
): Promise<LockedLicence> {
  const licence = await lockLicence(tx, licenceId);
  if (!licence) throw licenceNotFound();
  await authorise(tx, person, licence, change);
  return licence;
}

interface LockedProject {
  id: number;
  name: string;
  quotaTb: number;
  status: 'pending' | 'active' | 'removed';
  licence: LockedLicence;
}

async function lockProjectForChange(
  tx: Executor,
  person: PersonWithRoles,
  projectId: number,
  change: MemberChange,
): Promise<LockedProject> {
  const found = await tx
    .selectFrom('storage_projects')
    .select('licence_id')
    .where('id', '=', projectId)
    .executeTakeFirst();
  if (!found) throw projectNotFound();
  const licence = await lockLicence(tx, found.licence_id);
  if (!licence) throw projectNotFound();
  await authorise(tx, person, licence, change, projectId);
  const project = await tx
    .selectFrom('storage_projects')
    .select(['id', 'name', 'quota_tb', 'status'])
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  if (project.status === 'removed') throw new AppError('conflict', 'This storage project has been removed.');
  return { id: project.id, name: project.name, quotaTb: project.quota_tb, status: project.status, licence };
}

/**
 * The change's refusal, if it has one, before the directory is asked (findInDirectory): someone
 * who may not make it gets the answer they get from the change itself (404, 403, 409), and their
 * request neither adds anyone from the directory to the gateway's people nor learns from the
 * directory who has left. The change's own transaction checks again, under the licence's lock.
 */
async function refuseBeforeLookUp(
  context: Pick<MembersContext, 'db'>,
  person: PersonWithRoles,
  target: { licenceId: number } | { projectId: number },
  change: MemberChange,
): Promise<void> {
  await context.db.transaction().execute(async (tx) => {
    if ('projectId' in target) await lockProjectForChange(tx, person, target.projectId, change);
    else await lockForChange(tx, person, target.licenceId, change);
  });
}

/**
 * Adds the person of `crsid` from the University directory if the gateway does not know them yet
 * (someone who has not signed in), before the change's transaction; refuses the field if the
 * directory cannot be asked just now. Only once refuseBeforeLookUp has let the change through.
 */
async function findInDirectory(context: Pick<MembersContext, 'db' | 'directory'>, crsid: string): Promise<void> {
  const { unreachable, left } = await addPeopleFromDirectory(context.db, context.directory, [crsid]);
  const [missed] = unreachable;
  if (missed) throw invalid('crsid', directoryUnreachableMessage(missed));
  const [leaver] = left;
  if (leaver) throw invalid('crsid', cannotBeGivenAPlace(leaver[1], leaver[0]));
}

/** Someone who has left, named for a place: the directory's name when the gateway never knew them. */
function cannotBeGivenAPlace(displayName: string, crsid: string): string {
  return `${leftUniversityMessage(displayName, crsid)}, so cannot be given a place`;
}

/** A current person in the directory, or a message for the field. */
async function directoryPerson(tx: Executor, crsidText: string, field = 'crsid'): Promise<DirectoryPerson> {
  const crsid = crsidText.trim().toLowerCase();
  if (crsid === '') throw invalid(field, 'Enter a CRSid, like ab123');
  if (!CRSID.test(crsid)) throw invalid(field, 'Enter a CRSid as letters then numbers, like ab123');
  const [found] = await findPeopleByCrsids(tx, [crsid]);
  if (!found) throw invalid(field, `There is nobody with the CRSid ${crsid} in the University directory`);
  if (found.status !== 'current') {
    throw invalid(field, cannotBeGivenAPlace(found.displayName, crsid));
  }
  return found;
}

/** The value, or undefined with the refusal's field messages added to `fields`. */
async function fieldOrMessage<T>(fields: Record<string, string>, get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (!(error instanceof AppError) || !error.fields) throw error;
    Object.assign(fields, error.fields);
    return undefined;
  }
}

function invalid(field: string, message: string): AppError {
  return new AppError('unprocessable', message, { [field]: message });
}

async function crsidsOf(tx: Executor, personIds: number[]): Promise<string[]> {
  if (personIds.length === 0) return [];
  const rows = await tx.selectFrom('people').select('crsid').where('id', 'in', personIds).orderBy('crsid').execute();
  return rows.map((row) => row.crsid);
}

/** The audit row of a change by `person` to the licence or, with projectId, to one of its storage projects. */
function auditChange(
  tx: Executor,
  person: PersonWithRoles,
  licenceId: number,
  change: { action: string; projectId?: number; before?: Record<string, unknown>; after?: Record<string, unknown> },
): Promise<void> {
  return recordAudit(tx, {
    actor: personActor(person),
    entityType: change.projectId === undefined ? 'licence' : 'storage-project',
    entityId: change.projectId ?? licenceId,
    action: change.action,
    before: change.before,
    after: change.after,
    licenceId,
  });
}

/**
 * After any change of what the storage's groups carry (the licence's people, projects or size), in
 * the change's transaction: the provisioner's group sync enqueued (an automated provisioner is sent
 * the licence as it is now) or, with the manual provisioner, the licence left waiting for an access
 * change that its team makes by hand.
 */
export async function syncLicenceGroups(
  context: Pick<MembersContext, 'jobs' | 'provisioner' | 'clock'>,
  tx: Executor,
  licenceId: number,
): Promise<void> {
  await context.jobs.enqueue(tx, syncLicenceGroupsJob, { licenceId });
  if (!context.provisioner.automatic) await noteAccessChange(tx, licenceId, context.clock.now());
}

/**
 * After any change of a licence's people or projects (here, or the service team's edit of its Data
 * Owner): its groups synced (syncLicenceGroups); and leaver flags of people who no longer hold a
 * role cleared, audited as `actor`'s doing (who made the change).
 */
export async function afterPeopleChange(
  context: Pick<MembersContext, 'jobs' | 'provisioner' | 'clock'>,
  tx: Executor,
  licenceId: number,
  actor: Actor,
): Promise<void> {
  await syncLicenceGroups(context, tx, licenceId);
  // a leaver handed over or removed: their flag on the licence clears now, not at the next sync
  await clearLeaverFlags(tx, context.clock.today().toString(), licenceId, actor);
}

/** One email to a person given a place on a licence or project (or told of a change to it), with a link to it. */
export async function emailNewRole(
  context: Pick<MembersContext, 'jobs' | 'site'>,
  tx: Executor,
  to: Pick<DirectoryPerson, 'email'>,
  headline: string,
  paragraph: string,
  path: string,
): Promise<void> {
  const message = renderEmail(
    memberEmail,
    {
      serviceName: context.site.serviceName,
      contactEmail: context.site.contactEmail,
      headline,
      paragraphs: [paragraph],
      url: `${context.site.publicUrl}${path}`,
    },
    { to: to.email },
  );
  await queueEmail(tx, message, context.jobs);
}

/**
 * Tells a Data Owner the service team replaced (the back office's edit, or a hand-over on the
 * licence's page they did not make themselves) who the new owner is and what they keep. After a
 * hand-over they stay on as a Data Manager; after the edit they lose the access the role gave them,
 * and their link is to the licence while they keep a place in one of its storage projects (they
 * still see it), else to My storage.
 */
export async function emailReplacedOwner(
  context: Pick<MembersContext, 'jobs' | 'site'>,
  tx: Executor,
  oldOwner: Pick<DirectoryPerson, 'id' | 'email'>,
  newOwner: Pick<DirectoryPerson, 'displayName' | 'crsid'>,
  licence: { id: number; name: string },
  staysAsManager: boolean,
): Promise<void> {
  const inAProject = !staysAsManager && (await holdsProjectPlace(tx, licence.id, oldOwner.id));
  const kept = staysAsManager
    ? ', and stay on as a Data Manager until they remove you.'
    : `, and no longer have access to it through that role.${inAProject ? ' Your places in its storage projects stay as they are.' : ''} Ask the new Data Owner if you need anything from it.`;
  await emailNewRole(
    context,
    tx,
    oldOwner,
    `You are no longer the Data Owner of ${quoted(licence.name)}`,
    `The storage team has made ${personWords(newOwner)} the Data Owner of the storage licence ${quoted(licence.name)} in your place: you are no longer its Data Owner${kept}`,
    staysAsManager || inAProject ? `/storage/licence/${licence.id}/` : '/storage/',
  );
}

/**
 * Tells each of a licence's Data Managers who its Data Owner is now, after a hand-over or the
 * team's edit: they answer to them from now on. Current people only, and not the new owner, who
 * has an email of their own (as has the old owner, who may be a Data Manager now).
 */
export async function emailManagersOfNewOwner(
  context: Pick<MembersContext, 'jobs' | 'site'>,
  tx: Executor,
  licence: { id: number; name: string },
  madeBy: string,
  newOwner: Pick<DirectoryPerson, 'id' | 'displayName' | 'crsid'>,
  oldOwner: Pick<DirectoryPerson, 'displayName' | 'crsid'>,
): Promise<void> {
  const managers = await tx
    .selectFrom('licence_managers')
    .innerJoin('people', 'people.id', 'licence_managers.person_id')
    .select(['people.id', 'people.email'])
    .where('licence_managers.licence_id', '=', licence.id)
    .where('people.status', '=', 'current')
    .where('people.id', '<>', newOwner.id)
    .where('people.crsid', '<>', oldOwner.crsid)
    .orderBy('people.crsid')
    .execute();
  for (const manager of managers) {
    await emailNewRole(
      context,
      tx,
      manager,
      `${newOwner.displayName} is now the Data Owner of ${quoted(licence.name)}`,
      `${madeBy} has made ${personWords(newOwner)} the Data Owner of the storage licence ${quoted(licence.name)}, in place of ${personWords(oldOwner)}. You stay on as a Data Manager until the Data Owner removes you.`,
      `/storage/licence/${licence.id}/`,
    );
  }
}

/**
 * The Data Owner (or the service team) hands the licence to another current person; the old owner
 * stays as a Data Manager, unless they have left the University (the team replacing an owner who
 * has left): nobody who has left is given a place, and their leaver flag clears. The new owner is
 * emailed, and so is an old owner who stays on but did not make the hand-over (the team did).
 * Returns the old owner's CRSid and whether they stayed on.
 */
export async function handOverOwnership(
  context: MembersContext,
  person: PersonWithRoles,
  licenceId: number,
  crsid: string,
): Promise<{ oldOwner: string; oldOwnerStays: boolean }> {
  await refuseBeforeLookUp(context, person, { licenceId }, 'hand-over');
  await findInDirectory(context, crsid);
  return context.db.transaction().execute(async (tx) => {
    const licence = await lockForChange(tx, person, licenceId, 'hand-over');
    const next = await newOwnerOf(tx, licence.ownerPersonId, crsid);
    const oldOwner = await tx
      .selectFrom('people')
      .select(['id', 'crsid', 'display_name', 'email', 'status'])
      .where('id', '=', licence.ownerPersonId)
      .executeTakeFirstOrThrow();
    const oldOwnerStays = oldOwner.status === 'current';
    await tx
      .updateTable('licences')
      .set({ owner_person_id: next.id, updated_at: context.clock.now() })
      .where('id', '=', licence.id)
      .execute();
    await tx
      .deleteFrom('licence_managers')
      .where('licence_id', '=', licence.id)
      .where('person_id', '=', next.id)
      .execute();
    if (oldOwnerStays) {
      await tx
        .insertInto('licence_managers')
        .values({ licence_id: licence.id, person_id: licence.ownerPersonId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await auditChange(tx, person, licence.id, {
      action: 'owner-handed-over',
      before: { owner: oldOwner.crsid },
      after: { owner: next.crsid, ...(oldOwnerStays ? { oldOwnerNowManager: oldOwner.crsid } : {}) },
    });
    await afterPeopleChange(context, tx, licence.id, personActor(person));
    await emailNewRole(
      context,
      tx,
      next,
      `You are now the Data Owner of ${quoted(licence.name)}`,
      `${person.displayName} has handed the storage licence ${quoted(licence.name)} over to you: you are now its Data Owner, responsible for it and for who may use it.${oldOwnerStays ? ` ${personWords({ displayName: oldOwner.display_name, crsid: oldOwner.crsid })} stays on as a Data Manager until you remove them.` : ''}`,
      `/storage/licence/${licence.id}/`,
    );
    if (oldOwnerStays && oldOwner.id !== person.id)
      await emailReplacedOwner(context, tx, oldOwner, next, licence, true);
    await emailManagersOfNewOwner(context, tx, licence, person.displayName, next, {
      displayName: oldOwner.display_name,
      crsid: oldOwner.crsid,
    });
    return { oldOwner: oldOwner.crsid, oldOwnerStays };
  });
}

export async function addDataManager(
  context: MembersContext,
  person: PersonWithRoles,
  licenceId: number,
  crsid: string,
): Promise<void> {
  await refuseBeforeLookUp(context, person, { licenceId }, 'add-manager');
  await findInDirectory(context, crsid);
  await context.db.transaction().execute(async (tx) => {
    const licence = await lockForChange(tx, person, licenceId, 'add-manager');
    const added = await directoryPerson(tx, crsid);
    if (added.id === licence.ownerPersonId) throw invalid('crsid', `${added.displayName} is the Data Owner already`);
    if (licence.managerIds.includes(added.id)) {
      throw invalid('crsid', alreadyManager(added.displayName));
    }
    const before = await crsidsOf(tx, licence.managerIds);
    await tx.insertInto('licence_managers').values({ licence_id: licence.id, person_id: added.id }).execute();
    await auditChange(tx, person, licence.id, {
      action: 'manager-added',
      before: { managers: before },
      after: { managers: [...before, added.crsid].sort() },
    });
    await afterPeopleChange(context, tx, licence.id, personActor(person));
    await emailNewRole(
      context,
      tx,
      added,
      `You are a Data Manager of ${quoted(licence.name)}`,
      `${person.displayName} has made you a Data Manager of the storage licence ${quoted(licence.name)}: you can now see it, and change its Data Managers and storage projects.`,
      `/storage/licence/${licence.id}/`,
    );
  });
}

export async function removeDataManager(
  context: MembersContext,
  person: PersonWithRoles,
  licenceId: number,
  crsid: string,
): Promise<void> {
  await context.db.transaction().execute(async (tx) => {
    const licence = await lockForChange(tx, person, licenceId, 'remove-manager');
    const [found] = await findPeopleByCrsids(tx, [crsid.trim()]);
    if (found && found.id === licence.ownerPersonId) {
      throw new AppError(
        'conflict',
        'The Data Owner cannot be removed: hand the licence over to someone else instead.',
      );
    }
    if (!found || !licence.managerIds.includes(found.id)) {
      throw new AppError('not-found', `${crsid} is not a Data Manager of this licence.`);
    }
    const before = await crsidsOf(tx, licence.managerIds);
    await tx
      .deleteFrom('licence_managers')
      .where('licence_id', '=', licence.id)
      .where('person_id', '=', found.id)
      .execute();
    await auditChange(tx, person, licence.id, {
      action: 'manager-removed',
      before: { managers: before },
      after: { managers: before.filter((each) => each !== found.crsid) },
    });
    await afterPeopleChange(context, tx, licence.id, personActor(person));
    const keepsAPlace = await holdsProjectPlace(tx, licence.id, found.id);
    await emailRemoved(
      context,
      tx,
      person,
      found,
      `You are no longer a Data Manager of ${quoted(licence.name)}`,
      `${person.displayName} has removed you as a Data Manager of the storage licence ${quoted(licence.name)}: you no longer have access to it through that role.${keepsAPlace ? ' Your places in its storage projects stay as they are.' : ''}`,
      keepsAPlace ? `/storage/licence/${licence.id}/` : '/storage/',
    );
  });
}

/**
 * What taking someone's place away would do, for the page that asks before it is done (the
 * removal cannot be undone by whoever makes it): who they are, whether they keep another place on
 * the licence (so still see it), and whether they are emailed (emailRemoved's rule).
 */
export interface PlaceToRemove {
  person: DirectoryPerson;
  keepsAPlace: boolean;
  emailed: boolean;
}

const placeToRemove = (remover: PersonWithRoles, removed: DirectoryPerson, keepsAPlace: boolean): PlaceToRemove => ({
  person: removed,
  keepsAPlace,
  emailed: toldOfRemoval(remover, removed),
});

/**
 * removeDataManager's confirmation: the Data Manager of `crsid`, or undefined when they are not
 * one (any more). Refused as the removal itself is (404, 403, 409), by the same checks.
 */
export async function managerToRemove(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  crsid: string,
): Promise<PlaceToRemove | undefined> {
  return db.transaction().execute(async (tx) => {
    const licence = await lockForChange(tx, person, licenceId, 'remove-manager');
    const [found] = await findPeopleByCrsids(tx, [crsid.trim()]);
    if (!found || !licence.managerIds.includes(found.id)) return undefined;
    return placeToRemove(person, found, await holdsProjectPlace(tx, licence.id, found.id));
  });
}

/**
 * removeProjectMember's confirmation: the member of `crsid` in `role`, or undefined when they do
 * not hold it (any more). Refused as the removal itself is (404, 403, 409; 422 for no such role).
 */
export async function projectMemberToRemove(
  db: Executor,
  person: PersonWithRoles,
  projectId: number,
  input: { crsid: string; role: string },
): Promise<(PlaceToRemove & { project: { name: string; status: 'pending' | 'active' | 'removed' } }) | undefined> {
  return db.transaction().execute(async (tx) => {
    const project = await lockProjectForChange(tx, person, projectId, 'change-project-members');
    const role = parseRole(input.role);
    const [found] = await findPeopleByCrsids(tx, [input.crsid.trim()]);
    if (!found) return undefined;
    const places = await tx
      .selectFrom('storage_project_members')
      .innerJoin('storage_projects', 'storage_projects.id', 'storage_project_members.project_id')
      .select(['storage_project_members.project_id', 'storage_project_members.role'])
      .where('storage_projects.licence_id', '=', project.licence.id)
      .where('storage_projects.status', '<>', 'removed')
      .where('storage_project_members.person_id', '=', found.id)
      .execute();
    const isThis = (place: { project_id: number; role: string }) =>
      place.project_id === project.id && place.role === role;
    if (!places.some(isThis)) return undefined;
    // As removeProjectMember decides their email's link: any other place on the licence is kept.
    const keepsAPlace =
      found.id === project.licence.ownerPersonId ||
      project.licence.managerIds.includes(found.id) ||
      places.some((place) => !isThis(place));
    return { ...placeToRemove(person, found, keepsAPlace), project: { name: project.name, status: project.status } };
  });
}

/**
 * Tells a person whose place someone else took away (a Data Manager, a project member) that it
 * has gone, with a link to what they still see; not someone who removed themselves (they know),
 * nor someone who has left the University (as no email goes to a leaver).
 */
/** Whether emailRemoved tells the removed person: not when they removed themselves, nor a leaver. */
function toldOfRemoval(remover: PersonWithRoles, removed: DirectoryPerson): boolean {
  return removed.id !== remover.id && removed.status === 'current';
}

async function emailRemoved(
  context: Pick<MembersContext, 'jobs' | 'site'>,
  tx: Executor,
  remover: PersonWithRoles,
  removed: DirectoryPerson,
  headline: string,
  paragraph: string,
  path: string,
): Promise<void> {
  if (!toldOfRemoval(remover, removed)) return;
  await emailNewRole(context, tx, removed, headline, paragraph, path);
}

/** The quotas of the licence's projects that are not removed, but for `exceptId`. */
async function otherProjects(tx: Executor, licenceId: number, exceptId?: number) {
  let query = tx
    .selectFrom('storage_projects')
    .select(['id', 'name', 'quota_tb'])
    .where('licence_id', '=', licenceId)
    .where('status', '<>', 'removed');
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
  return query.execute();
}

export async function createStorageProject(
  context: MembersContext,
  person: PersonWithRoles,
  licenceId: number,
  input: { name: string; quotaTb: unknown },
): Promise<number> {
  return context.db.transaction().execute(async (tx) => {
    const licence = await lockForChange(tx, person, licenceId, 'create-project');
    const name = input.name.trim();
    const others = await otherProjects(tx, licence.id);
    const fields: Record<string, string> = {};
    const nameProblem = projectNameProblem(
      name,
      others.map((other) => other.name),
    );
    if (nameProblem) fields.name = nameProblem;
    const quota = parseQuotaTb(input.quotaTb);
    if ('problem' in quota) fields.quotaTb = quota.problem;
    else {
      const problem = quotaProblem(
        licence.sizeTb,
        others.map((other) => other.quota_tb),
        quota.quotaTb,
      );
      if (problem) fields.quotaTb = problem;
    }
    if (Object.keys(fields).length > 0 || 'problem' in quota) {
      throw new AppError('unprocessable', 'Check the new storage project: see the message for each field.', fields);
    }
    const project = await tx
      .insertInto('storage_projects')
      .values({ licence_id: licence.id, name, quota_tb: quota.quotaTb, status: 'pending' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await auditChange(tx, person, licence.id, {
      action: 'project-created',
      projectId: project.id,
      after: { name, quotaTb: quota.quotaTb },
    });
    await afterPeopleChange(context, tx, licence.id, personActor(person));
    return project.id;
  });
}

/** A new quota for a storage project; false when it had that quota already (nothing changed). */
export async function resizeStorageProject(
  context: MembersContext,
  person: PersonWithRoles,
  projectId: number,
  quotaInput: unknown,
): Promise<boolean> {
  return (await changeStorageProject(context, person, projectId, { quotaTb: quotaInput })).resized;
}

/** A new name for a storage project; false when it had that name already (nothing changed). */
export async function renameStorageProject(
  context: MembersContext,
  person: PersonWithRoles,
  projectId: number,
  nameInput: string,
): Promise<boolean> {
  return (await changeStorageProject(context, person, projectId, { name: nameInput })).renamed;
}

/**
 * A new name and/or quota for a storage project, in one transaction: both checked first (each
 * field's message at once; a smaller quota never below the data the project holds, by its latest
 * usage reading: belowUsageProblem), then whatever differs changed, with an audit row each. A new name has
 * the rules of a new project's, unique in the licence among the projects not removed; the
 * project's members are emailed it (not those who have left, nor the person who renamed it).
 * What is the same already changes nothing: no audit row, no email, no group sync. Returns what changed.
 */
export async function changeStorageProject(
  context: MembersContext,
  person: PersonWithRoles,
  projectId: number,
  input: { name?: string; quotaTb?: unknown },
): Promise<{ renamed: boolean; resized: boolean }> {
  return context.db.transaction().execute(async (tx) => {
    // Renaming and resizing are both the Data Owner's and Data Managers' (decideChange): one check serves.
    const change = input.name === undefined ? 'resize-project' : 'rename-project';
    const project = await lockProjectForChange(tx, person, projectId, change);
    const others = await otherProjects(tx, project.licence.id, project.id);
    const fields: Record<string, string> = {};
    const name = input.name?.trim();
    if (name !== undefined) {
      const problem = projectNameProblem(
        name,
        others.map((other) => other.name),
      );
      if (problem) fields.name = problem;
    }
    let quotaTb: number | undefined;
    if (input.quotaTb !== undefined) {
      const quota = parseQuotaTb(input.quotaTb);
      const problem =
        'problem' in quota
          ? quota.problem
          : (quotaProblem(
              project.licence.sizeTb,
              others.map((other) => other.quota_tb),
              quota.quotaTb,
            ) ??
            belowUsageProblem(
              quota.quotaTb,
              project.quotaTb,
              await latestProjectReading(tx, project.id, context.clock.today().toString()),
              project.licence.sizeTb - others.reduce((sum, other) => sum + other.quota_tb, 0),
            ));
      if (problem) fields.quotaTb = problem;
      else if ('quotaTb' in quota) quotaTb = quota.quotaTb;
    }
    const [only, ...more] = Object.entries(fields);
    if (only && more.length === 0) throw invalid(only[0], only[1]);
    if (only) throw new AppError('unprocessable', 'Check the storage project: see the message for each field.', fields);
    const renamed = name !== undefined && name !== project.name;
    const resized = quotaTb !== undefined && quotaTb !== project.quotaTb;
    if (!renamed && !resized) return { renamed, resized };
    await tx
      .updateTable('storage_projects')
      .set({ ...(renamed ? { name } : {}), ...(resized ? { quota_tb: quotaTb } : {}) })
      .where('id', '=', project.id)
      .execute();
    const audited = [
      renamed ? { action: 'project-renamed', before: { name: project.name }, after: { name } } : undefined,
      resized ? { action: 'project-resized', before: { quotaTb: project.quotaTb }, after: { quotaTb } } : undefined,
    ];
    for (const each of audited) {
      if (each) await auditChange(tx, person, project.licence.id, { ...each, projectId: project.id });
    }
    await afterPeopleChange(context, tx, project.licence.id, personActor(person));
    if (!renamed) return { renamed, resized };
    for (const member of await projectMembersToTell(tx, project.id, person)) {
      await emailNewRole(
        context,
        tx,
        member,
        `The storage project ${quoted(project.name)} is now called ${quoted(name)}`,
        `${person.displayName} has renamed the storage project ${quoted(project.name)} (licence ${quoted(project.licence.name)}) to ${quoted(name)}. You are still a ${PROJECT_ROLE_LABELS[member.role]} of it${project.status === 'pending' ? '. It has not been set up on the storage yet: its page will say where to find its data once it is.' : '; its page says where to find its data.'}`,
        `/storage/project/${project.id}/`,
      );
    }
    return { renamed, resized };
  });
}

/**
 * A project's members, one row per person (their first role, Project Data Manager before User),
 * who are still at the University and are not `except` (the person who made the change): those
 * a rename or removal emails, and whom the removal's confirmation page says it emails.
 */
export async function projectMembersToTell(tx: Executor, projectId: number, except: PersonWithRoles) {
  const rows = await tx
    .selectFrom('storage_project_members')
    .innerJoin('people', 'people.id', 'storage_project_members.person_id')
    .select(['people.id', 'people.crsid', 'people.email', 'people.status', 'storage_project_members.role'])
    .where('storage_project_members.project_id', '=', projectId)
    .orderBy('people.crsid')
    .orderBy('storage_project_members.role')
    .execute();
  const told = new Map<number, { id: number; crsid: string; email: string; role: ProjectRole }>();
  for (const row of rows) {
    if (row.status !== 'current' || row.id === except.id || told.has(row.id)) continue;
    told.set(row.id, { id: row.id, crsid: row.crsid, email: row.email, role: row.role });
  }
  return [...told.values()];
}

/**
 * Removes a storage project from the licence: it stays in the licence's history with the status
 * `removed`, its quota returns to the licence's free TB (removed projects are not counted), its
 * Project Data Managers and Users lose their places (kept in the audit row), and its name may be
 * given to a new project. The provisioner is sent the licence's groups without it, and told it was
 * removed (GroupSyncRequest.removedProjects); the people who lose their place, and the licence's
 * Data Owner and Data Managers, are emailed (not those who have left, nor the person who removed it).
 */
export async function removeStorageProject(
  context: MembersContext,
  person: PersonWithRoles,
  projectId: number,
): Promise<{ name: string; quotaTb: number; licenceId: number }> {
  return context.db.transaction().execute(async (tx) => {
    const project = await lockProjectForChange(tx, person, projectId, 'remove-project');
    const members = await tx
      .selectFrom('storage_project_members')
      .innerJoin('people', 'people.id', 'storage_project_members.person_id')
      .select(['people.crsid', 'storage_project_members.role'])
      .where('storage_project_members.project_id', '=', project.id)
      .orderBy('storage_project_members.role')
      .orderBy('people.crsid')
      .execute();
    const told = await projectMembersToTell(tx, project.id, person);
    const path = await tx
      .selectFrom('storage_projects')
      .select('path')
      .where('id', '=', project.id)
      .executeTakeFirstOrThrow();
    await tx.deleteFrom('storage_project_members').where('project_id', '=', project.id).execute();
    await tx.updateTable('storage_projects').set({ status: 'removed' }).where('id', '=', project.id).execute();
    await auditChange(tx, person, project.licence.id, {
      action: 'project-removed',
      projectId: project.id,
      before: {
        name: project.name,
        quotaTb: project.quotaTb,
        status: project.status,
        path: path.path,
        members: members.map((member) => ({ crsid: member.crsid, role: member.role })),
      },
      after: { status: 'removed' },
    });
    await afterPeopleChange(context, tx, project.licence.id, personActor(person));
    const where = `the storage project ${quoted(project.name)} (licence ${quoted(project.licence.name)})`;
    // A member whose only place on the licence was in this project can no longer see its page: their
    // link is to My storage, what they still hold, not to a page that would answer "not found".
    const stillHolding = new Set([
      project.licence.ownerPersonId,
      ...project.licence.managerIds,
      ...(
        await tx
          .selectFrom('storage_project_members')
          .innerJoin('storage_projects', 'storage_projects.id', 'storage_project_members.project_id')
          .select('storage_project_members.person_id')
          .where('storage_projects.licence_id', '=', project.licence.id)
          .execute()
      ).map((row) => row.person_id),
    ]);
    // Its keepers (the Data Owner and Data Managers) are told as keepers, once, whatever place they
    // also had in the project: the member's email would send the Data Owner to ask themselves.
    const keepers = await tx
      .selectFrom('people')
      .select(['id', 'email'])
      .where('id', 'in', [project.licence.ownerPersonId, ...project.licence.managerIds])
      .where('status', '=', 'current')
      .where('id', '<>', person.id)
      .orderBy('crsid')
      .execute();
    const keeperIds = new Set(keepers.map((keeper) => keeper.id));
    // A project never set up had no folder on the storage, nor any data.
    const setUp = project.status !== 'pending';
    for (const member of told.filter((each) => !keeperIds.has(each.id))) {
      await emailNewRole(
        context,
        tx,
        member,
        `The storage project ${quoted(project.name)} has been removed`,
        setUp
          ? `${person.displayName} has removed ${where}. You were a ${PROJECT_ROLE_LABELS[member.role]} of it, and no longer have access to its folder on the storage. Ask the licence's Data Owner if you need anything from it.`
          : `${person.displayName} has removed ${where}. You were a ${PROJECT_ROLE_LABELS[member.role]} of it. It had not been set up on the storage yet, so it held no data.`,
        stillHolding.has(member.id) ? `/storage/licence/${project.licence.id}/` : '/storage/',
      );
    }
    const free = `its ${sizeText(project.quotaTb)} ${project.quotaTb === 1 ? 'is' : 'are'} free again for the licence's other storage projects.`;
    for (const keeper of keepers) {
      await emailNewRole(
        context,
        tx,
        keeper,
        `The storage project ${quoted(project.name)} has been removed`,
        `${person.displayName} has removed ${where}. ${setUp ? 'Its people no longer have access to its folder on the storage, and' : 'It had not been set up on the storage yet, and'} ${free}`,
        `/storage/licence/${project.licence.id}/`,
      );
    }
    return { name: project.name, quotaTb: project.quotaTb, licenceId: project.licence.id };
  });
}

export const PROJECT_ROLES: readonly ProjectRole[] = ['project-data-manager', 'project-data-user'];

function parseRole(role: string): ProjectRole {
  if ((PROJECT_ROLES as readonly string[]).includes(role)) return role as ProjectRole;
  throw invalid('role', 'Choose Project Data Manager or Project Data User');
}

/**
 * Said to a member given a place in a project that is not made on the storage yet: its page exists,
 * but its path does not until the team makes it (emailProjectsReady tells them then).
 */
const STILL_TO_BE_MADE =
  'It is still to be made on the storage: it will be ready once the storage team has made it, and we will email you where to find it then.';

export async function addProjectMember(
  context: MembersContext,
  person: PersonWithRoles,
  projectId: number,
  input: { crsid: string; role: string },
): Promise<void> {
  await refuseBeforeLookUp(context, person, { projectId }, 'change-project-members');
  await findInDirectory(context, input.crsid);
  await context.db.transaction().execute(async (tx) => {
    const project = await lockProjectForChange(tx, person, projectId, 'change-project-members');
    // Both fields' messages at once, for the page, in the form's order (its error summary's).
    const fields: Record<string, string> = {};
    const added = await fieldOrMessage(fields, () => directoryPerson(tx, input.crsid));
    const role = await fieldOrMessage(fields, async () => parseRole(input.role));
    if (!role || !added) {
      throw new AppError('unprocessable', 'Check the new member: see the message for each field.', fields);
    }
    // One role per person in a project; the licence's row is locked, so no other change slips in between.
    const held = await tx
      .selectFrom('storage_project_members')
      .select('role')
      .where('project_id', '=', project.id)
      .where('person_id', '=', added.id)
      .executeTakeFirst();
    if (held) throw invalid('crsid', projectRoleProblem(added.displayName, held.role, role));
    await tx
      .insertInto('storage_project_members')
      .values({ project_id: project.id, person_id: added.id, role })
      .execute();
    await auditChange(tx, person, project.licence.id, {
      action: 'project-member-added',
      projectId: project.id,
      after: { crsid: added.crsid, role },
    });
    await afterPeopleChange(context, tx, project.licence.id, personActor(person));
    await emailNewRole(
      context,
      tx,
      added,
      `You are a ${PROJECT_ROLE_LABELS[role]} of ${quoted(project.name)}`,
      `${person.displayName} has made you a ${PROJECT_ROLE_LABELS[role]} of the storage project ${quoted(project.name)} (licence ${quoted(project.licence.name)}).${project.status === 'pending' ? ` ${STILL_TO_BE_MADE}` : ''}`,
      `/storage/project/${project.id}/`,
    );
  });
}

export async function removeProjectMember(
  context: MembersContext,
  person: PersonWithRoles,
  projectId: number,
  input: { crsid: string; role: string },
): Promise<void> {
  await context.db.transaction().execute(async (tx) => {
    const project = await lockProjectForChange(tx, person, projectId, 'change-project-members');
    const role = parseRole(input.role);
    const [found] = await findPeopleByCrsids(tx, [input.crsid.trim()]);
    const removed = found
      ? await tx
          .deleteFrom('storage_project_members')
          .where('project_id', '=', project.id)
          .where('person_id', '=', found.id)
          .where('role', '=', role)
          .returning('person_id')
          .executeTakeFirst()
      : undefined;
    if (!found || !removed) {
      throw new AppError('not-found', `${input.crsid} is not a ${PROJECT_ROLE_LABELS[role]} of this project.`);
    }
    await auditChange(tx, person, project.licence.id, {
      action: 'project-member-removed',
      projectId: project.id,
      before: { crsid: found.crsid, role },
    });
    await afterPeopleChange(context, tx, project.licence.id, personActor(person));
    // Their link: the licence while they keep a place on it (they still see it), else My storage.
    const keepsAPlace =
      found.id === project.licence.ownerPersonId ||
      project.licence.managerIds.includes(found.id) ||
      (await holdsProjectPlace(tx, project.licence.id, found.id));
    await emailRemoved(
      context,
      tx,
      person,
      found,
      `You are no longer a ${PROJECT_ROLE_LABELS[role]} of ${quoted(project.name)}`,
      `${person.displayName} has removed you as a ${PROJECT_ROLE_LABELS[role]} of the storage project ${quoted(project.name)} (licence ${quoted(project.licence.name)}): ${project.status === 'pending' ? 'it has not been set up on the storage yet, and you will not have access to it through that role when it is.' : 'you no longer have access to its folder on the storage through that role.'}`,
      keepsAPlace ? `/storage/licence/${project.licence.id}/` : '/storage/',
    );
  });
}

/** What a person may change on a licence (or one of its projects) now, for showing the pages' forms. */
export interface ChangeRights {
  handOver: boolean;
  managers: boolean;
  projects: boolean;
  projectMembers: boolean;
  /** Why nothing can change now (locked, suspended…), when the person could otherwise change something. */
  problem?: string;
}

/** Who the person is on the licence (and project), for decideChange; undefined when there is no such licence. */
async function changeFactsFor(db: Executor, person: PersonWithRoles, licenceId: number, projectId?: number) {
  const licence = await db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select([
      'licences.status',
      'licences.owner_person_id',
      'licences.locked_at',
      'licences.lock_reason',
      'products.service',
    ])
    .where('licences.id', '=', licenceId)
    .executeTakeFirst();
  if (!licence) return undefined;
  const isManager = await db
    .selectFrom('licence_managers')
    .select('person_id')
    .where('licence_id', '=', licenceId)
    .where('person_id', '=', person.id)
    .executeTakeFirst();
  const memberships = await db
    .selectFrom('storage_project_members')
    .innerJoin('storage_projects', 'storage_projects.id', 'storage_project_members.project_id')
    .select(['storage_project_members.project_id', 'storage_project_members.role'])
    .where('storage_projects.licence_id', '=', licenceId)
    .where('storage_project_members.person_id', '=', person.id)
    .execute();
  const facts = {
    isOwner: licence.owner_person_id === person.id,
    isManager: isManager !== undefined,
    managesService: canManageService(person, licence.service),
    readsService: isServiceStaff(person, licence.service),
    projectRoles: memberships.filter((m) => m.project_id === projectId).map((m) => m.role),
    memberOfAnyProject: memberships.length > 0,
  };
  return { licence, facts };
}

/**
 * Whether the person may make `change` whatever the licence's state: who may act is checked before
 * the lock and the status (as authorise does), so a page refuses someone who may never make it
 * with a 403, not with a 409 saying why nobody can just now.
 */
export async function mayMakeChange(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  change: MemberChange,
  projectId?: number,
): Promise<boolean> {
  const found = await changeFactsFor(db, person, licenceId, projectId);
  return found !== undefined && decideChange(change, found.facts) === 'allowed';
}

export async function changeRightsFor(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
  projectId?: number,
): Promise<ChangeRights> {
  const none: ChangeRights = { handOver: false, managers: false, projects: false, projectMembers: false };
  const found = await changeFactsFor(db, person, licenceId, projectId);
  if (!found) return none;
  const { licence, facts } = found;
  const may = (change: MemberChange) => decideChange(change, facts) === 'allowed';
  const rights: ChangeRights = {
    handOver: may('hand-over'),
    managers: may('add-manager'),
    projects: may('create-project'),
    projectMembers: projectId !== undefined && may('change-project-members'),
  };
  if (!rights.handOver && !rights.managers && !rights.projects && !rights.projectMembers) return rights;
  const problem =
    (licence.locked_at
      ? 'This licence is locked by the storage team, so it cannot be changed at the moment.'
      : undefined) ?? (await statusProblem(db, licenceId, licence.status));
  return problem ? { ...none, problem } : rights;
}

/** Who a hand-over would make the Data Owner: a current person who is not the owner already, or a message for `crsid`. */
async function newOwnerOf(db: Executor, ownerPersonId: number, crsid: string): Promise<DirectoryPerson> {
  const next = await directoryPerson(db, crsid);
  if (next.id === ownerPersonId) throw invalid('crsid', `${next.displayName} is the Data Owner already`);
  return next;
}

/**
 * The person a hand-over of this licence would make its Data Owner, for the confirmation step
 * (the same checks as handOverOwnership's), or an unprocessable AppError for `crsid`.
 */
export async function proposedOwner(
  context: Pick<MembersContext, 'db' | 'directory'>,
  licenceId: number,
  crsid: string,
): Promise<DirectoryPerson> {
  const { db } = context;
  await findInDirectory(context, crsid);
  const licence = await db
    .selectFrom('licences')
    .select('owner_person_id')
    .where('id', '=', licenceId)
    .executeTakeFirst();
  if (!licence) throw licenceNotFound();
  return newOwnerOf(db, licence.owner_person_id, crsid);
}

/*
 * For a request that finds its change made already (the button pressed twice, or a page left open
 * while someone made it): the change as it is now, and who made it and when (pressed-twice.ts).
 * Read afresh, after the refusal's transaction.
 */

/** The licence's storage project (not removed) with this name, ignoring case, and who made it. */
export async function projectNamed(
  db: Executor,
  licenceId: number,
  nameText: string,
): Promise<{ id: number; name: string; quotaTb: number; made: AuditedChange | undefined } | undefined> {
  const name = nameText.trim().toLowerCase();
  const projects = await otherProjects(db, licenceId);
  const project = projects.find((each) => each.name.toLowerCase() === name);
  if (!project) return undefined;
  const [made] = await latestChanges(db, { type: 'storage-project', id: project.id }, ['project-created'], 1);
  return { id: project.id, name: project.name, quotaTb: project.quota_tb, made };
}

/** The person of `crsid` while a Data Manager of the licence, and the latest change that made them one. */
export async function managerNamed(
  db: Executor,
  licenceId: number,
  crsidText: string,
): Promise<{ displayName: string; added: AuditedChange | undefined } | undefined> {
  const crsid = crsidText.trim().toLowerCase();
  const [found] = await findPeopleByCrsids(db, [crsid]);
  if (!found) return undefined;
  const manager = await db
    .selectFrom('licence_managers')
    .select('person_id')
    .where('licence_id', '=', licenceId)
    .where('person_id', '=', found.id)
    .executeTakeFirst();
  if (!manager) return undefined;
  const listed = (values: Record<string, unknown> | null) =>
    Array.isArray(values?.managers) && values.managers.includes(crsid);
  const added = (await latestChanges(db, { type: 'licence', id: licenceId }, ['manager-added'])).find(
    (change) => listed(change.after) && !listed(change.before),
  );
  return { displayName: found.displayName, added };
}

/** The licence's latest hand-over: to whom (`after.owner`), by whom and when. */
export async function latestHandOver(db: Executor, licenceId: number): Promise<AuditedChange | undefined> {
  const [handed] = await latestChanges(db, { type: 'licence', id: licenceId }, ['owner-handed-over'], 1);
  return handed;
}
