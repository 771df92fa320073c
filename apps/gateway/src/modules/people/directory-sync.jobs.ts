import type { Directory } from '../../platform/directory/directory.ts';
import { seededDirectory } from '../../platform/directory/seeded-directory.ts';
import { jobHandler, jobType, noPayload, type ScheduledJob } from '../../platform/jobs/jobs.ts';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { runDirectorySync } from './directory-sync.service.ts';

/** The nightly directory sync, as of the clock's today (directory-sync.service.ts). */
export const directorySyncJob = jobType({
  name: 'directory-sync',
  payload: noPayload,
  // the directory down: about 10, 20, 40 minutes, then the back office's failed jobs
  retry: { limit: 3, delaySeconds: 600, backoff: true },
});

/** Logs progress every this many people read. */
const PROGRESS_EVERY = 10_000;

/** `directory`: DIRECTORY's adapter (platform/directory); the seeded table of the job's database when not given. */
export function directorySyncHandler(services: { directory?: Directory; site: SiteLinks }) {
  return jobHandler(directorySyncJob, async (_payload, context) => {
    const directory = services.directory ?? seededDirectory(context.db);
    const asOf = context.clock.today().toString();
    context.log.info({ asOf, directory: directory.description }, 'directory sync started');
    let logged = 0;
    const result = await runDirectorySync(context.db, context.queue, directory, asOf, services.site, (progress) => {
      if (progress.seen - logged < PROGRESS_EVERY) return;
      logged = progress.seen;
      context.log.info(progress, 'directory sync progress');
    });
    context.log.info(result, 'directory sync done');
  });
}

/**
 * 00:30 in Europe/London: before the nightly lifecycle job, so its emails skip tonight's leavers,
 * and outside 01:00-02:00, which the clock changes skip (March) or repeat (October).
 */
export const directorySyncSchedule: ScheduledJob = { type: directorySyncJob, cron: '30 0 * * *' };
