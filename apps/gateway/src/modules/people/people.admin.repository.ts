import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { containsPattern } from '../admin/manage-forms.ts';
import type { ServiceCode, StaffRole } from './people.tables.ts';

/** People and their staff roles, as the back office finds and changes them. */

export interface StaffRoleGrant {
  id: number;
  role: StaffRole;
  service: ServiceCode | null;
  grantedAt: Date;
}

export interface AdminPersonListing {
  id: number;
  crsid: string;
  displayName: string;
  email: string;
  institutionName: string | null;
  status: 'current' | 'left';
  staffRoles: Array<{ role: StaffRole; service: ServiceCode | null }>;
}

/**
 * People whose CRSid starts with, or whose name contains, the text; by name, a page at a time, in
 * one query (their staff roles gathered in a subquery).
 */
export async function searchPeople(
  db: Executor,
  search: { text: string; limit: number; offset: number },
): Promise<{ people: AdminPersonListing[]; total: number }> {
  let query = db
    .selectFrom('people')
    .leftJoin('institutions', 'institutions.id', 'people.institution_id')
    .select((eb) => [
      'people.id',
      'people.crsid',
      'people.display_name',
      'people.email',
      'people.status',
      'institutions.name as institution_name',
      eb
        .selectFrom('staff_roles')
        .select(
          sql<Array<{
            role: StaffRole;
            service: ServiceCode | null;
          }> | null>`jsonb_agg(jsonb_build_object('role', staff_roles.role, 'service', staff_roles.service) ORDER BY staff_roles.role, staff_roles.service)`.as(
            'roles',
          ),
        )
        .whereRef('staff_roles.person_id', '=', 'people.id')
        .as('staff_roles'),
      sql<number>`count(*) OVER ()`.as('total'),
    ]);
  const text = search.text.trim().toLowerCase();
  if (text) {
    const prefix = `${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('people.crsid', 'like', prefix), eb(sql`lower(people.display_name)`, 'like', containsPattern(text))]),
    );
  }
  const rows = await query
    .orderBy(sql`lower(people.display_name)`)
    .orderBy('people.crsid')
    .limit(search.limit)
    .offset(search.offset)
    .execute();
  return {
    people: rows.map((row) => ({
      id: row.id,
      crsid: row.crsid,
      displayName: row.display_name,
      email: row.email,
      institutionName: row.institution_name,
      status: row.status,
      staffRoles: row.staff_roles ?? [],
    })),
    // A page past the last one has no row to carry the total (count(*) OVER () counts the page's rows):
    // the first page's does.
    total: Number(
      rows[0]?.total ?? (search.offset > 0 ? (await searchPeople(db, { ...search, limit: 1, offset: 0 })).total : 0),
    ),
  };
}

export interface AdminPerson extends Omit<AdminPersonListing, 'staffRoles'> {
  staffRoles: StaffRoleGrant[];
}

export async function findPersonByCrsid(db: Executor, crsid: string): Promise<AdminPerson | undefined> {
  const row = await db
    .selectFrom('people')
    .leftJoin('institutions', 'institutions.id', 'people.institution_id')
    .select([
      'people.id',
      'people.crsid',
      'people.display_name',
      'people.email',
      'people.status',
      'institutions.name as institution_name',
    ])
    .where('people.crsid', '=', crsid.toLowerCase())
    .executeTakeFirst();
  if (!row) return undefined;
  const roles = await db
    .selectFrom('staff_roles')
    .select(['id', 'role', 'service', 'granted_at'])
    .where('person_id', '=', row.id)
    .orderBy('role')
    .orderBy('service')
    .execute();
  return {
    id: row.id,
    crsid: row.crsid,
    displayName: row.display_name,
    email: row.email,
    institutionName: row.institution_name,
    status: row.status,
    staffRoles: roles.map((role) => ({
      id: role.id,
      role: role.role,
      service: role.service,
      grantedAt: role.granted_at,
    })),
  };
}

/**
 * Every superuser grant, locked for the rest of the transaction: role changes take turns, so two
 * superusers removing each other at once cannot leave none (the second finds it is no longer one).
 */
export async function lockSuperusers(tx: Executor): Promise<number[]> {
  const rows = await tx
    .selectFrom('staff_roles')
    .select('person_id')
    .where('role', '=', 'superuser')
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((row) => row.person_id);
}

/** Grants a role; undefined when the person already holds it. */
export async function insertStaffRole(
  tx: Executor,
  grant: { personId: number; role: StaffRole; service: ServiceCode | null },
): Promise<number | undefined> {
  const row = await tx
    .insertInto('staff_roles')
    .values({ person_id: grant.personId, role: grant.role, service: grant.service })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Removes one of the person's roles; the removed grant, or undefined when there was none. */
export async function deleteStaffRole(
  tx: Executor,
  personId: number,
  roleId: number,
): Promise<{ role: StaffRole; service: ServiceCode | null } | undefined> {
  return tx
    .deleteFrom('staff_roles')
    .where('id', '=', roleId)
    .where('person_id', '=', personId)
    .returning(['role', 'service'])
    .executeTakeFirst();
}
