import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
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

export interface LicenceForPerson {
  personId: number;
  /** False for a person who has left the University: they are sent nothing. */
  current: boolean;
  email: string;
  displayName: string;
  licenceId: number;
  licenceName: string;
  endDate: string;
}

/**
 * The Data Owners and Data Managers of these licences who have not opted out of reminders and
 * have not left the University, a row per person and licence, by person then end date.
 */
export async function reminderRecipients(tx: Executor, licenceIds: readonly number[]): Promise<LicenceForPerson[]> {
  if (licenceIds.length === 0) return [];
  const result = await sql<{
    person_id: number;
    email: string;
    display_name: string;
    status: 'current' | 'left';
    licence_id: number;
    name: string;
    end_date: string;
  }>`
    SELECT p.id AS person_id, p.email, p.display_name, p.status, l.id AS licence_id, l.name, l.end_date
    FROM licences l
    JOIN LATERAL (
      SELECT l.owner_person_id AS person_id
      UNION
      SELECT m.person_id FROM licence_managers m WHERE m.licence_id = l.id
    ) who ON true
    JOIN people p ON p.id = who.person_id AND p.status = 'current'
    WHERE l.id = ANY(${intArray(licenceIds)}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM reminder_opt_outs o WHERE o.person_id = p.id)
    ORDER BY p.id, l.end_date, l.id
  `.execute(tx);
  return result.rows.map(toLicenceForPerson);
}

export type ExpiryStep = 'suspend' | 'cold' | 'deletable';

const STEPS: Record<ExpiryStep, { from: LicenceStatus; to: LicenceStatus; action: string }> = {
  suspend: { from: 'active', to: 'suspended', action: 'suspended (end date passed)' },
  cold: { from: 'suspended', to: 'cold', action: 'moved to the cold store' },
  deletable: { from: 'cold', to: 'deletable', action: 'became deletable' },
};

/**
 * Moves every unlocked licence of the step's status whose day has come (as of `asOf`) to the
 * next status, with an audit row each, in one statement. Returns them with their Data Owners
 * (`current` false for one who has left, who is not emailed), by owner then end date.
 */
export async function advanceLicences(
  tx: Executor,
  step: ExpiryStep,
  asOf: string,
  settings: LifecycleSettings,
  now: Date,
  note: Record<string, string> = {},
): Promise<LicenceForPerson[]> {
  const { from, to, action } = STEPS[step];
  const due =
    step === 'suspend'
      ? sql`l.end_date <= ${asOf}::date - ${1 + settings.suspendAfterDays}::int`
      : step === 'cold'
        ? sql`l.end_date <= ${asOf}::date - ${settings.coldAfterDays}::int`
        : sql`(l.end_date + make_interval(months => ${settings.deletableAfterMonths}::int))::date <= ${asOf}::date`;
  const result = await sql<{
    person_id: number;
    email: string;
    display_name: string;
    status: 'current' | 'left';
    licence_id: number;
    name: string;
    end_date: string;
  }>`
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
    )
    SELECT p.id AS person_id, p.email, p.display_name, p.status, c.id AS licence_id, c.name, c.end_date
    FROM changed c JOIN people p ON p.id = c.owner_person_id
    ORDER BY p.id, c.end_date, c.id
  `.execute(tx);
  return result.rows.map(toLicenceForPerson);
}

function toLicenceForPerson(row: {
  person_id: number;
  email: string;
  display_name: string;
  status: 'current' | 'left';
  licence_id: number;
  name: string;
  end_date: string;
}): LicenceForPerson {
  return {
    personId: Number(row.person_id),
    current: row.status === 'current',
    email: row.email,
    displayName: row.display_name,
    licenceId: Number(row.licence_id),
    licenceName: row.name,
    endDate: row.end_date,
  };
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
