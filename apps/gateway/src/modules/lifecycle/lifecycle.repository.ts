import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { currentKeepersJoin } from '../licences/licences.repository.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { LifecycleNoticeData } from './lifecycle.tables.ts';
import type { LifecycleSettings } from './lifecycle-dates.ts';

/**
 * The nightly job's SQL: each step is one statement over every licence it concerns (no query
 * per licence), and applies the rules of lifecycle-dates.ts.
 */
export const LIFECYCLE_ACTOR = 'system: lifecycle';

/** The latest day before `asOf` the nightly job ran for, or null if it never has. */
export async function previousRunDay(db: Executor, asOf: string): Promise<string | null> {
  const row = await db
    .selectFrom('lifecycle_runs')
    .select((eb) => eb.fn.max('as_of').as('day'))
    .where('as_of', '<', asOf)
    .executeTakeFirst();
  return row?.day ?? null;
}

export async function recordRun(db: Executor, asOf: string): Promise<void> {
  await db
    .insertInto('lifecycle_runs')
    .values({ as_of: asOf })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const intArray = (values: readonly number[]) => `{${values.map((value) => Math.trunc(value)).join(',')}}`;

export interface ReminderRecorded {
  licenceId: number;
  days: number;
}

/**
 * Records the reminders due as of `asOf` for active, unlocked licences: for each, the latest
 * threshold crossed since `previous` (exclusive; just `asOf` when null) and no later than its end
 * date. One already recorded for that licence, end date and threshold is skipped, so a second
 * run records nothing. Returns what was recorded now.
 */
export async function recordDueReminders(
  tx: Executor,
  asOf: string,
  previous: string | null,
  reminderDays: readonly number[],
): Promise<ReminderRecorded[]> {
  const from = previous ?? sql<string>`(${asOf}::date - 1)`;
  const result = await sql<{ licence_id: number; days: number }>`
    WITH due AS (
      SELECT DISTINCT ON (l.id) l.id AS licence_id, l.end_date, t.days
      FROM unnest(${intArray(reminderDays)}::int[]) AS t(days)
      JOIN licences l
        ON l.status = 'active'
        AND l.end_date > ${from}::date + t.days
        AND l.end_date <= ${asOf}::date + t.days
      WHERE l.locked_at IS NULL AND l.end_date >= ${asOf}::date
      ORDER BY l.id, t.days
    )
    INSERT INTO licence_reminders (licence_id, end_date, days, sent_on)
    SELECT licence_id, end_date, days, ${asOf}::date FROM due
    ON CONFLICT DO NOTHING
    RETURNING licence_id, days
  `.execute(tx);
  return result.rows.map((row) => ({ licenceId: Number(row.licence_id), days: row.days }));
}

/** How many notices (lifecycle_notices, one per email) a statement wrote. */
export interface NoticesWritten {
  notices: number;
}

/**
 * The notices `rows` call for: one per person (to_address), listing their licences by end date.
 * `rows` is a relation of person_id, email, display_name, licence_id, name, end_date.
 */
function writeNotices(template: string, asOf: string, rows: RawBuilder<unknown>) {
  return sql`
    INSERT INTO lifecycle_notices (template, as_of, to_address, data)
    SELECT ${template}, ${asOf}::date, r.email,
      jsonb_build_object('displayName', r.display_name, 'licences', jsonb_agg(
        jsonb_build_object('licenceId', r.licence_id, 'licenceName', r.name, 'endDate', r.end_date)
        ORDER BY r.end_date, r.licence_id))
    FROM ${rows} r
    GROUP BY r.person_id, r.email, r.display_name
    ORDER BY r.person_id
    RETURNING id`;
}

/**
 * Writes a reminder notice for each Data Owner and Data Manager of these licences who has not
 * opted out of reminders and has not left the University: one per person, listing all their
 * licences due.
 */
export async function writeReminderNotices(
  tx: Executor,
  licenceIds: readonly number[],
  asOf: string,
  template: string,
): Promise<NoticesWritten> {
  if (licenceIds.length === 0) return { notices: 0 };
  const recipients = sql`(
    SELECT p.id AS person_id, p.email, p.display_name, l.id AS licence_id, l.name, l.end_date
    FROM licences l
    ${currentKeepersJoin('l')}
    WHERE l.id = ANY(${intArray(licenceIds)}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM reminder_opt_outs o WHERE o.person_id = p.id)
  )`;
  const result = await sql<{ notices: number }>`
    WITH written AS (${writeNotices(template, asOf, recipients)})
    SELECT count(*)::int AS notices FROM written
  `.execute(tx);
  return { notices: result.rows[0]?.notices ?? 0 };
}

export type ExpiryStep = 'suspend' | 'cold' | 'deletable';

const STEPS: Record<ExpiryStep, { from: LicenceStatus; to: LicenceStatus; action: string }> = {
  suspend: { from: 'active', to: 'suspended', action: 'suspended (end date passed)' },
  cold: { from: 'suspended', to: 'cold', action: 'moved to the cold store' },
  deletable: { from: 'cold', to: 'deletable', action: 'became deletable' },
};

/**
 * Moves every unlocked licence of the step's status whose day has come (as of `asOf`) to the
 * next status, with an audit row each and a notice (`template`) to each Data Owner listing theirs
 * (none to one who has left), in one statement. Answers the ids of the licences moved, and how
 * many notices.
 */
export async function advanceLicences(
  tx: Executor,
  step: ExpiryStep,
  asOf: string,
  settings: LifecycleSettings,
  now: Date,
  template: string,
  note: Record<string, string> = {},
): Promise<NoticesWritten & { moved: { licenceId: number }[] }> {
  const { from, to, action } = STEPS[step];
  const due =
    step === 'suspend'
      ? sql`l.end_date <= ${asOf}::date - ${1 + settings.suspendAfterDays}::int`
      : step === 'cold'
        ? sql`l.end_date <= ${asOf}::date - ${settings.coldAfterDays}::int`
        : sql`(l.end_date + make_interval(months => ${settings.deletableAfterMonths}::int))::date <= ${asOf}::date`;
  const owners = sql`(
    SELECT p.id AS person_id, p.email, p.display_name, c.id AS licence_id, c.name, c.end_date
    FROM changed c JOIN people p ON p.id = c.owner_person_id AND p.status = 'current'
  )`;
  const result = await sql<{ moved: string[] | null; notices: number }>`
    WITH changed AS (
      UPDATE licences l SET status = ${to}, updated_at = ${now}
      WHERE l.status = ${from} AND l.locked_at IS NULL AND l.end_date IS NOT NULL AND ${due}
      RETURNING l.id, l.name, l.end_date, l.owner_person_id
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
      SELECT ${LIFECYCLE_ACTOR}, 'licence', c.id::text, ${action},
        jsonb_build_object('status', ${from}::text),
        jsonb_build_object('status', ${to}::text, 'asOf', ${asOf}::text) || ${JSON.stringify(note)}::jsonb,
        c.id
      FROM changed c
    ), written AS (${writeNotices(template, asOf, owners)})
    SELECT (SELECT array_agg(id ORDER BY id) FROM changed) AS moved, (SELECT count(*)::int FROM written) AS notices
  `.execute(tx);
  const row = result.rows[0];
  return { moved: (row?.moved ?? []).map((id) => ({ licenceId: Number(id) })), notices: row?.notices ?? 0 };
}

/**
 * Takes up to `limit` of the day's notices not yet rendered, in order, and marks them queued: the
 * caller renders them into the outbox in the same transaction. A notice is taken once.
 */
export async function takeNotices(tx: Executor, asOf: string, limit: number): Promise<LifecycleNotice[]> {
  const rows = await sql<{
    id: number;
    template: string;
    as_of: string;
    to_address: string;
    data: LifecycleNoticeData;
  }>`
    UPDATE lifecycle_notices n SET queued_at = now()
    FROM (
      SELECT id FROM lifecycle_notices
      WHERE as_of = ${asOf}::date AND queued_at IS NULL
      ORDER BY id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ) next
    WHERE n.id = next.id
    RETURNING n.id, n.template, n.as_of, n.to_address, n.data
  `.execute(tx);
  return rows.rows
    .map((row) => ({ id: Number(row.id), template: row.template, asOf: row.as_of, to: row.to_address, ...row.data }))
    .sort((a, b) => a.id - b.id);
}

export interface LifecycleNotice extends LifecycleNoticeData {
  id: number;
  template: string;
  asOf: string;
  to: string;
}

/** Whether the person asked for no licence reminders. */
export async function remindersOptedOut(db: Executor, personId: number): Promise<boolean> {
  const row = await db
    .selectFrom('reminder_opt_outs')
    .select('person_id')
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records the person's choice; true if it changed anything. */
export async function setRemindersOptedOut(tx: Executor, personId: number, optedOut: boolean): Promise<boolean> {
  if (optedOut) {
    const rows = await tx
      .insertInto('reminder_opt_outs')
      .values({ person_id: personId })
      .onConflict((oc) => oc.doNothing())
      .returning('person_id')
      .execute();
    return rows.length > 0;
  }
  const result = await tx.deleteFrom('reminder_opt_outs').where('person_id', '=', personId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
