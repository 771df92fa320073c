import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { queueEmail } from '../../platform/mail/mail.jobs.ts';
import { quoted } from '../../platform/mail/quoted.ts';
import type { ProjectMade } from '../../platform/provisioner/provisioner.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { type Actor, personActor, recordAudit } from '../audit/audit.repository.ts';
import { memberEmail } from '../licences/licence-members.emails.tsx';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { canManageService } from '../people/staff-access.ts';
import {
  findLicencePeople,
  findProjectMembers,
  listProjectsForProvisioning,
  type ProvisioningProject,
  recordProvisionedProjects,
} from './provisioning.repository.ts';
import { madeProjectLine, parseProvisioningForm } from './provisioning-rules.ts';

/**
 * Storage projects created in a licence that is already in use (issue 6, point 4). Its set-up
 * order is done, so no order carries them: an automated provisioner makes them when it is sent
 * the licence's groups (sync-licence-groups answers what it made), and with the manual one a
 * person of the service team records what they made on the staff licence page. Either way the
 * project becomes active with its path, in one transaction with an audit row each.
 */

/** One audit row per project made: what it was before, what it is now. Through `tx`. */
export async function auditProjectsMade(
  tx: Executor,
  actor: Actor,
  licenceId: number,
  before: readonly ProvisioningProject[],
  made: readonly ProjectMade[],
): Promise<void> {
  for (const project of made) {
    const old = before.find((each) => each.id === project.id);
    await recordAudit(tx, {
      actor,
      entityType: 'storage-project',
      entityId: project.id,
      licenceId,
      action: 'provisioned',
      before: {
        status: old?.status ?? 'pending',
        path: old?.path ?? null,
        shareName: old?.shareName ?? null,
        groups: old?.groups ?? [],
        quotaTb: old?.quotaTb ?? null,
      },
      after: {
        status: 'active',
        path: project.path,
        shareName: project.shareName,
        groups: project.groups,
        quotaTb: project.quotaTb ?? old?.quotaTb ?? null,
      },
    });
  }
}

/** What emailing the people of a made project needs: the queue and the site's links. */
export interface ProjectMailContext {
  jobs: JobQueue;
  site: { serviceName: string; contactEmail: string; publicUrl: string };
}

/**
 * Tells the people of each storage project just made, through `tx` (the transaction that records
 * it), that it is ready and where to find it, in the words of new storage's ready email
 * (madeProjectLine): its licence's Data Owner and Data Managers and the project's members, one
 * email per project, leaving out whoever has left the University and the addresses in `told`
 * (the people new storage's ready email has told already).
 */
export async function emailProjectsReady(
  context: ProjectMailContext,
  tx: Executor,
  licence: { id: number; name: string },
  projects: readonly ProvisioningProject[],
  made: readonly ProjectMade[],
  told: readonly string[] = [],
): Promise<void> {
  if (made.length === 0) return;
  const people = await findLicencePeople(tx, licence.id);
  const members = await findProjectMembers(
    tx,
    made.map((project) => project.id),
  );
  for (const project of made) {
    const name = projects.find((each) => each.id === project.id)?.name ?? `#${project.id}`;
    const quotaTb = project.quotaTb ?? projects.find((each) => each.id === project.id)?.quotaTb;
    const everyone = [people.owner, ...people.managers, ...members.filter((m) => m.projectId === project.id)];
    const to = [...new Set(everyone.filter((person) => person.current).map((person) => person.email))].filter(
      (email) => !told.includes(email),
    );
    if (to.length === 0) continue;
    const message = renderEmail(
      memberEmail,
      {
        serviceName: context.site.serviceName,
        contactEmail: context.site.contactEmail,
        headline: `Your storage project is ready: ${name}`,
        paragraphs: [
          `Storage project ${name} of ${quoted(licence.name)} is set up and ready to use.`,
          madeProjectLine(name, { ...project, quotaTb }),
        ],
        url: `${context.site.publicUrl}/storage/project/${project.id}/`,
      },
      { to },
    );
    await queueEmail(tx, message, context.jobs);
  }
}

/**
 * Records what was made of an active licence's pending projects, through `tx`; projects that are
 * not pending (any more) are left alone. Returns the ids made active. Their people are emailed
 * where to find them in the same transaction (emailProjectsReady).
 */
export async function recordProjectsMade(
  context: ProjectMailContext,
  tx: Executor,
  licenceId: number,
  made: readonly ProjectMade[],
  actor: Actor,
): Promise<number[]> {
  const before = await listProjectsForProvisioning(tx, licenceId);
  const pending = new Set(before.filter((project) => project.status === 'pending').map((project) => project.id));
  const toRecord = made.filter((project) => pending.has(project.id));
  if (toRecord.length === 0) return [];
  const changed = await recordProvisionedProjects(tx, licenceId, { quotaTb: 1, projects: toRecord });
  if (changed !== toRecord.length) {
    throw new AppError('conflict', 'The storage projects of this licence have changed; reload the page.');
  }
  await auditProjectsMade(tx, actor, licenceId, before, toRecord);
  const licence = await tx
    .selectFrom('licences')
    .select(['id', 'name'])
    .where('id', '=', licenceId)
    .executeTakeFirstOrThrow();
  await emailProjectsReady(context, tx, licence, before, toRecord);
  return toRecord.map((project) => project.id);
}

/** The pending projects of an active licence: what the staff licence page asks a person to record. */
export async function pendingProjectsToRecord(db: Executor, licence: { id: number; status: string }) {
  if (licence.status !== 'active') return [];
  return (await listProjectsForProvisioning(db, licence.id)).filter((project) => project.status === 'pending');
}

export interface LicenceProjectsToMake {
  licence: { id: number; name: string; status: string; sizeTb: number; service: ServiceCode };
  projects: ProvisioningProject[];
}

/** The licence (404 if none) and its projects waiting to be made, for the staff page that records them. */
export async function loadProjectsToMake(db: Executor, licenceId: number): Promise<LicenceProjectsToMake> {
  const row = await db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select(['licences.id', 'licences.name', 'licences.status', 'licences.size_tb', 'products.service'])
    .where('licences.id', '=', licenceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not-found', 'We could not find that licence.');
  const licence = { id: row.id, name: row.name, status: row.status, sizeTb: row.size_tb, service: row.service };
  return { licence, projects: await pendingProjectsToRecord(db, licence) };
}

/**
 * "Mark as made" on the staff licence page: a person of the licence's service records the path
 * (and share, groups, quota) of the active licence's pending projects. Bad answers come back per
 * field and change nothing.
 */
export async function recordProjectsByHand(
  context: ProjectMailContext & { db: Executor },
  person: PersonWithRoles,
  licenceId: number,
  values: Readonly<Record<string, string>>,
): Promise<{ errors: FieldErrors } | { made: number[] }> {
  return context.db.transaction().execute(async (tx) => {
    const licence = await tx
      .selectFrom('licences')
      .innerJoin('products', 'products.code', 'licences.product_code')
      .select(['licences.id', 'licences.status', 'licences.size_tb', 'products.service'])
      .where('licences.id', '=', licenceId)
      .forUpdate()
      .executeTakeFirst();
    if (!licence) throw new AppError('not-found', 'We could not find that licence.');
    if (!canManageService(person, licence.service)) {
      throw new AppError('forbidden', `Only the ${licence.service} storage team can record what was made.`);
    }
    const pending = await pendingProjectsToRecord(tx, licence);
    if (pending.length === 0) {
      throw new AppError('conflict', 'This licence has no storage projects waiting to be made. Reload the page.');
    }
    // The projects already made keep their quotas: the new ones share what is left of the licence.
    const made = (await listProjectsForProvisioning(tx, licence.id)).filter((project) => project.status === 'active');
    const madeQuotaTb = made.reduce((sum, project) => sum + project.quotaTb, 0);
    const parsed = parseProvisioningForm(values, pending, licence.size_tb, madeQuotaTb);
    if (!parsed.ok) return { errors: parsed.errors };
    return {
      made: await recordProjectsMade(context, tx, licence.id, parsed.details.projects, personActor(person)),
    };
  });
}
