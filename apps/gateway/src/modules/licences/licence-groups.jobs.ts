import * as z from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import { type AnyJobHandler, jobHandler, jobType } from '../../platform/jobs/jobs.ts';
import type { GroupSyncRequest, Provisioner } from '../../platform/provisioner/provisioner.ts';
import { systemActor } from '../audit/audit.repository.ts';
import { type ProjectMailContext, recordProjectsMade } from '../provisioning/project-provisioning.service.ts';
import { listProjects } from './licences.repository.ts';

/**
 * Enqueued in the same transaction as every change of a licence's people or storage projects:
 * sends the licence as it is now to an automated provisioner, which makes the storage system's
 * groups match. Idempotent (it sends the current state, whatever was sent before), so a repeat
 * or a late run is harmless. Nothing is sent for the manual provisioner (afterPeopleChange leaves the
 * licence waiting for an access change that its team makes by hand), nor for a licence whose
 * storage is not set up yet (its provisioning run carries the people, and a run that completes
 * after they changed, or the team's record of the set-up by hand, enqueues this job again:
 * provisioning.service.ts; with the manual provisioner the change waits for the team once the
 * licence is set up) or no longer in use.
 * Projects created since the licence was set up are sent as `pending`: the provisioner makes them
 * and answers their paths, which are recorded (the projects become active). Removed projects are
 * sent apart (removedProjects), so that nobody keeps access to their folders. The manual
 * provisioner's team reads the same state on the licence's access-change page, and records the
 * projects it made on the staff licence page.
 */
export const syncLicenceGroupsJob = jobType({
  name: 'sync-licence-groups',
  payload: z.object({ licenceId: z.number().int().positive() }),
  retry: { limit: 5, delaySeconds: 60, backoff: true },
});

/** The licence's owner, managers and projects that are not removed, with their members, and the removed ones; undefined if it is not active. */
export async function groupSyncRequestFor(db: Executor, licenceId: number): Promise<GroupSyncRequest | undefined> {
  const licence = await db
    .selectFrom('licences')
    .innerJoin('people', 'people.id', 'licences.owner_person_id')
    .select(['licences.id', 'licences.name', 'licences.size_tb', 'licences.status', 'people.crsid as owner'])
    .where('licences.id', '=', licenceId)
    .executeTakeFirst();
  if (licence?.status !== 'active') return undefined;
  const managers = await db
    .selectFrom('licence_managers')
    .innerJoin('people', 'people.id', 'licence_managers.person_id')
    .select('people.crsid')
    .where('licence_managers.licence_id', '=', licenceId)
    .orderBy('people.crsid')
    .execute();
  const projects = await listProjects(db, licenceId);
  return {
    licence: {
      id: licence.id,
      name: licence.name,
      sizeTb: licence.size_tb,
      owner: licence.owner,
      managers: managers.map((manager) => manager.crsid),
    },
    projects: projects
      .filter((project) => project.status !== 'removed')
      .map((project) => ({
        id: project.id,
        name: project.name,
        quotaTb: project.quotaTb,
        status: project.status === 'pending' ? ('pending' as const) : ('active' as const),
        members: project.members.map((member) => ({ crsid: member.crsid, role: member.role })),
      })),
    removedProjects: projects
      .filter((project) => project.status === 'removed')
      .map((project) => ({ id: project.id, name: project.name, path: project.path })),
  };
}

export function licenceGroupsJobHandlers(services: {
  provisioner: Provisioner;
  site: ProjectMailContext['site'];
}): AnyJobHandler[] {
  return [
    jobHandler(syncLicenceGroupsJob, async ({ licenceId }, job) => {
      if (!services.provisioner.automatic) return;
      const request = await groupSyncRequestFor(job.db, licenceId);
      if (!request) return;
      // A provisioner's failure fails the job, which is retried with the state as it is then.
      const answered = await services.provisioner.syncGroups(request);
      const made = await job.db
        .transaction()
        .execute((tx) =>
          recordProjectsMade(
            { jobs: job.queue, site: services.site },
            tx,
            licenceId,
            answered,
            systemActor(`provisioner (${services.provisioner.kind})`),
          ),
        );
      job.log.info(
        { licenceId, projects: request.projects.length, made },
        'sent the licence groups to the provisioner',
      );
    }),
  ];
}
