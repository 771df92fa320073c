import { sizeText } from '../catalogue/sizes.ts';
import type { LicenceStatus } from '../licences/licences.tables.ts';
import type { PaymentCheckStatus } from '../payments/payments.tables.ts';
import { cancellationWords } from './cancellation-words.ts';

/**
 * The order state machine (DESIGN.md §3) as data: every status, the words a customer reads for
 * it, and which named transition may move an order from which statuses. Pure: the repository
 * applies a transition with a conditional UPDATE, so one that lost a race changes nothing.
 */
export const ORDER_STATUSES = [
  'submitted',
  'awaiting-payment-check',
  'awaiting-approval',
  'approved',
  'provisioning',
  'completed',
  'rejected',
  'cancelled',
  'provisioning-failed',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_KINDS = ['new', 'increase', 'renewal', 'recovery', 'cancellation'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

export const ORDER_TRANSITIONS = {
  'payment-checked': { from: ['submitted', 'awaiting-payment-check'], to: 'awaiting-approval' },
  'payment-check-pending': { from: ['submitted'], to: 'awaiting-payment-check' },
  approve: { from: ['awaiting-approval'], to: 'approved' },
  reject: { from: ['awaiting-payment-check', 'awaiting-approval'], to: 'rejected' },
  'start-provisioning': { from: ['approved', 'provisioning-failed'], to: 'provisioning' },
  'finish-provisioning': { from: ['provisioning'], to: 'completed' },
  'provisioning-failed': { from: ['provisioning'], to: 'provisioning-failed' },
  cancel: { from: ['submitted', 'awaiting-payment-check', 'awaiting-approval', 'approved'], to: 'cancelled' },
  // The service team gives up on an order whose provisioning failed (what was made is undone, or
  // the change no longer applies to its licence): the team only, not its customers.
  'cancel-failed': { from: ['provisioning-failed'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderTransition = keyof typeof ORDER_TRANSITIONS;

export function canTransition(status: OrderStatus, transition: OrderTransition): boolean {
  return (ORDER_TRANSITIONS[transition].from as readonly OrderStatus[]).includes(status);
}

/**
 * A buyer may cancel until provisioning starts, even once the order is approved (the service team
 * is then told: teamMayBeWorkingOn). Not while it is provisioning: the storage is being made, and
 * stopping half-way would leave it half made; if provisioning fails, the team may cancel it then
 * ('cancel-failed'), undoing what was made.
 */
export function isCancellable(status: OrderStatus): boolean {
  return canTransition(status, 'cancel');
}

/**
 * The service team has approved the order and may be making its storage (or its change) now, or
 * has tried and failed: its cancellation must be told to the team, not only to its customers.
 */
export function teamMayBeWorkingOn(status: OrderStatus): boolean {
  return status === 'approved' || status === 'provisioning' || status === 'provisioning-failed';
}

/** Finished: nothing moves the order on from here (completed, rejected, cancelled), so it waits for nobody. */
export function isFinishedStatus(status: OrderStatus): boolean {
  return !Object.values(ORDER_TRANSITIONS).some((transition) =>
    (transition.from as readonly OrderStatus[]).includes(status),
  );
}

/** What a customer reads for each status: plain words, and what happens next. */
export const ORDER_STATUS_WORDS: Record<OrderStatus, { label: string; explanation: string }> = {
  submitted: { label: 'Submitted', explanation: 'We have your order and are about to check the payment details.' },
  'awaiting-payment-check': {
    label: 'Checking payment details',
    explanation:
      'We are checking the finance code with the University Financial System. You do not need to do anything unless we email you.',
  },
  'awaiting-approval': {
    label: 'Waiting for approval',
    explanation: 'The storage team will check the order and approve it, usually within two working days.',
  },
  approved: { label: 'Approved', explanation: 'The order is approved; the storage team will set up the storage next.' },
  provisioning: { label: 'Being set up', explanation: 'The storage team is setting up the storage.' },
  completed: { label: 'Done', explanation: 'The storage is set up and ready to use.' },
  rejected: { label: 'Not approved', explanation: 'The storage team did not approve this order. The reason is below.' },
  cancelled: { label: 'Cancelled', explanation: 'This order was cancelled. Nothing will be charged for it.' },
  'provisioning-failed': {
    label: 'Being set up (delayed)',
    explanation: 'Setting up the storage hit a problem. The storage team has been told and will try again.',
  },
};

/**
 * What happens next to an order that changes a licence, once approved, where ORDER_STATUS_WORDS
 * speaks of setting storage up: a cancellation done is not "set up and ready to use".
 */
const CHANGE_STATUS_EXPLANATIONS: Record<
  Exclude<OrderKind, 'new'>,
  Partial<Record<OrderStatus, string>> & Record<'approved' | 'provisioning' | 'completed', string>
> = {
  increase: {
    approved: 'The order is approved; the storage team will add the space next.',
    provisioning: 'The storage team is adding the space.',
    // The quotas of its projects do not grow by themselves: the Data Owner gives the space (giveSpaceWords).
    completed: "The space is added to the licence: its storage projects' quotas stay as they were.",
  },
  renewal: {
    approved: 'The order is approved; the storage team will renew the licence next.',
    provisioning: 'The storage team is renewing the licence.',
    completed: 'The licence is renewed: it has its new end date.',
  },
  recovery: {
    approved: 'The order is approved; the storage team will bring the data back from the cold store next.',
    provisioning: 'The storage team is bringing the data back from the cold store.',
    completed: 'The data is back from the cold store and the licence is active again.',
  },
  cancellation: {
    approved: cancellationWords('active').statusApproved,
    provisioning: cancellationWords('active').statusInProgress,
    completed: 'The licence is cancelled: its storage can no longer be used.',
  },
};

/**
 * An increase adds TB to the licence, not to any of its storage projects: the link (in its email
 * and on the order's page once it is done) that sends the Data Owner to give them to a project.
 */
export function giveSpaceWords(addedTb: number): string {
  return `Give the ${sizeText(addedTb)} to a storage project on the licence's page`;
}

/** What a customer reads while a change order is being made, where a new order's storage is 'Being set up'. */
export const CHANGE_IN_PROGRESS_LABELS: Record<Exclude<OrderKind, 'new'>, string> = {
  increase: 'Adding the space',
  renewal: 'Renewing',
  recovery: 'Recovering the data',
  cancellation: 'Cancelling the licence',
};

const CHANGE_FAILED_EXPLANATION =
  'Making the change hit a problem. The storage team has been told and will try again, or tell you what to do.';

/**
 * What a customer reads for an order now: its status's words, except while it waits for a finance
 * code that the University Financial System refused (the background check, or a staff re-check),
 * where 'Checking payment details … You do not need to do anything' would tell them to wait for
 * a check that has already failed (the order asks for another code: orders.routes.tsx), and, for
 * an order that changes a licence, what comes after approval in the words of that change (not
 * 'Being set up', which is said of new storage): for a cancellation of a licence not set up yet
 * (`licenceStatus` pending, when given), in cancellationWords' words for it, not of removing access.
 */
export function orderStatusWords(order: {
  status: OrderStatus;
  paymentCheckStatus: PaymentCheckStatus | null;
  kind: OrderKind;
  licenceStatus?: LicenceStatus;
}): {
  label: string;
  explanation: string;
} {
  if (order.status === 'awaiting-payment-check' && order.paymentCheckStatus === 'invalid') {
    return FINANCE_CODE_REFUSED_WORDS;
  }
  const words = ORDER_STATUS_WORDS[order.status];
  if (order.kind === 'new') return words;
  if (order.status === 'provisioning-failed')
    return { label: `${CHANGE_IN_PROGRESS_LABELS[order.kind]} (delayed)`, explanation: CHANGE_FAILED_EXPLANATION };
  const label = order.status === 'provisioning' ? CHANGE_IN_PROGRESS_LABELS[order.kind] : words.label;
  if (order.kind === 'cancellation' && (order.status === 'approved' || order.status === 'provisioning')) {
    const cancelling = cancellationWords(order.licenceStatus);
    return {
      label,
      explanation: order.status === 'approved' ? cancelling.statusApproved : cancelling.statusInProgress,
    };
  }
  return { label, explanation: CHANGE_STATUS_EXPLANATIONS[order.kind][order.status] ?? words.explanation };
}

/** The words of an order waiting for another finance code (orderStatusWords); the help page lists them too. */
export const FINANCE_CODE_REFUSED_WORDS = {
  label: 'Finance code refused',
  explanation:
    'The University Financial System did not accept the finance code: the buyer or the Data Owner gives another one on this order, with no need to order again.',
};

/** What each kind of order is called, on the customer's pages and the staff's. */
export const ORDER_KIND_WORDS: Record<OrderKind, string> = {
  new: 'New storage',
  increase: 'More space',
  renewal: 'Renewal',
  recovery: 'Recovery from the cold store',
  cancellation: 'Cancellation',
};

/** An order in one of these was never carried out: what it held (its voucher, its quote) is free again. */
export const UNDONE_STATUSES = ['rejected', 'cancelled'] as const satisfies readonly OrderStatus[];

/** A change order in one of these is in progress: a licence has at most one (migration 0010's unique index). */
export const IN_PROGRESS_STATUSES = [
  'submitted',
  'awaiting-payment-check',
  'awaiting-approval',
  'approved',
  'provisioning',
  'provisioning-failed',
] as const satisfies readonly OrderStatus[];
