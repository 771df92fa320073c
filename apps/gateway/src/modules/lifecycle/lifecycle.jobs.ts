import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';
import { runNightlyLifecycle, type SiteLinks } from './lifecycle.service.ts';
import type { LifecycleSettings } from './lifecycle-dates.ts';

/**
 * The licence lifecycle's night: reminders and expiry steps as of the clock's today. Safe to run
 * again: a second run as of the same day changes nothing and sends nothing.
 */
export const nightlyLifecycleJob = jobType({
  name: 'nightly-lifecycle',
  payload: noPayload,
  retry: { limit: 3, delaySeconds: 300, backoff: true },
});

export function nightlyLifecycleHandler(services: { settings: LifecycleSettings; site: SiteLinks }) {
  return jobHandler(nightlyLifecycleJob, async (_payload, context) => {
    const result = await runNightlyLifecycle(
      context.db,
      context.queue,
      context.clock.today().toString(),
      services.settings,
      services.site,
      context.clock.now(),
    );
    context.log.info(result, 'nightly lifecycle done');
  });
}

/** 02:15 in Europe/London: after midnight so "today" is the new day, clear of the hourly jobs. */
export const nightlyLifecycleSchedule: ScheduledJob = { type: nightlyLifecycleJob, cron: '15 2 * * *' };
