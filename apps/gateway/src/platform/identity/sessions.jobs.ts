import { jobHandler, jobType, noPayload, type ScheduledJob } from '../jobs/jobs.ts';
import { deleteExpiredSessions } from './session-store.ts';

/** Sessions past their idle timeout are refused already; this clears them out of the table. */
export const deleteExpiredSessionsJob = jobType({
  name: 'delete-expired-sessions',
  payload: noPayload,
  // Hourly: a missed run is made up by the next one, so a couple of quick retries is plenty.
  retry: { limit: 2, delaySeconds: 60, backoff: false },
});

export const deleteExpiredSessionsHandler = jobHandler(deleteExpiredSessionsJob, async (_payload, context) => {
  const deleted = await deleteExpiredSessions(context.db, context.clock.now());
  context.log.info({ deleted }, 'expired sessions deleted');
});

export const deleteExpiredSessionsSchedule: ScheduledJob = { type: deleteExpiredSessionsJob, cron: '7 * * * *' };
