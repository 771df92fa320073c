import { type Actor, recordAudit } from '../audit/audit.repository.ts';
import type { FinanceCodeCheck } from '../payments/cufs-client.ts';
import { describeRefusal } from '../payments/finance-code-check.ts';
import type { PaymentCheckStatus } from '../payments/payments.tables.ts';
import { applyOrderTransition, type OrderDetail } from './orders.repository.ts';
import { emailOrderPeople, type OrdersContext } from './orders.service.ts';

export interface RecordPaymentCheckOptions {
  /** Who asked CUFS: the background check (a system actor) or a member of staff. */
  actor: Actor;
  /** The payment's check statuses this answer may replace (the job: pending only; staff: pending or refused). */
  from: readonly PaymentCheckStatus[];
  /** The background check counts its tries; a staff re-check leaves the count alone. */
  attempt?: number;
}

export type RecordedPaymentCheck = 'valid' | 'invalid' | 'stale';

/**
 * Records CUFS's answer (valid, refused or malformed; never "unavailable") for an order's finance
 * code, inside the caller's transaction (`context.db`): the payment's check, the audit rows, the
 * order on to awaiting approval if the code is open, and the email to the buyer and Data Owner.
 * Used by the background payment check and by the service team's re-check, so both behave alike.
 *
 * 'stale' means nothing was recorded: the order no longer waits for its payment check (cancelled
 * or rejected while CUFS answered) or its payment moved on in the meantime.
 */
export async function recordPaymentCheck(
  context: OrdersContext,
  order: OrderDetail,
  check: FinanceCodeCheck,
  options: RecordPaymentCheckOptions,
): Promise<RecordedPaymentCheck> {
  if (check.outcome === 'unavailable') throw new Error('recordPaymentCheck needs an answer from CUFS');
  const tx = context.db;
  const refusal = describeRefusal(check);
  const valid = !refusal;
  const message = check.outcome === 'valid' ? check.names.join(' · ') : (refusal ?? null);
  // The buyer or the staff may have cancelled or rejected the order while CUFS answered: lock the
  // order and record the answer only if it still waits for it (a cancel then waits for this commit).
  const current = await tx
    .selectFrom('orders')
    .select('status')
    .where('id', '=', order.id)
    .forUpdate()
    .executeTakeFirst();
  if (current?.status !== 'awaiting-payment-check') return 'stale';
  const before = await tx
    .selectFrom('payments')
    .select(['check_status', 'finance_code'])
    .where('order_id', '=', order.id)
    .executeTakeFirst();
  // The answer is for the code that was asked about: a code changed meanwhile waits for its own check.
  if (!before || !options.from.includes(before.check_status) || before.finance_code !== order.payment?.financeCode)
    return 'stale';
  const now = context.clock.now();
  const updated = await tx
    .updateTable('payments')
    .set({
      check_status: valid ? 'valid' : 'invalid',
      check_message: message,
      checked_at: now,
      ...(options.attempt === undefined ? {} : { check_attempts: options.attempt }),
    })
    .where('order_id', '=', order.id)
    .where('check_status', '=', before.check_status)
    .where('finance_code', '=', before.finance_code)
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) return 'stale';
  await recordAudit(tx, {
    actor: options.actor,
    entityType: 'payment',
    entityId: order.reference,
    licenceId: order.licence.id,
    action: valid ? 'finance code valid' : 'finance code refused',
    before: { checkStatus: before.check_status },
    after: { checkStatus: valid ? 'valid' : 'invalid', message },
  });
  if (valid) {
    await applyOrderTransition(tx, order.id, 'payment-checked', now);
    await recordAudit(tx, {
      actor: options.actor,
      entityType: 'order',
      entityId: order.reference,
      licenceId: order.licence.id,
      action: 'payment checked',
      before: { status: 'awaiting-payment-check' },
      after: { status: 'awaiting-approval' },
    });
    await emailOrderPeople(context, tx, order, `Order ${order.reference}: payment details checked`, [
      `The finance code ${before.finance_code} has been checked and is open. The storage team will now approve the order.`,
    ]);
    return 'valid';
  }
  // A code refused again (a re-check of one already refused) has been explained to the buyer already.
  if (before.check_status !== 'invalid') {
    await emailOrderPeople(context, tx, order, `Order ${order.reference}: the finance code needs changing`, [
      `We could not accept the finance code ${before.finance_code}. ${endWithFullStop(refusal ?? '')}`,
      'Open the order and give another finance code; you do not need to order again.',
    ]);
  }
  return 'invalid';
}

/** CUFS's messages are sentences already ("Cost centre PHZX is closed."); others may not be. */
function endWithFullStop(sentence: string): string {
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
