import * as z from 'zod';
import { type AnyJobHandler, jobHandler, jobType } from '../../platform/jobs/jobs.ts';
import type { Provisioner } from '../../platform/provisioner/provisioner.ts';
import { licenceGroupsJobHandlers } from '../licences/licence-groups.jobs.ts';
import { type ProvisioningContext, runProvisioning, startProvisioningAfterApproval } from './provisioning.service.ts';
import { tellStorageStepsHandler } from './storage-steps.jobs.ts';

/**
 * Calls the automated provisioner for one run. A provisioner's failure is recorded on the run
 * and does not fail the job; the job's own retries are for our errors (the database), and repeat
 * the call with the same run id, which a provisioner must treat as the same request.
 */
export const provisionOrderJob = jobType({
  name: 'provision-order',
  payload: z.object({ orderId: z.number().int().positive(), runId: z.number().int().positive() }),
  retry: { limit: 3, delaySeconds: 60, backoff: true },
});

/** Enqueued by the approval (enqueueProvisioningIfAutomatic): starts a run when the provisioner is automated. */
export const startProvisioningJob = jobType({
  name: 'start-provisioning',
  payload: z.object({ orderId: z.number().int().positive() }),
});

export interface ProvisioningJobServices {
  provisioner: Provisioner;
  site: ProvisioningContext['site'];
}

export function provisioningJobHandlers(services: ProvisioningJobServices): AnyJobHandler[] {
  return [
    jobHandler(provisionOrderJob, async (payload, job) => {
      await runProvisioning({ ...services, db: job.db, jobs: job.queue, clock: job.clock }, payload, job.log);
    }),
    jobHandler(startProvisioningJob, async ({ orderId }, job) => {
      await startProvisioningAfterApproval({ ...services, db: job.db, jobs: job.queue, clock: job.clock }, orderId);
    }),
    // After a change of a licence's people or projects: its groups, sent to the same provisioner.
    ...licenceGroupsJobHandlers(services),
    // After the nightly lifecycle: the licences made read-only or moved to the cold store.
    tellStorageStepsHandler(services),
  ];
}
