import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { PersonWithRoles } from '../../modules/people/people.repository.ts';
import type { Executor } from '../../platform/db/database.ts';
import { requirePerson } from '../../platform/identity/current-person.ts';
import type { FailedJobs } from '../../platform/jobs/jobs.ts';
import { AppError } from '../../platform/web/errors.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { FailedJobsPage } from './failed-jobs.views.tsx';
import { pageQuery } from './paging.tsx';

export const FAILED_JOBS_PAGE_SIZE = 20;

const retryParams = z.object({ queue: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/), id: z.uuid() });

/** Failed background work (failed jobs, emails that failed for good) is for the people who run the services: superusers and service admins. */
export function requireJobsStaff(request: FastifyRequest): PersonWithRoles {
  const person = requirePerson(request);
  const allowed = person.staffRoles.some((grant) => grant.role === 'superuser' || grant.role === 'service-admin');
  if (!allowed) throw new AppError('forbidden', 'Only service administrators can see failed jobs and emails.');
  return person;
}

export async function failedJobsRoutes(
  app: FastifyInstance,
  options: { db: Executor; failedJobs?: FailedJobs },
): Promise<void> {
  const { db, failedJobs } = options;

  app.get('/admin/jobs/failed', async (request, reply) => {
    requireJobsStaff(request);
    const { page } = pageQuery.parse(request.query ?? {});
    const listed = failedJobs
      ? await failedJobs.list({ limit: FAILED_JOBS_PAGE_SIZE, offset: (page - 1) * FAILED_JOBS_PAGE_SIZE })
      : undefined;
    return sendPage(
      reply,
      <FailedJobsPage
        context={pageContext(request, reply)}
        jobs={listed?.jobs}
        total={listed?.total ?? 0}
        page={page}
        pageSize={FAILED_JOBS_PAGE_SIZE}
      />,
    );
  });

  app.post<{ Params: { queue: string; id: string } }>('/admin/jobs/failed/:queue/:id/retry', async (request, reply) => {
    const person = requireJobsStaff(request);
    const params = retryParams.safeParse(request.params);
    if (!params.success || !failedJobs) throw new AppError('not-found', 'There is no such failed job.');
    const retried = await failedJobs.retry(params.data.queue, params.data.id);
    request.log.info(
      { by: person.crsid, queue: params.data.queue, jobId: params.data.id, retried },
      'failed job retry',
    );
    // Running work again (a provisioning step, an email) is a change someone answers for.
    if (retried) {
      await recordAudit(db, {
        actor: personActor(person),
        entityType: 'failed-job',
        entityId: `${params.data.queue}/${params.data.id}`,
        action: 'retried',
        before: { status: 'failed' },
        after: { status: 'waiting to run again' },
      });
    }
    request.session.flash = retried
      ? `The ${params.data.queue} job will run again shortly.`
      : `That ${params.data.queue} job is no longer failed: someone may have retried it already.`;
    return reply.redirect('/admin/jobs/failed', 303);
  });
}
