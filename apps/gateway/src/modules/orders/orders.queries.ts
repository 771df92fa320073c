import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { PaymentCheckStatus } from '../payments/payments.tables.ts';
import type { ServiceCode } from '../people/people.tables.ts';
import type { OrderKind, OrderStatus } from './order-status.ts';

/**
 * Read-only questions about orders for the customer's pages (My storage, a licence's page).
 * Writing orders is orders.service.ts and orders.repository.ts; nothing here changes a row.
 */

export interface OrderListing {
  id: number;
  reference: string;
  kind: OrderKind;
  status: OrderStatus;
  /** A rejection or cancellation reason the buyer sees beside the status. */
  statusReason: string | null;
  /** Whether its payment checked out (orderStatusWords); null for an order with nothing to pay. */
  paymentCheckStatus: PaymentCheckStatus | null;
  productCode: string;
  productName: string;
  licenceId: number;
  licenceName: string;
  sizeTb: number;
  totalPence: number;
  submittedAt: Date;
}

export interface OrderListingPage {
  orders: OrderListing[];
  /** How many orders there are in all, so a capped list can say "showing N of M". */
  total: number;
}

/** More than anyone has: a person rarely has more than a few dozen orders. */
export const DEFAULT_ORDER_LIMIT = 100;

function selectListing(db: Executor) {
  return db
    .selectFrom('orders')
    .innerJoin('licences', 'licences.id', 'orders.licence_id')
    .innerJoin('products', 'products.code', 'orders.product_code')
    .leftJoin('payments', 'payments.order_id', 'orders.id')
    .select([
      'orders.id',
      'orders.reference',
      'orders.kind',
      'orders.status',
      'orders.status_reason',
      'payments.check_status',
      'orders.product_code',
      'products.name as product_name',
      'orders.licence_id',
      'licences.name as licence_name',
      'orders.size_tb',
      'orders.total_pence',
      'orders.submitted_at',
    ]);
}

type ListingRow = Awaited<ReturnType<ReturnType<typeof selectListing>['execute']>>[number];

function toListing(row: ListingRow): OrderListing {
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    status: row.status,
    statusReason: row.status_reason,
    paymentCheckStatus: row.check_status,
    productCode: row.product_code,
    productName: row.product_name,
    licenceId: row.licence_id,
    licenceName: row.licence_name,
    sizeTb: row.size_tb,
    totalPence: row.total_pence,
    submittedAt: row.submitted_at,
  };
}

/**
 * The orders a person may follow: the ones they bought, and every order of a licence they own or
 * manage (a Data Manager sees a renewal the Data Owner placed). Newest first, in one query.
 */
export async function listOrdersForPerson(
  db: Executor,
  personId: number,
  page: {
    limit?: number;
    offset?: number;
    /** Only these services' orders (a view of the site as this person: view-as-rules.ts); all if not given. */
    services?: readonly ServiceCode[];
  } = {},
): Promise<OrderListingPage> {
  const offset = page.offset ?? 0;
  const { services } = page;
  // The prepared statement for everyone; the same query with the services' condition for a view.
  const ofPerson = (p: OrdersOfPersonParams) =>
    services ? ordersOfPerson(db, p).where('products.service', 'in', services).execute() : selectOrdersOfPerson(db, p);
  const rows = await ofPerson({ personId, limit: page.limit ?? DEFAULT_ORDER_LIMIT, offset });
  // A page past the last one has no row to carry the total: the first row has it.
  const total = rows[0]?.total ?? (offset > 0 ? (await ofPerson({ personId, limit: 1, offset: 0 }))[0]?.total : 0);
  return { orders: rows.map(toListing), total: total ?? 0 };
}

type OrdersOfPersonParams = { personId: number; limit: number; offset: number };

// Prepared: My storage asks it on every view.
const selectOrdersOfPerson = preparedQuery((db, p: OrdersOfPersonParams) => ordersOfPerson(db, p));

function ordersOfPerson(db: Executor, p: OrdersOfPersonParams) {
  return (
    selectListing(db)
      .select(sql<number>`count(*) OVER ()`.as('total'))
      // A UNION of indexed lookups (bought by them; of a licence they own; of one they manage), not one
      // OR over a subquery, which PostgreSQL can only answer by reading every order.
      .where('orders.id', 'in', (eb) =>
        eb
          .selectFrom('orders as bought')
          .select('bought.id')
          .where('bought.buyer_person_id', '=', p.personId)
          .union(
            eb
              .selectFrom('orders as held')
              .select('held.id')
              .where('held.licence_id', 'in', (inner) =>
                inner
                  .selectFrom('licences as owned')
                  .select('owned.id')
                  .where('owned.owner_person_id', '=', p.personId)
                  .union(
                    inner
                      .selectFrom('licence_managers as managed')
                      .select('managed.licence_id as id')
                      .where('managed.person_id', '=', p.personId),
                  ),
              ),
          ),
      )
      .orderBy('orders.submitted_at', 'desc')
      .orderBy('orders.id', 'desc')
      .limit(p.limit)
      .offset(p.offset)
  );
}

/** Every order of one licence, newest first. The caller has already decided the person may see them. */
export async function listOrdersForLicence(db: Executor, licenceId: number): Promise<OrderListing[]> {
  const rows = await selectListing(db)
    .where('orders.licence_id', '=', licenceId)
    .orderBy('orders.submitted_at', 'desc')
    .orderBy('orders.id', 'desc')
    .execute();
  return rows.map(toListing);
}
