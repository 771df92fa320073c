import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';
import { runNightlyLifecycle, type SiteLinks, sendLifecycleNotices } from './lifecycle.service.ts';
import type { LifecycleSettings } from './lifecycle-dates.ts';
import { sendLifecycleNoticesJob } from './lifecycle-mail.ts';

/**
 * The licence lifecycle's night: reminders and expiry steps as of the clock's today. Safe to run
 * again: a second run as of the same day changes nothing and sends nothing.
 */
export const nightlyLifecycleJob = jobType({
  name: 'nightly-lifecycle',
  payload: noPayload,
  retry: { limit: 3, delaySeconds: 300, backoff: true },
});

export function nightlyLifecycleHandler(services: { settings: LifecycleSettings }) {
  return jobHandler(nightlyLifecycleJob, async (_payload, context) => {
    const result = await runNightlyLifecycle(
      context.db,
      context.queue,
      context.clock.today().toString(),
      services.settings,
      context.clock.now(),
    );
    context.log.info(result, 'nightly lifecycle done');
  });
}

/** The nightly job's emails of a day, rendered into the outbox; again, it queues nothing twice. */
export function sendLifecycleNoticesHandler(services: { settings: LifecycleSettings; site: SiteLinks }) {
  return jobHandler(sendLifecycleNoticesJob, async ({ asOf }, context) => {
    const queued = await sendLifecycleNotices(context.db, context.queue, asOf, services.settings, services.site);
    context.log.info({ asOf, queued }, 'lifecycle notices queued');
  });
}

/** 02:15 in Europe/London: after midnight so "today" is the new day, clear of the hourly jobs. */
export const nightlyLifecycleSchedule: ScheduledJob = { type: nightlyLifecycleJob, cron: '15 2 * * *' };
