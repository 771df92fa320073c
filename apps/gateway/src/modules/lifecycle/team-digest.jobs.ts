import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';
import type { SiteLinks } from './lifecycle.service.ts';
import { runTeamDigest } from './team-digest.service.ts';

/**
 * The weekly digest of orders waiting for each service team, as of the clock's today. Safe to run
 * again: a second run in the same week sends nothing.
 */
export const waitingOrdersDigestJob = jobType({
  name: 'waiting-orders-digest',
  payload: noPayload,
  retry: { limit: 3, delaySeconds: 300, backoff: true },
});

export function waitingOrdersDigestHandler(services: { site: SiteLinks }) {
  return jobHandler(waitingOrdersDigestJob, async (_payload, context) => {
    const result = await runTeamDigest(
      context.db,
      context.queue,
      context.clock.today().toString(),
      context.clock.now(),
      services.site,
    );
    context.log.info(result, 'waiting orders digest done');
  });
}

/** Mondays at 08:00 in Europe/London, as the teams start the week. */
export const waitingOrdersDigestSchedule: ScheduledJob = { type: waitingOrdersDigestJob, cron: '0 8 * * 1' };
