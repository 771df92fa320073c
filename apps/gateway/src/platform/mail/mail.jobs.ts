import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import * as z from 'zod';
import type { Executor } from '../db/database.ts';
import { type JobHandler, type JobQueue, jobHandler, jobType } from '../jobs/jobs.ts';
import type { RenderedEmail } from './email-template.tsx';
import {
  claimOutboxEmail,
  findOutboxEmail,
  insertOutboxEmail,
  markOutboxEmailFailed,
  markOutboxEmailSent,
  reopenFailedOutboxEmail,
} from './mail-outbox.repository.ts';
import type { MailTransport } from './mail-transport.ts';

/**
 * Ten retries with doubling delays from 30 seconds span about eight hours: long enough to ride
 * out an SMTP outage, after which the row stays 'failed' with its error for staff to see on the
 * back office's failed-emails page (/admin/emails/failed), which can send it again.
 */
export const sendEmailJob = jobType({
  name: 'send-email',
  payload: z.object({ outboxId: z.number().int().positive() }),
  retry: { limit: 10, delaySeconds: 30, backoff: true },
});

/**
 * The tries after which an email counts as failed for good: the first and every retry the job
 * type allows. On pg-boss the queue then stops. Cloud Tasks applies its queue's own policy (it
 * retries for up to 24 hours), so there an email listed may still be tried again; sending it again
 * meanwhile does no harm, as a sent email is never sent twice.
 */
export const EMAIL_TRIES = (sendEmailJob.retry?.limit ?? 0) + 1;

/**
 * Sends a failed email again: puts it back to 'pending' and enqueues a send-email job for it,
 * both through `executor` (pass the transaction that records who asked). Returns the row as it
 * was, or nothing if it is no longer failed.
 */
export async function sendFailedEmailAgain(executor: Executor, outboxId: number, jobs: JobQueue) {
  const reopened = await reopenFailedOutboxEmail(executor, outboxId);
  if (reopened) await jobs.enqueue(executor, sendEmailJob, { outboxId });
  return reopened;
}

/**
 * How long a 'sending' claim is honoured. Far longer than an SMTP exchange can take (see the
 * transport's timeouts), so only a claim whose worker died is ever taken over.
 */
export const SENDING_LEASE_SECONDS = 300;

const address = z.email();
const outboxMessageSchema = z.object({
  template: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a template name is kebab-case'),
  to: z.array(address).min(1, 'an email needs a recipient').max(50),
  cc: z.array(address).max(50),
  subject: z
    .string()
    .min(1)
    .max(250)
    .refine((subject) => !/[\r\n]/.test(subject), 'a subject is one line'),
  text: z.string().min(1, 'an email needs a plain-text part'),
  html: z.string().optional(),
});

/**
 * Writes an email to the outbox and enqueues the job that sends it, both through `executor`:
 * pass the transaction of the change that causes the email, and a rollback leaves neither.
 * Returns the outbox row's id.
 */
export async function queueEmail(executor: Executor, message: RenderedEmail, jobs: JobQueue): Promise<number> {
  const email = outboxMessageSchema.parse(message);
  const outboxId = await insertOutboxEmail(executor, email);
  await jobs.enqueue(executor, sendEmailJob, { outboxId });
  return outboxId;
}

/** Another worker holds a fresh claim on the row; the queue should try again later. */
export class EmailBusyError extends Error {
  constructor(outboxId: number) {
    super(`outbox email ${outboxId} is being sent by another worker`);
    this.name = 'EmailBusyError';
  }
}

export type DeliveryOutcome = 'sent' | 'already-sent' | 'missing';

export interface MailSender {
  transport: MailTransport;
  /** The From header, e.g. `Storage Self-Service Gateway <no-reply@storage.example.ac.uk>`. */
  from: string;
}

/**
 * One attempt at one outbox email. Commits the claim before talking to the mail server, so no
 * transaction is held open over the network; rethrows a failure, after recording it, so the
 * queue retries with backoff. Safe to run any number of times: a sent row is never sent again.
 */
export async function deliverOutboxEmail(
  db: Executor,
  outboxId: number,
  sender: MailSender,
  log?: Logger,
): Promise<DeliveryOutcome> {
  const email = await claimOutboxEmail(db, outboxId, {
    messageId: newMessageId(sender.from),
    leaseSeconds: SENDING_LEASE_SECONDS,
  });
  if (!email) {
    const current = await findOutboxEmail(db, outboxId);
    if (!current) {
      // Retrying cannot make the row appear; nothing to send.
      log?.warn({ outboxId }, 'send-email: no such outbox email');
      return 'missing';
    }
    if (current.status === 'sent') {
      log?.info({ outboxId, messageId: current.messageId }, 'send-email: already sent, skipped');
      return 'already-sent';
    }
    throw new EmailBusyError(outboxId);
  }
  // The claim always sets it; the type cannot know that.
  const messageId = email.messageId ?? newMessageId(sender.from);
  let detail: string;
  try {
    const receipt = await sender.transport.send({
      from: sender.from,
      to: email.to,
      cc: email.cc,
      subject: email.subject,
      text: email.text,
      html: email.html ?? undefined,
      messageId,
      date: email.createdAt,
    });
    detail = receipt.detail;
  } catch (error) {
    const description = describeSendError(error);
    await markOutboxEmailFailed(db, outboxId, email.attempts, description);
    log?.warn({ outboxId, messageId, attempt: email.attempts, error: description }, 'email not sent, will retry');
    throw error;
  }
  // Outside the try: if this write fails the mail did go, so it must not be recorded as failed.
  // The row stays 'sending' until the lease runs out; a resend then carries the same Message-ID.
  await markOutboxEmailSent(db, outboxId);
  log?.info({ outboxId, messageId, template: email.template, transport: sender.transport.kind, detail }, 'email sent');
  return 'sent';
}

/** The `send-email` job: register it with the worker, built from the configured transport. */
export function sendEmailHandler(sender: MailSender): JobHandler<z.infer<typeof sendEmailJob.payload>> {
  return jobHandler(sendEmailJob, async (payload, context) => {
    await deliverOutboxEmail(context.db, payload.outboxId, sender, context.log);
  });
}

/** `<uuid@sender's domain>`: unique everywhere, and recognisably ours. */
export function newMessageId(from: string): string {
  const domain = from.match(/@([A-Za-z0-9.-]+)>?\s*$/)?.[1] ?? 'storage-gateway.invalid';
  return `<${randomUUID()}@${domain}>`;
}

/**
 * What went wrong, in a form fit for the row and the viewer: the SMTP reply when there is one,
 * never a password (nodemailer errors can quote a connection URL), and never unbounded.
 */
export function describeSendError(error: unknown): string {
  const parts: string[] = [];
  if (error instanceof Error) {
    const details = error as Error & { code?: unknown; responseCode?: unknown; response?: unknown };
    if (typeof details.code === 'string') parts.push(details.code);
    if (typeof details.responseCode === 'number') parts.push(String(details.responseCode));
    parts.push(error.message);
  } else {
    parts.push(String(error));
  }
  return parts
    .join(' ')
    .replace(/\/\/[^\s/@]*@/g, '//***@')
    .slice(0, 2000);
}
