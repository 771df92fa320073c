import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { CustomerClass, ServiceCode, StaffRole } from './people.tables.ts';

export interface StaffGrant {
  role: StaffRole;
  service: ServiceCode | null;
}

export interface PersonWithRoles {
  id: number;
  crsid: string;
  displayName: string;
  email: string;
  institutionId: string | null;
  staffRoles: StaffGrant[];
}

export async function findPersonWithRoles(db: Executor, personId: number): Promise<PersonWithRoles | undefined> {
  const [row] = await selectPersonWithRoles(db, { personId });
  return row && toPersonWithRoles(row);
}

/**
 * A person's staff roles as one JSON array, for a query that selects from `people`: one row per
 * person, so the session's statement (session-store.ts) can read the person in the same row.
 */
export const staffRolesJson = sql<
  StaffGrant[]
>`(SELECT coalesce(json_agg(json_build_object('role', r.role, 'service', r.service) ORDER BY r.role, r.service), '[]'::json) FROM staff_roles r WHERE r.person_id = people.id)`;

export const PERSON_WITH_ROLES_COLUMNS = [
  'people.id',
  'people.crsid',
  'people.display_name',
  'people.email',
  'people.institution_id',
] as const;

export interface PersonWithRolesRow {
  id: number | null;
  crsid: string | null;
  display_name: string | null;
  email: string | null;
  institution_id: string | null;
  staff_roles: StaffGrant[] | null;
}

/** The person of a row with PERSON_WITH_ROLES_COLUMNS and staffRolesJson; none when a join found nobody. */
export function toPersonWithRoles(row: PersonWithRolesRow): PersonWithRoles | undefined {
  if (row.id === null || row.crsid === null || row.display_name === null || row.email === null) return undefined;
  return {
    id: row.id,
    crsid: row.crsid,
    displayName: row.display_name,
    email: row.email,
    institutionId: row.institution_id,
    staffRoles: row.staff_roles ?? [],
  };
}

// Prepared: asked for tokens, view-as and sign-in.
const selectPersonWithRoles = preparedQuery((db, p: { personId: number }) =>
  db
    .selectFrom('people')
    .select([...PERSON_WITH_ROLES_COLUMNS, staffRolesJson.as('staff_roles')])
    .where('people.id', '=', p.personId)
    .where('people.status', '=', 'current'),
);

export interface PersonListing {
  id: number;
  crsid: string;
  displayName: string;
  institutionName: string | null;
  staffRoles: string | null;
}

/** People for the dev sign-in page: staff first, so the demo roles are easy to find. */
export async function listPeopleForSignIn(db: Executor, limit: number): Promise<PersonListing[]> {
  const rows = await db
    .selectFrom('people')
    .leftJoin('institutions', 'institutions.id', 'people.institution_id')
    .leftJoin('staff_roles', 'staff_roles.person_id', 'people.id')
    .select([
      'people.id',
      'people.crsid',
      'people.display_name',
      'institutions.name as institution_name',
      sql<string | null>`string_agg(staff_roles.role || coalesce(' (' || staff_roles.service || ')', ''), ', ')`.as(
        'roles',
      ),
    ])
    .where('people.status', '=', 'current')
    .groupBy(['people.id', 'people.crsid', 'people.display_name', 'institutions.name'])
    .orderBy(({ fn }) => fn.count('staff_roles.id'), 'desc')
    .orderBy('people.crsid')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    crsid: row.crsid,
    displayName: row.display_name,
    institutionName: row.institution_name,
    staffRoles: row.roles,
  }));
}

export interface IdentityClaims {
  crsid: string;
  displayName: string;
  email: string;
}

/**
 * The person behind a sign-in: found by CRSid, or recorded on their first sign-in so that any
 * member of the University can buy storage without being set up first.
 */
export async function findOrCreatePersonByCrsid(db: Executor, claims: IdentityClaims): Promise<number> {
  const row = await db
    .insertInto('people')
    .values({ crsid: claims.crsid, display_name: claims.displayName, email: claims.email, institution_id: null })
    .onConflict((oc) => oc.column('crsid').doUpdateSet({ crsid: claims.crsid }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface DirectoryPerson {
  id: number;
  crsid: string;
  displayName: string;
  email: string;
  status: 'current' | 'left';
  /** Their department or College, as the directory has it; none for some (visitors, say). */
  institutionId: string | null;
}

/** The people with these CRSids (lower-cased), in one query; missing ones are simply absent. */
export async function findPeopleByCrsids(db: Executor, crsids: readonly string[]): Promise<DirectoryPerson[]> {
  if (crsids.length === 0) return [];
  const rows = await db
    .selectFrom('people')
    .select(['id', 'crsid', 'display_name', 'email', 'status', 'institution_id'])
    .where(
      'crsid',
      'in',
      crsids.map((crsid) => crsid.toLowerCase()),
    )
    .execute();
  return rows.map((row) => ({
    id: row.id,
    crsid: row.crsid,
    displayName: row.display_name,
    email: row.email,
    status: row.status,
    institutionId: row.institution_id,
  }));
}

export interface Institution {
  id: string;
  name: string;
  kind: 'department' | 'college' | 'external';
  customerClass: CustomerClass;
}

/** Every institution a licence can belong to, by name, for the department picker. */
export async function listInstitutions(db: Executor): Promise<Institution[]> {
  const rows = await db.selectFrom('institutions').selectAll().orderBy('name').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, kind: row.kind, customerClass: row.customer_class }));
}

export async function findInstitution(db: Executor, id: string): Promise<Institution | undefined> {
  return (await listInstitutions(db)).find((institution) => institution.id === id);
}
