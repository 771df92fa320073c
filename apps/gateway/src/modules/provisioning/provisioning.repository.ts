import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { ProvisionedDetails, ProvisionerKind } from '../../platform/provisioner/provisioner.ts';
import type { LicenceStatus, ProjectRole } from '../licences/licences.tables.ts';
import type { ServiceCode } from '../people/people.tables.ts';

/**
 * The provisioning runs of orders, and the writes that provisioning makes: what each storage
 * project became (path, share, groups, quota) and the licence's activation. Every function takes
 * the executor to use; pass the transaction of the change.
 */
export type RunOutcome = 'running' | 'succeeded' | 'failed';

export interface ProvisioningRun {
  id: number;
  orderId: number;
  provisioner: ProvisionerKind;
  startedBy: { crsid: string; displayName: string } | null;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: RunOutcome;
  /** For staff only: never shown to customers. */
  error: string | null;
  details: ProvisionedDetails | null;
  undone: ProvisionedDetails | null;
}

/** An order has a handful of runs at most; the page shows the newest. */
export const RUNS_SHOWN = 20;

function selectRuns(db: Executor) {
  return db
    .selectFrom('provisioning_runs as run')
    .leftJoin('people as starter', 'starter.id', 'run.started_by_person_id')
    .selectAll('run')
    .select(['starter.crsid as starter_crsid', 'starter.display_name as starter_name']);
}

type RunRow = Awaited<ReturnType<ReturnType<typeof selectRuns>['execute']>>[number];

function toRun(row: RunRow): ProvisioningRun {
  return {
    id: row.id,
    orderId: row.order_id,
    provisioner: row.provisioner,
    startedBy:
      row.starter_crsid !== null && row.starter_name !== null
        ? { crsid: row.starter_crsid, displayName: row.starter_name }
        : null,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    error: row.error,
    details: row.details,
    undone: row.undone,
  };
}

/** An order's runs, newest first. */
export async function listRuns(db: Executor, orderId: number, limit = RUNS_SHOWN): Promise<ProvisioningRun[]> {
  const rows = await selectRuns(db)
    .where('run.order_id', '=', orderId)
    .orderBy('run.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRun);
}

export async function findRun(db: Executor, runId: number): Promise<ProvisioningRun | undefined> {
  const row = await selectRuns(db).where('run.id', '=', runId).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

/**
 * Starts a run (outcome running) or records a finished one (a person's manual record), finished
 * `at` then. At most one run per order is running (provisioning_runs_running_idx).
 */
export async function insertRun(
  tx: Executor,
  run: {
    orderId: number;
    provisioner: ProvisionerKind;
    startedByPersonId: number | null;
    /** The clock's now, not the database's, so that a run as of a day starts that day (and not after it finished). */
    startedAt: Date;
    finished?: { outcome: 'succeeded'; details: ProvisionedDetails; at: Date };
  },
): Promise<number> {
  const row = await tx
    .insertInto('provisioning_runs')
    .values({
      order_id: run.orderId,
      provisioner: run.provisioner,
      started_by_person_id: run.startedByPersonId,
      started_at: run.startedAt,
      finished_at: run.finished?.at ?? null,
      ...(run.finished ? { outcome: run.finished.outcome } : {}),
      error: null,
      details: run.finished ? JSON.stringify(run.finished.details) : null,
      undone: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Finishes a running run `now`; false if it had already finished (a repeated job changes nothing). */
export async function finishRun(
  tx: Executor,
  runId: number,
  result: {
    outcome: 'succeeded' | 'failed';
    details: ProvisionedDetails | null;
    error?: string | null;
    undone?: ProvisionedDetails | null;
  },
  now: Date,
): Promise<boolean> {
  const updated = await tx
    .updateTable('provisioning_runs')
    .set({
      outcome: result.outcome,
      finished_at: now,
      details: result.details ? JSON.stringify(result.details) : null,
      error: result.error ?? null,
      undone: result.undone ? JSON.stringify(result.undone) : null,
    })
    .where('id', '=', runId)
    .where('outcome', '=', 'running')
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

export interface ProvisioningProject {
  id: number;
  name: string;
  quotaTb: number;
  status: 'pending' | 'active' | 'removed';
  path: string | null;
  shareName: string | null;
  groups: string[];
  members: Array<{ crsid: string; role: ProjectRole }>;
}

/** A licence's storage projects (not removed ones) with their members' CRSids, in one query. */
export async function listProjectsForProvisioning(db: Executor, licenceId: number): Promise<ProvisioningProject[]> {
  const rows = await db
    .selectFrom('storage_projects as project')
    .select((eb) => [
      'project.id',
      'project.name',
      'project.quota_tb',
      'project.status',
      'project.path',
      'project.share_name',
      'project.group_names',
      eb
        .selectFrom('storage_project_members as member')
        .innerJoin('people', 'people.id', 'member.person_id')
        .select(
          sql<Array<{
            crsid: string;
            role: ProjectRole;
          }> | null>`jsonb_agg(jsonb_build_object('crsid', people.crsid, 'role', member.role) ORDER BY people.crsid, member.role)`.as(
            'members',
          ),
        )
        .whereRef('member.project_id', '=', 'project.id')
        .as('members'),
    ])
    .where('project.licence_id', '=', licenceId)
    .where('project.status', '!=', 'removed')
    .orderBy('project.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    quotaTb: row.quota_tb,
    status: row.status,
    path: row.path,
    shareName: row.share_name,
    groups: row.group_names,
    members: row.members ?? [],
  }));
}

/** `current`: still a member of the University (someone who has left is emailed nothing). */
export interface LicencePerson {
  crsid: string;
  email: string;
  current: boolean;
}

export interface LicencePeople {
  owner: LicencePerson;
  managers: LicencePerson[];
}

/** The Data Owner and Data Managers of a licence, with the addresses the ready email goes to. */
export async function findLicencePeople(db: Executor, licenceId: number): Promise<LicencePeople> {
  const owner = await db
    .selectFrom('licences')
    .innerJoin('people', 'people.id', 'licences.owner_person_id')
    .select(['people.crsid', 'people.email', 'people.status'])
    .where('licences.id', '=', licenceId)
    .executeTakeFirstOrThrow();
  const managers = await db
    .selectFrom('licence_managers')
    .innerJoin('people', 'people.id', 'licence_managers.person_id')
    .select(['people.crsid', 'people.email', 'people.status'])
    .where('licence_managers.licence_id', '=', licenceId)
    .orderBy('people.crsid')
    .execute();
  const person = (row: { crsid: string; email: string; status: 'current' | 'left' }): LicencePerson => ({
    crsid: row.crsid,
    email: row.email,
    current: row.status === 'current',
  });
  return { owner: person(owner), managers: managers.map(person) };
}

/** The members of these storage projects, with the addresses their project's ready email goes to. */
export async function findProjectMembers(
  db: Executor,
  projectIds: readonly number[],
): Promise<Array<LicencePerson & { projectId: number }>> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .selectFrom('storage_project_members as member')
    .innerJoin('people', 'people.id', 'member.person_id')
    .select(['member.project_id', 'people.crsid', 'people.email', 'people.status'])
    .where('member.project_id', 'in', projectIds)
    .orderBy('people.crsid')
    .execute();
  return rows.map((row) => ({
    projectId: row.project_id,
    crsid: row.crsid,
    email: row.email,
    current: row.status === 'current',
  }));
}

/**
 * Writes what provisioning made onto the licence's pending storage projects and makes them
 * active, in one statement; returns how many projects it changed.
 */
export async function recordProvisionedProjects(
  tx: Executor,
  licenceId: number,
  details: ProvisionedDetails,
): Promise<number> {
  const rows = details.projects.map((project) => ({
    id: project.id,
    path: project.path,
    share_name: project.shareName,
    groups: project.groups,
    quota_tb: project.quotaTb ?? null,
  }));
  const result = await sql`
    UPDATE storage_projects AS project
       SET path = made.path,
           share_name = made.share_name,
           group_names = ARRAY(SELECT jsonb_array_elements_text(made.groups)),
           quota_tb = COALESCE(made.quota_tb, project.quota_tb),
           status = 'active'
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           AS made(id bigint, path text, share_name text, groups jsonb, quota_tb integer)
     WHERE project.id = made.id AND project.licence_id = ${licenceId} AND project.status = 'pending'`.execute(tx);
  return Number(result.numAffectedRows ?? 0n);
}

export interface LicenceDates {
  startDate: string;
  endDate: string;
}

/**
 * A pending licence becomes active, from `dates` unless the service team gave it dates while it
 * waited (the back office's licence edit), which are kept. The dates it had and has now, or
 * undefined if it is not pending any more.
 */
export async function activateLicence(
  tx: Executor,
  licenceId: number,
  dates: LicenceDates,
  now: Date,
): Promise<{ before: { startDate: string | null; endDate: string | null }; after: LicenceDates } | undefined> {
  const current = await tx
    .selectFrom('licences')
    .select(['start_date', 'end_date'])
    .where('id', '=', licenceId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
  if (!current) return undefined;
  const after =
    current.start_date && current.end_date ? { startDate: current.start_date, endDate: current.end_date } : dates;
  const updated = await tx
    .updateTable('licences')
    .set({ status: 'active', start_date: after.startDate, end_date: after.endDate, updated_at: now })
    .where('id', '=', licenceId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) return undefined;
  return { before: { startDate: current.start_date, endDate: current.end_date }, after };
}

/** A new order's period, the licence's first term as it was set up (a change order has its own from pricing). */
export async function recordOrderPeriod(tx: Executor, orderId: number, dates: LicenceDates): Promise<void> {
  await tx
    .updateTable('orders')
    .set({ starts_on: dates.startDate, ends_on: dates.endDate })
    .where('id', '=', orderId)
    .execute();
}

/**
 * What completing a change order needs of its licence, the licence's row locked (FOR UPDATE) so
 * nothing else changes it before the transaction ends; and the order's new end date.
 */
export async function lockLicenceForChange(
  tx: Executor,
  order: { id: number; licenceId: number },
): Promise<{
  status: LicenceStatus;
  sizeTb: number;
  endDate: string | null;
  lockedAt: Date | null;
  lockReason: string | null;
  orderEndsOn: string | null;
}> {
  const licence = await tx
    .selectFrom('licences')
    .select(['status', 'size_tb', 'end_date', 'locked_at', 'lock_reason'])
    .where('id', '=', order.licenceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const ordered = await tx.selectFrom('orders').select('ends_on').where('id', '=', order.id).executeTakeFirstOrThrow();
  return {
    status: licence.status,
    sizeTb: licence.size_tb,
    endDate: licence.end_date,
    lockedAt: licence.locked_at,
    lockReason: licence.lock_reason,
    orderEndsOn: ordered.ends_on,
  };
}

/** A change made to a locked licence row; false if its status is not `from` any more. */
export async function changeLicence(
  tx: Executor,
  licenceId: number,
  from: LicenceStatus,
  after: { status: LicenceStatus; sizeTb: number; endDate: string | null },
  now: Date,
): Promise<boolean> {
  const updated = await tx
    .updateTable('licences')
    .set({ status: after.status, size_tb: after.sizeTb, end_date: after.endDate, updated_at: now })
    .where('id', '=', licenceId)
    .where('status', '=', from)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/** A storage project waiting to be made in a licence already in use: a row of the back office's list. */
export interface WaitingProject {
  id: number;
  name: string;
  quotaTb: number;
  createdAt: Date;
  licenceId: number;
  licenceName: string;
  service: ServiceCode;
}

/**
 * The pending projects of active licences of these services, oldest first (a page of them, from
 * the partial index of migration 0017), and how many there are in all: one statement.
 */
export async function listWaitingProjects(
  db: Executor,
  services: readonly ServiceCode[],
  page: { limit: number; offset: number },
): Promise<{ projects: WaitingProject[]; total: number }> {
  if (services.length === 0) return { projects: [], total: 0 };
  const rows = await db
    .selectFrom('storage_projects as project')
    .innerJoin('licences', 'licences.id', 'project.licence_id')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select([
      'project.id',
      'project.name',
      'project.quota_tb',
      'project.created_at',
      'licences.id as licence_id',
      'licences.name as licence_name',
      'products.service',
      sql<number>`count(*) OVER ()`.as('total'),
    ])
    .where('project.status', '=', 'pending')
    .where('licences.status', '=', 'active')
    .where('products.service', 'in', services)
    .orderBy('project.created_at')
    .orderBy('project.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    projects: rows.map((row) => ({
      id: row.id,
      name: row.name,
      quotaTb: row.quota_tb,
      createdAt: row.created_at,
      licenceId: row.licence_id,
      licenceName: row.licence_name,
      service: row.service,
    })),
    // A page past the last one has no row to carry the total: the first page's does.
    total: Number(
      rows[0]?.total ??
        (page.offset > 0 ? (await listWaitingProjects(db, services, { limit: 1, offset: 0 })).total : 0),
    ),
  };
}
