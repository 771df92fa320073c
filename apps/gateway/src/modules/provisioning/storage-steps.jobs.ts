import * as z from 'zod';
import { jobHandler, jobType } from '../../platform/jobs/jobs.ts';
import type { Provisioner } from '../../platform/provisioner/provisioner.ts';
import type { SiteLinks } from '../lifecycle/lifecycle.service.ts';
import { tellStorageSteps } from './storage-steps.service.ts';

/**
 * Enqueued once per nightly run by the nightly job, in its transaction: tells the storage of every
 * licence that took a step (read-only, to the cold store) that day, a step and a batch at a time.
 * (A job queued with a `state` before one job served the run tells the whole run all the same.)
 * Idempotent: what was told is recorded, so a repeat tells nothing twice. A provisioner's failure
 * fails the job, which is retried and carries on with what is left.
 */
export const tellStorageStepsJob = jobType({
  name: 'tell-storage-steps',
  payload: z.object({
    asOf: z.iso.date(),
  }),
  retry: { limit: 5, delaySeconds: 300, backoff: true },
});

export function tellStorageStepsHandler(services: { provisioner: Provisioner; site: SiteLinks }) {
  return jobHandler(tellStorageStepsJob, async ({ asOf }, job) => {
    const result = await tellStorageSteps(
      { ...services, db: job.db, jobs: job.queue, now: () => job.clock.now() },
      asOf,
    );
    job.log.info({ asOf, ...result }, 'told the storage of the lifecycle steps');
  });
}
