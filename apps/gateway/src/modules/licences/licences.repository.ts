import { type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../database.ts';
import type { Executor } from '../../platform/db/database.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { LicenceFlagKind } from '../lifecycle/lifecycle.tables.ts';
import { listOrdersForLicence, type OrderListing } from '../orders/orders.queries.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { isServiceStaff } from '../people/staff-access.ts';
import type { ProjectReading } from '../usage/usage-readings.ts';
import { annualCostPence, daysToExpiry, paysForLicence } from './licence-figures.ts';
import {
  LICENCE_STATUS_RANK,
  type LicenceRole,
  type NotApprovedOrder,
  type StorageProjectStatus,
} from './licence-status.ts';
import type { LicenceStatus, ProjectRole } from './licences.tables.ts';
import { type EarlierChange, PRESSED_TWICE_SECONDS } from './pressed-twice.ts';

/**
 * Who sees what of a licence (DESIGN.md §2: customer roles come from licences, never a flag).
 *
 * - Its Data Owner and Data Managers see all of it: every storage project with its members, its
 *   orders and its history.
 * - A Project Data Manager or Project Data User sees the licence's basic details (product, size,
 *   department, dates, status, and who its Data Owner and Data Managers are, so they know whom
 *   to ask) and only the storage projects they are a member of. Not its orders, payments or
 *   history: those are the business of the people who pay for it.
 * - Staff of the licence's service (and Finance and superusers: isServiceStaff) see all of it.
 * - Anyone else sees nothing: the functions answer undefined, and the page is the same 404 as
 *   for a licence that does not exist, so nobody learns which ids exist.
 */
export type LicenceAccess = 'full' | 'project-member';

export interface PersonSummary {
  id: number;
  crsid: string;
  displayName: string;
  email: string;
}

/** A person on a licence, and whether they are still at the University (the licence page warns of one who has left). */
export interface LicencePerson extends PersonSummary {
  status: 'current' | 'left';
}

export interface LicenceListing {
  id: number;
  name: string;
  productCode: string;
  productName: string;
  service: ServiceCode;
  institutionId: string;
  institutionName: string;
  sizeTb: number;
  /** Both empty until the storage is set up. */
  startDate: string | null;
  endDate: string | null;
  status: LicenceStatus;
  /** The places the person asked about holds on this licence. */
  roles: LicenceRole[];
  /** Since when the service team has locked it (licence-lock.ts), and their note why (for staff only); null while unlocked. */
  lock: { lockedAt: Date; reason: string | null } | null;
  /** A licence never set up because its new order was rejected: that order and why (licenceStatusWordsFor); else null. */
  notApproved: NotApprovedOrder | null;
}

/** A licence on My storage, with the figures the list shows (licence-figures.ts). */
export interface HeldLicence extends LicenceListing {
  /** Calendar days from today to the end date: negative once it has passed; null until set up. */
  daysToExpiry: number | null;
  /** Its storage projects, not counting removed ones. */
  projectCount: number;
  /** A year at the price in force today (annualCostPence); undefined when it costs nothing. */
  annualCostPence: number | undefined;
}

export interface LicenceListingPage {
  licences: HeldLicence[];
  /** How many licences there are in all, so a capped list can say "showing N of M". */
  total: number;
}

export interface StorageProjectMember extends LicencePerson {
  role: ProjectRole;
}

export interface StorageProjectSummary {
  id: number;
  name: string;
  quotaTb: number;
  status: StorageProjectStatus;
  /** Where it lives, once provisioned. */
  path: string | null;
  shareName: string | null;
  groupNames: string[];
  members: StorageProjectMember[];
}

export interface LicenceDetail extends LicenceListing {
  access: LicenceAccess;
  /** Staff of the licence's service who hold no place on it themselves. */
  viewedAsStaff: boolean;
  owner: LicencePerson;
  managers: LicencePerson[];
  /** All of them with full access; only the person's own with project-member access. */
  projects: StorageProjectSummary[];
  /** Empty with project-member access. */
  orders: OrderListing[];
}

export interface StorageProjectDetail extends StorageProjectSummary {
  licence: {
    id: number;
    name: string;
    productCode: string;
    productName: string;
    service: ServiceCode;
    status: LicenceStatus;
  };
  /** The person's own roles on this project (empty for the licence's owner, managers or staff). */
  roles: ProjectRole[];
  viewedAsStaff: boolean;
}

/** More than anyone has: a person rarely has more than a few dozen licences. */
export const DEFAULT_LICENCE_LIMIT = 100;

type LicenceScope = ExpressionBuilder<Database, 'licences'>;

export function isManagerOf(eb: LicenceScope, personId: number) {
  return eb.exists(
    eb
      .selectFrom('licence_managers')
      .select(sql.lit(1).as('one'))
      .whereRef('licence_managers.licence_id', '=', 'licences.id')
      .where('licence_managers.person_id', '=', personId),
  );
}

/**
 * The ids of the licences a person holds a place on, as a UNION of three indexed lookups (owner,
 * Data Manager, project member). Not one OR over subqueries: PostgreSQL cannot use an index for
 * that and reads every licence (../shared/bench/WORKLOAD.md: 100,000 licences, ~50 ms, plus JIT).
 */
export function heldLicenceIds(eb: LicenceScope, personId: number) {
  return eb
    .selectFrom('licences as owned')
    .select('owned.id')
    .where('owned.owner_person_id', '=', personId)
    .union(
      eb
        .selectFrom('licence_managers as managed')
        .select('managed.licence_id as id')
        .where('managed.person_id', '=', personId),
    )
    .union(
      eb
        .selectFrom('storage_project_members as member')
        .innerJoin('storage_projects as project', 'project.id', 'member.project_id')
        .select('project.licence_id as id')
        .where('member.person_id', '=', personId),
    );
}

/** The roles a person holds on each licence row, as a JSON array (the same text on both engines). */
export function projectRolesOf(eb: LicenceScope, personId: number) {
  return eb
    .selectFrom('storage_project_members')
    .innerJoin('storage_projects', 'storage_projects.id', 'storage_project_members.project_id')
    .select(sql<ProjectRole[] | null>`jsonb_agg(DISTINCT storage_project_members.role)`.as('roles'))
    .whereRef('storage_projects.licence_id', '=', 'licences.id')
    .where('storage_project_members.person_id', '=', personId);
}

/** CASE licences.status WHEN 'active' THEN 0 …: the rank of LICENCE_STATUS_RANK, for ORDER BY. */
const statusRank = sql<number>`CASE licences.status ${sql.join(
  Object.entries(LICENCE_STATUS_RANK).map(([status, rank]) => sql`WHEN ${sql.lit(status)} THEN ${sql.lit(rank)}`),
  sql` `,
)} ELSE 9 END`;

function selectLicences(db: Executor, personId: number) {
  return db
    .selectFrom('licences')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .innerJoin('institutions', 'institutions.id', 'licences.institution_id')
    .select((eb) => [
      'licences.id',
      'licences.name',
      'licences.product_code',
      'products.name as product_name',
      'products.service',
      'licences.institution_id',
      'institutions.name as institution_name',
      'licences.size_tb',
      'licences.start_date',
      'licences.end_date',
      'licences.status',
      'licences.owner_person_id',
      'licences.locked_at',
      'licences.lock_reason',
      isManagerOf(eb, personId).as('is_manager'),
      projectRolesOf(eb, personId).as('project_roles'),
      notApprovedOrder(eb).as('not_approved'),
    ]);
}

/**
 * The rejected new order of a licence it never set up (the rejection cancelled the licence while
 * it waited, so it has no start date), as JSON; null for any other licence. The licence's own
 * columns are checked first, so only such a licence looks up its orders.
 */
function notApprovedOrder(eb: LicenceScope) {
  return eb
    .selectFrom('orders')
    .select(
      sql<NotApprovedOrder>`jsonb_build_object('reference', orders.reference, 'reason', orders.status_reason)`.as('o'),
    )
    .where(sql<SqlBool>`licences.status = 'cancelled' AND licences.start_date IS NULL`)
    .whereRef('orders.licence_id', '=', 'licences.id')
    .where('orders.kind', '=', 'new')
    .where('orders.status', '=', 'rejected')
    .orderBy('orders.id', 'desc')
    .limit(1);
}

type LicenceRow = Awaited<ReturnType<ReturnType<typeof selectLicences>['execute']>>[number];

/** A person's roles on a licence row that selected `isManagerOf` and `projectRolesOf` for them. */
export function rolesOf(
  row: { owner_person_id: number; is_manager: SqlBool; project_roles: ProjectRole[] | null },
  personId: number,
): LicenceRole[] {
  const roles: LicenceRole[] = [];
  if (row.owner_person_id === personId) roles.push('data-owner');
  if (row.is_manager) roles.push('data-manager');
  for (const role of ['project-data-manager', 'project-data-user'] as const) {
    if (row.project_roles?.includes(role)) roles.push(role);
  }
  return roles;
}

function toListing(row: LicenceRow, personId: number): LicenceListing {
  return {
    id: row.id,
    name: row.name,
    productCode: row.product_code,
    productName: row.product_name,
    service: row.service,
    institutionId: row.institution_id,
    institutionName: row.institution_name,
    sizeTb: row.size_tb,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status,
    roles: rolesOf(row, personId),
    lock: row.locked_at ? { lockedAt: row.locked_at, reason: row.lock_reason } : null,
    notApproved: row.not_approved ?? null,
  };
}

/**
 * The licences a person holds a place on: as Data Owner, as a Data Manager, or as a member of one
 * of its storage projects, with each one's days to expiry as of `today`, its number of storage
 * projects and its annual cost at the price in force `today`. One query, whatever the number of
 * licences: the ones in use first (LICENCE_STATUS_RANK), then by name.
 */
export async function listLicencesForPerson(
  db: Executor,
  personId: number,
  today: string,
  page: {
    limit?: number;
    offset?: number;
    /** Only these services' licences (a view of the site as this person: view-as-rules.ts); all if not given. */
    services?: readonly ServiceCode[];
  } = {},
): Promise<LicenceListingPage> {
  const offset = page.offset ?? 0;
  const { services } = page;
  // The prepared statement for everyone; the same query with the services' condition for a view.
  const held = (p: HeldByParams) =>
    services ? licencesHeldBy(db, p).where('products.service', 'in', services).execute() : selectLicencesHeldBy(db, p);
  const rows = await held({ personId, today, limit: page.limit ?? DEFAULT_LICENCE_LIMIT, offset });
  // A page past the last one has no row to carry the total: the first row has it.
  const total = rows[0]?.total ?? (offset > 0 ? (await held({ personId, today, limit: 1, offset: 0 }))[0]?.total : 0);
  return {
    licences: rows.map((row) => ({
      ...toListing(row, personId),
      daysToExpiry: row.end_date === null ? null : daysToExpiry(row.end_date, today),
      projectCount: row.project_count,
      // Paid by its Data Owner: a person who only uses one of its projects is not asked for it.
      annualCostPence: paysForLicence(rolesOf(row, personId))
        ? annualCostPence({
            sizeTb: row.size_tb,
            status: row.status,
            customerClass: row.customer_class,
            pencePerTbYear: row.pence_per_tb_year,
          })
        : undefined,
    })),
    total: total ?? 0,
  };
}

// Prepared: My storage asks it on every view. The project count and the price in force are
// lateral subqueries of the same statement, each an indexed lookup per licence row.
type HeldByParams = { personId: number; today: string; limit: number; offset: number };

function licencesHeldBy(db: Executor, p: HeldByParams) {
  return selectLicences(db, p.personId)
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('storage_projects')
          .select(sql<number>`count(*)::int`.as('project_count'))
          .whereRef('storage_projects.licence_id', '=', 'licences.id')
          .where('storage_projects.status', '<>', 'removed')
          .as('projects'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('prices')
          .select('prices.pence_per_tb_year')
          .whereRef('prices.product_code', '=', 'licences.product_code')
          .whereRef('prices.customer_class', '=', 'institutions.customer_class')
          .where('prices.valid_from', '<=', p.today)
          .orderBy('prices.valid_from', 'desc')
          .limit(1)
          .as('price'),
      (join) => join.onTrue(),
    )
    .select([
      'institutions.customer_class',
      sql<number>`coalesce(projects.project_count, 0)`.as('project_count'),
      sql<number | null>`price.pence_per_tb_year`.as('pence_per_tb_year'),
      sql<number>`count(*) OVER ()`.as('total'),
    ])
    .where('licences.id', 'in', (eb) => heldLicenceIds(eb, p.personId))
    .orderBy(statusRank)
    .orderBy(sql`lower(licences.name)`)
    .orderBy('licences.id')
    .limit(p.limit)
    .offset(p.offset);
}
const selectLicencesHeldBy = preparedQuery(licencesHeldBy);

const personColumns = ['people.id', 'people.crsid', 'people.display_name', 'people.email', 'people.status'] as const;

function toPerson(row: {
  id: number;
  crsid: string;
  display_name: string;
  email: string;
  status: 'current' | 'left';
}): LicencePerson {
  return { id: row.id, crsid: row.crsid, displayName: row.display_name, email: row.email, status: row.status };
}

/**
 * One licence as the person may see it (see LicenceAccess above), or undefined when they may
 * not see it or it does not exist: the caller answers both with the same 404.
 */
export async function findLicenceForPerson(
  db: Executor,
  person: PersonWithRoles,
  licenceId: number,
): Promise<LicenceDetail | undefined> {
  const row = await selectLicences(db, person.id).where('licences.id', '=', licenceId).executeTakeFirst();
  if (!row) return undefined;
  const roles = rolesOf(row, person.id);
  const staff = isServiceStaff(person, row.service);
  const holdsLicence = roles.includes('data-owner') || roles.includes('data-manager');
  const access: LicenceAccess | undefined =
    holdsLicence || staff ? 'full' : roles.length > 0 ? 'project-member' : undefined;
  if (!access) return undefined;

  const [owner, managers, projects, orders] = await Promise.all([
    db
      .selectFrom('people')
      .select(personColumns)
      .where('people.id', '=', row.owner_person_id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('licence_managers')
      .innerJoin('people', 'people.id', 'licence_managers.person_id')
      .select(personColumns)
      .where('licence_managers.licence_id', '=', licenceId)
      .orderBy('people.display_name')
      .orderBy('people.id')
      .execute(),
    listProjects(db, licenceId, access === 'full' ? undefined : person.id),
    access === 'full' ? listOrdersForLicence(db, licenceId) : Promise.resolve([]),
  ]);
  return {
    ...toListing(row, person.id),
    access,
    viewedAsStaff: staff && roles.length === 0,
    owner: toPerson(owner),
    managers: managers.map(toPerson),
    projects,
    orders,
  };
}

/** A licence's storage projects with their members, in one query; only `memberId`'s own if given. */
export async function listProjects(
  db: Executor,
  licenceId: number,
  memberId?: number,
): Promise<StorageProjectSummary[]> {
  let query = db
    .selectFrom('storage_projects')
    .leftJoin('storage_project_members', 'storage_project_members.project_id', 'storage_projects.id')
    .leftJoin('people', 'people.id', 'storage_project_members.person_id')
    .select([
      'storage_projects.id as project_id',
      'storage_projects.name as project_name',
      'storage_projects.quota_tb',
      'storage_projects.status as project_status',
      'storage_projects.path',
      'storage_projects.share_name',
      'storage_projects.group_names',
      'storage_project_members.role',
      'people.id',
      'people.crsid',
      'people.display_name',
      'people.email',
      'people.status as person_status',
    ])
    .where('storage_projects.licence_id', '=', licenceId);
  if (memberId !== undefined) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('storage_project_members as mine')
          .select(sql.lit(1).as('one'))
          .whereRef('mine.project_id', '=', 'storage_projects.id')
          .where('mine.person_id', '=', memberId),
      ),
    );
  }
  const rows = await query
    .orderBy(sql`lower(storage_projects.name)`)
    .orderBy('storage_projects.id')
    .orderBy('storage_project_members.role')
    .orderBy('people.display_name')
    .execute();
  const projects = new Map<number, StorageProjectSummary>();
  for (const row of rows) {
    let project = projects.get(row.project_id);
    if (!project) {
      project = {
        id: row.project_id,
        name: row.project_name,
        quotaTb: row.quota_tb,
        status: row.project_status,
        path: row.path,
        shareName: row.share_name,
        groupNames: row.group_names ?? [],
        members: [],
      };
      projects.set(row.project_id, project);
    }
    if (
      row.role &&
      row.id !== null &&
      row.crsid !== null &&
      row.display_name !== null &&
      row.email !== null &&
      row.person_status !== null
    ) {
      project.members.push({
        id: row.id,
        crsid: row.crsid,
        displayName: row.display_name,
        email: row.email,
        status: row.person_status,
        role: row.role,
      });
    }
  }
  return [...projects.values()];
}

/**
 * One storage project, for its licence's Data Owner and Data Managers, its own members, and staff
 * of the licence's service; undefined for anyone else and for a project that does not exist.
 * A member of another project of the same licence does not see this one.
 */
export async function findProjectForPerson(
  db: Executor,
  person: PersonWithRoles,
  projectId: number,
): Promise<StorageProjectDetail | undefined> {
  const row = await db
    .selectFrom('storage_projects')
    .innerJoin('licences', 'licences.id', 'storage_projects.licence_id')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select((eb) => [
      'storage_projects.id',
      'storage_projects.name',
      'storage_projects.quota_tb',
      'storage_projects.status',
      'storage_projects.path',
      'storage_projects.share_name',
      'storage_projects.group_names',
      'licences.id as licence_id',
      'licences.name as licence_name',
      'licences.product_code',
      'products.name as product_name',
      'products.service',
      'licences.status as licence_status',
      'licences.owner_person_id',
      isManagerOf(eb, person.id).as('is_manager'),
    ])
    .where('storage_projects.id', '=', projectId)
    .executeTakeFirst();
  if (!row) return undefined;
  const members = await db
    .selectFrom('storage_project_members')
    .innerJoin('people', 'people.id', 'storage_project_members.person_id')
    .select([...personColumns, 'storage_project_members.role'])
    .where('storage_project_members.project_id', '=', projectId)
    .orderBy('storage_project_members.role')
    .orderBy('people.display_name')
    .orderBy('people.id')
    .execute();
  const roles = members.filter((member) => member.id === person.id).map((member) => member.role);
  const holdsLicence = row.owner_person_id === person.id || row.is_manager;
  const staff = isServiceStaff(person, row.service);
  if (!holdsLicence && roles.length === 0 && !staff) return undefined;
  return {
    id: row.id,
    name: row.name,
    quotaTb: row.quota_tb,
    status: row.status,
    path: row.path,
    shareName: row.share_name,
    groupNames: row.group_names ?? [],
    members: members.map((member) => ({ ...toPerson(member), role: member.role })),
    licence: {
      id: row.licence_id,
      name: row.licence_name,
      productCode: row.product_code,
      productName: row.product_name,
      service: row.service,
      status: row.licence_status,
    },
    roles,
    viewedAsStaff: staff && !holdsLicence && roles.length === 0,
  };
}

/** A licence's open flag (a closed finance code, someone who has left), as the licence page warns of it. */
export interface LicenceFlagSummary {
  kind: LicenceFlagKind;
  detail: string;
  raisedOn: string;
}

/** What the licence page warns of, for one licence of a list: its open flags and its projects' latest usage. */
export interface LicenceWarnings {
  /** Oldest first, as openLicenceFlags (the licence page's query) gives them. */
  flags: LicenceFlagSummary[];
  /** Each storage project's (not removed) latest reading from `from` to `to`, as licenceUsage counts them. */
  readings: ProjectReading[];
}

/**
 * The open flags and each project's latest usage reading of a page of licences, in one query
 * whatever their number (one indexed probe per licence and per project): what the licence page
 * reads one licence at a time (openLicenceFlags, licenceUsage), for the API's list of licences.
 */
export async function warningsOfLicences(
  db: Executor,
  licenceIds: readonly number[],
  from: string,
  to: string,
): Promise<Map<number, LicenceWarnings>> {
  if (licenceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('licences')
    .select([
      'licences.id',
      sql<LicenceFlagSummary[]>`(
        SELECT coalesce(jsonb_agg(jsonb_build_object('kind', f.kind, 'detail', f.detail, 'raisedOn', f.raised_on::text)
          ORDER BY f.id), '[]'::jsonb)
        FROM licence_flags f
        WHERE f.licence_id = licences.id AND f.cleared_on IS NULL
      )`.as('flags'),
      sql<ProjectReading[]>`(
        SELECT coalesce(jsonb_agg(jsonb_build_object('projectId', sp.id, 'readOn', r.read_on::text, 'usedBytes', r.used_bytes)
          ORDER BY sp.id), '[]'::jsonb)
        FROM storage_projects sp
        CROSS JOIN LATERAL (
          SELECT u.read_on, u.used_bytes FROM usage_readings u
          WHERE u.project_id = sp.id AND u.read_on >= ${from}::date AND u.read_on <= ${to}::date
          ORDER BY u.read_on DESC
          LIMIT 1
        ) r
        WHERE sp.licence_id = licences.id AND sp.status <> 'removed'
      )`.as('readings'),
    ])
    .where('licences.id', 'in', [...licenceIds])
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        flags: row.flags,
        readings: row.readings.map((reading) => ({
          projectId: Number(reading.projectId),
          readOn: reading.readOn,
          usedBytes: Number(reading.usedBytes),
        })),
      },
    ]),
  );
}

/**
 * SQL joining `p` (people) to the Data Owner and Data Managers of the licence aliased `licence`
 * in the surrounding query (its id in `idColumn`), one row each, only those still at the
 * University: who is told about a licence.
 */
export function currentKeepersJoin(licence: string, idColumn = 'id'): RawBuilder<unknown> {
  return sql`JOIN LATERAL (
      SELECT ${sql.ref(`${licence}.owner_person_id`)} AS person_id
      UNION
      SELECT m.person_id FROM licence_managers m WHERE m.licence_id = ${sql.ref(`${licence}.${idColumn}`)}
    ) who ON true
    JOIN people p ON p.id = who.person_id AND p.status = 'current'`;
}

/** The emails of the licence's Data Managers still at the University: who is told when its Data Owner has left. */
export async function currentManagerEmails(db: Executor, licenceId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('licence_managers')
    .innerJoin('people', 'people.id', 'licence_managers.person_id')
    .select('people.email')
    .where('licence_managers.licence_id', '=', licenceId)
    .where('people.status', '=', 'current')
    .orderBy('people.crsid')
    .execute();
  return rows.map((row) => row.email);
}

/** An audited change of a licence or of one of its storage projects, as pressed-twice.ts weighs it, with what it changed. */
export interface AuditedChange extends EarlierChange {
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * The latest audit rows of these actions on a licence (entity 'licence') or a storage project,
 * newest first (audit_events_entity_idx), each with who made it and whether within the last
 * PRESSED_TWICE_SECONDS: by the database's clock, which stamped them, so the app's clock (fixed in
 * tests, and the day jobs run "as of") never decides it.
 */
export async function latestChanges(
  db: Executor,
  entity: { type: 'licence' | 'storage-project'; id: number },
  actions: readonly string[],
  limit = 20,
): Promise<AuditedChange[]> {
  const rows = await db
    .selectFrom('audit_events as a')
    .leftJoin('people as p', 'p.id', 'a.actor_person_id')
    .select([
      'a.actor_person_id',
      'a.actor_label',
      'a.action',
      'p.display_name',
      'a.occurred_at',
      'a.before',
      'a.after',
      sql<boolean>`a.occurred_at > now() - make_interval(secs => ${PRESSED_TWICE_SECONDS})`.as('just_now'),
    ])
    .where('a.entity_type', '=', entity.type)
    .where('a.entity_id', '=', String(entity.id))
    .where('a.action', 'in', [...actions])
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    personId: row.actor_person_id,
    name: row.display_name ?? row.actor_label,
    at: row.occurred_at,
    justNow: row.just_now,
    action: row.action,
    before: row.before,
    after: row.after,
  }));
}
