import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { LicenceFlagKind } from './lifecycle.tables.ts';

/**
 * The nightly finance-code re-check's SQL: every statement covers all the licences paid by one
 * code (or lists the codes), never a query per licence.
 */
export const FINANCE_RECHECK_ACTOR = 'system: finance code re-check';
const KIND: LicenceFlagKind = 'finance-code-closed';

/**
 * The audit action of another finance code given for a closed one (finance-code-replacement.service.ts),
 * recorded against the payment of the licence's latest completed order (entity 'payment', the
 * order's reference) with the new code as `after.financeCode`: the history of what the payment's
 * `replaced_by_code` holds.
 */
export const FINANCE_CODE_REPLACED = 'finance code replaced';

/**
 * Active licences whose latest completed order was paid by a finance code, with the code that pays
 * for the licence now (the latest code given for a closed one, `replaced_by_code`, else that
 * order's payment's: the code the re-check reads and Finance bills the licence's charges to) and
 * that order: those paid by `code`, or the one licence `licenceId`, if given. `payment_code` is the
 * order's payment's own, which an order already billed keeps (a billed charge is frozen). A later
 * completed order (a renewal) brings its own payment, and the replacement no longer applies.
 */
function financeCoded(code?: string, licenceId?: number): RawBuilder<unknown> {
  return sql`
    SELECT coded.* FROM (
      SELECT l.id AS licence_id, l.name, l.owner_person_id,
        coalesce(pay.replaced_by_code, pay.finance_code) AS finance_code,
        pay.finance_code AS payment_code, latest.id AS order_id, latest.reference AS order_reference
      FROM licences l
      JOIN LATERAL (
        SELECT o.id, o.reference FROM orders o
        WHERE o.licence_id = l.id AND o.status = 'completed'
        ORDER BY o.submitted_at DESC, o.id DESC
        LIMIT 1
      ) latest ON true
      JOIN payments pay ON pay.order_id = latest.id AND pay.method = 'finance-code'
      WHERE l.status = 'active'
        ${licenceId === undefined ? sql`` : sql`AND l.id = ${licenceId}`}
    ) coded
    WHERE coded.finance_code IS NOT NULL
      ${code === undefined ? sql`` : sql`AND coded.finance_code = ${code}`}
  `;
}

/** The distinct finance codes paying for active licences: one re-check each, however many licences share it. */
export async function activeFinanceCodes(db: Executor): Promise<string[]> {
  const result = await sql<{ finance_code: string }>`
    SELECT DISTINCT c.finance_code FROM (${financeCoded()}) c ORDER BY c.finance_code
  `.execute(db);
  return result.rows.map((row) => row.finance_code);
}

export interface FlaggedLicence {
  licenceId: number;
  licenceName: string;
  ownerId: number;
  ownerEmail: string;
  ownerName: string;
  /** False when the Data Owner has left the University: they are not emailed. */
  ownerCurrent: boolean;
}

/**
 * Flags every active licence paid by this closed code that has no open flag of the kind, with an
 * audit row each, in one statement. Returns only the licences flagged now (so their people are
 * told once), by owner.
 */
export async function flagClosedCode(
  tx: Executor,
  code: string,
  detail: string,
  asOf: string,
): Promise<FlaggedLicence[]> {
  const result = await sql<{
    licence_id: number;
    name: string;
    person_id: number;
    email: string;
    display_name: string;
    status: 'current' | 'left';
  }>`
    WITH coded AS (${financeCoded(code)}),
    flagged AS (
      INSERT INTO licence_flags (licence_id, kind, detail, raised_on)
      SELECT licence_id, ${KIND}, ${detail}, ${asOf}::date FROM coded
      ON CONFLICT (licence_id, kind, person_id) WHERE cleared_on IS NULL DO NOTHING
      RETURNING licence_id
    ), audited AS (
      INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
      SELECT ${FINANCE_RECHECK_ACTOR}, 'licence', f.licence_id::text, 'flagged: finance code closed', NULL::jsonb,
        jsonb_build_object('financeCode', ${code}::text, 'detail', ${detail}::text, 'asOf', ${asOf}::text),
        f.licence_id
      FROM flagged f
    )
    SELECT c.licence_id, c.name, p.id AS person_id, p.email, p.display_name, p.status
    FROM coded c
    JOIN flagged f ON f.licence_id = c.licence_id
    JOIN people p ON p.id = c.owner_person_id
    ORDER BY p.id, c.licence_id
  `.execute(tx);
  return result.rows.map((row) => ({
    licenceId: Number(row.licence_id),
    licenceName: row.name,
    ownerId: Number(row.person_id),
    ownerEmail: row.email,
    ownerName: row.display_name,
    ownerCurrent: row.status === 'current',
  }));
}

/**
 * Clears the open closed-code flags of the licences `which` lists (a relation with licence_id),
 * with an audit row each saying why (`action`, `after`). Returns how many.
 */
async function clearFlags(
  tx: Executor,
  which: RawBuilder<unknown>,
  asOf: string,
  action: string,
  after: RawBuilder<unknown>,
): Promise<number> {
  const result = await sql<{ licence_id: number }>`
    WITH which AS (${which}),
    cleared AS (
      UPDATE licence_flags f SET cleared_on = ${asOf}::date
      FROM which c
      WHERE f.licence_id = c.licence_id AND f.kind = ${KIND} AND f.cleared_on IS NULL
      RETURNING f.licence_id, f.detail
    )
    INSERT INTO audit_events (actor_label, entity_type, entity_id, action, before, after, licence_id)
    SELECT ${FINANCE_RECHECK_ACTOR}, 'licence', c.licence_id::text, ${action},
      jsonb_build_object('flag', ${KIND}::text, 'detail', c.detail), ${after}, c.licence_id
    FROM cleared c
    RETURNING licence_id
  `.execute(tx);
  return result.rows.length;
}

/** Clears the open flags of the licences paid by this code, now valid again, with an audit row each. Returns how many. */
export function clearClosedCodeFlags(tx: Executor, code: string, asOf: string): Promise<number> {
  return clearFlags(
    tx,
    sql`SELECT licence_id FROM (${financeCoded(code)}) coded`,
    asOf,
    'flag cleared: finance code valid again',
    sql`jsonb_build_object('financeCode', ${code}::text, 'asOf', ${asOf}::text)`,
  );
}

/**
 * Clears the open flags of active licences no longer paid by a finance code at all (renewed with
 * a voucher or a purchase order since), which no code's re-check reaches. Returns how many.
 */
export function clearFlagsNotPaidByCode(tx: Executor, asOf: string): Promise<number> {
  return clearFlags(
    tx,
    sql`SELECT f.licence_id FROM licence_flags f JOIN licences l ON l.id = f.licence_id
      WHERE f.kind = ${KIND} AND f.cleared_on IS NULL AND l.status = 'active'
        AND NOT EXISTS (SELECT 1 FROM (${financeCoded()}) coded WHERE coded.licence_id = f.licence_id)`,
    asOf,
    'flag cleared: no longer paid by a finance code',
    sql`jsonb_build_object('asOf', ${asOf}::text)`,
  );
}

/**
 * Clears the open flags of licences that have ended for good (cancelled, or deleted by the
 * service team): nothing is paid for them any more, so their pages must not go on asking for
 * another finance code. Returns how many.
 */
export function clearFlagsOfEndedLicences(tx: Executor, asOf: string): Promise<number> {
  return clearFlags(
    tx,
    sql`SELECT f.licence_id FROM licence_flags f JOIN licences l ON l.id = f.licence_id
      WHERE f.kind = ${KIND} AND f.cleared_on IS NULL AND l.status IN ('cancelled', 'deleted')`,
    asOf,
    'flag cleared: the licence has ended',
    sql`jsonb_build_object('asOf', ${asOf}::text)`,
  );
}

/** Finance: every current person with the finance staff role. */
export async function financeEmails(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_roles as r')
    .innerJoin('people as p', 'p.id', 'r.person_id')
    .select('p.email')
    .distinct()
    .where('r.role', '=', 'finance')
    .where('p.status', '=', 'current')
    .orderBy('p.email')
    .execute();
  return rows.map((row) => row.email);
}

export interface OpenLicenceFlag {
  kind: LicenceFlagKind;
  detail: string;
  raisedOn: string;
  /** A leaver flag about the licence's Data Owner, whom only the service team can replace. */
  ownerLeft: boolean;
}

/** The licence's open flags, oldest first. */
export async function openLicenceFlags(db: Executor, licenceId: number): Promise<OpenLicenceFlag[]> {
  const rows = await db
    .selectFrom('licence_flags')
    .innerJoin('licences', 'licences.id', 'licence_flags.licence_id')
    .select([
      'licence_flags.kind',
      'licence_flags.detail',
      'licence_flags.raised_on',
      sql<boolean>`coalesce(licence_flags.person_id = licences.owner_person_id, false)`.as('owner_left'),
    ])
    .where('licence_flags.licence_id', '=', licenceId)
    .where('licence_flags.cleared_on', 'is', null)
    .orderBy('licence_flags.id')
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    detail: row.detail,
    raisedOn: row.raised_on,
    ownerLeft: row.kind === 'member-left' && row.owner_left,
  }));
}

/** An active licence's billing finance code while it is flagged as closed: what a replacement replaces. */
export interface ClosedBillingCode {
  /** The latest completed order, whose payment (or the latest code given since for it) holds the code the re-check reads. */
  orderId: number;
  orderReference: string;
  /** The code that pays for the licence now, which has closed. */
  financeCode: string;
  /** The code on the order's payment: the closed one, or, where another was given after it was billed, the one it was billed with. */
  paymentCode: string;
  /** The open flag's words, as the licence pages show them. */
  detail: string;
}

/** The licence's closed billing code, or undefined when it has no open closed-code flag (or no code to bill). */
export async function closedBillingCode(db: Executor, licenceId: number): Promise<ClosedBillingCode | undefined> {
  const result = await sql<{
    order_id: number;
    order_reference: string;
    finance_code: string;
    payment_code: string;
    detail: string;
  }>`
    SELECT c.order_id, c.order_reference, c.finance_code, c.payment_code, f.detail
    FROM (${financeCoded(undefined, licenceId)}) c
    JOIN licence_flags f ON f.licence_id = c.licence_id AND f.kind = ${KIND} AND f.cleared_on IS NULL
  `.execute(db);
  const [row] = result.rows;
  return row
    ? {
        orderId: Number(row.order_id),
        orderReference: row.order_reference,
        financeCode: row.finance_code,
        paymentCode: row.payment_code,
        detail: row.detail,
      }
    : undefined;
}

/**
 * Bills the licence to `replacement.code` (which CUFS found open) instead of its closed code, in
 * the caller's transaction, which has locked the licence's row and records the replacement in the
 * audit trail. The closed-code flag clears as of `replacement.asOf`, and the latest completed
 * order's payment keeps the new code as what pays for the licence from then on (`replaced_by_code`).
 * The payment's own code and check take it too only while the order is not billed (`billed`: no
 * billing file has held it) and the payment holds the closed code: a billed charge keeps the code
 * it was billed with. False (nothing changed) when the licence has no open flag any more, as when
 * someone replaced it a moment ago.
 */
export async function replaceBillingCode(
  tx: Executor,
  licenceId: number,
  closed: ClosedBillingCode,
  replacement: { code: string; checkMessage: string; checkedAt: Date; asOf: string; billed: boolean },
): Promise<boolean> {
  const cleared = await tx
    .updateTable('licence_flags')
    .set({ cleared_on: replacement.asOf })
    .where('licence_id', '=', licenceId)
    .where('kind', '=', KIND)
    .where('cleared_on', 'is', null)
    .executeTakeFirst();
  if (cleared.numUpdatedRows === 0n) return false;
  const rebill = !replacement.billed && closed.paymentCode === closed.financeCode;
  const updated = await tx
    .updateTable('payments')
    .set({
      replaced_by_code: replacement.code,
      ...(rebill
        ? {
            finance_code: replacement.code,
            check_status: 'valid',
            check_message: replacement.checkMessage,
            checked_at: replacement.checkedAt,
          }
        : {}),
    })
    .where('order_id', '=', closed.orderId)
    .where('method', '=', 'finance-code')
    .where(sql<string>`coalesce(replaced_by_code, finance_code)`, '=', closed.financeCode)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}
