import { z } from 'zod';
import { type JobHandler, jobHandler, jobType } from '../../platform/jobs/jobs.ts';
import { recordAudit, systemActor } from '../audit/audit.repository.ts';
import type { FinanceCodeCheck } from '../payments/cufs-client.ts';
import { checkFinanceCode, describeRefusal } from '../payments/finance-code-check.ts';
import { parseFinanceCodeText } from '../payments/payment-details.ts';
import { applyOrderTransition, findOrder, type OrderDetail } from './orders.repository.ts';
import { emailOrderPeople, type OrdersContext } from './orders.service.ts';

/**
 * Re-checks the finance code of an order that CUFS could not check when it was submitted. While
 * CUFS stays unavailable the job schedules its own next try, waiting longer each time up to an
 * hour, for as long as it takes: nobody has to submit again.
 */
export const checkOrderPaymentJob = jobType({
  name: 'check-order-payment',
  payload: z.object({ orderId: z.number().int().positive(), attempt: z.number().int().positive() }),
  retry: { limit: 5, delaySeconds: 60, backoff: true },
});

export type CheckOrderPayment = z.infer<typeof checkOrderPaymentJob.payload>;

/** 2, 4, 8 … minutes between tries, never more than an hour. */
export function nextCheckDelayMinutes(attempt: number): number {
  return Math.min(2 ** attempt, 60);
}

export function checkOrderPaymentHandler(
  services: Pick<OrdersContext, 'cufs' | 'site'>,
): JobHandler<CheckOrderPayment> {
  return jobHandler(checkOrderPaymentJob, async ({ orderId, attempt }, job) => {
    const context: OrdersContext = { ...services, db: job.db, jobs: job.queue, clock: job.clock };
    const order = await findOrder(job.db, { id: orderId });
    // Idempotent: only an order still waiting for its check is checked.
    if (order?.status !== 'awaiting-payment-check' || order.payment.checkStatus !== 'pending') return;
    const parsed = order.payment.financeCode ? parseFinanceCodeText(order.payment.financeCode) : undefined;
    if (!parsed?.ok || parsed.value.method !== 'finance-code') return;
    const check = await checkFinanceCode(context.cufs, parsed.value.code, job.clock.today().toString());
    if (check.outcome === 'unavailable') {
      await job.db.transaction().execute(async (tx) => {
        await tx.updateTable('payments').set({ check_attempts: attempt }).where('order_id', '=', orderId).execute();
        // The queue waits by the database's clock, so the delay counts from the real now, not the
        // injected clock: an "as of" clock in the past would otherwise make the next try due at once.
        const startAfter = new Date(Date.now() + nextCheckDelayMinutes(attempt) * 60_000);
        await job.queue.enqueue(
          tx,
          checkOrderPaymentJob,
          { orderId, attempt: attempt + 1 },
          { singletonKey: `${orderId}:${attempt + 1}`, startAfter },
        );
      });
      job.log.warn({ orderId, attempt, cause: check.cause }, 'CUFS unavailable; payment check rescheduled');
      return;
    }
    await context.db.transaction().execute((tx) => recordAnswer({ ...context, db: tx }, order, check, attempt));
  });
}

async function recordAnswer(context: OrdersContext, order: OrderDetail, check: FinanceCodeCheck, attempt: number) {
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
  if (current?.status !== 'awaiting-payment-check') return;
  const updated = await tx
    .updateTable('payments')
    .set({
      check_status: valid ? 'valid' : 'invalid',
      check_message: message,
      checked_at: new Date(),
      check_attempts: attempt,
    })
    .where('order_id', '=', order.id)
    .where('check_status', '=', 'pending')
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) return;
  const actor = systemActor('payment check');
  await recordAudit(tx, {
    actor,
    entityType: 'payment',
    entityId: order.reference,
    licenceId: order.licence.id,
    action: valid ? 'finance code valid' : 'finance code refused',
    before: { checkStatus: 'pending' },
    after: { checkStatus: valid ? 'valid' : 'invalid', message },
  });
  if (valid) {
    await applyOrderTransition(tx, order.id, 'payment-checked');
    await recordAudit(tx, {
      actor,
      entityType: 'order',
      entityId: order.reference,
      licenceId: order.licence.id,
      action: 'payment checked',
      before: { status: order.status },
      after: { status: 'awaiting-approval' },
    });
    await emailOrderPeople(context, tx, order, `Order ${order.reference}: payment details checked`, [
      `The finance code ${order.payment.financeCode} has been checked and is open. The storage team will now approve the order.`,
    ]);
    return;
  }
  await emailOrderPeople(context, tx, order, `Order ${order.reference}: the finance code needs changing`, [
    `We could not accept the finance code ${order.payment.financeCode}. ${endWithFullStop(refusal ?? '')}`,
    'Open the order and give another finance code; you do not need to order again.',
  ]);
}

/** CUFS's messages are sentences already ("Cost centre PHZX is closed."); others may not be. */
function endWithFullStop(sentence: string): string {
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
