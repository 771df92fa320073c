import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Executor } from '../db/database.ts';
import { SummaryList } from '../web/components.tsx';
import { AppError } from '../web/errors.ts';
import { Page } from '../web/layout.tsx';
import { pageContext } from '../web/page-context.ts';
import { sendPage } from '../web/render.ts';
import type { MailStatus } from './mail.tables.ts';
import { findOutboxEmail, listOutboxEmails, type OutboxEmailSummary } from './mail-outbox.repository.ts';

/**
 * The mail outbox viewer: every email the gateway has written, whatever the transport, so that
 * a developer or a demo can see what people would receive. It shows anyone's mail to anyone, so
 * it exists only alongside dev sign-in (app.ts registers it only then), where anyone can already
 * be anyone. A deployment with real sign-in never has it, even if it keeps the outbox folder.
 */
export interface MailOutboxRoutesOptions {
  db: Executor;
  mail: Config['mail'];
}

export const OUTBOX_PAGE_SIZE = 25;

const listQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) });
const emailParams = z.object({ id: z.coerce.number().int().positive() });

/**
 * The HTML part is the email author's markup: shown only inside a sandboxed frame, from a
 * response whose own policy forbids scripts, forms, plugins and any fetch beyond inline images.
 */
const EMAIL_HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox";

const crumbs = [{ label: 'Home', href: '/' }];

export async function mailOutboxRoutes(app: FastifyInstance, options: MailOutboxRoutesOptions): Promise<void> {
  app.get('/dev/mail/', async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) throw new AppError('bad-request', 'That page number is not valid.');
    const page = query.data.page;
    const rows = await listOutboxEmails(options.db, {
      limit: OUTBOX_PAGE_SIZE + 1,
      offset: (page - 1) * OUTBOX_PAGE_SIZE,
    });
    const emails = rows.slice(0, OUTBOX_PAGE_SIZE);
    const hasNext = rows.length > OUTBOX_PAGE_SIZE;
    return sendPage(
      reply,
      <Page context={pageContext(request, reply)} title="Mail outbox" crumbs={crumbs}>
        <h1>Mail outbox</h1>
        <p class="notice notice--warning">
          This page exists only in the development set-up. It shows every email the gateway has written, newest first.
        </p>
        <p>
          {options.mail.driver === 'outbox'
            ? `Nothing leaves this machine: each email is also written as an .eml file to ${options.mail.dir}.`
            : 'Emails are sent by SMTP.'}
        </p>
        {emails.length === 0 ? (
          <p>{page === 1 ? 'No emails have been written yet.' : 'There are no emails on this page.'}</p>
        ) : (
          <OutboxTable emails={emails} page={page} />
        )}
        <Pagination page={page} hasNext={hasNext} />
      </Page>,
    );
  });

  app.get('/dev/mail/:id', async (request, reply) => {
    const email = await findEmail(options.db, request.params);
    const hasHtml = email.html !== null;
    return sendPage(
      reply,
      <Page
        context={pageContext(request, reply)}
        title={`Email ${email.id}`}
        crumbs={[...crumbs, { label: 'Mail outbox', href: '/dev/mail/' }]}
      >
        <h1>{email.subject}</h1>
        <SummaryList
          rows={[
            ['To', email.to.join(', ')],
            ['Cc', email.cc.length > 0 ? email.cc.join(', ') : 'nobody'],
            ['Subject', email.subject],
            ['Template', email.template],
            ['Status', <StatusTag status={email.status} />],
            ['Attempts', String(email.attempts)],
            ['Message-ID', email.messageId ?? 'not yet assigned (set at the first attempt)'],
            ['Written', <When date={email.createdAt} />],
            ['Sent', email.sentAt ? <When date={email.sentAt} /> : 'not yet'],
            ...(email.lastError ? [['Last error', email.lastError] as [string, string]] : []),
          ]}
        />
        <h2>Plain text</h2>
        <pre>{email.text}</pre>
        <h2>HTML</h2>
        {hasHtml ? (
          <>
            <iframe
              class="email-preview"
              title={`HTML part of “${email.subject}”`}
              src={`/dev/mail/${email.id}/html`}
              sandbox=""
              width="100%"
              height="480"
            />
            <details>
              <summary>HTML source</summary>
              <pre>{email.html}</pre>
            </details>
          </>
        ) : (
          <p>This email has no HTML part.</p>
        )}
      </Page>,
    );
  });

  app.get('/dev/mail/:id/html', async (request, reply) => {
    const email = await findEmail(options.db, request.params);
    if (email.html === null) throw new AppError('not-found', 'This email has no HTML part.');
    return reply
      .header('content-security-policy', EMAIL_HTML_POLICY)
      .header('x-frame-options', 'SAMEORIGIN')
      .type('text/html; charset=utf-8')
      .send(email.html);
  });
}

async function findEmail(db: Executor, params: unknown) {
  const parsed = emailParams.safeParse(params);
  const email = parsed.success ? await findOutboxEmail(db, parsed.data.id) : undefined;
  if (!email) throw new AppError('not-found', 'There is no such email in the outbox.');
  return email;
}

function OutboxTable({ emails, page }: { emails: OutboxEmailSummary[]; page: number }) {
  return (
    <table>
      <caption>Emails, newest first{page > 1 ? ` (page ${page})` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Written</th>
          <th scope="col">To</th>
          <th scope="col">Subject</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {emails.map((email) => (
          <tr key={email.id}>
            <td>
              <When date={email.createdAt} />
            </td>
            <td>{email.to.join(', ')}</td>
            <td>
              <a href={`/dev/mail/${email.id}`}>{email.subject}</a>
            </td>
            <td>
              <StatusTag status={email.status} />
              {email.status !== 'sent' && email.attempts > 0 ? ` after ${plural(email.attempts, 'attempt')}` : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pagination({ page, hasNext }: { page: number; hasNext: boolean }) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav aria-label="Outbox pages">
      <ul>
        {page > 1 ? (
          <li>
            <a href={`/dev/mail/?page=${page - 1}`} rel="prev">
              Newer emails
            </a>
          </li>
        ) : null}
        {hasNext ? (
          <li>
            <a href={`/dev/mail/?page=${page + 1}`} rel="next">
              Older emails
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

const STATUS_TAG: Record<MailStatus, { label: string; className: string }> = {
  pending: { label: 'Pending', className: 'tag tag--grey' },
  sending: { label: 'Sending', className: 'tag' },
  sent: { label: 'Sent', className: 'tag tag--green' },
  failed: { label: 'Failed', className: 'tag tag--red' },
};

function StatusTag({ status }: { status: MailStatus }) {
  const tag = STATUS_TAG[status];
  return <strong class={tag.className}>{tag.label}</strong>;
}

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'Europe/London',
});

function When({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{dateTimeFormat.format(date)}</time>;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
