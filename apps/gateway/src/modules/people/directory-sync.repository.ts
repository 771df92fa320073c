import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { DirectoryEntry } from '../../platform/directory/directory.ts';

/** Who the directory sync's audit rows say acted. */
export const DIRECTORY_SYNC_ACTOR = 'system: directory sync';

export interface BatchOutcome {
  /** People of ours whose name, email, institution or status changed. */
  changed: number;
  /** Of those, people found to have left. */
  left: number;
  /** Of those, people who had left and are current again. */
  returned: number;
}

/**
 * Brings the people we know (by CRSid) in line with one batch of directory entries, in one
 * statement with an audit row per changed person: names, emails, institutions (only those we
 * know, else unchanged) and status. A person found to have left gets `left_on` = `asOf` (kept
 * while they stay left); a returner is current again with no `left_on`. Rows already in line are
 * not touched, so a second run changes nothing. People not in the batch, and directory entries
 * who are not our people, are left alone.
 */
export async function applyDirectoryBatch(
  tx: Executor,
  entries: readonly DirectoryEntry[],
  asOf: string,
): Promise<BatchOutcome> {
  if (entries.length === 0) return { changed: 0, left: 0, returned: 0 };
  const rows = entries.map((entry) => ({
    crsid: entry.crsid.toLowerCase(),
    display_name: entry.displayName,
    email: entry.email,
    institution_id: entry.institutionId,
    status: entry.status,
  }));
  const result = await sql<{ changed: string | number; left: string | number; returned: string | number }>`
    WITH d AS (
      SELECT DISTINCT ON (d.crsid) d.crsid, d.display_name, d.email, d.status, i.id AS institution_id
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS d(crsid text, display_name text, email text, institution_id text, status text)
      LEFT JOIN institutions i ON i.id = d.institution_id
      ORDER BY d.crsid
    ), cur AS (
      SELECT p.id, p.display_name, p.email, p.institution_id, p.status,
        d.display_name AS new_name, d.email AS new_email,
        coalesce(d.institution_id, p.institution_id) AS new_institution, d.status AS new_status
      FROM people p JOIN d ON d.crsid = p.crsid
      WHERE (p.display_name, p.email, p.institution_id, p.status)
        IS DISTINCT FROM (d.display_name, d.email, coalesce(d.institution_id, p.institution_id), d.status)
    ), changed AS (
      UPDATE people p
      SET display_name = c.new_name, email = c.new_email, institution_id = c.new_institution, status = c.new_status,
        left_on = CASE WHEN c.new_status = 'left' THEN coalesce(p.left_on, ${asOf}::date) END
      FROM cur c
      WHERE p.id = c.id
      RETURNING p.id
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after)
      SELECT ${DIRECTORY_SYNC_ACTOR}, 'person', c.id::text,
        CASE
          WHEN c.status = 'current' AND c.new_status = 'left' THEN 'left the University'
          WHEN c.status = 'left' AND c.new_status = 'current' THEN 'returned to the University'
          ELSE 'details updated from the directory'
        END,
        jsonb_build_object('displayName', c.display_name, 'email', c.email, 'institution', c.institution_id,
          'status', c.status),
        jsonb_build_object('displayName', c.new_name, 'email', c.new_email, 'institution', c.new_institution,
          'status', c.new_status, 'asOf', ${asOf}::text)
      FROM cur c JOIN changed ch ON ch.id = c.id
    )
    SELECT count(*) AS changed,
      count(*) FILTER (WHERE c.status = 'current' AND c.new_status = 'left') AS left,
      count(*) FILTER (WHERE c.status = 'left' AND c.new_status = 'current') AS returned
    FROM cur c
  `.execute(tx);
  const row = result.rows[0];
  return { changed: Number(row?.changed ?? 0), left: Number(row?.left ?? 0), returned: Number(row?.returned ?? 0) };
}
