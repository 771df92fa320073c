import * as z from 'zod';
import { type JobHandler, jobHandler, jobType } from '../../platform/jobs/jobs.ts';
import { systemActor } from '../audit/audit.repository.ts';
import { checkFinanceCode } from '../payments/finance-code-check.ts';
import { parseFinanceCodeText } from '../payments/payment-details.ts';
import { findOrder } from './orders.repository.ts';
import type { OrdersContext } from './orders.service.ts';
import { recordPaymentCheck } from './payment-check.service.ts';

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
    if (order?.status !== 'awaiting-payment-check' || order.payment?.checkStatus !== 'pending') return;
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
    await context.db.transaction().execute((tx) =>
      recordPaymentCheck({ ...context, db: tx }, order, check, {
        actor: systemActor('payment check'),
        from: ['pending'],
        attempt,
      }),
    );
  });
}
