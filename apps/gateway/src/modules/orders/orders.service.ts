import type { Insertable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/email-template.tsx';
import { queueEmail } from '../../platform/mail/mail.jobs.ts';
import { quoted } from '../../platform/mail/quoted.ts';
import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { type Actor, personActor, recordAudit } from '../audit/audit.repository.ts';
import { formatPence } from '../catalogue/money.ts';
import type { PriceBreakdown } from '../catalogue/pricing.ts';
import { sizeText } from '../catalogue/sizes.ts';
import { checkFinanceCode, describeRefusal, type FinanceCodeChecker } from '../payments/finance-code-check.ts';
import { parseFinanceCodeText } from '../payments/payment-details.ts';
import type { PaymentCheckStatus } from '../payments/payments.tables.ts';
import { findUnusedUpload } from '../payments/po-document.ts';
import { findVoucher, redeemVoucher, releaseVoucher, voucherProblem } from '../payments/vouchers.repository.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { peopleWords, personWords } from '../people/person-words.ts';
import { canManageService, isServiceStaff } from '../people/staff-access.ts';
import { formatInstant, quoteUsed } from '../quotes/quote-rules.ts';
import { cancelNeedsReason, orderInWords, parseCancelReason } from './order-decisions.ts';
import { orderPeopleToTell } from './order-people.ts';
import { orderPriceWords } from './order-price-words.ts';
import {
  canTransition,
  isCancellable,
  ORDER_STATUS_WORDS,
  type OrderKind,
  type OrderStatus,
  type OrderTransition,
  teamMayBeWorkingOn,
  UNDONE_STATUSES,
} from './order-status.ts';
import { findOrderDecision, lockOrderStatus, type OrderDecisionState } from './orders.admin.repository.ts';
import { orderEmail } from './orders.emails.tsx';
import { applyOrderTransition, findOrder, type OrderDetail, orderInProgress } from './orders.repository.ts';
import type { OrdersTable } from './orders.tables.ts';
import { checkOrderPaymentJob } from './payment-check.jobs.ts';
import type { PricedConfiguration } from './purchase-configuration.service.ts';

/** What the orders service works with; handlers and jobs build it from their own dependencies. */
export interface OrdersContext {
  db: Executor;
  jobs: JobQueue;
  clock: Clock;
  cufs: FinanceCodeChecker;
  site: { serviceName: string; contactEmail: string; publicUrl: string };
}

export type SubmittedPayment =
  | { method: 'finance-code'; financeCode: string }
  | { method: 'purchase-order'; poNumber: string; documentId: string }
  | { method: 'voucher'; voucherCode: string };

export interface NewOrderSubmission {
  configuration: PricedConfiguration;
  payment: SubmittedPayment;
  termsVersionId: number;
  /** From the check-your-answers page: the same key twice means the same order. */
  submissionKey: string;
  quoteId?: number | null;
  /** From the API: the total the caller agreed to; any other total refuses the order (refuseUnexpectedTotal). */
  expectedTotalPence?: number;
}

/** A submission refused for a reason the buyer can fix, keyed by the field to fix. */
export class SubmissionRefused extends Error {
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).filter(Boolean).join('; '));
    this.name = 'SubmissionRefused';
  }
}

/**
 * An API caller's `expectedTotalPence` that is not the total the gateway computed: a 409 with both
 * figures, thrown inside the submission's transaction before anything is written, so the order is
 * placed at the price the caller agreed to or not at all. Nothing expected, nothing to refuse.
 * `ordered`: the order the submission key made already (a retry), whose total it is.
 */
export function refuseUnexpectedTotal(
  expectedTotalPence: number | undefined,
  totalPence: number,
  ordered?: { reference: string },
): void {
  if (expectedTotalPence === undefined || expectedTotalPence === totalPence) return;
  const figures = `The total is ${formatPence(totalPence)} (${totalPence} pence), not the ${formatPence(expectedTotalPence)} (${expectedTotalPence} pence) you expected`;
  throw new AppError(
    'conflict',
    ordered
      ? `${figures}: this submission key ordered ${ordered.reference} at that total already, so nothing more was ordered. Cancel ${ordered.reference} if it is not the order you want, or send a new key (a fresh UUID) for a new order.`
      : `${figures}, so nothing was ordered. Price it again, and send the new total if you accept it.`,
    { expectedTotalPence: `The total is ${totalPence} pence, not ${expectedTotalPence}` },
  );
}

/**
 * Submits an order for new storage: the licence (pending) with its people and first storage
 * project, the order with its price and terms frozen, the payment, the audit rows, the emails and
 * any payment re-check, all in one transaction. Submitting the same page twice returns the first
 * order.
 */
export async function submitNewOrder(
  context: OrdersContext,
  buyer: PersonWithRoles,
  submission: NewOrderSubmission,
): Promise<{ reference: string; created: boolean }> {
  const c = submission.configuration;
  const what: SubmissionTarget = {
    kind: 'new',
    productCode: c.product.code,
    sizeTb: c.sizeTb,
    termYears: c.termYears,
    quoteId: submission.quoteId ?? null,
    institutionId: c.institution.id,
    licenceName: c.licenceName,
    ownerId: c.owner.id,
    managerIds: c.managers.map((manager) => manager.id),
    projectName: c.projectName,
    payment: submission.payment,
  };
  return submitOnce(context, buyer, { ...submission, what }, (tx, checked) =>
    insertNewOrder(context, tx, buyer, submission, checked),
  );
}

/**
 * What a submission asks for, to tell a retry (the same key for the same order) from a key sent
 * again for something else: the kind, and whichever of the rest the submission names (an
 * increase's size is the TB added). Everything an order keeps of what it was asked is named, so
 * that a key sent again with any of it different is refused (replayedSubmission), not answered
 * with an order that is not the one asked for.
 */
export interface SubmissionTarget {
  kind: OrderKind;
  licenceId?: number;
  productCode?: string;
  sizeTb?: number;
  termYears?: number;
  /** New storage: the quote it is priced by (none: null). */
  quoteId?: number | null;
  /** A change: the quote it is ordered with, as its reference is stored (none: null). */
  quoteReference?: string | null;
  /** New storage: the paying department, the licence's name, people and first project, as checked (ids). */
  institutionId?: string;
  licenceName?: string;
  ownerId?: number;
  managerIds?: number[];
  projectName?: string;
  /** How it is paid, as submitted (none: an order that takes no payment). */
  payment?: SubmittedPayment | null;
  /** A cancellation: the reason given for it, trimmed (none: null). */
  reason?: string | null;
}

/**
 * The frame of every order submission, new storage or a change: a key already used answers with
 * its order; the finance code is asked of CUFS once more (outside the transaction); then `insert`
 * writes the order in one transaction. Two copies of one submission racing: the unique
 * submission key lets one in and the other answers with it.
 */
export async function submitOnce(
  context: OrdersContext,
  buyer: PersonWithRoles,
  /** No payment for an order that takes none (order-payment.ts takesPayment). */
  submission: {
    submissionKey: string;
    payment: SubmittedPayment | undefined;
    what: SubmissionTarget;
    expectedTotalPence?: number;
  },
  insert: (tx: Executor, checked: CheckedPayment) => Promise<string>,
): Promise<{ reference: string; created: boolean }> {
  const existing = await findOrder(context.db, { submissionKey: submission.submissionKey });
  if (existing) return replayedSubmission(existing, buyer, submission.what, submission.expectedTotalPence);
  const checked = await checkPaymentBeforeSubmitting(context, submission.payment);
  try {
    const reference = await context.db.transaction().execute((tx) => insert(tx, checked));
    return { reference, created: true };
  } catch (error) {
    const winner = await findOrder(context.db, { submissionKey: submission.submissionKey });
    if (winner) return replayedSubmission(winner, buyer, submission.what, submission.expectedTotalPence);
    throw error;
  }
}

/**
 * A submission key already used by someone else's order: never answered with that order, nor
 * named. The pages say their form has been used (a 409); the API, whose caller chose the key,
 * answers a 422 for submissionKey as for any key sent again for another order (apiRefusal).
 */
export class SubmissionKeyOfAnother extends AppError {
  constructor() {
    super('conflict', 'This form has already been used; start again.');
    this.name = 'SubmissionKeyOfAnother';
  }

  /** The API's answer: the same key with a different order is a 422 for submissionKey (docs/api.md). */
  apiRefusal(): AppError {
    const message = 'This submission key was used for another order: send a new key (a fresh UUID) with each order';
    return new AppError('unprocessable', message, { submissionKey: message });
  }
}

/**
 * The order a submission key already made, answered again for a retry of the same submission. The
 * key of someone else's order is a conflict; the buyer's key sent again for a different order (any of
 * what it asked different: isSameSubmission) is refused rather than answered with the first order,
 * which a script would take for the one it asked for; so is a retry expecting another total than
 * the order's (a 409 with both, as for a new order). Someone else's key: SubmissionKeyOfAnother.
 */
export function replayedSubmission(
  order: OrderDetail,
  buyer: PersonWithRoles,
  what: SubmissionTarget,
  expectedTotalPence: number | undefined,
): { reference: string; created: boolean } {
  if (order.buyer.id !== buyer.id) throw new SubmissionKeyOfAnother();
  if (!isSameSubmission(order, what)) {
    const message = `This submission key was used for ${order.reference}, a different order: send a new key (a fresh UUID) with each order`;
    throw new AppError('unprocessable', message, { submissionKey: message });
  }
  refuseUnexpectedTotal(expectedTotalPence, order.totalPence, order);
  return { reference: order.reference, created: false };
}

/**
 * Whether the order a key made is what `what` asks for, compared with what the order keeps: its
 * row, its licence's name, people and first project (a new order made them: a retry sent before
 * anyone changed them finds them as asked), its payment as stored (a finance code in its written
 * form, PO numbers and voucher codes in capitals, as parsePaymentDetails keeps them) and a
 * cancellation's reason.
 */
function isSameSubmission(order: OrderDetail, what: SubmissionTarget): boolean {
  const asked = <T>(value: T | undefined, kept: T) => value === undefined || value === kept;
  return (
    order.kind === what.kind &&
    asked(what.licenceId, order.licence.id) &&
    asked(what.productCode, order.product.code) &&
    asked(what.sizeTb, order.sizeTb) &&
    asked(what.termYears, order.termYears) &&
    asked(what.quoteId, order.quoteId) &&
    asked(what.quoteReference, order.quoteReference) &&
    asked(what.institutionId, order.institution.id) &&
    asked(what.licenceName, order.licence.name) &&
    asked(what.ownerId, order.licence.owner.id) &&
    asked(what.projectName, order.licence.projectName) &&
    asked(what.reason, order.reason) &&
    (what.managerIds === undefined || sameIds(what.managerIds, order.licence.managerIds)) &&
    (what.payment === undefined || samePayment(what.payment, order.payment))
  );
}

function sameIds(asked: readonly number[], kept: readonly number[]): boolean {
  const set = new Set(asked);
  return set.size === new Set(kept).size && kept.every((id) => set.has(id));
}

function samePayment(asked: SubmittedPayment | null, kept: OrderDetail['payment']): boolean {
  if (!asked || !kept) return !asked && !kept;
  if (asked.method !== kept.method) return false;
  switch (asked.method) {
    case 'finance-code':
      return normalisedCode(asked.financeCode) === kept.financeCode;
    case 'purchase-order':
      return (
        asked.poNumber.trim().toUpperCase() === kept.poNumber &&
        asked.documentId.toLowerCase() === kept.poDocumentId?.toLowerCase()
      );
    case 'voucher':
      return asked.voucherCode.trim().toUpperCase() === kept.voucherCode;
  }
}

export interface CheckedPayment {
  checkStatus: PaymentCheckStatus;
  checkMessage: string | null;
}

/** CUFS's answer for a finance code, asked once more at submission: a refusal stops the order here. */
async function checkPaymentBeforeSubmitting(
  context: OrdersContext,
  payment: SubmittedPayment | undefined,
): Promise<CheckedPayment> {
  if (payment?.method !== 'finance-code') return { checkStatus: 'not-needed', checkMessage: null };
  const parsed = parseFinanceCodeText(payment.financeCode);
  if (!parsed.ok) throw new SubmissionRefused(parsed.errors);
  if (parsed.value.method !== 'finance-code') throw new Error('unreachable');
  const check = await checkFinanceCode(context.cufs, parsed.value.code, context.clock.today().toString());
  const refusal = describeRefusal(check);
  if (refusal) throw new SubmissionRefused({ financeCode: refusal });
  if (check.outcome === 'valid') return { checkStatus: 'valid', checkMessage: check.names.join(' · ') };
  return { checkStatus: 'pending', checkMessage: 'The finance system could not be reached; we will check again.' };
}

async function insertNewOrder(
  context: OrdersContext,
  tx: Executor,
  buyer: PersonWithRoles,
  submission: NewOrderSubmission,
  checked: CheckedPayment,
): Promise<string> {
  const { configuration: c, payment } = submission;
  refuseUnexpectedTotal(submission.expectedTotalPence, c.price.totalPence);
  const voucher = await takePayment(context, tx, buyer, payment, {
    productCode: c.product.code,
    sizeTb: c.sizeTb,
    institutionId: c.institution.id,
  });

  const licence = await tx
    .insertInto('licences')
    .values({
      product_code: c.product.code,
      name: c.licenceName,
      institution_id: c.institution.id,
      owner_person_id: c.owner.id,
      size_tb: c.sizeTb,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (c.managers.length > 0) {
    await tx
      .insertInto('licence_managers')
      .values(c.managers.map((manager) => ({ licence_id: licence.id, person_id: manager.id })))
      .execute();
  }
  await tx
    .insertInto('storage_projects')
    .values({ licence_id: licence.id, name: c.projectName, quota_tb: c.sizeTb })
    .execute();

  const order = await insertOrder(context, tx, {
    values: {
      kind: 'new',
      licence_id: licence.id,
      buyer_person_id: buyer.id,
      product_code: c.product.code,
      institution_id: c.institution.id,
      customer_class: c.institution.customerClass,
      size_tb: c.sizeTb,
      term_years: c.termYears,
      pence_per_tb_year: c.price.pencePerTbYear,
      price_valid_from: c.price.validFrom,
      quote_id: submission.quoteId ?? null,
      terms_version_id: submission.termsVersionId,
      submission_key: submission.submissionKey,
    },
    price: c.price,
    payment,
    voucher,
    buyer: personActor(buyer),
    checked,
  });
  const { status } = order;
  const charged = order.charged;

  const actor = personActor(buyer);
  await recordAudit(tx, {
    actor,
    entityType: 'licence',
    entityId: licence.id,
    licenceId: licence.id,
    action: 'requested',
    after: {
      product: c.product.code,
      name: c.licenceName,
      sizeTb: c.sizeTb,
      department: c.institution.id,
      owner: c.owner.crsid,
      managers: c.managers.map((manager) => manager.crsid),
      project: c.projectName,
    },
  });
  await recordAudit(tx, {
    actor,
    entityType: 'order',
    entityId: order.reference,
    licenceId: licence.id,
    action: 'submitted',
    after: {
      status,
      termYears: c.termYears,
      pencePerTbYear: c.price.pencePerTbYear,
      totalPence: charged.totalPence,
      payment: payment.method,
      checkStatus: checked.checkStatus,
    },
  });
  const detail = await findOrder(tx, { id: order.id });
  if (!detail) throw new Error(`order ${order.id} vanished inside its own transaction`);
  await emailOrderPeople(context, tx, detail, `Order ${detail.reference} received`, confirmationParagraphs(detail));
  return order.reference;
}

/** What a voucher must cover: the product, the TB it pays for and the paying department. */
export interface VoucherScope {
  productCode: string;
  sizeTb: number;
  institutionId: string;
  /** The TB are the licence's whole size (a renewal or recovery), which the buyer cannot reduce. */
  licenceSize?: boolean;
}

/** A voucher redeemed for an order about to be written (takePayment), its use audited with the order (insertOrder). */
export interface RedeemedVoucher {
  id: number;
  code: string;
}

/**
 * The payment's part before the order is written: a voucher is redeemed (its id and code returned;
 * it pays the whole price), a purchase order's upload must still be the buyer's and unused. Nothing
 * for an order that takes no payment.
 */
export async function takePayment(
  context: OrdersContext,
  tx: Executor,
  buyer: PersonWithRoles,
  payment: SubmittedPayment | undefined,
  scope: VoucherScope,
): Promise<RedeemedVoucher | null> {
  if (!payment) return null;
  if (payment.method === 'purchase-order' && !(await findUnusedUpload(tx, buyer.id, payment.documentId))) {
    throw new SubmissionRefused({ poDocument: 'Upload the purchase order again: the earlier upload was not found' });
  }
  if (payment.method !== 'voucher') return null;
  return useVoucher(tx, scope, payment.voucherCode, context.clock);
}

/**
 * Refuses an order placed with a quote another order was placed with (not rejected or cancelled):
 * a quote pays for one order. The quote's row is locked first, so that two orders placed with it at
 * once (two tabs, or the API) are placed one after the other and the second is refused.
 */
async function refuseUsedQuote(tx: Executor, quoteId: number): Promise<void> {
  const quote = await tx
    .selectFrom('quotes')
    .select('reference')
    .where('id', '=', quoteId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const used = await tx
    .selectFrom('orders')
    .select('reference')
    .where('quote_id', '=', quoteId)
    .where('status', 'not in', UNDONE_STATUSES)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const refusal = usedQuoteConflict({ reference: quote.reference, usedBy: used?.reference ?? null });
  if (refusal) throw refusal;
}

/**
 * The 409 for a quote for new storage another order was placed with (quoteUsed), or null: for an
 * order placed with it (refuseUsedQuote) and for pricing with it (the API's POST /api/prices).
 */
export function usedQuoteConflict(quote: { reference: string; usedBy: string | null }): AppError | null {
  const refusal = quoteUsed(quote);
  if (!refusal) return null;
  const message = `${refusal}. Get a new quote, or order at today’s price.`;
  return new AppError('conflict', message, { quoteReference: message });
}

/**
 * Writes a submitted order and its payment: the status its payment check allows, the terms
 * accepted and the order submitted now, the price as given (a voucher pays the whole price: the
 * order keeps the list price per TB and charges nothing; its use is audited against the voucher,
 * naming the order, as its issue and its release are). An order that takes no payment (a
 * cancellation) has no payment row and waits for approval.
 */
export async function insertOrder(
  context: OrdersContext,
  tx: Executor,
  order: {
    values: Omit<
      Insertable<OrdersTable>,
      | 'status'
      | 'status_reason'
      | 'net_pence'
      | 'vat_pence'
      | 'total_pence'
      | 'cold_store_pence'
      | 'terms_accepted_at'
      | 'submitted_at'
    >;
    price: PriceBreakdown & { coldStorePence?: number };
    payment: SubmittedPayment | undefined;
    voucher: RedeemedVoucher | null;
    /** Who submits it: the voucher's use is theirs. */
    buyer: Actor;
    checked: CheckedPayment;
  },
): Promise<{
  id: number;
  reference: string;
  status: OrderStatus;
  charged: PriceBreakdown & { coldStorePence: number };
}> {
  if (order.values.quote_id) await refuseUsedQuote(tx, order.values.quote_id);
  const charged = order.voucher
    ? { netPence: 0, vatPence: 0, totalPence: 0, coldStorePence: 0 }
    : { ...order.price, coldStorePence: order.price.coldStorePence ?? 0 };
  // An order waits for its payment check while CUFS has not answered; otherwise for approval.
  const status: OrderStatus = order.checked.checkStatus === 'pending' ? 'awaiting-payment-check' : 'awaiting-approval';
  const row = await tx
    .insertInto('orders')
    .values({
      ...order.values,
      status,
      status_reason: null,
      net_pence: charged.netPence,
      vat_pence: charged.vatPence,
      total_pence: charged.totalPence,
      cold_store_pence: charged.coldStorePence,
      terms_accepted_at: context.clock.now(),
      submitted_at: context.clock.now(),
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  if (order.payment) await insertPayment(context, tx, row.id, order.payment, order.voucher?.id ?? null, order.checked);
  if (order.voucher) {
    await recordAudit(tx, {
      actor: order.buyer,
      entityType: 'voucher',
      entityId: order.voucher.id,
      licenceId: order.values.licence_id,
      action: 'used',
      before: { redeemedBy: null },
      after: { code: order.voucher.code, redeemedBy: row.reference },
    });
  }
  return { ...row, status, charged };
}

/** The payment row of a new order, and the background re-check of a finance code CUFS could not answer. */
async function insertPayment(
  context: OrdersContext,
  tx: Executor,
  orderId: number,
  payment: SubmittedPayment,
  voucherId: number | null,
  checked: CheckedPayment,
): Promise<void> {
  await tx
    .insertInto('payments')
    .values({
      order_id: orderId,
      method: payment.method,
      finance_code: payment.method === 'finance-code' ? normalisedCode(payment.financeCode) : null,
      po_number: payment.method === 'purchase-order' ? payment.poNumber : null,
      po_document_id: payment.method === 'purchase-order' ? payment.documentId : null,
      voucher_id: voucherId,
      check_status: checked.checkStatus,
      check_message: checked.checkMessage,
      checked_at: checked.checkStatus === 'valid' ? context.clock.now() : null,
    })
    .execute();
  if (checked.checkStatus === 'pending') {
    await context.jobs.enqueue(tx, checkOrderPaymentJob, { orderId, attempt: 1 });
  }
}

function normalisedCode(text: string): string {
  const parsed = parseFinanceCodeText(text);
  return parsed.ok && parsed.value.method === 'finance-code' ? parsed.value.text : text;
}

async function useVoucher(tx: Executor, scope: VoucherScope, code: string, clock: Clock): Promise<RedeemedVoucher> {
  const voucher = await findVoucher(tx, code);
  const problem = voucherProblem(voucher, { ...scope, today: clock.today().toString() });
  if (problem || !voucher) throw new SubmissionRefused({ voucherCode: problem ?? 'This voucher cannot be used' });
  if (!(await redeemVoucher(tx, voucher.id, clock.now()))) {
    throw new SubmissionRefused({ voucherCode: 'This voucher has already been used' });
  }
  return { id: voucher.id, code: voucher.code };
}

/** ", and … as Data Managers" (or as its Data Manager), or nothing when there are none. */
function managersWords(managers: OrderDetail['licence']['managers']): string {
  if (managers.length === 0) return '';
  return `, and ${peopleWords(managers)} as ${managers.length === 1 ? 'its Data Manager' : 'Data Managers'}`;
}

function confirmationParagraphs(order: OrderDetail): string[] {
  const words = ORDER_STATUS_WORDS[order.status];
  return [
    `${order.buyer.displayName} ordered ${sizeText(order.sizeTb)} of ${order.product.name} for ${order.termYears === 1 ? '1 year' : `${order.termYears} years`}: ${quoted(order.licence.name)}, for ${order.institution.name}, with ${personWords(order.licence.owner)} as Data Owner${managersWords(order.licence.managers)}.`,
    orderPriceWords(order),
    `Status: ${words.label}. ${words.explanation}`,
  ];
}

/**
 * Emails the buyer and the Data Owner (one message; one copy each even if they are the same
 * person), leaving out whoever has left the University, as the lifecycle's emails do; nothing
 * when both have (orderPeopleToTell; whoWasTold says the same to the staff).
 */
export async function emailOrderPeople(
  context: OrdersContext,
  tx: Executor,
  order: OrderDetail,
  headline: string,
  paragraphs: string[],
): Promise<void> {
  const to = [...new Set(orderPeopleToTell(order).map((person) => person.email))];
  if (to.length === 0) return;
  const message = renderEmail(
    orderEmail,
    {
      serviceName: context.site.serviceName,
      contactEmail: context.site.contactEmail,
      reference: order.reference,
      headline,
      paragraphs,
      orderUrl: `${context.site.publicUrl}/orders/${order.reference}/`,
    },
    { to },
  );
  await queueEmail(tx, message, context.jobs);
}

/**
 * Who may see an order (and its PO document): the buyer, the licence's Data Owner and Data
 * Managers, and the staff of the product's service (with Finance and superusers).
 */
export function canSeeOrder(person: PersonWithRoles, order: OrderDetail): boolean {
  return (
    order.buyer.id === person.id ||
    order.licence.owner.id === person.id ||
    order.licence.managerIds.includes(person.id) ||
    isServiceStaff(person, order.product.service)
  );
}

/**
 * Who may cancel: the buyer, the Data Owner, or the staff who manage the product's service
 * (DESIGN.md §3). Finance reads every order but changes only charges, so it may not.
 */
export function canCancelOrder(person: PersonWithRoles, order: OrderDetail): boolean {
  return (
    order.buyer.id === person.id ||
    order.licence.owner.id === person.id ||
    canManageService(person, order.product.service)
  );
}

/** The order, if this person may see it; otherwise the same 404 as an order that does not exist. */
export async function findOrderFor(db: Executor, person: PersonWithRoles, reference: string): Promise<OrderDetail> {
  const order = await findOrder(db, { reference });
  if (!order || !canSeeOrder(person, order))
    throw new AppError('not-found', `There is no order ${reference} that you can see.`);
  return order;
}

/**
 * How this person may cancel the order now, if at all: before provisioning starts as canCancelOrder
 * says ('cancel'); once its provisioning has failed, only the staff who manage its service, who
 * give up on it ('cancel-failed': the failure may say the change no longer applies).
 */
export function cancelTransitionFor(
  person: PersonWithRoles,
  order: OrderDetail,
): Extract<OrderTransition, 'cancel' | 'cancel-failed'> | undefined {
  if (isCancellable(order.status) && canCancelOrder(person, order)) return 'cancel';
  if (canTransition(order.status, 'cancel-failed') && canManageService(person, order.product.service)) {
    return 'cancel-failed';
  }
  return undefined;
}

/**
 * Gives back the voucher that paid for an order that will not go ahead (cancelled or rejected),
 * through `tx`, with the audit row that says why it can be used again. Nothing for other payments.
 */
export async function releaseOrderVoucher(tx: Executor, actor: Actor, order: OrderDetail, why: string): Promise<void> {
  const voucherId = order.payment?.voucherId;
  if (!voucherId) return;
  await releaseVoucher(tx, voucherId);
  await recordAudit(tx, {
    actor,
    entityType: 'voucher',
    entityId: voucherId,
    licenceId: order.licence.id,
    action: 'released',
    before: { redeemedBy: order.reference },
    after: { redeemedBy: null, reason: why },
  });
}

/**
 * The new order still setting up a licence that is waiting to be set up, if any: a cancellation of
 * that licence cancels it too (cancelWithItsLicence), except while the storage is being set up.
 */
export async function setUpOrderInProgress(db: Executor, licenceId: number): Promise<OrderDetail | undefined> {
  const setUp = await orderInProgress(db, licenceId, 'new');
  return setUp ? findOrder(db, { id: setUp.id }) : undefined;
}

/**
 * Through `tx`: an order with nothing left to do now that its licence is cancelled (`reason` says
 * how) is cancelled, audited, and its voucher given back. False if it is being provisioned right
 * now: then nothing is changed.
 */
export async function cancelWithItsLicence(
  tx: Executor,
  actor: Actor,
  order: OrderDetail,
  reason: string,
  now: Date,
): Promise<boolean> {
  const transition = order.status === 'provisioning-failed' ? 'cancel-failed' : 'cancel';
  if (!(await applyOrderTransition(tx, order.id, transition, now, reason))) return false;
  await recordAudit(tx, {
    actor,
    entityType: 'order',
    entityId: order.reference,
    licenceId: order.licence.id,
    action: 'cancelled',
    before: { status: order.status },
    after: { status: 'cancelled', reason },
  });
  await releaseOrderVoucher(tx, actor, order, reason);
  return true;
}

/**
 * Through `tx`, once a licence waiting to be set up is cancelled with its new order (cancelled or
 * rejected): a change of it in progress (its cancellation) has nothing left to do, and is cancelled.
 */
export async function cancelChangesWithLicence(
  tx: Executor,
  actor: Actor,
  licenceId: number,
  newOrderReference: string,
  now: Date,
): Promise<void> {
  const waiting = await orderInProgress(tx, licenceId, 'change');
  const change = waiting && (await findOrder(tx, { id: waiting.id }));
  if (change)
    await cancelWithItsLicence(tx, actor, change, `The licence was cancelled with order ${newOrderReference}`, now);
}

/**
 * Whether cancelling an order in `status` must be told to its service team by email: they have
 * approved it and may be making its storage (teamMayBeWorkingOn), and the person cancelling is not
 * one of them (its customer, or a superuser). The team's own members cancel only what they know of.
 */
export function cancelTellsTeam(person: PersonWithRoles, order: OrderDetail, status = order.status): boolean {
  const onTheTeam = person.staffRoles.some(
    (grant) => grant.role === 'service-admin' && grant.service === order.product.service,
  );
  return teamMayBeWorkingOn(status) && !onTheTeam;
}

/**
 * Tells the service team (its mailbox, as its other emails do) that an order it approved has been
 * cancelled by someone else, so that nobody goes on making its storage: the order has left the
 * team's queue of orders to provision without a word otherwise.
 */
async function emailTeamOfCancellation(
  context: OrdersContext,
  tx: Executor,
  person: PersonWithRoles,
  order: OrderDetail,
  decision: OrderDecisionState | undefined,
): Promise<void> {
  const approved =
    decision?.decidedBy && decision.decidedAt
      ? `which ${decision.decidedBy} approved on ${formatInstant(decision.decidedAt)}`
      : 'which the team had approved';
  const stop =
    order.kind === 'new'
      ? 'Do not set it up; if you have started, undo what you made.'
      : 'Do not make the change; if you have started, undo what you made.';
  const message = renderEmail(
    orderEmail,
    {
      serviceName: context.site.serviceName,
      contactEmail: context.site.contactEmail,
      reference: order.reference,
      headline: `Order ${order.reference} cancelled after approval`,
      paragraphs: [
        `${personWords(person)} cancelled order ${order.reference} (${orderInWords(order)}), ${approved}.`,
        `It no longer needs action in the orders queue. ${stop}`,
      ],
      orderUrl: `${context.site.publicUrl}/admin/orders/${order.reference}/`,
    },
    { to: order.product.teamEmail },
  );
  await queueEmail(tx, message, context.jobs);
}

export type CancelResult = { errors: FieldErrors } | { order: OrderDetail; teamTold: boolean };

/**
 * Cancels an order before provisioning starts (or, for its service's team, once provisioning has
 * failed); a new licence that was never set up is cancelled with it. The buyer and the Data Owner
 * are told, and the service team too when it had approved the order (cancelTellsTeam): teamTold.
 * The staff who cancel a customer's order give a reason (cancelNeedsReason), kept as the order's
 * status reason and in its audit row, and put in the email: `given.reason`, the cancel form's field
 * (the field's message when it is missing or too long). Without `given.reason` (the API's cancel,
 * which takes no body) none is asked for.
 */
export async function cancelOrder(
  context: OrdersContext,
  person: PersonWithRoles,
  reference: string,
  given: { reason?: unknown } = {},
): Promise<CancelResult> {
  const order = await findOrderFor(context.db, person, reference);
  if (!canCancelOrder(person, order)) {
    throw new AppError('forbidden', 'Only the buyer, the Data Owner or the storage team can cancel this order.');
  }
  const transition = cancelTransitionFor(person, order);
  // An order that can no longer be cancelled answers with where it is now (the conflict below), whatever the reason said.
  let reason: string | null = null;
  if (transition && 'reason' in given && cancelNeedsReason(person, order)) {
    const parsed = parseCancelReason(given.reason);
    if (!parsed.ok) return { errors: { reason: parsed.error } };
    reason = parsed.reason;
  }
  const statusReason = reason ?? `Cancelled by ${person.displayName}`;
  const teamTold = await context.db.transaction().execute(async (tx) => {
    const now = context.clock.now();
    // Locked, so an approval a moment earlier is seen (and told to the team), not lost.
    const status = await lockOrderStatus(tx, order.id);
    if (!status || !(await applyOrderTransition(tx, order.id, transition ?? 'cancel', now, statusReason))) {
      const current = await findOrder(tx, { id: order.id });
      // Rejected: said as its page says it ("Not approved": the team did not approve it), not "it is not approved".
      const where =
        current?.status === 'rejected'
          ? `the storage team did not approve it (its status is “${ORDER_STATUS_WORDS.rejected.label}”)`
          : `it is ${current ? ORDER_STATUS_WORDS[current.status].label.toLowerCase() : 'gone'}`;
      throw new AppError('conflict', `Order ${order.reference} can no longer be cancelled: ${where}.`);
    }
    const actor: Actor = personActor(person);
    await recordAudit(tx, {
      actor,
      entityType: 'order',
      entityId: order.reference,
      licenceId: order.licence.id,
      action: 'cancelled',
      before: { status },
      after: reason ? { status: 'cancelled', reason } : { status: 'cancelled' },
    });
    if (order.kind === 'new') {
      await tx
        .updateTable('licences')
        .set({ status: 'cancelled', updated_at: now })
        .where('id', '=', order.licence.id)
        .where('status', '=', 'pending')
        .execute();
      await recordAudit(tx, {
        actor,
        entityType: 'licence',
        entityId: order.licence.id,
        licenceId: order.licence.id,
        action: 'cancelled',
        before: { status: 'pending' },
        after: { status: 'cancelled' },
      });
      await cancelChangesWithLicence(tx, actor, order.licence.id, order.reference, now);
    }
    await releaseOrderVoucher(tx, actor, order, `Order ${order.reference} was cancelled`);
    await emailOrderPeople(context, tx, order, `Order ${order.reference} cancelled`, [
      `${person.displayName} cancelled order ${order.reference} (${quoted(order.licence.name)}). Nothing will be charged for it.`,
      ...(reason ? [`Reason: ${reason}`] : []),
    ]);
    if (!cancelTellsTeam(person, order, status)) return false;
    await emailTeamOfCancellation(context, tx, person, order, await findOrderDecision(tx, order.id));
    return true;
  });
  return { order, teamTold };
}

/**
 * Whether the order waits for another finance code (CUFS refused its code in the background check)
 * that this person may give: its buyer or its Data Owner, as the order's page offers its form.
 */
export function canChangeFinanceCode(person: PersonWithRoles, order: OrderDetail): boolean {
  return financeCodeRefused(order) && mayChangeFinanceCode(person, order);
}

function financeCodeRefused(order: OrderDetail): boolean {
  return order.status === 'awaiting-payment-check' && order.payment?.checkStatus === 'invalid';
}

function mayChangeFinanceCode(person: PersonWithRoles, order: OrderDetail): boolean {
  return order.buyer.id === person.id || order.licence.owner.id === person.id;
}

/**
 * Replaces a refused finance code on an order waiting for its payment check, for the order's page
 * and the API alike. A valid code moves the order on to approval; CUFS being down leaves it pending
 * with a background re-check. Someone else who sees the order is refused (403); an order whose
 * code is not refused (any more) cannot be given another (409).
 */
export async function changeFinanceCode(
  context: OrdersContext,
  person: PersonWithRoles,
  order: OrderDetail,
  financeCodeText: string,
): Promise<{ errors: FieldErrors } | { message: string }> {
  if (financeCodeRefused(order) && !mayChangeFinanceCode(person, order))
    throw new AppError('forbidden', 'Only the buyer or the Data Owner can give another finance code for this order.');
  if (!canChangeFinanceCode(person, order))
    throw new AppError('conflict', 'The payment of this order can no longer be changed here.');
  const parsed = parseFinanceCodeText(financeCodeText);
  if (!parsed.ok) return { errors: parsed.errors };
  if (parsed.value.method !== 'finance-code') throw new Error('unreachable');
  const code = parsed.value.text;
  const check = await checkFinanceCode(context.cufs, parsed.value.code, context.clock.today().toString());
  const refusal = describeRefusal(check);
  if (refusal) return { errors: { financeCode: refusal } };
  const valid = check.outcome === 'valid';
  await context.db.transaction().execute(async (tx) => {
    const now = context.clock.now();
    const updated = await tx
      .updateTable('payments')
      .set({
        finance_code: code,
        check_status: valid ? 'valid' : 'pending',
        check_message: valid
          ? check.names.join(' · ')
          : 'The finance system could not be reached; we will check again.',
        checked_at: valid ? now : null,
      })
      .where('order_id', '=', order.id)
      .where('check_status', '=', 'invalid')
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n)
      throw new AppError('conflict', 'The payment of this order has already been changed.');
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'payment',
      entityId: order.reference,
      licenceId: order.licence.id,
      action: 'finance code changed',
      before: { financeCode: order.payment?.financeCode ?? null, checkStatus: 'invalid' },
      after: { financeCode: code, checkStatus: valid ? 'valid' : 'pending' },
    });
    if (valid) {
      if (!(await applyOrderTransition(tx, order.id, 'payment-checked', now))) {
        throw new AppError(
          'conflict',
          `Order ${order.reference} has moved on (it may have been cancelled); reload it.`,
        );
      }
      await recordAudit(tx, {
        actor: personActor(person),
        entityType: 'order',
        entityId: order.reference,
        licenceId: order.licence.id,
        action: 'payment checked',
        before: { status: order.status },
        after: { status: 'awaiting-approval' },
      });
    } else {
      await context.jobs.enqueue(
        tx,
        checkOrderPaymentJob,
        { orderId: order.id, attempt: (order.payment?.checkAttempts ?? 0) + 1 },
        { singletonKey: `${order.id}:${(order.payment?.checkAttempts ?? 0) + 1}` },
      );
    }
  });
  return {
    message: valid
      ? `Finance code ${code} accepted; the order now waits for approval.`
      : `Finance code ${code} saved; we will check it as soon as the finance system answers.`,
  };
}
