import type { LicenceStatus } from '../licences/licences.tables.ts';
import { IN_PROGRESS_STATUSES, ORDER_KIND_WORDS, type OrderStatus } from '../orders/order-status.ts';
import { type ChangeKind, changeNoLongerApplies } from '../provisioning/licence-changes.ts';

/**
 * What a licence's change order in progress means once the nightly job has moved the licence on,
 * as pure words for its emails and its page. Whether the order can still be carried out is the
 * rule staff approval and completion use (changeNoLongerApplies): a renewal restores a suspended
 * licence and a recovery one in the cold store or due for deletion, but more space (or a
 * cancellation) waiting when the licence ended can no longer be carried out, nor a renewal once
 * the licence is in the cold store; its people cancel it, then renew or order a recovery.
 */

/** The statuses the nightly job's steps end in. */
export type ExpiredStatus = Extract<LicenceStatus, 'suspended' | 'cold' | 'deletable'>;

/** What to order instead, once the order that can no longer be carried out is cancelled (none when due for deletion). */
const THEN: Record<ExpiredStatus, string> = {
  suspended: ', then renew',
  cold: ', then order a recovery',
  deletable: '',
};

/**
 * The words after a licence's line in the email of the step that left it in `status`, for its change
 * order in progress: "renewal ORD-000012 is waiting for approval, and makes it active again",
 * "order ORD-000013 (more space) can no longer be carried out now that it has ended: cancel that
 * order, then renew". The renewal's words are those the emails have always used.
 */
export function changeAfterStep(order: { reference: string; kind: ChangeKind }, status: ExpiredStatus): string {
  const { reference, kind } = order;
  const applies = changeNoLongerApplies(kind, status) === undefined;
  if (kind === 'renewal') {
    if (applies) return `renewal ${reference} is waiting for approval, and makes it active again`;
    return status === 'cold'
      ? `renewal ${reference} was not approved in time and cannot renew it now: cancel that order, then order a recovery`
      : `renewal ${reference} was not approved in time and cannot renew it now`;
  }
  if (kind === 'recovery' && applies) {
    return `recovery ${reference} is waiting for approval, and approving it brings the licence back`;
  }
  const named = `order ${reference} (${ORDER_KIND_WORDS[kind].toLowerCase()})`;
  if (applies) return `${named} is waiting for approval`;
  const then = kind === 'cancellation' ? '' : THEN[status];
  return status === 'deletable'
    ? `${named} can no longer be carried out now that it has ended`
    : `${named} can no longer be carried out now that it has ended: cancel that order${then}`;
}

/** Before approval: the order can still be cancelled, and nobody has started on it. */
const AWAITING_APPROVAL: readonly OrderStatus[] = ['submitted', 'awaiting-payment-check', 'awaiting-approval'];
const IN_PROGRESS: readonly OrderStatus[] = IN_PROGRESS_STATUSES;

/**
 * The status explanation of a licence due for deletion whose recovery (ordered while it was in the
 * cold store) is in progress, for its page, in place of "The data will be deleted once the storage
 * team confirms…": nothing is deleted while the order waits (the team decides it first), and it
 * brings the licence back. Undefined for any other licence.
 */
export function deletableRecoveryWords(
  status: LicenceStatus,
  orders: readonly { reference: string; kind: string; status: OrderStatus }[],
): string | undefined {
  if (status !== 'deletable') return undefined;
  const recovery = orders.find((order) => order.kind === 'recovery' && IN_PROGRESS.includes(order.status));
  if (!recovery) return undefined;
  return AWAITING_APPROVAL.includes(recovery.status)
    ? `Nothing is deleted while recovery ${recovery.reference} waits for approval: approving it brings the licence back.`
    : `Nothing is deleted while recovery ${recovery.reference} is under way: it brings the licence back.`;
}
