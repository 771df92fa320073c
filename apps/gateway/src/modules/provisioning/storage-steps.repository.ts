import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { LicenceStorageState, ProvisionerKind } from '../../platform/provisioner/provisioner.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { IN_PROGRESS_STATUSES } from '../orders/order-status.ts';

/**
 * licence_storage_steps (migration 0011): the nightly lifecycle's steps that the storage must take,
 * and when (and how) the storage was told. Set-based: whole batches in one statement each.
 */
const bigintArray = (values: readonly number[]) => `{${values.map((value) => Math.trunc(value)).join(',')}}`;

/**
 * For the nightly job's statement: records the storage steps of `rows` (a relation of licence_id and
 * state; a row without a state is not the storage's to take) as of `asOf`; a step already recorded
 * is skipped. Returns the step of each row added.
 */
export function recordStorageStepsOf(
  rows: RawBuilder<unknown>,
  asOf: string,
): RawBuilder<{ step: LicenceStorageState }> {
  return sql`
    INSERT INTO licence_storage_steps (licence_id, step, as_of)
    SELECT r.licence_id, r.state, ${asOf}::date FROM ${rows} r WHERE r.state IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING step`;
}

export interface UntoldLicence {
  id: number;
  name: string;
  product: string;
  endDate: string;
  status: LicenceStatus;
  service: string;
  teamName: string;
  teamEmail: string;
  /** The reference of the licence's renewal order in progress (waiting for approval or being carried out), if any. */
  renewalWaiting: string | null;
}

/**
 * The next `limit` licences of the day and step not told yet, by id, each with its renewal order in
 * progress, if any: one statement, the orders joined (a licence has at most one change order in
 * progress, by migration 0010's unique index, whose condition the join repeats to read that index).
 */
export async function untoldLicences(
  db: Executor,
  state: LicenceStorageState,
  asOf: string,
  limit: number,
): Promise<UntoldLicence[]> {
  const result = await sql<{
    id: string;
    name: string;
    product_code: string;
    end_date: string;
    status: LicenceStatus;
    service: string;
    team_name: string;
    team_email: string;
    renewal_waiting: string | null;
  }>`
    SELECT l.id, l.name, l.product_code, l.end_date, l.status, p.service, s.team_name, s.team_email,
           CASE WHEN w.kind = 'renewal' THEN w.reference END AS renewal_waiting
      FROM licence_storage_steps step
      JOIN licences l ON l.id = step.licence_id
      JOIN products p ON p.code = l.product_code
      JOIN services s ON s.code = p.service
      LEFT JOIN orders w ON w.licence_id = l.id AND w.kind <> 'new'
       AND w.status IN (${sql.join(IN_PROGRESS_STATUSES.map((status) => sql.lit(status)))})
     WHERE step.as_of = ${asOf}::date AND step.step = ${state} AND step.told_at IS NULL
     ORDER BY step.licence_id
     LIMIT ${limit}`.execute(db);
  return result.rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    product: row.product_code,
    endDate: row.end_date,
    status: row.status,
    service: row.service,
    teamName: row.team_name,
    teamEmail: row.team_email,
    renewalWaiting: row.renewal_waiting,
  }));
}

const TOLD_ACTIONS: Record<LicenceStorageState, string> = {
  'read-only': 'storage told: read-only',
  'cold-store': 'storage told: to the cold store',
};

/**
 * Marks the step told for these licences, with an audit row each saying how (the provisioner, or
 * the service team by email), in one statement; `skipped` (the licence moved on first) is not
 * audited. Returns how many were marked now.
 */
export async function markStorageStepsTold(
  tx: Executor,
  state: LicenceStorageState,
  asOf: string,
  licenceIds: readonly number[],
  how: ProvisionerKind | 'skipped',
  now: Date,
): Promise<number> {
  if (licenceIds.length === 0) return 0;
  const told =
    how === 'manual' ? 'the service team, by email' : how === 'skipped' ? 'nobody' : `the provisioner (${how})`;
  const result = await sql<{ count: string }>`
    WITH told AS (
      UPDATE licence_storage_steps SET told_at = ${now}, told_how = ${how}
       WHERE as_of = ${asOf}::date AND step = ${state} AND told_at IS NULL
         AND licence_id = ANY(${bigintArray(licenceIds)}::bigint[])
      RETURNING licence_id
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
      SELECT ${`system: provisioner (${how === 'skipped' ? 'manual' : how})`}, 'licence', t.licence_id::text,
             ${TOLD_ACTIONS[state]}, NULL,
             jsonb_build_object('step', ${state}::text, 'asOf', ${asOf}::text, 'told', ${told}::text),
             t.licence_id
        FROM told t WHERE ${how} <> 'skipped'
    )
    SELECT count(*)::text AS count FROM told`.execute(tx);
  return Number(result.rows[0]?.count ?? 0);
}
