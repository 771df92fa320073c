import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../../database.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { ServiceCode } from '../people/people.tables.ts';

/**
 * Licences waiting for an access change (migration 0021): with the manual provisioner, each change
 * of an active licence's people or storage projects leaves its licence here, once however many
 * changes pile up, until its service's team marks the change made on the storage's groups. A change
 * made while the licence is being set up waits too, but is shown (listed, counted, found, marked
 * done) only once the licence is active: its wait starts when the set-up completes
 * (accessChangeWaitsFromSetUp).
 */
export interface AccessChangeWaiting {
  waitingSince: Date;
  lastChangedAt: Date;
  /** Grows with each change: "Mark as done" names the one its page showed. */
  version: number;
}

/** Whether the waiting change's licence is active: only then is it shown and marked done, as the list shows it. */
function activeLicence(eb: ExpressionBuilder<Database, 'licence_access_changes'>) {
  return eb.exists(
    eb
      .selectFrom('licences')
      .select(sql.lit(1).as('one'))
      .whereRef('licences.id', '=', 'licence_access_changes.licence_id')
      .where('licences.status', '=', 'active'),
  );
}

/** A row of the back office's list. */
export interface WaitingAccessChange extends AccessChangeWaiting {
  licenceId: number;
  licenceName: string;
  service: ServiceCode;
}

/**
 * Notes a change of the licence's people or projects, in the change's transaction, at `at` (the
 * injected clock's now, so that a run "as of" a day records that day): the licence waits (or goes
 * on waiting) for an access change. A licence being set up (pending) waits too: the team may have
 * read its people before the change, and nothing else tells them once its storage is made. Nothing
 * for a licence no longer in use: its storage steps carry it.
 */
export async function noteAccessChange(tx: Executor, licenceId: number, at: Date): Promise<void> {
  await tx
    .insertInto('licence_access_changes')
    .columns(['licence_id', 'waiting_since', 'last_changed_at'])
    .expression((eb) =>
      eb
        .selectFrom('licences')
        .select([
          'licences.id',
          sql<Date>`${at}::timestamptz`.as('waiting_since'),
          sql<Date>`${at}::timestamptz`.as('last_changed_at'),
        ])
        .where('licences.id', '=', licenceId)
        .where('licences.status', 'in', ['active', 'pending']),
    )
    .onConflict((oc) =>
      oc.column('licence_id').doUpdateSet({
        last_changed_at: at,
        version: sql<number>`licence_access_changes.version + 1`,
      }),
    )
    .execute();
}

/**
 * A licence set up just now (through `tx`, the completing transaction, at `at`): a change of its
 * people or projects made while it was being set up waits from now, when its storage is there to
 * change, and is shown from now on.
 */
export async function accessChangeWaitsFromSetUp(tx: Executor, licenceId: number, at: Date): Promise<void> {
  await tx
    .updateTable('licence_access_changes')
    .set({ waiting_since: at })
    .where('licence_id', '=', licenceId)
    .execute();
}

/** The active licence's waiting access change, if it has one. */
export async function findAccessChange(db: Executor, licenceId: number): Promise<AccessChangeWaiting | undefined> {
  const row = await db
    .selectFrom('licence_access_changes')
    .select(['waiting_since', 'last_changed_at', 'version'])
    .where('licence_id', '=', licenceId)
    .where(activeLicence)
    .executeTakeFirst();
  return row && { waitingSince: row.waiting_since, lastChangedAt: row.last_changed_at, version: row.version };
}

/**
 * Marks the access change made, if it is still the one the team looked at (`version`): 'done';
 * 'changed' if the licence changed again since (it goes on waiting); 'none' if nothing waits (a
 * second press, or someone else marked it first).
 */
export async function markAccessChangeDone(
  tx: Executor,
  licenceId: number,
  version: number,
): Promise<'done' | 'changed' | 'none'> {
  const deleted = await tx
    .deleteFrom('licence_access_changes')
    .where('licence_id', '=', licenceId)
    .where('version', '=', version)
    .where(activeLicence)
    .executeTakeFirst();
  if (deleted.numDeletedRows === 1n) return 'done';
  return (await findAccessChange(tx, licenceId)) ? 'changed' : 'none';
}

/** The waiting access changes of active licences of these services, oldest first (a page), and how many in all. */
export async function listWaitingAccessChanges(
  db: Executor,
  services: readonly ServiceCode[],
  page: { limit: number; offset: number },
): Promise<{ changes: WaitingAccessChange[]; total: number }> {
  if (services.length === 0) return { changes: [], total: 0 };
  const rows = await db
    .selectFrom('licence_access_changes as change')
    .innerJoin('licences', 'licences.id', 'change.licence_id')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select([
      'change.licence_id',
      'change.waiting_since',
      'change.last_changed_at',
      'change.version',
      'licences.name as licence_name',
      'products.service',
      sql<number>`count(*) OVER ()`.as('total'),
    ])
    .where('licences.status', '=', 'active')
    .where('products.service', 'in', services)
    .orderBy('change.waiting_since')
    .orderBy('change.licence_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    changes: rows.map((row) => ({
      licenceId: row.licence_id,
      licenceName: row.licence_name,
      service: row.service,
      waitingSince: row.waiting_since,
      lastChangedAt: row.last_changed_at,
      version: row.version,
    })),
    // A page past the last one has no row to carry the total: the first page's does.
    total: Number(
      rows[0]?.total ??
        (page.offset > 0 ? (await listWaitingAccessChanges(db, services, { limit: 1, offset: 0 })).total : 0),
    ),
  };
}

/** How many active licences wait for an access change, by service (the back-office home). */
export async function countWaitingAccessChanges(
  db: Executor,
  services: readonly ServiceCode[],
): Promise<Map<ServiceCode, number>> {
  if (services.length === 0) return new Map();
  const rows = await db
    .selectFrom('licence_access_changes as change')
    .innerJoin('licences', 'licences.id', 'change.licence_id')
    .innerJoin('products', 'products.code', 'licences.product_code')
    .select(['products.service', sql<number>`count(*)::int`.as('count')])
    .where('licences.status', '=', 'active')
    .where('products.service', 'in', [...services])
    .groupBy('products.service')
    .execute();
  return new Map(rows.map((row) => [row.service, row.count]));
}
