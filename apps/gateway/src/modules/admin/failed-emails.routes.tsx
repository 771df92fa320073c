import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/jobs.ts';
import { EMAIL_TRIES, sendEmailJob, sendFailedEmailAgain } from '../../platform/mail/mail.jobs.ts';
import { listFailedOutboxEmails } from '../../platform/mail/mail-outbox.repository.ts';
import { AppError } from '../../platform/web/errors.ts';
import { pageContext } from '../../platform/web/page-context.ts';
import { sendPage } from '../../platform/web/render.ts';
import { personActor, recordAudit } from '../audit/audit.repository.ts';
import { FailedEmailsPage } from './failed-emails.views.tsx';
import { requireJobsStaff } from './failed-jobs.routes.tsx';
import { pageQuery } from './paging.tsx';

/**
 * The back office's failed emails: those the send-email job gave up on, which would otherwise be
 * lost in production (the outbox viewer exists only with dev sign-in). Each can be sent again.
 */
export const FAILED_EMAILS_PAGE_SIZE = 25;

const emailParams = z.object({ id: z.coerce.number().int().positive() });

export async function failedEmailsRoutes(
  app: FastifyInstance,
  options: { db: Executor; jobs: JobQueue },
): Promise<void> {
  const { db, jobs } = options;

  app.get('/admin/emails/failed', async (request, reply) => {
    requireJobsStaff(request);
    const { page } = pageQuery.parse(request.query ?? {});
    const rows = await listFailedOutboxEmails(db, EMAIL_TRIES, {
      limit: FAILED_EMAILS_PAGE_SIZE + 1,
      offset: (page - 1) * FAILED_EMAILS_PAGE_SIZE,
    });
    return sendPage(
      reply,
      <FailedEmailsPage
        context={pageContext(request, reply)}
        emails={rows.slice(0, FAILED_EMAILS_PAGE_SIZE)}
        page={page}
        hasNext={rows.length > FAILED_EMAILS_PAGE_SIZE}
        tries={EMAIL_TRIES}
      />,
    );
  });

  app.post<{ Params: { id: string } }>('/admin/emails/failed/:id/send-again', async (request, reply) => {
    const person = requireJobsStaff(request);
    const params = emailParams.safeParse(request.params);
    if (!params.success) throw new AppError('not-found', 'There is no such failed email.');
    const outboxId = params.data.id;
    const reopened = await db.transaction().execute(async (trx) => {
      const row = await sendFailedEmailAgain(trx, outboxId, jobs);
      // Sending an email again is a change someone answers for, as retrying a failed job is.
      if (row) {
        await recordAudit(trx, {
          actor: personActor(person),
          entityType: 'failed-job',
          entityId: `${sendEmailJob.name}/outbox-${outboxId}`,
          action: 'sent-again',
          before: { status: 'failed', attempts: row.attempts, lastError: row.lastError },
          after: { status: 'waiting to be sent' },
        });
      }
      return row;
    });
    request.log.info({ by: person.crsid, outboxId, reopened: Boolean(reopened) }, 'failed email sent again');
    request.session.flash = reopened
      ? `Email ${outboxId} will be sent again shortly. If it fails again it comes back to this list.`
      : `Email ${outboxId} is no longer failed: someone may have sent it again already.`;
    return reply.redirect('/admin/emails/failed', 303);
  });
}
