import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { Actor } from '../audit/audit.repository.ts';
import { currentKeepersJoin } from '../licences/licences.repository.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { LicenceFlagKind } from './lifecycle.tables.ts';

/**
 * The SQL of the leaver flags: licences whose Data Owner, Data Managers or storage project members
 * include someone who has left the University. Each statement covers every licence at once.
 */
export const LEAVER_FLAGS_ACTOR = 'system: directory sync';
const KIND: LicenceFlagKind = 'member-left';
/** Licences whose people still matter: not deleted or cancelled. */
const LIVE = sql`l.status NOT IN ('deleted', 'cancelled')`;

export interface RaisedLeaverFlag {
  licenceId: number;
  licenceName: string;
  service: string;
  teamName: string;
  teamEmail: string;
  personId: number;
  detail: string;
  /** The leaver is the licence's Data Owner, whom only the service team can replace. */
  ownerLeft: boolean;
  /** The licence's status: an expired one or one in the cold store refuses people changes until renewed or recovered. */
  status: LicenceStatus;
}

/**
 * Flags every live licence with a leaver in one of its roles (one open flag per licence and
 * leaver, naming them and their roles), with an audit row each. Returns only the flags raised now,
 * by service then licence, so each is told about once, with each licence's status (what its keepers
 * can do about it).
 */
export async function raiseLeaverFlags(tx: Executor, asOf: string): Promise<RaisedLeaverFlag[]> {
  const result = await sql<{
    licence_id: number;
    name: string;
    service: string;
    team_name: string;
    team_email: string;
    person_id: number;
    detail: string;
    owner_left: boolean;
    status: LicenceStatus;
  }>`
    WITH leavers AS (
      SELECT id FROM people WHERE status = 'left'
    ), roles AS (
      SELECT l.id AS licence_id, l.owner_person_id AS person_id, 1 AS rank, 'Data Owner' AS role
      FROM leavers v JOIN licences l ON l.owner_person_id = v.id WHERE ${LIVE}
      UNION ALL
      SELECT l.id, m.person_id, 2, 'Data Manager'
      FROM leavers v JOIN licence_managers m ON m.person_id = v.id JOIN licences l ON l.id = m.licence_id
      WHERE ${LIVE}
      UNION ALL
      SELECT l.id, pm.person_id, 3,
        CASE pm.role WHEN 'project-data-manager' THEN 'Project Data Manager' ELSE 'Project Data User' END
          || ' of ' || sp.name
      FROM leavers v JOIN storage_project_members pm ON pm.person_id = v.id
      JOIN storage_projects sp ON sp.id = pm.project_id AND sp.status <> 'removed'
      JOIN licences l ON l.id = sp.licence_id
      WHERE ${LIVE}
    ), held AS (
      SELECT r.licence_id, r.person_id, string_agg(r.role, ', ' ORDER BY r.rank, r.role) AS roles
      FROM roles r GROUP BY r.licence_id, r.person_id
    ), flagged AS (
      INSERT INTO licence_flags (licence_id, kind, person_id, detail, raised_on)
      SELECT h.licence_id, ${KIND}, h.person_id,
        p.display_name || ' (' || p.crsid || '), ' || h.roles || ', has left the University.', ${asOf}::date
      FROM held h JOIN people p ON p.id = h.person_id
      ON CONFLICT (licence_id, kind, person_id) WHERE cleared_on IS NULL DO NOTHING
      RETURNING licence_id, person_id, detail
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
      SELECT ${LEAVER_FLAGS_ACTOR}, 'licence', f.licence_id::text, 'flagged: a member has left', NULL::jsonb,
        jsonb_build_object('personId', f.person_id, 'detail', f.detail, 'asOf', ${asOf}::text), f.licence_id
      FROM flagged f
    )
    SELECT f.licence_id, l.name, pr.service, s.team_name, s.team_email, f.person_id, f.detail,
      f.person_id = l.owner_person_id AS owner_left, l.status
    FROM flagged f
    JOIN licences l ON l.id = f.licence_id
    JOIN products pr ON pr.code = l.product_code
    JOIN services s ON s.code = pr.service
    ORDER BY pr.service, f.licence_id, f.detail
  `.execute(tx);
  return result.rows.map((row) => ({
    licenceId: Number(row.licence_id),
    licenceName: row.name,
    service: row.service,
    teamName: row.team_name,
    teamEmail: row.team_email,
    personId: Number(row.person_id),
    detail: row.detail,
    ownerLeft: row.owner_left,
    status: row.status,
  }));
}

/**
 * Clears the open leaver flags (of one licence, or all) whose person is current again or holds no
 * role on the licence any more, or whose licence is deleted or cancelled, with an audit row each,
 * as of `asOf` (the sync's day, or the injected clock's today for a change made on a licence's
 * page: never the database server's clock), in the name of `actor` (the directory sync unless a
 * person's change cleared them). Returns how many.
 */
export async function clearLeaverFlags(
  tx: Executor,
  asOf: string,
  licenceId?: number,
  actor: Actor = { personId: null, label: LEAVER_FLAGS_ACTOR },
): Promise<number> {
  const day = sql`${asOf}::date`;
  const result = await sql<{ licence_id: number }>`
    WITH cleared AS (
      UPDATE licence_flags f SET cleared_on = ${day}
      FROM licences l, people p
      WHERE f.kind = ${KIND} AND f.cleared_on IS NULL AND l.id = f.licence_id AND p.id = f.person_id
        ${licenceId === undefined ? sql`` : sql`AND f.licence_id = ${licenceId}`}
        AND (
          p.status = 'current' OR NOT (${LIVE})
          OR (
            l.owner_person_id <> p.id
            AND NOT EXISTS (SELECT 1 FROM licence_managers m WHERE m.licence_id = l.id AND m.person_id = p.id)
            AND NOT EXISTS (
              SELECT 1 FROM storage_project_members pm
              JOIN storage_projects sp ON sp.id = pm.project_id AND sp.status <> 'removed'
              WHERE sp.licence_id = l.id AND pm.person_id = p.id
            )
          )
        )
      RETURNING f.licence_id, f.person_id, f.detail, p.status
    )
    INSERT INTO audit_events (actor_label, actor_person_id, entity_type, entity_id, action, before, after, licence_id)
    SELECT ${actor.label}, ${actor.personId}::bigint, 'licence', c.licence_id::text,
      CASE WHEN c.status = 'current' THEN 'flag cleared: the member has returned'
        ELSE 'flag cleared: the leaver no longer has a role' END,
      jsonb_build_object('flag', ${KIND}::text, 'detail', c.detail),
      jsonb_build_object('personId', c.person_id, 'asOf', ${day}::text),
      c.licence_id
    FROM cleared c
    RETURNING licence_id
  `.execute(tx);
  return result.rows.length;
}

export interface LicenceKeeper {
  personId: number;
  email: string;
  displayName: string;
  licenceId: number;
}

/** The current Data Owners and Data Managers of these licences, a row per person and licence, by person. */
export async function currentKeepers(tx: Executor, licenceIds: readonly number[]): Promise<LicenceKeeper[]> {
  if (licenceIds.length === 0) return [];
  const result = await sql<{ person_id: number; email: string; display_name: string; licence_id: number }>`
    SELECT p.id AS person_id, p.email, p.display_name, l.id AS licence_id
    FROM licences l
    ${currentKeepersJoin('l')}
    WHERE l.id = ANY(${`{${licenceIds.map((id) => Math.trunc(id)).join(',')}}`}::bigint[])
    ORDER BY p.id, l.id
  `.execute(tx);
  return result.rows.map((row) => ({
    personId: Number(row.person_id),
    email: row.email,
    displayName: row.display_name,
    licenceId: Number(row.licence_id),
  }));
}
