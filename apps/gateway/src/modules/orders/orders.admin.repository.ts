import { type SqlBool, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { LicenceLockState } from '../licences/licence-lock.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { PaymentCheckStatus, PaymentMethod } from '../payments/payments.tables.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import { NEEDS_ACTION_STATUSES, QUEUE_PAGE_SIZE, type QueueFilter, submittedBefore } from './order-queue.ts';
import type { OrderKind, OrderStatus } from './order-status.ts';

/**
 * The service teams' questions about orders: the home page's counts, the order queue, and what the
 * staff order page shows beyond OrderDetail (who decided, the licence's people, the history).
 * Set-based reads only; changing an order is order-decisions.service.ts.
 */

// ---------------------------------------------------------------------------------------------
// The back-office home: what waits for each team

export interface ServiceWorkload {
  service: ServiceCode;
  serviceName: string;
  /** Each needs-action status with orders in it (statuses with none are absent). */
  waiting: Array<{ status: OrderStatus; count: number; oldestSubmittedAt: Date }>;
}

/**
 * For each of these services: how many orders wait in each needs-action status, and since when.
 * One grouped query; a service with nothing waiting still comes back (with no rows in `waiting`).
 */
export async function countOrdersNeedingAction(
  db: Executor,
  services: readonly ServiceCode[],
): Promise<ServiceWorkload[]> {
  if (services.length === 0) return [];
  const rows = await db
    .selectFrom('services as s')
    .leftJoin('products as p', 'p.service', 's.code')
    .leftJoin('orders as o', (join) =>
      join.onRef('o.product_code', '=', 'p.code').on('o.status', 'in', [...NEEDS_ACTION_STATUSES]),
    )
    .select([
      's.code',
      's.name',
      'o.status',
      sql<number>`count(o.id)::int`.as('count'),
      sql<Date | null>`min(o.submitted_at)`.as('oldest'),
    ])
    .where('s.code', 'in', [...services])
    .groupBy(['s.code', 's.name', 'o.status'])
    .execute();
  return services.flatMap((code) => {
    const mine = rows.filter((row) => row.code === code);
    const first = mine[0];
    if (!first) return [];
    return [
      {
        service: code,
        serviceName: first.name,
        waiting: mine.flatMap((row) =>
          row.status && row.oldest
            ? [{ status: row.status, count: Number(row.count), oldestSubmittedAt: new Date(row.oldest) }]
            : [],
        ),
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// The queue's choices: products of the services, and departments

export interface QueueProduct {
  code: string;
  name: string;
  service: ServiceCode;
}

export interface QueueDepartment {
  id: string;
  name: string;
}

export interface QueueChoices {
  services: Array<{ code: ServiceCode; name: string }>;
  products: QueueProduct[];
  departments: QueueDepartment[];
}

/** The services, products and departments the queue's filters offer (reference data, a few rows). */
export async function listQueueChoices(db: Executor, services: readonly ServiceCode[]): Promise<QueueChoices> {
  if (services.length === 0) return { services: [], products: [], departments: [] };
  const serviceRows = await db
    .selectFrom('services')
    .select(['code', 'name'])
    .where('code', 'in', [...services])
    .execute();
  const products = await db
    .selectFrom('products')
    .select(['code', 'name', 'service'])
    .where('service', 'in', [...services])
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
  const departments = await db.selectFrom('institutions').select(['id', 'name']).orderBy('name').execute();
  return {
    // In the order the person's services were given (DESIGN order), not the table's.
    services: services.flatMap((code) => serviceRows.filter((row) => row.code === code)),
    products,
    departments,
  };
}

// ---------------------------------------------------------------------------------------------
// The queue

export interface QueueRow {
  id: number;
  reference: string;
  kind: OrderKind;
  status: OrderStatus;
  submittedAt: Date;
  /** When its status last changed (only a change of status sets orders.updated_at): a finished order's end. */
  statusChangedAt: Date;
  productCode: string;
  sizeTb: number;
  termYears: number;
  totalPence: number;
  departmentName: string;
  licenceName: string;
  buyer: { crsid: string; displayName: string };
  owner: { crsid: string; displayName: string };
  /** None for an order that takes no payment (a cancellation). */
  payment: { method: PaymentMethod; checkStatus: PaymentCheckStatus; poNumber: string | null } | null;
}

export interface QueuePage {
  rows: QueueRow[];
  /** How many orders match, counted up to QUEUE_COUNT_CAP. */
  total: number;
  /** More than QUEUE_COUNT_CAP match. */
  totalIsCapped: boolean;
  /** There is a page after this one. */
  hasNext: boolean;
}

/** Escapes LIKE's wildcards so a search for "o_brien" means those characters. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The orders a search matches, as one set of ids: the reference, the PO number (its lower-case
 * index), and the orders bought by or held (as Data Owner) by a person whose CRSid is the search or
 * whose name, or a word of it, starts with it. Each branch is a small indexed lookup (reference
 * unique, payments_po_number_idx, orders_buyer_idx, licences_owner_idx); the people are few.
 */
function searchedOrderIds(search: NonNullable<QueueFilter['search']>) {
  const prefix = `${likeEscaped(search.lower)}%`;
  const wordPrefix = `% ${likeEscaped(search.lower)}%`;
  return sql<SqlBool>`o.id IN (
    WITH matched AS (
      SELECT id FROM people
       WHERE crsid = ${search.lower} OR lower(display_name) LIKE ${prefix} OR lower(display_name) LIKE ${wordPrefix}
    )
    SELECT id FROM orders WHERE reference = ${search.reference ?? ''}
    UNION ALL
    SELECT order_id FROM payments WHERE lower(po_number) = ${search.lower} AND po_number IS NOT NULL
    UNION ALL
    SELECT id FROM orders WHERE buyer_person_id IN (SELECT id FROM matched)
    UNION ALL
    SELECT orders.id FROM orders JOIN licences ON licences.id = orders.licence_id
     WHERE licences.owner_person_id IN (SELECT id FROM matched)
  )`;
}

/** The queue's filter as conditions on orders alone (plus the search's id set): shared by the page and its count. */
function queueBase(db: Executor, filter: QueueFilter, productCodes: readonly string[], now: Date) {
  let query = db
    .selectFrom('orders as o')
    .where('o.product_code', 'in', filter.product ? [filter.product] : [...productCodes])
    .where('o.status', 'in', filter.statuses);
  if (filter.department) query = query.where('o.institution_id', '=', filter.department);
  if (filter.olderThanDays !== null) {
    query = query.where('o.submitted_at', '<', submittedBefore(filter.olderThanDays, now));
  }
  const search = filter.search;
  if (search) query = query.where(searchedOrderIds(search));
  return query;
}

/**
 * The ids that can be on the page, for a filter by service, product, status and age only: one
 * branch per (product, status), each reading at most `enough` rows in order straight off
 * orders_queue_idx (product_code, status, submitted_at, id), merged. Without this, PostgreSQL walks
 * the whole submitted_at index past years of finished orders to find the few that wait.
 */
function queueCandidatesByBranch(
  db: Executor,
  filter: QueueFilter,
  products: readonly string[],
  now: Date,
  direction: 'asc' | 'desc',
  enough: number,
) {
  const cutoff = filter.olderThanDays === null ? null : submittedBefore(filter.olderThanDays, now);
  const branches = products.flatMap((product) =>
    filter.statuses.map((status, index) => {
      let branch = db
        .selectFrom('orders as o')
        .select(['o.id', 'o.submitted_at'])
        .where('o.product_code', '=', product)
        .where('o.status', '=', status);
      if (cutoff) branch = branch.where('o.submitted_at', '<', cutoff);
      const limited = branch.orderBy('o.submitted_at', direction).orderBy('o.id', direction).limit(enough);
      const alias = `b_${product.toLowerCase().replace(/[^a-z0-9]/g, '')}_${index}`;
      return db
        .selectFrom(limited.as(alias))
        .select([`${alias}.id` as 'id', `${alias}.submitted_at` as 'submitted_at']);
    }),
  );
  const [first, ...rest] = branches;
  if (!first) throw new Error('queueCandidatesByBranch needs a product and a status');
  return rest.reduce((union, branch) => union.unionAll(branch), first);
}

/** The most the queue counts; beyond it the page says "more than 10,000". */
export const QUEUE_COUNT_CAP = 10_000;

/**
 * One page of the queue for one service, oldest first by default, and how many orders match (up
 * to QUEUE_COUNT_CAP): two queries however many rows. The page query picks its ids first (on
 * orders_queue_idx, or orders_institution_idx and the search's indexes when those filters are set)
 * and only then joins the people, licence and payment of those 25.
 * `productCodes` are the service's products (a filtered product must be one of them).
 */
export async function listOrderQueue(
  db: Executor,
  filter: QueueFilter,
  productCodes: readonly string[],
  now: Date,
): Promise<QueuePage> {
  if (productCodes.length === 0 || (filter.product && !productCodes.includes(filter.product))) {
    return { rows: [], total: 0, totalIsCapped: false, hasNext: false };
  }
  const direction = filter.sort === 'newest' ? 'desc' : 'asc';
  const offset = (filter.page - 1) * QUEUE_PAGE_SIZE;
  // One row more than a page says whether there is a next page, even past the counting cap.
  const enough = offset + QUEUE_PAGE_SIZE + 1;
  const products = filter.product ? [filter.product] : productCodes;
  const candidates =
    filter.department || filter.search
      ? queueBase(db, filter, productCodes, now).select(['o.id', 'o.submitted_at'])
      : queueCandidatesByBranch(db, filter, products, now, direction, enough);
  const pageIds = db
    .selectFrom(candidates.as('candidate'))
    .select(['candidate.id', 'candidate.submitted_at'])
    .orderBy('candidate.submitted_at', direction)
    .orderBy('candidate.id', direction)
    .limit(QUEUE_PAGE_SIZE + 1)
    .offset(offset);
  const rows = await db
    .selectFrom(pageIds.as('page'))
    .innerJoin('orders as o', 'o.id', 'page.id')
    .innerJoin('people as buyer', 'buyer.id', 'o.buyer_person_id')
    .innerJoin('licences as licence', 'licence.id', 'o.licence_id')
    .innerJoin('people as owner', 'owner.id', 'licence.owner_person_id')
    .innerJoin('institutions as institution', 'institution.id', 'o.institution_id')
    .leftJoin('payments as payment', 'payment.order_id', 'o.id')
    .select([
      'o.id',
      'o.reference',
      'o.kind',
      'o.status',
      'o.submitted_at',
      'o.updated_at',
      'o.product_code',
      'o.size_tb',
      'o.term_years',
      'o.total_pence',
      'institution.name as department_name',
      'licence.name as licence_name',
      'buyer.crsid as buyer_crsid',
      'buyer.display_name as buyer_name',
      'owner.crsid as owner_crsid',
      'owner.display_name as owner_name',
      'payment.method',
      'payment.check_status',
      'payment.po_number',
    ])
    .orderBy('page.submitted_at', direction)
    .orderBy('page.id', direction)
    .execute();
  const counted = await db
    .selectFrom(
      queueBase(db, filter, productCodes, now)
        .select(sql<number>`1`.as('one'))
        .limit(QUEUE_COUNT_CAP + 1)
        .as('counted'),
    )
    .select(sql<number>`count(*)::int`.as('total'))
    .executeTakeFirst();
  const total = Number(counted?.total ?? 0);
  return {
    total: Math.min(total, QUEUE_COUNT_CAP),
    totalIsCapped: total > QUEUE_COUNT_CAP,
    hasNext: rows.length > QUEUE_PAGE_SIZE,
    rows: rows.slice(0, QUEUE_PAGE_SIZE).map((row) => ({
      id: row.id,
      reference: row.reference,
      kind: row.kind,
      status: row.status,
      submittedAt: row.submitted_at,
      statusChangedAt: row.updated_at,
      productCode: row.product_code,
      sizeTb: row.size_tb,
      termYears: row.term_years,
      totalPence: Number(row.total_pence),
      departmentName: row.department_name,
      licenceName: row.licence_name,
      buyer: { crsid: row.buyer_crsid, displayName: row.buyer_name },
      owner: { crsid: row.owner_crsid, displayName: row.owner_name },
      payment:
        row.method === null || row.check_status === null
          ? null
          : { method: row.method, checkStatus: row.check_status, poNumber: row.po_number },
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// The staff order page

export interface OrderStaffDetails {
  decidedBy: { crsid: string; displayName: string } | null;
  decidedAt: Date | null;
  /** "Name (crsid)" of each Data Manager, by name. */
  managers: string[];
  licenceStatus: LicenceStatus;
  /** Whether the service team has locked the licence, and why (shown to staff only). */
  licenceLock: LicenceLockState;
  checkedAt: Date | null;
  /**
   * The buyer's and the Data Owner's departments as the directory has them now (none for some): an
   * approver sees whether the licence's department is one of theirs, as buying requires.
   */
  buyerDepartment: { id: string; name: string } | null;
  ownerDepartment: { id: string; name: string } | null;
}

/** What the staff page shows beyond OrderDetail, in one query. */
export async function findOrderStaffDetails(db: Executor, orderId: number): Promise<OrderStaffDetails | undefined> {
  const row = await db
    .selectFrom('orders as o')
    .innerJoin('licences as licence', 'licence.id', 'o.licence_id')
    .leftJoin('payments as payment', 'payment.order_id', 'o.id')
    .leftJoin('people as decider', 'decider.id', 'o.decided_by_person_id')
    .innerJoin('people as buyer', 'buyer.id', 'o.buyer_person_id')
    .leftJoin('institutions as buyer_institution', 'buyer_institution.id', 'buyer.institution_id')
    .innerJoin('people as owner', 'owner.id', 'licence.owner_person_id')
    .leftJoin('institutions as owner_institution', 'owner_institution.id', 'owner.institution_id')
    .select([
      'o.decided_at',
      'decider.crsid as decider_crsid',
      'decider.display_name as decider_name',
      'licence.status as licence_status',
      'licence.locked_at',
      'licence.lock_reason',
      'payment.checked_at',
      'buyer.institution_id as buyer_institution_id',
      'buyer_institution.name as buyer_institution_name',
      'owner.institution_id as owner_institution_id',
      'owner_institution.name as owner_institution_name',
      sql<string[]>`array(
        SELECT p.display_name || ' (' || p.crsid || ')' FROM licence_managers lm
          JOIN people p ON p.id = lm.person_id
         WHERE lm.licence_id = o.licence_id ORDER BY p.display_name, p.crsid)`.as('managers'),
    ])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    decidedBy:
      row.decider_crsid && row.decider_name ? { crsid: row.decider_crsid, displayName: row.decider_name } : null,
    decidedAt: row.decided_at,
    managers: row.managers,
    licenceStatus: row.licence_status,
    licenceLock: { lockedAt: row.locked_at, lockReason: row.lock_reason },
    checkedAt: row.checked_at,
    buyerDepartment: department(row.buyer_institution_id, row.buyer_institution_name),
    ownerDepartment: department(row.owner_institution_id, row.owner_institution_name),
  };
}

function department(id: string | null, name: string | null): { id: string; name: string } | null {
  return id === null ? null : { id, name: name ?? id };
}

export interface OrderDecisionState {
  status: OrderStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
}

/** An order's status and who decided it, read afresh (for the message of a decision that lost a race). */
export async function findOrderDecision(db: Executor, orderId: number): Promise<OrderDecisionState | undefined> {
  const row = await db
    .selectFrom('orders as o')
    .leftJoin('people as decider', 'decider.id', 'o.decided_by_person_id')
    .select(['o.status', 'o.decided_at', 'decider.display_name as decider_name'])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
  return row ? { status: row.status, decidedBy: row.decider_name, decidedAt: row.decided_at } : undefined;
}

/**
 * Locks an order's row for the rest of the transaction and returns its status: a second decision
 * on the same order waits here until the first commits, then reads what it did.
 */
export async function lockOrderStatus(tx: Executor, orderId: number): Promise<OrderStatus | undefined> {
  const row = await tx.selectFrom('orders').select('status').where('id', '=', orderId).forUpdate().executeTakeFirst();
  return row?.status;
}

/** Records who decided (approved or rejected) an order, in the transaction that decided it. */
export async function recordOrderDecision(tx: Executor, orderId: number, personId: number, at: Date): Promise<void> {
  await tx
    .updateTable('orders')
    .set({ decided_by_person_id: personId, decided_at: at })
    .where('id', '=', orderId)
    .execute();
}

export interface OrderHistoryEntry {
  id: number;
  occurredAt: Date;
  actorLabel: string;
  actorName: string | null;
  entityType: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The most history rows an order page lists; an order has a handful. */
export const ORDER_HISTORY_LIMIT = 200;

/** The audit trail of an order and its payment, oldest first (audit_events_entity_idx). */
export async function listOrderHistory(db: Executor, reference: string): Promise<OrderHistoryEntry[]> {
  const rows = await db
    .selectFrom('audit_events as a')
    .leftJoin('people as actor', 'actor.id', 'a.actor_person_id')
    .select([
      'a.id',
      'a.occurred_at',
      'a.actor_label',
      'actor.display_name as actor_name',
      'a.entity_type',
      'a.action',
      'a.before',
      'a.after',
    ])
    .where('a.entity_type', 'in', ['order', 'payment'])
    .where('a.entity_id', '=', reference)
    .orderBy('a.id')
    .limit(ORDER_HISTORY_LIMIT)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    occurredAt: row.occurred_at,
    actorLabel: row.actor_label,
    actorName: row.actor_name,
    entityType: row.entity_type,
    action: row.action,
    before: row.before,
    after: row.after,
  }));
}
