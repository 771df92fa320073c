import * as z from 'zod';
import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';
import type { FinanceCodeChecker } from '../payments/finance-code-check.ts';
import {
  activeFinanceCodes,
  clearFlagsNotPaidByCode,
  clearFlagsOfEndedLicences,
} from './finance-recheck.repository.ts';
import { recheckFinanceCode } from './finance-recheck.service.ts';
import type { SiteLinks } from './lifecycle.service.ts';

/**
 * The nightly re-check of the finance codes paying for active licences. The scheduled job only
 * fans out: one `recheck-licence-finance-code` job per distinct code (many licences share one),
 * each idempotent and retried by the queue while CUFS is unavailable. It first clears the flags of
 * licences no longer paid by a finance code (renewed with a voucher or purchase order) or ended
 * (cancelled or deleted).
 */
export const financeCodeRecheckJob = jobType({
  name: 'finance-code-recheck',
  payload: noPayload,
  retry: { limit: 3, delaySeconds: 300, backoff: true },
});

export const recheckLicenceFinanceCodeJob = jobType({
  name: 'recheck-licence-finance-code',
  payload: z.object({
    financeCode: z.string().min(1).max(100),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
  // CUFS down: about 5, 10, 20, 40, 80 minutes, then the back office's failed jobs
  retry: { limit: 5, delaySeconds: 300, backoff: true },
});

export function financeCodeRecheckHandler() {
  return jobHandler(financeCodeRecheckJob, async (_payload, context) => {
    const asOf = context.clock.today().toString();
    const codes = await activeFinanceCodes(context.db);
    const cleared = await context.db.transaction().execute(async (tx) => {
      const notPaidByCode = (await clearFlagsNotPaidByCode(tx, asOf)) + (await clearFlagsOfEndedLicences(tx, asOf));
      for (const financeCode of codes) {
        await context.queue.enqueue(
          tx,
          recheckLicenceFinanceCodeJob,
          { financeCode, asOf },
          { singletonKey: `${asOf}:${financeCode}` },
        );
      }
      return notPaidByCode;
    });
    context.log.info({ asOf, codes: codes.length, cleared }, 'finance code re-checks queued');
  });
}

export function recheckLicenceFinanceCodeHandler(services: { cufs: FinanceCodeChecker; site: SiteLinks }) {
  return jobHandler(recheckLicenceFinanceCodeJob, async ({ financeCode, asOf }, context) => {
    const result = await recheckFinanceCode(context.db, context.queue, services.cufs, financeCode, asOf, services.site);
    context.log.info({ financeCode, asOf, ...result }, 'finance code re-checked');
  });
}

/** 03:30 in Europe/London: after the nightly lifecycle job, before anyone reads the flags. */
export const financeCodeRecheckSchedule: ScheduledJob = { type: financeCodeRecheckJob, cron: '30 3 * * *' };
