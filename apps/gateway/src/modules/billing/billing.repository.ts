import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../database.ts';
import type { Executor } from '../../platform/db/database.ts';
import { BILLING_EXPORT_ENTITY, type BillingOrder, type BillingRange, londonDay } from './billing-rules.ts';

/**
 * The orders Finance bills, read for the billing page and its CSV file: completed orders that cost
 * something (total > 0), completed in the range (orders.updated_at: billing-rules.ts says why),
 * of the range's services. A read across the orders, payments, licences, products, departments,
 * vouchers and quotes tables, as the back office's order queue reads them (orders.admin.repository.ts).
 * Migration 0024's partial index (updated_at, reference) WHERE status = 'completed' AND total_pence > 0
 * serves the range and the order of the file.
 */

/** How many orders each page of the file reads: the file is streamed a page at a time (keyset paging). */
export const BILLING_PAGE_SIZE = 500;

function billedOrders(db: Executor, range: BillingRange) {
  return db
    .selectFrom('orders as o')
    .innerJoin('products as p', 'p.code', 'o.product_code')
    .where('o.status', '=', 'completed')
    .where('o.total_pence', '>', 0)
    .where('o.updated_at', '>=', range.from)
    .where('o.updated_at', '<', range.until)
    .where('p.service', 'in', range.services);
}

export interface BillingTotals {
  orders: number;
  netPence: number;
  vatPence: number;
  totalPence: number;
}

/** How many orders the range bills, and their net, VAT and total, in one set-based statement. */
export async function billingTotals(db: Executor, range: BillingRange): Promise<BillingTotals> {
  if (range.services.length === 0) return { orders: 0, netPence: 0, vatPence: 0, totalPence: 0 };
  const row = await billedOrders(db, range)
    .select([
      sql<number>`count(*)::bigint`.as('orders'),
      sql<number>`coalesce(sum(o.net_pence), 0)::bigint`.as('net'),
      sql<number>`coalesce(sum(o.vat_pence), 0)::bigint`.as('vat'),
      sql<number>`coalesce(sum(o.total_pence), 0)::bigint`.as('total'),
    ])
    .executeTakeFirstOrThrow();
  return {
    orders: Number(row.orders),
    netPence: Number(row.net),
    vatPence: Number(row.vat),
    totalPence: Number(row.total),
  };
}

/** Where the last page ended: its last order's completion instant (as the server's exact text) and reference. */
interface Cursor {
  at: string;
  reference: string;
}

/**
 * The range's orders, by completion then reference, a page of `pageSize` at a time: each page is a
 * statement of its own that starts after the last one's final row (keyset paging), so neither this
 * process nor the database holds more than a page, on PostgreSQL and on PGlite alike (which has no
 * cursors to stream with), and no transaction stays open while a slow client downloads. The cursor
 * keeps the completion instant as PostgreSQL's own text, so its microseconds are not lost to a
 * JavaScript Date. An order that completes in the range while the file is being read is in it if it
 * sorts after the page being read.
 */
export async function* billingOrderPages(
  db: Executor,
  range: BillingRange,
  pageSize = BILLING_PAGE_SIZE,
): AsyncGenerator<BillingOrder[]> {
  if (range.services.length === 0) return;
  let after: Cursor | undefined;
  for (;;) {
    const rows = await pageAfter(billedOrders(db, range), after).limit(pageSize).execute();
    if (rows.length === 0) return;
    yield rows.map(toBillingOrder);
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { at: last.completed_at_text, reference: last.reference };
  }
}

function pageAfter(
  query: SelectQueryBuilder<Database & { o: Database['orders']; p: Database['products'] }, 'o' | 'p', object>,
  after: Cursor | undefined,
) {
  const started = after
    ? query.where(sql<boolean>`(o.updated_at, o.reference) > (${after.at}::timestamptz, ${after.reference})`)
    : query;
  return started
    .innerJoin('licences as l', 'l.id', 'o.licence_id')
    .innerJoin('institutions as i', 'i.id', 'o.institution_id')
    .innerJoin('people as buyer', 'buyer.id', 'o.buyer_person_id')
    .leftJoin('payments as pay', 'pay.order_id', 'o.id')
    .leftJoin('vouchers as v', 'v.id', 'pay.voucher_id')
    .leftJoin('quotes as q', 'q.id', 'o.quote_id')
    .select([
      'o.reference',
      'o.updated_at as completed_at',
      sql<string>`o.updated_at::text`.as('completed_at_text'),
      'p.service',
      'o.product_code',
      'o.kind',
      'o.licence_id',
      'l.name as licence_name',
      'o.institution_id',
      'i.name as department_name',
      'o.customer_class',
      'o.size_tb',
      'o.term_years',
      'o.starts_on',
      'o.ends_on',
      'o.pence_per_tb_year',
      'o.cold_store_pence',
      'o.net_pence',
      'o.vat_pence',
      'o.total_pence',
      'pay.method',
      'pay.finance_code',
      'pay.po_number',
      'v.code as voucher_code',
      'buyer.crsid as buyer_crsid',
      'q.reference as quote_reference',
    ])
    .orderBy('o.updated_at')
    .orderBy('o.reference');
}

type PageRow = Awaited<ReturnType<ReturnType<typeof pageAfter>['execute']>>[number];

function toBillingOrder(row: PageRow): BillingOrder {
  return {
    reference: row.reference,
    completedAt: row.completed_at,
    service: row.service,
    productCode: row.product_code,
    kind: row.kind,
    licenceId: Number(row.licence_id),
    licenceName: row.licence_name,
    departmentId: row.institution_id,
    departmentName: row.department_name,
    customerClass: row.customer_class,
    sizeTb: row.size_tb,
    termYears: row.term_years,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    pencePerTbYear: Number(row.pence_per_tb_year),
    coldStorePence: Number(row.cold_store_pence),
    netPence: Number(row.net_pence),
    vatPence: Number(row.vat_pence),
    totalPence: Number(row.total_pence),
    paymentMethod: row.method,
    financeCode: row.finance_code,
    poNumber: row.po_number,
    voucherCode: row.voucher_code,
    buyerCrsid: row.buyer_crsid,
    quoteReference: row.quote_reference,
  };
}

/**
 * Whether a billing file has held the order already: a download (whole, or stopped part-way, which
 * may have held it) recorded in the audit trail (billing.service.ts) whose range of days held the
 * day it completed and whose services its product's. Such a charge has gone to Finance, and is
 * frozen: what changes afterwards is a new line, never the charge (DESIGN.md §2, Charge). An order
 * the file does not bill (not completed, costing nothing) was never in one.
 */
export async function orderInBillingExport(db: Executor, orderId: number): Promise<boolean> {
  const order = await billedOrderFacts(db, orderId);
  if (!order) return false;
  const day = londonDay(order.updated_at);
  const download = await db
    .selectFrom('audit_events as a')
    .select('a.id')
    .where('a.entity_type', '=', BILLING_EXPORT_ENTITY)
    .where('a.action', 'in', ['downloaded', 'download stopped'])
    .where(sql<boolean>`a.after->>'firstDay' <= ${day}`)
    .where(sql<boolean>`a.after->>'lastDay' >= ${day}`)
    .where(sql<boolean>`a.after->'services' @> ${JSON.stringify([order.service])}::jsonb`)
    .limit(1)
    .executeTakeFirst();
  return download !== undefined;
}

/** A completed order that costs something (one the billing file lists), with its completion instant and service. */
function billedOrderFacts(db: Executor, orderId: number) {
  return db
    .selectFrom('orders as o')
    .innerJoin('products as p', 'p.code', 'o.product_code')
    .select(['o.updated_at', 'p.service'])
    .where('o.id', '=', orderId)
    .where('o.status', '=', 'completed')
    .where('o.total_pence', '>', 0)
    .executeTakeFirst();
}
