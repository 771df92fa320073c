import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { runNearQuotaWarnings } from './usage.service.ts';
import type { UsageSettings } from './usage-readings.ts';

/**
 * The nightly near-quota warnings as of the clock's today. Safe to run again: a second run (or two
 * replicas at once) warns nobody twice, since each licence holds at most one open warning.
 */
export const nearQuotaWarningsJob = jobType({
  name: 'near-quota-warnings',
  payload: noPayload,
  retry: { limit: 3, delaySeconds: 300, backoff: true },
});

export function nearQuotaWarningsHandler(services: { settings: UsageSettings; site: SiteLinks }) {
  return jobHandler(nearQuotaWarningsJob, async (_payload, context) => {
    const result = await runNearQuotaWarnings(
      context.db,
      context.queue,
      context.clock.today().toString(),
      services.settings,
      services.site,
    );
    context.log.info(result, 'near-quota warnings done');
  });
}

/** 06:30 in Europe/London: after the storage systems' overnight reports, before the working day. */
export const nearQuotaWarningsSchedule: ScheduledJob = { type: nearQuotaWarningsJob, cron: '30 6 * * *' };
