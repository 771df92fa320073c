import { sql } from 'kysely';
import * as z from 'zod';
import type { Executor } from '../../platform/db/database.ts';
import { type JobQueue, jobHandler, jobType } from '../../platform/jobs/jobs.ts';
import type { RenderedEmail } from '../../platform/mail/email-template.tsx';
import { deliverOutboxEmail, type MailSender, sendEmailJob } from '../../platform/mail/mail.jobs.ts';

/**
 * Many emails at once, for the nightly job: thousands of owners may hear of an expiry on the same
 * night, and a row plus a job each would cost two statements per email. Instead each chunk of
 * emails is one INSERT into the outbox, and each batch of ids one `send-emails` job, which hands
 * any email it could not send to its own `send-email` job (with that job's retries), so one bad
 * address never holds up the rest.
 */
export const SEND_BATCH_SIZE = 200;
/** Emails per outbox INSERT: callers with many emails render and queue them this many at a time. */
export const INSERT_CHUNK_SIZE = 2 * SEND_BATCH_SIZE;

export const sendEmailsJob = jobType({
  name: 'send-emails',
  payload: z.object({ outboxIds: z.array(z.number().int().positive()).min(1).max(SEND_BATCH_SIZE) }),
  retry: { limit: 3, delaySeconds: 60, backoff: true },
});

/** Writes the emails to the outbox and enqueues their sending, all through `tx`. Returns how many. */
export async function queueEmails(tx: Executor, messages: readonly RenderedEmail[], jobs: JobQueue): Promise<number> {
  for (let start = 0; start < messages.length; start += INSERT_CHUNK_SIZE) {
    const chunk = messages.slice(start, start + INSERT_CHUNK_SIZE).map((message) => ({
      template: message.template,
      to: message.to,
      cc: message.cc,
      subject: message.subject,
      text: message.text,
      html: message.html,
    }));
    const result = await sql<{ id: number }>`
      INSERT INTO mail_outbox (template, to_addresses, cc_addresses, subject, text_body, html_body)
      SELECT m.template,
        ARRAY(SELECT jsonb_array_elements_text(m."to")),
        ARRAY(SELECT jsonb_array_elements_text(m.cc)),
        m.subject, m.text, m.html
      FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb)
        AS m(template text, "to" jsonb, cc jsonb, subject text, text text, html text)
      RETURNING id
    `.execute(tx);
    const ids = result.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
    for (let at = 0; at < ids.length; at += SEND_BATCH_SIZE) {
      await jobs.enqueue(tx, sendEmailsJob, { outboxIds: ids.slice(at, at + SEND_BATCH_SIZE) });
    }
  }
  return messages.length;
}

/**
 * Renders the nightly job's notices of a day (lifecycle_notices) into the outbox, which the
 * nightly job writes as data so that its own transaction stays small (see sendLifecycleNotices).
 */
export const sendLifecycleNoticesJob = jobType({
  name: 'send-lifecycle-notices',
  payload: z.object({ asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  retry: { limit: 5, delaySeconds: 60, backoff: true },
});

export function sendEmailsHandler(sender: MailSender) {
  return jobHandler(sendEmailsJob, async ({ outboxIds }, context) => {
    for (const outboxId of outboxIds) {
      try {
        await deliverOutboxEmail(context.db, outboxId, sender, context.log);
      } catch {
        // Recorded on the row already (or another worker holds it): its own job retries it.
        await context.queue.enqueue(context.db, sendEmailJob, { outboxId }, { singletonKey: `send-email-${outboxId}` });
      }
    }
  });
}
