import { sizeText } from '../catalogue/sizes.ts';
import { isLicenceLocked, type LicenceLockState } from '../licences/licence-lock.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { PaymentCheckStatus, PaymentMethod } from '../payments/payments.tables.ts';
import { changeNoLongerApplies, insteadOfChange } from '../provisioning/licence-changes.ts';
import { formatInstant } from '../quotes/quote-rules.ts';
import { cancellationWords } from './cancellation-words.ts';
import {
  canTransition,
  isFinishedStatus,
  ORDER_STATUS_WORDS,
  type OrderKind,
  type OrderStatus,
} from './order-status.ts';

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

const THIS_CHANGE: Record<Exclude<OrderKind, 'new'>, string> = {
  increase: 'This order for more space',
  renewal: 'This renewal',
  recovery: 'This recovery',
  cancellation: 'This cancellation',
};

/** What to order instead once it is cancelled: a renewal of an expired licence, a recovery of one in the cold store. */
function thenOrder(kind: Exclude<OrderKind, 'new'>, status: LicenceStatus): string {
  if (kind === 'cancellation') return '';
  if (status === 'suspended') return ', then renew the licence';
  if (status === 'cold') return ', then order a recovery';
  return '';
}

/**
 * What the customer's order page says, in place of its status's explanation ("Waiting for approval
 * … usually within two working days"), of a change order still waiting (it can be cancelled) that
 * can no longer be carried out now that its licence has moved on: the rule staff approval uses
 * (licenceMovedOn, changeNoLongerApplies), and what to do: cancel it (the buyer or the Data Owner
 * can), then order what the licence needs now. Undefined when the order can still be carried out.
 */
export function changeNoLongerPossibleWords(
  order: { kind: OrderKind; status: OrderStatus; licence: { status: LicenceStatus } },
  canCancel: boolean,
): string | undefined {
  if (order.kind === 'new' || !canTransition(order.status, 'cancel')) return undefined;
  const problem = changeNoLongerApplies(order.kind, order.licence.status);
  if (!problem) return undefined;
  const then = thenOrder(order.kind, order.licence.status);
  const cancel = canCancel ? 'Cancel this order' : 'The buyer or the Data Owner can cancel it';
  return `${THIS_CHANGE[order.kind]} can no longer be carried out: ${problem} ${cancel} (nothing will be charged for it)${then}.`;
}

/** "The licence is locked (a billing dispute)": the team's reason, for staff only. */
export function licenceLockedWords(lock: LicenceLockState): string {
  return `The licence is locked${lock.lockReason ? ` (${lock.lockReason})` : ''}`;
}

/**
 * What the staff order page says at the top of an order whose licence the team has locked, or
 * undefined when it is not locked: the lock and its reason, and, while the order still has its
 * provisioning ahead, that provisioning waits for the unlock (its completion is refused until
 * then: provisioning.service.ts), though the order may still be approved.
 */
export function lockedLicenceNotice(
  order: { reference: string; status: OrderStatus },
  lock: LicenceLockState,
): { locked: string; waits?: string } | undefined {
  if (!isLicenceLocked(lock)) return undefined;
  const locked = `${licenceLockedWords(lock)}.`;
  if (isFinishedStatus(order.status)) return { locked };
  const waits = `Provisioning waits for the unlock: order ${order.reference} cannot be marked as provisioned until the licence is unlocked.`;
  return {
    locked,
    waits: canTransition(order.status, 'approve') ? `${waits} It can still be approved.` : waits,
  };
}

/** The parts of an order its decision's email describes. */
export interface DecidedOrder {
  reference: string;
  kind: OrderKind;
  sizeTb: number;
  product: { name: string; serviceName: string };
  /** `status`: as it is now, for a cancellation's words (cancellationWords); a licence in use when not given. */
  licence: { name: string; status?: LicenceStatus };
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
      return [approved, cancellationWords(order.licence.status).approved];
    default:
      return [approved, 'The storage team will now make the change. We will email you again when it is done.'];
  }
}

/**
 * What the Approve button's note tells staff the buyer and the Data Owner will read, for each kind
 * of order (a cancellation's, for its licence's status: cancellationWords).
 */
export function approvalNote(kind: OrderKind, licenceStatus?: LicenceStatus): string {
  if (kind === 'new') return 'Approving tells the buyer and the Data Owner that the storage will be set up.';
  if (kind === 'cancellation') return cancellationWords(licenceStatus).approving;
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

type ParsedReason = { ok: true; reason: string } | { ok: false; error: string };

/** A reason the buyer reads, trimmed, or the message to show beside its field: `missing` when there is none. */
function parseReasonText(text: unknown, missing: string): ParsedReason {
  const reason = typeof text === 'string' ? text.trim().replace(/\s+/g, ' ') : '';
  if (reason === '') return { ok: false, error: missing };
  if (reason.length > REJECT_REASON_MAX) {
    return { ok: false, error: `The reason must be ${REJECT_REASON_MAX.toLocaleString('en-GB')} characters or fewer` };
  }
  return { ok: true, reason };
}

/** The rejection reason, trimmed, or the message to show beside its field. */
export function parseRejectReason(text: unknown): ParsedReason {
  return parseReasonText(text, 'Enter the reason for rejecting the order: the buyer will read it');
}

/**
 * Whether cancelling the order needs a reason from this person: the staff who cancel a customer's
 * order (they are neither its buyer nor its Data Owner) say why, as a rejection does, and its
 * buyer and Data Owner read it on the order and in the email. Its buyer and Data Owner need none.
 */
export function cancelNeedsReason(
  person: { id: number },
  order: { buyer: { id: number }; licence: { owner: { id: number } } },
): boolean {
  return order.buyer.id !== person.id && order.licence.owner.id !== person.id;
}

/** The reason the staff give for cancelling a customer's order (cancelNeedsReason), as a rejection's is read. */
export function parseCancelReason(text: unknown): ParsedReason {
  return parseReasonText(text, 'Enter the reason for cancelling the order: the buyer will read it');
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
