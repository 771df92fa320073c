import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { currentKeepersJoin } from '../licences/licences.repository.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import { IN_PROGRESS_STATUSES } from '../orders/order-status.ts';
import { recordStorageStepsOf } from '../provisioning/storage-steps.repository.ts';
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
 * run records nothing. A licence whose renewal or cancellation has been ordered and is in
 * progress gets none (its people have answered; if that order is rejected or cancelled, the next
 * threshold's reminder goes). A night run (by hand) as of a day before a night already run records
 * none: that later night covered the span and reminded, so a reminder now would be stale ("ends in
 * 29 days" a week before the end). Returns what was recorded now.
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
        AND NOT EXISTS (SELECT 1 FROM lifecycle_runs r WHERE r.as_of > ${asOf}::date)
        AND NOT EXISTS (
          SELECT 1 FROM orders o
          WHERE o.licence_id = l.id AND o.kind IN ('renewal', 'cancellation')
            AND o.status IN (${sql.join(IN_PROGRESS_STATUSES.map((status) => sql.lit(status)))})
        )
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
 * The notices `rows` call for: one per template and person (to_address), listing their licences by
 * end date, written in the order of `rank` (the step) and then person.
 * `rows` is a relation of rank, template, person_id, email, display_name, licence_id, name, end_date,
 * change_order and change_kind (the licence's change order in progress, for an expiry notice; else
 * null) and as_manager (true when a Data Manager is told because the Data Owner has left; else null).
 */
function writeNotices(asOf: string, rows: RawBuilder<unknown>) {
  return sql`
    INSERT INTO lifecycle_notices (template, as_of, to_address, data)
    SELECT r.template, ${asOf}::date, r.email,
      jsonb_build_object('displayName', r.display_name, 'licences', jsonb_agg(
        jsonb_strip_nulls(jsonb_build_object('licenceId', r.licence_id, 'licenceName', r.name, 'endDate', r.end_date,
          'changeOrder', r.change_order, 'changeKind', r.change_kind, 'asManager', r.as_manager))
        ORDER BY r.end_date, r.licence_id))
    FROM ${rows} r
    GROUP BY r.rank, r.template, r.person_id, r.email, r.display_name
    ORDER BY r.rank, r.person_id
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
    SELECT 0 AS rank, ${template}::text AS template, p.id AS person_id, p.email, p.display_name,
      l.id AS licence_id, l.name, l.end_date, NULL::text AS change_order, NULL::text AS change_kind,
      NULL::boolean AS as_manager
    FROM licences l
    ${currentKeepersJoin('l')}
    WHERE l.id = ANY(${intArray(licenceIds)}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM reminder_opt_outs o WHERE o.person_id = p.id)
  )`;
  const result = await sql<{ notices: number }>`
    WITH written AS (${writeNotices(asOf, recipients)})
    SELECT count(*)::int AS notices FROM written
  `.execute(tx);
  return { notices: result.rows[0]?.notices ?? 0 };
}

export type ExpiryStep = 'suspend' | 'cold' | 'deletable';

/** The expiry steps in the order a licence takes them; each starts from the status the one before ends in. */
const STEPS: readonly { step: ExpiryStep; from: LicenceStatus; to: LicenceStatus; action: string }[] = [
  { step: 'suspend', from: 'active', to: 'suspended', action: 'suspended (end date passed)' },
  { step: 'cold', from: 'suspended', to: 'cold', action: 'moved to the cold store' },
  { step: 'deletable', from: 'cold', to: 'deletable', action: 'became deletable' },
];

/** What the night needs to know of each step besides the rules: its email, its audit note, the storage's state. */
export type ExpiryStepDetails = Record<
  ExpiryStep,
  { template: string; note: Record<string, string>; storageState: string | null }
>;

export interface ExpiryStepsTaken extends NoticesWritten {
  /** Licences that took each step (a licence can take several in one run). */
  moved: Record<ExpiryStep, number>;
  /** Storage steps recorded (licence_storage_steps), by storage state. */
  storageSteps: Record<string, number>;
}

/** Whether the step's day has come for licence `l` as of `asOf`. */
function stepDue(step: ExpiryStep, asOf: string, settings: LifecycleSettings): RawBuilder<boolean> {
  if (step === 'suspend') return sql`l.end_date <= ${asOf}::date - ${1 + settings.suspendAfterDays}::int`;
  if (step === 'cold') return sql`l.end_date <= ${asOf}::date - ${settings.coldAfterDays}::int`;
  return sql`(l.end_date + make_interval(months => ${settings.deletableAfterMonths}::int))::date <= ${asOf}::date`;
}

/**
 * The latest end date for which the step can be due as of `asOf`: its day for the first two; for
 * the months to deletion, `asOf` less 28 days a month (N months after a date are never fewer than
 * 28·N days after it), a bound the (status, end_date) index can use, `stepDue` deciding exactly.
 */
function lastEndDateDue(step: ExpiryStep, asOf: string, settings: LifecycleSettings): RawBuilder<string> {
  if (step === 'suspend') return sql`${asOf}::date - ${1 + settings.suspendAfterDays}::int`;
  if (step === 'cold') return sql`${asOf}::date - ${settings.coldAfterDays}::int`;
  return sql`${asOf}::date - ${28 * settings.deletableAfterMonths}::int`;
}

/**
 * Whether licence `l` has a step to take as of `asOf`: the first step from its status is due (the
 * same licences as `finalStatus(…) IS NOT NULL`). Written as one range of the (status, end_date)
 * index per status, so that a night reads the licences it may move, not every licence whose end
 * date has passed (all those deletable, cancelled, or in the cold store for months).
 */
function firstStepDue(asOf: string, settings: LifecycleSettings): RawBuilder<boolean> {
  return sql.join(
    STEPS.map(
      ({ step, from }) =>
        sql`(l.status = ${sql.lit(from)} AND l.end_date <= ${lastEndDateDue(step, asOf, settings)} AND ${stepDue(step, asOf, settings)})`,
    ),
    sql` OR `,
  );
}

/**
 * Each way a licence can go in one night: from the status of its first step, through each next
 * step whose day has come (an active licence that ended 40 days ago goes on to the cold store).
 */
const JOURNEYS: readonly (typeof STEPS)[number][][] = STEPS.flatMap((_, i) =>
  STEPS.slice(i).map((__, k) => STEPS.slice(i, i + k + 1)),
);

/**
 * The status licence `l` ends the night in: from its status, the furthest step reached by taking
 * each next step while its day has come; null when no step is due.
 */
function finalStatus(asOf: string, settings: LifecycleSettings): RawBuilder<LicenceStatus | null> {
  const fromEach = STEPS.map((first) => {
    const whens = JOURNEYS.filter((taken) => taken[0] === first)
      .reverse()
      .map(
        (taken) =>
          sql`WHEN ${sql.join(
            taken.map((step) => stepDue(step.step, asOf, settings)),
            sql` AND `,
          )} THEN ${sql.lit(taken.at(-1)?.to)}`,
      );
    return sql`WHEN ${sql.lit(first.from)} THEN CASE ${sql.join(whens, sql` `)} END`;
  });
  return sql`CASE l.status ${sql.join(fromEach, sql` `)} END`;
}

/**
 * A journey as the night's statement joins it to each licence moved: its audit row (one action
 * naming every step), the email of its last step, and the storage's state at its end when a step
 * changed it (none for cold → deletable).
 */
function journeyRow(taken: (typeof STEPS)[number][], rank: number, asOf: string, details: ExpiryStepDetails) {
  const first = taken[0];
  const last = taken.at(-1);
  if (!first || !last) throw new Error('a journey takes at least one step');
  const told = taken.findLast((step) => details[step.step].storageState !== null);
  const after = JSON.stringify({ status: last.to, asOf, ...(told ? details[told.step].note : {}) });
  return sql`(${rank}::int, ${first.from}, ${last.to}, ${STEPS.indexOf(last)}::int,
    ${taken.map((step) => step.action).join(', ')}, ${JSON.stringify({ status: first.from })}::jsonb, ${after}::jsonb,
    ${details[last.step].template}, ${told ? details[told.step].storageState : null}::text)`;
}

/**
 * Every expiry step due as of `asOf`, in one statement. Each unlocked licence is updated once, to
 * the status it ends the night in, and is recorded, emailed and told once, in that status: one
 * audit row naming every step it took ("suspended (end date passed), moved to the cold store"), a
 * line in the notice of its last step to its Data Owner (or, when the Data Owner has left, to each
 * of its current Data Managers; one notice per person and step), and, when its storage must change,
 * a storage step (licence_storage_steps) to the state it ends in. The steps of one night happen in one transaction, so no one could see the
 * states between: an owner gets no "read-only" email about a licence already in the cold store, and
 * the storage is not made read-only first. A licence changed meanwhile by another transaction
 * (renewed, locked) is left as it now is. Answers how many licences took each step, the notices and
 * the storage steps.
 *
 * The update finds its licences by primary key (`id = ANY(ARRAY(…))`): PostgreSQL cannot know that an
 * active licence whose end date has passed is rare (each night moves them all), so it guesses
 * thousands for `planned` and, joining on that guess, read all 100,000 licences for a night's hundred.
 */
export async function takeExpirySteps(
  tx: Executor,
  asOf: string,
  settings: LifecycleSettings,
  now: Date,
  details: ExpiryStepDetails,
): Promise<ExpiryStepsTaken> {
  const journeys = sql.join(JOURNEYS.map((taken, rank) => journeyRow(taken, rank, asOf, details)));
  // Told of each licence moved: its Data Owner, or, when the Data Owner has left the University, its
  // current Data Managers (who may renew or recover it) instead; the second branch reads
  // licence_managers only for those licences. Each is told what becomes of the licence's change order
  // in progress (at most one: migration 0010's unique index), as change-in-progress.ts says: a renewal
  // restores a suspended licence and a recovery one due for deletion; more space waiting when it ended
  // can no longer be carried out.
  const keepers = sql`(
    SELECT m.id, m.name, m.end_date, m.step_rank, m.template, m.owner_person_id AS person_id, NULL::boolean AS as_manager
    FROM moved m
    UNION ALL
    SELECT m.id, m.name, m.end_date, m.step_rank, m.template, lm.person_id, true
    FROM moved m
    JOIN people o ON o.id = m.owner_person_id AND o.status <> 'current'
    JOIN licence_managers lm ON lm.licence_id = m.id
  )`;
  const owners = sql`(
    SELECT k.step_rank AS rank, k.template, p.id AS person_id, p.email, p.display_name, k.id AS licence_id, k.name,
      k.end_date, w.reference AS change_order, w.kind AS change_kind, k.as_manager
    FROM ${keepers} k
    JOIN people p ON p.id = k.person_id AND p.status = 'current'
    LEFT JOIN orders w ON w.licence_id = k.id AND w.kind <> 'new'
      AND w.status IN (${sql.join(IN_PROGRESS_STATUSES.map((status) => sql.lit(status)))})
  )`;
  // The statement sorts every licence moved (audit rows in step order, notices by owner): in memory
  // rather than in temporary files (4 MB by default is too little on a night with 20,000 licences),
  // for this transaction only.
  await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
  const result = await sql<{
    journeys: Record<string, number> | null;
    notices: number;
    told: Record<string, number> | null;
  }>`
    WITH journeys (rank, from_status, to_status, step_rank, action, before, after, template, storage_state) AS (VALUES ${journeys}),
    planned AS (
      SELECT l.id, l.status AS from_status, l.end_date, ${finalStatus(asOf, settings)} AS to_status
      FROM licences l
      WHERE (${firstStepDue(asOf, settings)}) AND l.locked_at IS NULL
    ), changed AS (
      UPDATE licences l SET status = p.to_status, updated_at = ${now}
      FROM planned p
      WHERE l.id = p.id AND l.id = ANY(ARRAY(SELECT id FROM planned)) AND p.to_status IS NOT NULL
        AND l.status = p.from_status AND l.end_date = p.end_date AND l.locked_at IS NULL
      RETURNING l.id, l.name, l.end_date, l.owner_person_id, p.from_status, p.to_status
    ), moved AS (
      SELECT c.id, c.name, c.end_date, c.owner_person_id, j.*
      FROM changed c JOIN journeys j ON j.from_status = c.from_status AND j.to_status = c.to_status
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
      SELECT ${LIFECYCLE_ACTOR}, 'licence', m.id::text, m.action, m.before, m.after, m.id
      FROM moved m ORDER BY m.step_rank, m.id
    ), written AS (${writeNotices(asOf, owners)}
    ), told AS (
      ${recordStorageStepsOf(sql`(SELECT id AS licence_id, storage_state AS state FROM moved)`, asOf)}
    )
    SELECT
      (SELECT jsonb_object_agg(rank, n) FROM (SELECT rank, count(*)::int AS n FROM moved GROUP BY rank) m) AS journeys,
      (SELECT count(*)::int FROM written) AS notices,
      (SELECT jsonb_object_agg(step, n) FROM (SELECT step, count(*)::int AS n FROM told GROUP BY step) s) AS told
  `.execute(tx);
  const row = result.rows[0];
  const moved: Record<ExpiryStep, number> = { suspend: 0, cold: 0, deletable: 0 };
  for (const [rank, count] of Object.entries(row?.journeys ?? {})) {
    for (const { step } of JOURNEYS[Number(rank)] ?? []) moved[step] += count;
  }
  return { moved, notices: row?.notices ?? 0, storageSteps: row?.told ?? {} };
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
