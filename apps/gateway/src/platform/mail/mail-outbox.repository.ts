import { type Selectable, sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { MailOutboxTable, MailStatus } from './mail.tables.ts';

export interface NewOutboxEmail {
  template: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface OutboxEmail {
  id: number;
  template: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export type OutboxEmailSummary = Pick<
  OutboxEmail,
  'id' | 'to' | 'subject' | 'status' | 'attempts' | 'createdAt' | 'sentAt'
>;

const outboxColumns = [
  'id',
  'template',
  'to_addresses',
  'cc_addresses',
  'subject',
  'text_body',
  'html_body',
  'status',
  'attempts',
  'last_error',
  'message_id',
  'created_at',
  'sent_at',
] as const;

type OutboxRow = Pick<Selectable<MailOutboxTable>, (typeof outboxColumns)[number]>;

function toOutboxEmail(row: OutboxRow): OutboxEmail {
  return {
    id: row.id,
    template: row.template,
    to: row.to_addresses,
    cc: row.cc_addresses,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    messageId: row.message_id,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export async function insertOutboxEmail(db: Executor, email: NewOutboxEmail): Promise<number> {
  const row = await db
    .insertInto('mail_outbox')
    .values({
      template: email.template,
      to_addresses: email.to,
      cc_addresses: email.cc,
      subject: email.subject,
      text_body: email.text,
      html_body: email.html ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findOutboxEmail(db: Executor, id: number): Promise<OutboxEmail | undefined> {
  const row = await db.selectFrom('mail_outbox').select(outboxColumns).where('id', '=', id).executeTakeFirst();
  return row ? toOutboxEmail(row) : undefined;
}

/**
 * Takes the row for one sending attempt, or returns nothing if it is not ours to take. One
 * conditional UPDATE decides: two workers racing for the same row cannot both win, because the
 * loser's WHERE is re-checked against the winner's committed 'sending'. A claim older than the
 * lease belonged to a sender that died, and may be taken again. The Message-ID is fixed by the
 * first claim and kept by every later one.
 */
export async function claimOutboxEmail(
  db: Executor,
  id: number,
  claim: { messageId: string; leaseSeconds: number },
): Promise<OutboxEmail | undefined> {
  const row = await db
    .updateTable('mail_outbox')
    .set((eb) => ({
      status: 'sending',
      attempts: eb('attempts', '+', 1),
      sending_since: sql<Date>`now()`,
      message_id: eb.fn.coalesce('message_id', eb.val(claim.messageId)),
    }))
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'failed']),
        eb.and([
          eb('status', '=', 'sending'),
          eb('sending_since', '<', sql<Date>`now() - make_interval(secs => ${claim.leaseSeconds})`),
        ]),
      ]),
    )
    .returning(outboxColumns)
    .executeTakeFirst();
  return row ? toOutboxEmail(row) : undefined;
}

/** Sent is final: a later claim's bookkeeping can never turn it back. */
export async function markOutboxEmailSent(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, sending_since: null, last_error: null })
    .where('id', '=', id)
    .where('status', '<>', 'sent')
    .execute();
}

/** Records a failed attempt, but only if the row is still this attempt's claim. */
export async function markOutboxEmailFailed(db: Executor, id: number, attempt: number, error: string): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ status: 'failed', sending_since: null, last_error: error })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('attempts', '=', attempt)
    .execute();
}

/** Newest first, for the outbox viewer; one row beyond the page says whether there is another. */
export async function listOutboxEmails(
  db: Executor,
  page: { limit: number; offset: number },
): Promise<OutboxEmailSummary[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['id', 'to_addresses', 'subject', 'status', 'attempts', 'created_at', 'sent_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    to: row.to_addresses,
    subject: row.subject,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  }));
}

export type FailedOutboxEmail = Pick<
  OutboxEmail,
  'id' | 'to' | 'cc' | 'subject' | 'attempts' | 'lastError' | 'createdAt'
>;

/**
 * Emails still 'failed' after at least `minAttempts` tries, newest first, for the back office's
 * failed-emails page; one row beyond the page says whether there is another.
 */
export async function listFailedOutboxEmails(
  db: Executor,
  minAttempts: number,
  page: { limit: number; offset: number },
): Promise<FailedOutboxEmail[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .select(['id', 'to_addresses', 'cc_addresses', 'subject', 'attempts', 'last_error', 'created_at'])
    .where('status', '=', 'failed')
    .where('attempts', '>=', minAttempts)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    to: row.to_addresses,
    cc: row.cc_addresses,
    subject: row.subject,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
  }));
}

/**
 * Puts a failed email back to 'pending' so that a new send-email job may claim it; nothing if it
 * is no longer failed (sent, or already put back by someone else). Its last error and Message-ID
 * are kept: a resend carries the same Message-ID, so a copy that did arrive is recognised.
 */
export async function reopenFailedOutboxEmail(
  db: Executor,
  id: number,
): Promise<Pick<OutboxEmail, 'id' | 'attempts' | 'lastError'> | undefined> {
  const row = await db
    .updateTable('mail_outbox')
    .set({ status: 'pending' })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .returning(['id', 'attempts', 'last_error'])
    .executeTakeFirst();
  return row ? { id: row.id, attempts: row.attempts, lastError: row.last_error } : undefined;
}
