import { sizeText } from '../catalogue/sizes.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { PaymentCheckStatus, PaymentMethod } from '../payments/payments.tables.ts';
import { changeNoLongerApplies, insteadOfChange } from '../provisioning/licence-changes.ts';
import { formatInstant } from '../quotes/quote-rules.ts';
import { canTransition, ORDER_STATUS_WORDS, type OrderKind, type OrderStatus } from './order-status.ts';

/**
 * The rules of a staff decision on an order (approve, reject, re-check the finance code), as pure
 * functions: order-decisions.service.ts applies them, the staff order page uses them to show only
 * the actions that would be allowed.
 */

/** Longest rejection reason taken: the buyer reads it on the order page and in an email. */
export const REJECT_REASON_MAX = 1_000;

/** The parts of an order the rules look at. */
export interface DecidableOrder {
  reference: string;
  status: OrderStatus;
  buyer: { id: number };
  licence: { owner: { id: number }; managerIds: number[] };
  payment: { method: PaymentMethod; checkStatus: PaymentCheckStatus } | null;
}

/**
 * Why this person may not approve this order although they work on its service, or undefined.
 * Nobody approves their own order: not the buyer, and not the licence's Data Owner or a Data
 * Manager either, who would be approving storage they themselves hold. Another member of the team
 * (or a superuser) approves it instead. Rejecting is not restricted this way: refusing one's own
 * order gains nothing (and the buyer may cancel it anyway).
 */
export function approvalConflict(personId: number, order: DecidableOrder): string | undefined {
  if (order.buyer.id === personId) {
    return `You placed order ${order.reference} yourself, so someone else in the team must approve it.`;
  }
  if (order.licence.owner.id === personId) {
    return `You are the Data Owner of the licence on order ${order.reference}, so someone else in the team must approve it.`;
  }
  if (order.licence.managerIds.includes(personId)) {
    return `You are a Data Manager of the licence on order ${order.reference}, so someone else in the team must approve it.`;
  }
  return undefined;
}

/**
 * Why a change order can no longer be approved, its licence having moved on since it was placed (a
 * renewal of a licence that has since gone to the cold store), or undefined. Its completion would
 * fail after the customer had been told it was approved; the team rejects it instead, saying why.
 */
export function licenceMovedOn(order: {
  reference: string;
  kind: OrderKind;
  licence: { status: LicenceStatus };
}): string | undefined {
  if (order.kind === 'new') return undefined;
  const problem = changeNoLongerApplies(order.kind, order.licence.status);
  if (!problem) return undefined;
  return `Order ${order.reference} can no longer be approved: ${problem} Reject it and tell the customer why${insteadOfChange(order.kind, order.licence.status)}`;
}

/** The parts of an order its decision's email describes. */
export interface DecidedOrder {
  reference: string;
  kind: OrderKind;
  sizeTb: number;
  product: { name: string; serviceName: string };
  licence: { name: string };
}

/** What the order is for, in the emails about its decision: "5 TB of …", "the cancellation of …". */
export function orderInWords(order: DecidedOrder): string {
  const licence = `“${order.licence.name}”`;
  switch (order.kind) {
    case 'new':
      return `${sizeText(order.sizeTb)} of ${order.product.name}, ${licence}`;
    case 'increase':
      return `${sizeText(order.sizeTb)} more of ${order.product.name} for ${licence}`;
    case 'renewal':
      return `the renewal of ${licence} (${order.product.name})`;
    case 'recovery':
      return `the recovery of ${licence} (${order.product.name}) from the cold store`;
    case 'cancellation':
      return `the cancellation of ${licence} (${order.product.name})`;
  }
}

/** The approval email's paragraphs: what was approved, and what the team does next for that kind of order. */
export function approvalEmailParagraphs(order: DecidedOrder): string[] {
  const approved = `${order.product.serviceName} has approved order ${order.reference}: ${orderInWords(order)}.`;
  switch (order.kind) {
    case 'new':
      return [
        approved,
        'The storage team will now set the storage up. We will email you again when it is ready to use.',
      ];
    case 'cancellation':
      return [
        approved,
        'The storage team will now remove everyone’s access to its storage. We will email you again when that is done.',
      ];
    default:
      return [approved, 'The storage team will now make the change. We will email you again when it is done.'];
  }
}

/** What the Approve button's note tells staff the buyer and the Data Owner will read, for each kind of order. */
export function approvalNote(kind: OrderKind): string {
  if (kind === 'new') return 'Approving tells the buyer and the Data Owner that the storage will be set up.';
  if (kind === 'cancellation') {
    return 'Approving tells the buyer and the Data Owner that everyone’s access to the licence’s storage will be removed.';
  }
  return 'Approving tells the buyer and the Data Owner that the storage team will now make the change to the licence.';
}

export function canApproveNow(order: DecidableOrder): boolean {
  return canTransition(order.status, 'approve');
}

export function canRejectNow(order: DecidableOrder): boolean {
  return canTransition(order.status, 'reject');
}

/**
 * A finance code can be re-checked from the back office while the order waits for its payment
 * check and CUFS has not said yes: not yet checked (CUFS was down) or refused (perhaps since reopened).
 */
export function canRecheckNow(order: DecidableOrder): boolean {
  return (
    order.status === 'awaiting-payment-check' &&
    order.payment?.method === 'finance-code' &&
    (order.payment.checkStatus === 'pending' || order.payment.checkStatus === 'invalid')
  );
}

/** The rejection reason, trimmed, or the message to show beside its field. */
export function parseRejectReason(text: unknown): { ok: true; reason: string } | { ok: false; error: string } {
  const reason = typeof text === 'string' ? text.trim().replace(/\s+/g, ' ') : '';
  if (reason === '') return { ok: false, error: 'Enter the reason for rejecting the order: the buyer will read it' };
  if (reason.length > REJECT_REASON_MAX) {
    return { ok: false, error: `The reason must be ${REJECT_REASON_MAX.toLocaleString('en-GB')} characters or fewer` };
  }
  return { ok: true, reason };
}

const DECIDED_WORDS: Partial<Record<OrderStatus, string>> = {
  approved: 'approved',
  provisioning: 'approved',
  'provisioning-failed': 'approved',
  completed: 'approved',
  rejected: 'rejected',
};

/** Whether the order's status is what this decision made it (an approved order since set up, too). */
export function decidedAs(status: OrderStatus, decision: 'approve' | 'reject'): boolean {
  return DECIDED_WORDS[status] === (decision === 'approve' ? 'approved' : 'rejected');
}

/**
 * What a member of staff reads when their approval or rejection found the order already moved on
 * (another member of staff was quicker, or the order is in a state the decision cannot start from).
 * `decidedBy` is the name of who decided it, or "you" to that person themselves.
 */
export function decisionConflictMessage(
  reference: string,
  decision: 'approve' | 'reject',
  current: { status: OrderStatus; decidedBy: string | null; decidedAt: Date | null },
): string {
  const decided = DECIDED_WORDS[current.status];
  if (decided && current.decidedBy && current.decidedAt) {
    return `Order ${reference} was already ${decided} by ${current.decidedBy} on ${formatInstant(current.decidedAt)}.`;
  }
  const label = ORDER_STATUS_WORDS[current.status].label;
  return decision === 'approve'
    ? `Order ${reference} is not waiting for approval: its status is “${label}”.`
    : `Order ${reference} can no longer be rejected: its status is “${label}”.`;
}
