import type { FieldErrors } from '../../platform/web/components.tsx';
import { AppError } from '../../platform/web/errors.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import type { LicenceLockState } from '../licences/licence-lock.ts';
import { isJustNow } from '../licences/pressed-twice.ts';
import { checkFinanceCode } from '../payments/finance-code-check.ts';
import { parseFinanceCodeText } from '../payments/payment-details.ts';
import type { PersonWithRoles } from '../people/people.repository.ts';
import { canManageService, servicesVisibleTo } from '../people/staff-access.ts';
import { enqueueProvisioningIfAutomatic } from '../provisioning/provisioning.service.ts';
import {
  approvalConflict,
  approvalEmailParagraphs,
  canRecheckNow,
  canRejectNow,
  decidedAs,
  decisionConflictMessage,
  licenceMovedOn,
  orderInWords,
  parseRejectReason,
} from './order-decisions.ts';
import { canTransition, type OrderTransition } from './order-status.ts';
import {
  findOrderDecision,
  findOrderStaffDetails,
  lockOrderStatus,
  recordOrderDecision,
} from './orders.admin.repository.ts';
import {
  applyOrderTransition,
  findOrder,
  licenceLockNow,
  licenceStatusNow,
  type OrderDetail,
} from './orders.repository.ts';
import {
  cancelChangesWithLicence,
  emailOrderPeople,
  type OrdersContext,
  releaseOrderVoucher,
} from './orders.service.ts';
import { recordPaymentCheck } from './payment-check.service.ts';

/**
 * The service team's decisions on an order: approve it, reject it with a reason the buyer reads,
 * or ask CUFS again about its finance code. Each checks first that the person may decide for the
 * order's service (its team or a superuser; Finance reads but never decides), and each change is
 * one transaction with its audit rows and emails. Two staff deciding at once: the order's row is
 * locked, so the second waits for the first and then finds the order already decided (409).
 */

/** The order, if this person may take decisions on it: customers 403, unknown 404, other service's staff 403. */
export async function findOrderToDecide(
  context: Pick<OrdersContext, 'db'>,
  person: PersonWithRoles,
  reference: string,
): Promise<OrderDetail> {
  if (servicesVisibleTo(person).length === 0) {
    throw new AppError('forbidden', 'The back office is for the service teams and Finance.');
  }
  const order = await findOrder(context.db, { reference });
  if (!order) throw new AppError('not-found', `There is no order ${reference}.`);
  if (!canManageService(person, order.product.service)) {
    throw new AppError(
      'forbidden',
      `Only the ${order.product.serviceName.toLowerCase()} team can decide on this order.`,
    );
  }
  return order;
}

/**
 * An order that can no longer take this decision: the same decision (for a rejection, with the same
 * reason) by the same person a moment ago is the button pressed twice, answered as the first was
 * ('pressed-twice': pressed-twice.ts); anything else is the 409 that says who was quicker and when
 * ("by you" to the person who decided it), or what state the order is in.
 */
async function decidedAlready(
  context: Pick<OrdersContext, 'clock'>,
  db: OrdersContext['db'],
  order: OrderDetail,
  person: PersonWithRoles,
  decision: 'approve' | 'reject',
  reason: string | null,
): Promise<'pressed-twice'> {
  const current = await findOrderDecision(db, order.id);
  if (!current) throw new AppError('not-found', `There is no order ${order.reference}.`);
  const self = (await findOrderStaffDetails(db, order.id))?.decidedBy?.crsid === person.crsid;
  const again =
    self &&
    decidedAs(current.status, decision) &&
    current.decidedAt !== null &&
    isJustNow(current.decidedAt, context.clock.now()) &&
    // A rejection's reason is the order's status reason while it stays rejected.
    (decision === 'approve' || (await findOrder(db, { id: order.id }))?.statusReason === reason);
  if (again) return 'pressed-twice';
  const named = self ? { ...current, decidedBy: 'you' } : current;
  throw new AppError('conflict', decisionConflictMessage(order.reference, decision, named));
}

/** Locks the order and moves it, or answers as decidedAlready does when it can no longer take this decision. */
async function decide(
  context: Pick<OrdersContext, 'clock'>,
  tx: OrdersContext['db'],
  order: OrderDetail,
  person: PersonWithRoles,
  transition: OrderTransition & ('approve' | 'reject'),
  reason: string | null,
): Promise<{ before: string; at: Date } | 'pressed-twice'> {
  const at = context.clock.now();
  const status = await lockOrderStatus(tx, order.id);
  if (
    !status ||
    !canTransition(status, transition) ||
    !(await applyOrderTransition(tx, order.id, transition, at, reason))
  ) {
    return decidedAlready(context, tx, order, person, transition, reason);
  }
  await recordOrderDecision(tx, order.id, person.id, at);
  return { before: status, at };
}

/**
 * Approves an order waiting for approval. Nobody approves an order they placed, nor one for a
 * licence they own or manage (approvalConflict): 403 with the reason.
 */
export async function approveOrder(
  context: OrdersContext,
  person: PersonWithRoles,
  reference: string,
): Promise<{ order: OrderDetail; licenceLock: LicenceLockState }> {
  const order = await findOrderToDecide(context, person, reference);
  const conflict = approvalConflict(person.id, order);
  if (conflict) throw new AppError('forbidden', conflict);
  const licenceLock = await context.db.transaction().execute(async (tx) => {
    const decided = await decide(context, tx, order, person, 'approve', null);
    // A locked licence does not stop the approval; its provisioning waits for the unlock, which the approval's notice says.
    const lock = await licenceLockNow(tx, order.licence.id);
    if (decided === 'pressed-twice') return lock;
    const { before } = decided;
    // A change's licence as it is now, the order locked: it may have moved on since the page was read.
    const status = order.kind === 'new' ? order.licence.status : await licenceStatusNow(tx, order.licence.id);
    const movedOn = licenceMovedOn({ ...order, licence: { status } });
    if (movedOn) throw new AppError('conflict', movedOn);
    await recordAudit(tx, {
      actor: personActor(person),
      entityType: 'order',
      entityId: order.reference,
      licenceId: order.licence.id,
      action: 'approved',
      before: { status: before },
      after: { status: 'approved', decidedBy: person.crsid },
    });
    await emailOrderPeople(
      context,
      tx,
      order,
      `Order ${order.reference} approved`,
      approvalEmailParagraphs({ ...order, licence: { ...order.licence, status } }),
    );
    // An automated provisioner starts in the background once this commits; a manual one waits for a person.
    await enqueueProvisioningIfAutomatic(tx, context.jobs, order);
    return lock;
  });
  return { order, licenceLock };
}

export type RejectResult = { errors: FieldErrors } | { order: OrderDetail };

/**
 * Rejects an order that waits for its payment check or for approval, with a reason the buyer
 * reads on the order page and in the email. A new licence that was never set up is cancelled with
 * it, and a voucher that paid for it can be used again.
 */
export async function rejectOrder(
  context: OrdersContext,
  person: PersonWithRoles,
  reference: string,
  reasonText: unknown,
): Promise<RejectResult> {
  const order = await findOrderToDecide(context, person, reference);
  const parsed = parseRejectReason(reasonText);
  // A form for an order that has moved on answers with where it is now, whatever the reason said
  // (the same rejection pressed twice: as the first).
  if (!canRejectNow(order)) {
    await decidedAlready(context, context.db, order, person, 'reject', parsed.ok ? parsed.reason : null);
    return { order };
  }
  if (!parsed.ok) return { errors: { reason: parsed.error } };
  const { reason } = parsed;
  await context.db.transaction().execute(async (tx) => {
    const decided = await decide(context, tx, order, person, 'reject', reason);
    if (decided === 'pressed-twice') return;
    const { before, at } = decided;
    const actor = personActor(person);
    await recordAudit(tx, {
      actor,
      entityType: 'order',
      entityId: order.reference,
      licenceId: order.licence.id,
      action: 'rejected',
      before: { status: before },
      after: { status: 'rejected', reason, decidedBy: person.crsid },
    });
    if (order.kind === 'new') {
      const cancelled = await tx
        .updateTable('licences')
        .set({ status: 'cancelled', updated_at: at })
        .where('id', '=', order.licence.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (cancelled.numUpdatedRows === 1n) {
        await recordAudit(tx, {
          actor,
          entityType: 'licence',
          entityId: order.licence.id,
          licenceId: order.licence.id,
          action: 'cancelled',
          before: { status: 'pending' },
          after: { status: 'cancelled', reason: `Order ${order.reference} was rejected` },
        });
        await cancelChangesWithLicence(tx, actor, order.licence.id, order.reference, at);
      }
    }
    await releaseOrderVoucher(tx, actor, order, `Order ${order.reference} was rejected`);
    await emailOrderPeople(context, tx, order, `Order ${order.reference} not approved`, [
      `${order.product.serviceName} did not approve order ${order.reference}: ${orderInWords(order)}.`,
      `Reason: ${reason}`,
      order.payment?.voucherCode
        ? `Nothing will be charged for it, and voucher ${order.payment.voucherCode} can be used again.`
        : 'Nothing will be charged for it.',
    ]);
  });
  return { order };
}

export type RecheckOutcome = 'valid' | 'invalid' | 'unavailable';

/**
 * Asks CUFS again about the finance code of an order waiting for its payment check (not yet
 * checked, or refused). An answer is recorded exactly as the background check records it
 * (recordPaymentCheck); CUFS being unreachable changes nothing.
 */
export async function recheckPayment(
  context: OrdersContext,
  person: PersonWithRoles,
  reference: string,
): Promise<{ order: OrderDetail; outcome: RecheckOutcome; message: string | null }> {
  const order = await findOrderToDecide(context, person, reference);
  if (!canRecheckNow(order)) {
    throw new AppError(
      'conflict',
      `The finance code of order ${order.reference} cannot be re-checked now: the order is not waiting for its payment check.`,
    );
  }
  const parsed = order.payment?.financeCode ? parseFinanceCodeText(order.payment.financeCode) : undefined;
  if (!parsed?.ok || parsed.value.method !== 'finance-code') {
    throw new AppError('conflict', `Order ${order.reference} has no finance code that CUFS could check.`);
  }
  const check = await checkFinanceCode(context.cufs, parsed.value.code, context.clock.today().toString());
  if (check.outcome === 'unavailable') return { order, outcome: 'unavailable', message: null };
  const recorded = await context.db.transaction().execute((tx) =>
    recordPaymentCheck({ ...context, db: tx }, order, check, {
      actor: personActor(person),
      from: ['pending', 'invalid'],
    }),
  );
  if (recorded === 'stale') {
    throw new AppError(
      'conflict',
      `Order ${order.reference} changed while CUFS was answering, so nothing was recorded. Look at the order again.`,
    );
  }
  const after = await findOrder(context.db, { id: order.id });
  return { order, outcome: recorded, message: after?.payment?.checkMessage ?? null };
}
