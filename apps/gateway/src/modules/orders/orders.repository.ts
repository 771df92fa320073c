import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { LicenceLockState } from '../licences/licence-lock.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { PaymentCheckStatus, PaymentMethod } from '../payments/payments.tables.ts';
import type { CustomerClass, ServiceCode } from '../people/people.tables.ts';
import {
  IN_PROGRESS_STATUSES,
  ORDER_TRANSITIONS,
  type OrderKind,
  type OrderStatus,
  type OrderTransition,
} from './order-status.ts';

/** A licence's status as it is now (an order's copy may be from before its licence moved on). */
export async function licenceStatusNow(db: Executor, licenceId: number): Promise<LicenceStatus> {
  const row = await db.selectFrom('licences').select('status').where('id', '=', licenceId).executeTakeFirstOrThrow();
  return row.status;
}

/** Whether the service team has locked the licence now, and why. */
export async function licenceLockNow(db: Executor, licenceId: number): Promise<LicenceLockState> {
  const row = await db
    .selectFrom('licences')
    .select(['locked_at', 'lock_reason'])
    .where('id', '=', licenceId)
    .executeTakeFirstOrThrow();
  return { lockedAt: row.locked_at, lockReason: row.lock_reason };
}

/** An order with everything its page, its emails and its access rule need, read in one query. */
export interface OrderManager {
  id: number;
  crsid: string;
  displayName: string;
}

export interface OrderDetail {
  id: number;
  reference: string;
  kind: OrderKind;
  status: OrderStatus;
  statusReason: string | null;
  submittedAt: Date;
  /** `current`: still a member of the University (someone who has left is emailed nothing). */
  buyer: { id: number; crsid: string; displayName: string; email: string; current: boolean };
  product: { code: string; name: string; service: ServiceCode; serviceName: string; teamEmail: string };
  institution: { id: string; name: string };
  customerClass: CustomerClass;
  sizeTb: number;
  termYears: number;
  pencePerTbYear: number;
  priceValidFrom: string;
  netPence: number;
  vatPence: number;
  totalPence: number;
  /** The period a change order pays for (none for new storage and cancellations). */
  startsOn: string | null;
  endsOn: string | null;
  /** Recovery: the part of netPence that is the cold-store fee. */
  coldStorePence: number;
  /** The quote it was priced by, if any. */
  quoteId: number | null;
  quoteReference: string | null;
  /**
   * A cancellation: the reason its buyer gave for it (change-orders.service.ts submitChangeOrder),
   * or null (none given, or another kind of order).
   */
  reason: string | null;
  /** Ordered with a quote but at today's price, which was lower (purchase-draft.ts withQuotePrice, change-quotes.ts atQuotedPrice). */
  belowQuote: boolean;
  terms: { version: string; title: string; acceptedAt: Date };
  licence: {
    id: number;
    name: string;
    /** As it is now: a change order's licence may have moved on since the order was placed. */
    status: LicenceStatus;
    owner: { id: number; crsid: string; displayName: string; email: string; current: boolean };
    /** Its Data Managers, by name: those named on a new order, as it is now for a change. */
    managers: OrderManager[];
    managerIds: number[];
    projectName: string | null;
  };
  /** None for an order that takes no payment (a cancellation: order-payment.ts takesPayment). */
  payment: {
    method: PaymentMethod;
    financeCode: string | null;
    poNumber: string | null;
    poDocumentId: string | null;
    poDocumentName: string | null;
    voucherId: number | null;
    voucherCode: string | null;
    checkStatus: PaymentCheckStatus;
    checkMessage: string | null;
    checkAttempts: number;
  } | null;
}

export async function findOrder(
  db: Executor,
  by: { reference: string } | { id: number } | { submissionKey: string },
): Promise<OrderDetail | undefined> {
  let query = db
    .selectFrom('orders as o')
    .innerJoin('people as buyer', 'buyer.id', 'o.buyer_person_id')
    .innerJoin('products as product', 'product.code', 'o.product_code')
    .innerJoin('services as service', 'service.code', 'product.service')
    .innerJoin('institutions as institution', 'institution.id', 'o.institution_id')
    .innerJoin('terms_versions as terms', 'terms.id', 'o.terms_version_id')
    .innerJoin('licences as licence', 'licence.id', 'o.licence_id')
    .innerJoin('people as owner', 'owner.id', 'licence.owner_person_id')
    .leftJoin('payments as payment', 'payment.order_id', 'o.id')
    .leftJoin('uploaded_documents as document', 'document.id', 'payment.po_document_id')
    .leftJoin('vouchers as voucher', 'voucher.id', 'payment.voucher_id')
    .leftJoin('quotes as quote', 'quote.id', 'o.quote_id')
    .selectAll('o')
    .select([
      'buyer.crsid as buyer_crsid',
      'buyer.display_name as buyer_name',
      'buyer.email as buyer_email',
      'buyer.status as buyer_status',
      'product.name as product_name',
      'product.service as service',
      'service.name as service_name',
      'service.team_email as team_email',
      'institution.name as institution_name',
      'terms.version as terms_version',
      'terms.title as terms_title',
      'licence.name as licence_name',
      'licence.status as licence_status',
      'licence.owner_person_id as owner_id',
      'owner.crsid as owner_crsid',
      'owner.display_name as owner_name',
      'owner.email as owner_email',
      'owner.status as owner_status',
      'payment.method',
      'payment.finance_code',
      'payment.po_number',
      'payment.po_document_id',
      'document.file_name as po_document_name',
      'payment.voucher_id',
      'voucher.code as voucher_code',
      'payment.check_status',
      'payment.check_message',
      'payment.check_attempts',
      'o.quote_id',
      'quote.reference as quote_reference',
      'quote.pence_per_tb_year as quote_pence_per_tb_year',
      sql<OrderManager[]>`coalesce((
        SELECT json_agg(json_build_object('id', p.id, 'crsid', p.crsid, 'displayName', p.display_name)
          ORDER BY p.display_name, p.id)
        FROM licence_managers m JOIN people p ON p.id = m.person_id WHERE m.licence_id = o.licence_id), '[]'::json)`.as(
        'managers',
      ),
      // Kept only in the order's "submitted" audit entry (and its email), where the storage team reads it.
      sql<string | null>`(SELECT a.after->>'reason' FROM audit_events a
        WHERE o.kind = 'cancellation' AND a.entity_type = 'order' AND a.entity_id = o.reference
          AND a.action = 'submitted' ORDER BY a.id LIMIT 1)`.as('change_reason'),
      sql<string | null>`(SELECT name FROM storage_projects WHERE licence_id = o.licence_id ORDER BY id LIMIT 1)`.as(
        'project_name',
      ),
    ]);
  if ('reference' in by) query = query.where('o.reference', '=', by.reference.toUpperCase());
  else if ('id' in by) query = query.where('o.id', '=', by.id);
  else query = query.where('o.submission_key', '=', by.submissionKey);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    status: row.status,
    statusReason: row.status_reason,
    submittedAt: row.submitted_at,
    buyer: {
      id: row.buyer_person_id,
      crsid: row.buyer_crsid,
      displayName: row.buyer_name,
      email: row.buyer_email,
      current: row.buyer_status === 'current',
    },
    product: {
      code: row.product_code,
      name: row.product_name,
      service: row.service,
      serviceName: row.service_name,
      teamEmail: row.team_email,
    },
    institution: { id: row.institution_id, name: row.institution_name },
    customerClass: row.customer_class,
    sizeTb: row.size_tb,
    termYears: row.term_years,
    pencePerTbYear: row.pence_per_tb_year,
    priceValidFrom: row.price_valid_from,
    netPence: row.net_pence,
    vatPence: row.vat_pence,
    totalPence: row.total_pence,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    coldStorePence: row.cold_store_pence,
    quoteId: row.quote_id,
    quoteReference: row.quote_reference,
    reason: row.change_reason,
    belowQuote: row.quote_pence_per_tb_year !== null && row.pence_per_tb_year < row.quote_pence_per_tb_year,
    terms: { version: row.terms_version, title: row.terms_title, acceptedAt: row.terms_accepted_at },
    licence: {
      id: row.licence_id,
      name: row.licence_name,
      status: row.licence_status,
      owner: {
        id: row.owner_id,
        crsid: row.owner_crsid,
        displayName: row.owner_name,
        email: row.owner_email,
        current: row.owner_status === 'current',
      },
      managers: row.managers.map((manager) => ({ ...manager, id: Number(manager.id) })),
      managerIds: row.managers.map((manager) => Number(manager.id)),
      projectName: row.project_name,
    },
    payment:
      row.method === null || row.check_status === null
        ? null
        : {
            method: row.method,
            financeCode: row.finance_code,
            poNumber: row.po_number,
            poDocumentId: row.po_document_id,
            poDocumentName: row.po_document_name,
            voucherId: row.voucher_id,
            voucherCode: row.voucher_code,
            checkStatus: row.check_status,
            checkMessage: row.check_message,
            checkAttempts: row.check_attempts ?? 0,
          },
  };
}

/**
 * The reference of the order a person submitted with this key (a check-your-answers page sent
 * twice), or undefined: someone else's key, or not a key at all, finds nothing.
 */
export async function submittedOrderReference(
  db: Executor,
  person: { id: number },
  submissionKey: string | undefined,
): Promise<string | undefined> {
  if (!submissionKey || !/^[0-9a-f-]{36}$/.test(submissionKey)) return undefined;
  const order = await db
    .selectFrom('orders')
    .select('reference')
    .where('submission_key', '=', submissionKey)
    .where('buyer_person_id', '=', person.id)
    .executeTakeFirst();
  return order?.reference;
}

/**
 * Moves an order through a named transition if, and only if, it is still in a state the
 * transition starts from. The condition is in the UPDATE, so of two racing requests exactly one
 * changes the row; false means this one lost (or the order had already moved on).
 */
export async function applyOrderTransition(
  tx: Executor,
  orderId: number,
  transition: OrderTransition,
  now: Date,
  reason: string | null = null,
): Promise<boolean> {
  const { from, to } = ORDER_TRANSITIONS[transition];
  const result = await tx
    .updateTable('orders')
    .set({ status: to, status_reason: reason, updated_at: now })
    .where('id', '=', orderId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * The order of this licence in progress: its new order (`new`: the licence is waiting to be set
 * up), or the change of it (`change`: a licence has at most one, migration 0010's unique index).
 */
export async function orderInProgress(
  db: Executor,
  licenceId: number,
  which: 'new' | 'change',
): Promise<{ id: number; reference: string; kind: OrderKind } | undefined> {
  const row = await db
    .selectFrom('orders')
    .select(['id', 'reference', 'kind'])
    .where('licence_id', '=', licenceId)
    .where('kind', which === 'new' ? '=' : '<>', 'new')
    .where('status', 'in', [...IN_PROGRESS_STATUSES])
    .executeTakeFirst();
  return row ? { id: Number(row.id), reference: row.reference, kind: row.kind } : undefined;
}
