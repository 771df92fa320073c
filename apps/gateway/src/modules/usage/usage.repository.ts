import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { currentKeepersJoin } from '../licences/licences.repository.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { BYTES_PER_TB, type ProjectReading, type Reading, type UsageSettings } from './usage-readings.ts';

/** The usage module's SQL: each statement covers a whole batch of readings or every licence, never one row. */
export const USAGE_WARNING_ACTOR = 'system: near-quota warnings';

const textArray = (values: readonly string[]) => `{${values.map((value) => `"${value}"`).join(',')}}`;

export interface WrittenBatch {
  /** Readings for a project and day not read before. */
  added: number;
  /** Readings that replaced a different value for their project and day. */
  changed: number;
  /** Lines whose path names no storage project the importer may import for. */
  unknownLines: number[];
}

/**
 * Stores a batch of valid readings in one statement: each path is looked up among the storage
 * projects (not removed) of `services`, and each reading inserted, or replacing the value of its
 * project and day if different (the same value again changes nothing). Returns the counts and
 * the lines whose path matched no project.
 */
export async function writeReadings(
  tx: Executor,
  readings: readonly Reading[],
  source: string,
  services: readonly ServiceCode[],
): Promise<WrittenBatch> {
  const input = JSON.stringify(
    readings.map((r) => ({ line: r.line, path: r.path, read_on: r.readOn, used_bytes: r.usedBytes })),
  );
  const result = await sql<{ added: string | number; changed: string | number; unknown_lines: number[] }>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS r(line int, path text, read_on date, used_bytes bigint)
    ), matched AS (
      SELECT r.line, sp.id AS project_id, sp.licence_id, r.read_on, r.used_bytes
      FROM input r
      JOIN storage_projects sp ON sp.path = r.path AND sp.status <> 'removed'
      JOIN licences l ON l.id = sp.licence_id
      JOIN products pr ON pr.code = l.product_code
      WHERE pr.service = ANY(${textArray(services)}::text[])
    ), written AS (
      INSERT INTO usage_readings (project_id, licence_id, read_on, used_bytes, source)
      SELECT project_id, licence_id, read_on, used_bytes, ${source} FROM matched
      ON CONFLICT (project_id, read_on) DO UPDATE
        SET used_bytes = EXCLUDED.used_bytes, source = EXCLUDED.source, imported_at = now()
        WHERE usage_readings.used_bytes <> EXCLUDED.used_bytes
      RETURNING (xmax = 0) AS inserted
    )
    SELECT
      (SELECT count(*) FROM written WHERE inserted) AS added,
      (SELECT count(*) FROM written WHERE NOT inserted) AS changed,
      ARRAY(SELECT r.line FROM input r WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.line = r.line) ORDER BY r.line)
        AS unknown_lines
  `.execute(tx);
  const row = result.rows[0];
  return {
    added: Number(row?.added ?? 0),
    changed: Number(row?.changed ?? 0),
    unknownLines: (row?.unknown_lines ?? []).map(Number),
  };
}

/** Each active storage project's readings for the licence from `from` to `to` (YYYY-MM-DD), oldest first. */
export async function licenceReadings(
  db: Executor,
  licenceId: number,
  from: string,
  to: string,
): Promise<ProjectReading[]> {
  // as the warnings count it (latestUsage): a removed project's data is gone, so its readings are not usage
  const rows = await db
    .selectFrom('usage_readings as u')
    .innerJoin('storage_projects as sp', 'sp.id', 'u.project_id')
    .select(['u.project_id', 'u.read_on', 'u.used_bytes'])
    .where('u.licence_id', '=', licenceId)
    .where('sp.status', '<>', 'removed')
    .where('u.read_on', '>=', from)
    .where('u.read_on', '<=', to)
    .orderBy('u.read_on')
    .orderBy('u.project_id')
    .execute();
  return rows.map((row) => ({
    projectId: Number(row.project_id),
    readOn: row.read_on,
    usedBytes: Number(row.used_bytes),
  }));
}

/** A storage project's latest reading on or before `asOf` (YYYY-MM-DD), if it has one. */
export async function latestProjectReading(
  db: Executor,
  projectId: number,
  asOf: string,
): Promise<ProjectReading | undefined> {
  const row = await db
    .selectFrom('usage_readings')
    .select(['read_on', 'used_bytes'])
    .where('project_id', '=', projectId)
    .where('read_on', '<=', asOf)
    .orderBy('read_on', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { projectId, readOn: row.read_on, usedBytes: Number(row.used_bytes) };
}

/**
 * Each licence's usage as of `asOf`: the sum of its storage projects' latest readings on or before
 * that day (one index probe per project), counted only when the newest of them is from the last
 * `readingMaxAgeDays` days. A project not read lately counts with its last reading, as on the chart.
 */
function latestUsage(asOf: string, settings: UsageSettings): RawBuilder<unknown> {
  return sql`
    SELECT sp.licence_id, sum(r.used_bytes)::bigint AS used_bytes, max(r.read_on) AS read_on
    FROM storage_projects sp
    CROSS JOIN LATERAL (
      SELECT u.used_bytes, u.read_on FROM usage_readings u
      WHERE u.project_id = sp.id AND u.read_on <= ${asOf}::date
      ORDER BY u.read_on DESC
      LIMIT 1
    ) r
    WHERE sp.status <> 'removed'
    GROUP BY sp.licence_id
    HAVING max(r.read_on) > ${asOf}::date - ${settings.readingMaxAgeDays}::int
  `;
}

/** `used` is at least the warning percentage of the licence's size (exact, in numeric). */
const nearQuota = (used: RawBuilder<unknown>, settings: UsageSettings) =>
  sql`${used}::numeric * 100 >= ${settings.warningPercent}::numeric * l.size_tb * ${BYTES_PER_TB}::numeric`;

/**
 * Re-arms the open warnings of licences whose size has grown since, or whose latest usage (a
 * fresh reading) is now below the threshold, with an audit row each, in one statement. A licence
 * with no fresh reading keeps its warning. Returns how many.
 */
export async function rearmWarnings(tx: Executor, asOf: string, settings: UsageSettings): Promise<number> {
  const result = await sql<{ licence_id: number }>`
    WITH usage AS (${latestUsage(asOf, settings)}),
    rearmed AS (
      UPDATE usage_warnings w SET rearmed_on = ${asOf}::date
      FROM licences l LEFT JOIN usage u ON u.licence_id = l.id
      WHERE w.licence_id = l.id AND w.rearmed_on IS NULL
        AND (l.size_tb > w.size_tb OR (u.used_bytes IS NOT NULL AND NOT (${nearQuota(sql`u.used_bytes`, settings)})))
      RETURNING w.licence_id, w.size_tb, l.size_tb AS new_size_tb, u.used_bytes
    )
    INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
    SELECT ${USAGE_WARNING_ACTOR}, 'licence', r.licence_id::text,
      CASE WHEN r.new_size_tb > r.size_tb THEN 'near-quota warning re-armed: size grown'
        ELSE 'near-quota warning re-armed: usage below the threshold' END,
      jsonb_build_object('sizeTb', r.size_tb),
      jsonb_build_object('sizeTb', r.new_size_tb, 'usedBytes', r.used_bytes, 'asOf', ${asOf}::text),
      r.licence_id
    FROM rearmed r
    RETURNING licence_id
  `.execute(tx);
  return result.rows.length;
}

export interface NearQuotaRecipient {
  personId: number;
  email: string;
  displayName: string;
  licenceId: number;
  licenceName: string;
  sizeTb: number;
  usedBytes: number;
  readOn: string;
}

/**
 * Records a warning for every active licence near its quota as of `asOf` that has no open one,
 * with an audit row each, in one statement. Returns those licences once per Data Owner and Data
 * Manager who has not left, by person then licence: only the licences warned now, so nobody is
 * told twice.
 */
export async function recordNearQuotaWarnings(
  tx: Executor,
  asOf: string,
  settings: UsageSettings,
): Promise<NearQuotaRecipient[]> {
  const result = await sql<{
    person_id: number;
    email: string;
    display_name: string;
    licence_id: number;
    name: string;
    size_tb: number;
    used_bytes: number;
    read_on: string;
  }>`
    WITH usage AS (${latestUsage(asOf, settings)}),
    near AS (
      SELECT l.id AS licence_id, l.name, l.size_tb, l.owner_person_id, u.used_bytes, u.read_on
      FROM usage u JOIN licences l ON l.id = u.licence_id
      WHERE l.status = 'active' AND ${nearQuota(sql`u.used_bytes`, settings)}
    ), warned AS (
      INSERT INTO usage_warnings (licence_id, size_tb, used_bytes, read_on, warned_on)
      SELECT licence_id, size_tb, used_bytes, read_on, ${asOf}::date FROM near
      ON CONFLICT (licence_id) WHERE rearmed_on IS NULL DO NOTHING
      RETURNING licence_id
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
      SELECT ${USAGE_WARNING_ACTOR}, 'licence', n.licence_id::text, 'near-quota warning sent', NULL::jsonb,
        jsonb_build_object('usedBytes', n.used_bytes, 'sizeTb', n.size_tb, 'readOn', n.read_on::text,
          'percent', ${settings.warningPercent}::int, 'asOf', ${asOf}::text),
        n.licence_id
      FROM near n JOIN warned w ON w.licence_id = n.licence_id
    )
    SELECT p.id AS person_id, p.email, p.display_name, n.licence_id, n.name, n.size_tb, n.used_bytes, n.read_on
    FROM near n
    JOIN warned w ON w.licence_id = n.licence_id
    ${currentKeepersJoin('n', 'licence_id')}
    ORDER BY p.id, n.licence_id
  `.execute(tx);
  return result.rows.map((row) => ({
    personId: Number(row.person_id),
    email: row.email,
    displayName: row.display_name,
    licenceId: Number(row.licence_id),
    licenceName: row.name,
    sizeTb: Number(row.size_tb),
    usedBytes: Number(row.used_bytes),
    readOn: row.read_on,
  }));
}
